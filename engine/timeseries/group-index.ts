// engine/timeseries/group-index: maps a row to its group number for aggregateRows, with the strategy picked once per
// ScanOp from the shape of its group keys (QuestDB's way: no per-row test of what kind of grouping this is):
// no keys → one group; a time bucket → a number-keyed Map; a tag → per-memtable dictionary-id cache; bucket + tag →
// both; anything else → a composite string key. Knows nothing of aggregates, rings or SQL.
import { bucketStartOf, type GroupKey } from '../ops.js'
import { isMemNull, type MemColumn } from './memtable.js'

type TimeBucket = Extract<GroupKey, { kind: 'timeBucket' }>

export { bucketStartOf }

/** Tag ordinals: one number per distinct tag value (NULL included) across all memtables of the scan. */
export class TagOrdinals {
  private readonly byValue = new Map<string | null, number>()
  private cache = new Int32Array(0)

  constructor(readonly column: number) {}

  beginMemtable(columns: ReadonlyArray<MemColumn>): void {
    const tag = columns[this.column]!
    this.cache = new Int32Array(tag.kind === 'symbol' ? tag.dict.length + 1 : 0).fill(-1)
  }

  ordinalOf(columns: ReadonlyArray<MemColumn>, row: number): number {
    const tag = columns[this.column]!
    if (tag.kind !== 'symbol') return this.resolve(isMemNull(tag, row) ? null : String(tag.values[row]))
    const id = tag.ids[row]!
    const slot = id < 0 ? this.cache.length - 1 : id
    let ordinal = this.cache[slot]!
    if (ordinal < 0) {
      ordinal = this.resolve(id < 0 ? null : tag.dict[id]!)
      this.cache[slot] = ordinal
    }
    return ordinal
  }

  private resolve(value: string | null): number {
    let ordinal = this.byValue.get(value)
    if (ordinal === undefined) {
      ordinal = this.byValue.size
      this.byValue.set(value, ordinal)
    }
    return ordinal
  }
}

function stringKey(groupBy: ReadonlyArray<GroupKey>, columns: ReadonlyArray<MemColumn>, row: number, ts: number): string {
  let key = ''
  for (const k of groupBy) {
    if (k.kind === 'timeBucket') { key += `${bucketStartOf(k, ts)}\u0001`; continue }
    const column = columns[k.column]!
    if (isMemNull(column, row)) { key += 'N\u0001'; continue }
    switch (column.kind) {
      case 'symbol': key += `s${column.dict[column.ids[row]!]!}\u0001`; break
      case 'text': key += `s${column.values[row]!}\u0001`; break
      default: key += `v${String(column.values[row]!)}\u0001`
    }
  }
  return key
}

/**
 * `lookup` returns the row's group, or -1 for a group not seen yet; the caller then numbers it and calls `insert`
 * with that number (the key of the last lookup is remembered, so nothing is computed twice).
 */
export class GroupIndex {
  private readonly bucket: TimeBucket | undefined
  private readonly tags: TagOrdinals | undefined
  private readonly kind: 'none' | 'bucket' | 'tag' | 'bucketTag' | 'general'
  private readonly byNumber = new Map<number, number>()
  private readonly byTagThenBucket: Array<Map<number, number>> = []
  private readonly byString = new Map<string, number>()
  private pendingNumber = 0
  private pendingTag = 0
  private pendingString = ''
  private groupCount = 0

  constructor(private readonly groupBy: ReadonlyArray<GroupKey>, tagColumns: ReadonlySet<number>) {
    const buckets = groupBy.filter((k): k is TimeBucket => k.kind === 'timeBucket')
    const tags = groupBy.filter((k) => k.kind === 'column' && tagColumns.has(k.column))
    this.bucket = buckets[0]
    const tag = tags[0]
    this.tags = tag?.kind === 'column' ? new TagOrdinals(tag.column) : undefined
    if (groupBy.length === 0) this.kind = 'none'
    else if (groupBy.length === 1 && buckets.length === 1) this.kind = 'bucket'
    else if (groupBy.length === 1 && tags.length === 1) this.kind = 'tag'
    else if (groupBy.length === 2 && buckets.length === 1 && tags.length === 1) this.kind = 'bucketTag'
    else this.kind = 'general'
  }

  beginMemtable(columns: ReadonlyArray<MemColumn>): void {
    this.tags?.beginMemtable(columns)
  }

  lookup(columns: ReadonlyArray<MemColumn>, row: number, ts: number): number {
    switch (this.kind) {
      case 'none': return this.groupCount > 0 ? 0 : -1
      case 'bucket':
        this.pendingNumber = bucketStartOf(this.bucket!, ts)
        return this.byNumber.get(this.pendingNumber) ?? -1
      case 'tag':
        this.pendingNumber = this.tags!.ordinalOf(columns, row)
        return this.byNumber.get(this.pendingNumber) ?? -1
      case 'bucketTag':
        this.pendingTag = this.tags!.ordinalOf(columns, row)
        this.pendingNumber = bucketStartOf(this.bucket!, ts)
        return this.byTagThenBucket[this.pendingTag]?.get(this.pendingNumber) ?? -1
      case 'general':
        this.pendingString = stringKey(this.groupBy, columns, row, ts)
        return this.byString.get(this.pendingString) ?? -1
    }
  }

  insert(group: number): void {
    this.groupCount++
    switch (this.kind) {
      case 'none': return
      case 'bucket': case 'tag': this.byNumber.set(this.pendingNumber, group); return
      case 'bucketTag': {
        let byBucket = this.byTagThenBucket[this.pendingTag]
        if (byBucket === undefined) { byBucket = new Map(); this.byTagThenBucket[this.pendingTag] = byBucket }
        byBucket.set(this.pendingNumber, group)
        return
      }
      case 'general': this.byString.set(this.pendingString, group)
    }
  }
}
