// engine/timeseries/aggregate-fast: a fused kernel for the commonest aggregate scans — group keys of at most one time
// bucket and one symbol (tag) column, with count(*), count/sum/avg/min/max over float or timestamp columns and
// first/last over any column. Rows get small integer group numbers first (a bucket is looked up only when it changes;
// tags through per-memtable dictionary caches), then each aggregate walks its typed array once. Groups are numbered in row order and each
// group's additions and min/max choices happen in row order, as in aggregate.ts, whose finishPartial builds the
// result from the same accumulators: results are identical. Anything else returns null (aggregate.ts's general loop).
import type { GroupKey, ScanOp } from '../ops.js'
import type { Selection } from './scan.js'
import { floatOrder } from './gather.js'
import { bucketStartOf, TagOrdinals } from './group-index.js'
import type { Accumulator, GroupRefs } from './aggregate.js'

type TimeBucket = Extract<GroupKey, { kind: 'timeBucket' }>

function fits(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number): boolean {
  const buckets = op.groupBy.filter((key) => key.kind === 'timeBucket')
  const tags = op.groupBy.filter((key) => key.kind !== 'timeBucket')
  if (buckets.length > 1 || tags.length > 1) return false
  if (op.aggregates.some((spec) => spec.filter !== undefined && spec.filter !== null)) return false
  for (const key of tags) {
    if (!selections.every((s) => s.memtable.columns[key.column]?.kind === 'symbol')) return false
  }
  const handled = new Set(['count', 'sum', 'avg', 'min', 'max', 'first', 'last'])
  for (const spec of op.aggregates) {
    if (!handled.has(spec.fn)) return false
    if (spec.column === null) { if (spec.fn !== 'count') return false; continue }
    // first/last choose a row by its timestamp alone: any column kind (the cell is gathered at the end).
    if (spec.fn === 'first' || spec.fn === 'last') continue
    for (const s of selections) {
      const kind = s.memtable.columns[spec.column]?.kind
      if (kind !== 'f64' && kind !== 'timestamp') return false
    }
  }
  return selections.every((s) => s.memtable.columns[tsIndex]?.kind === 'timestamp')
}

/** first/last: the row at the extreme timestamp, NULL or not; ties keep the row seen first (as aggregate.ts). */
function chooseByTime(acc: Accumulator, selection: Selection, m: number, groupOf: Int32Array, times: Float64Array): void {
  const { rows, count } = selection
  const { timestamps, tables } = acc
  const isFirst = acc.spec.fn === 'first'
  for (let i = 0; i < count; i++) {
    const row = rows[i]!
    const g = groupOf[i]!
    const t = times[row]!
    if (isFirst ? t < timestamps[g]! : t > timestamps[g]!) { timestamps[g] = t; tables[g] = m; acc.rows[g] = row }
  }
}

/** Adds the selected rows of memtable m (row i in group groupOf[i]) to one accumulator, in row order. */
function addRows(acc: Accumulator, best: number[], selection: Selection, m: number, groupOf: Int32Array, times: Float64Array): void {
  const { rows, count } = selection
  const fn = acc.spec.fn
  const counts = acc.counts
  if (fn === 'first' || fn === 'last') { chooseByTime(acc, selection, m, groupOf, times); return }
  if (acc.spec.column === null) { for (let i = 0; i < count; i++) counts[groupOf[i]!]! += 1; return }
  const column = selection.memtable.columns[acc.spec.column]!
  if (column.kind !== 'f64' && column.kind !== 'timestamp') return
  const { values, nulls } = column
  if (fn === 'count') {
    for (let i = 0; i < count; i++) if (nulls[rows[i]!] !== 1) counts[groupOf[i]!]! += 1
  } else if (fn === 'sum' || fn === 'avg') {
    const sums = acc.sums
    for (let i = 0; i < count; i++) {
      const row = rows[i]!
      if (nulls[row] !== 1) { const g = groupOf[i]!; counts[g]! += 1; sums[g]! += values[row]! }
    }
  } else {
    const isMin = fn === 'min'
    for (let i = 0; i < count; i++) {
      const row = rows[i]!
      if (nulls[row] === 1) continue
      const g = groupOf[i]!
      const value = values[row]!
      counts[g]! += 1
      const cmp = acc.tables[g] === -1 ? 0 : floatOrder(value, best[g]!)
      if (acc.tables[g] === -1 || (isMin ? cmp < 0 : cmp > 0)) { acc.tables[g] = m; acc.rows[g] = row; best[g] = value }
    }
  }
}

/**
 * The accumulators and group references of the fused aggregate (for aggregate.ts's finishPartial), or null when the
 * op is not of the shape this kernel handles. `accs` are fresh (no groups); `addGroup` appends one group to one.
 */
export function tryFastAggregate(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number,
  accs: ReadonlyArray<Accumulator>, addGroup: (acc: Accumulator) => void): GroupRefs | null {
  if (!fits(op, selections, tsIndex)) return null
  const bucket = op.groupBy.find((key) => key.kind === 'timeBucket') as TimeBucket | undefined
  const tagKey = op.groupBy.find((key) => key.kind !== 'timeBucket')
  const tags = tagKey === undefined ? null : new TagOrdinals(tagKey.column)
  const refs: GroupRefs = { keyTables: [], keyRows: [], bucketStarts: [] }
  const bests = accs.map((): number[] => [])
  const leaders = leadersOf(accs)
  const bucketIndexOf = new Map<number, number>()
  /** Group number by tag ordinal (0 without a tag key), then bucket index (0 without a bucket). */
  const byTag: number[][] = []
  let runStart = Number.NaN
  let runIndex = 0
  for (let m = 0; m < selections.length; m++) {
    const selection = selections[m]!
    const { rows, count } = selection
    const columns = selection.memtable.columns
    const ts = columns[tsIndex]!
    if (ts.kind !== 'timestamp') return null
    tags?.beginMemtable(columns)
    const groupOf = new Int32Array(count)
    for (let i = 0; i < count; i++) {
      const row = rows[i]!
      const start = bucket === undefined ? 0 : bucketStartOf(bucket, ts.values[row]!)
      if (start !== runStart) {
        runStart = start
        runIndex = bucketIndexOf.get(start) ?? bucketIndexOf.size
        if (runIndex === bucketIndexOf.size) bucketIndexOf.set(start, runIndex)
      }
      const ordinal = tags === null ? 0 : tags.ordinalOf(columns, row)
      const byBucket = byTag[ordinal] ?? (byTag[ordinal] = [])
      let g = byBucket[runIndex] ?? -1
      if (g < 0) {
        g = refs.keyTables.length
        byBucket[runIndex] = g
        refs.keyTables.push(m); refs.keyRows.push(row); refs.bucketStarts.push(start)
        for (let a = 0; a < accs.length; a++) { addGroup(accs[a]!); bests[a]!.push(0) }
      }
      groupOf[i] = g
    }
    for (let a = 0; a < accs.length; a++) if (leaders[a] === a) addRows(accs[a]!, bests[a]!, selection, m, groupOf, ts.values)
  }
  shareChoices(accs, leaders)
  return refs
}

/**
 * first/last choose a row by its timestamp alone, whatever their column, so every first (and every last) of one scan
 * chooses the same row per group: only the first of each kind walks the rows (leaders[a] === a) and the others copy
 * its choice (shareChoices) — TSBS lastpoint's twenty last() calls cost one walk.
 */
function leadersOf(accs: ReadonlyArray<Accumulator>): number[] {
  return accs.map((acc, a) => {
    const fn = acc.spec.fn
    return fn === 'first' || fn === 'last' ? accs.findIndex((other) => other.spec.fn === fn) : a
  })
}

function shareChoices(accs: ReadonlyArray<Accumulator>, leaders: ReadonlyArray<number>): void {
  for (let a = 0; a < accs.length; a++) {
    if (leaders[a] === a) continue
    const [acc, leader] = [accs[a]!, accs[leaders[a]!]!]
    for (let g = 0; g < leader.timestamps.length; g++) {
      acc.timestamps[g] = leader.timestamps[g]!
      acc.tables[g] = leader.tables[g]!
      acc.rows[g] = leader.rows[g]!
    }
  }
}
