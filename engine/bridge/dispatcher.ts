// engine/bridge/dispatcher: routes rows to vShards and cores: vShard = hash(tableId, series key) mod VSHARD_COUNT,
// core = vShard mod coreCount (core-payloads.ts writes each core's rows of a record); validates batches. Knows
// nothing of WAL or SQL.
import { assertNever } from '../../src/common/assert.js'
import type { TableId } from '../../src/common/ids.js'
import { VSHARD_COUNT } from '../../src/common/limits.js'
import { vectorLength, type ColumnBatch, type ColumnVector } from '../batch.js'
import type { TableSchema } from '../ops.js'
import { INFINITE_DESIGNATED_TIMESTAMP } from '../api.js'

// FNV-1a, 32-bit. The vShard of a series is persisted implicitly (segments live per vShard from issue #4), so this
// hash is a format: never change it; pinned by dispatcher.test.ts.
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

function fnvWord(hash: number, word: number): number {
  let h = hash
  for (let shift = 0; shift < 32; shift += 8) h = Math.imul(h ^ ((word >>> shift) & 0xff), FNV_PRIME)
  return h >>> 0
}

export function hashString(text: string): number {
  let h = FNV_OFFSET
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    h = Math.imul(h ^ (unit & 0xff), FNV_PRIME)
    h = Math.imul(h ^ (unit >>> 8), FNV_PRIME)
  }
  return h >>> 0
}

const NULL_TAG_HASH = 0x9e3779b9

/**
 * The vShard of every row: the series key is the row's symbol (tag) values, in column order. One string hash per
 * dictionary entry; then each row mixes in 4 bytes per tag column, row by row with the FNV steps written out (the
 * column-by-column form stored and reloaded every row's hash per column: 2-3× slower on the cores, issue 10).
 * A row whose tag ids all equal those of the first row with its key-column id (the tag column with the largest
 * dictionary: the most series-like) takes that row's vShard: comparing ids is a few loads where the hash is 4
 * dependent multiplies per tag, and every core hashes every row of a record (issue 10). Same ids, same hash: exact.
 */
export function vShardsOf(schema: TableSchema, batch: ColumnBatch): Uint16Array {
  const ids: Int32Array[] = []
  const entryHashes: Uint32Array[] = []
  let keyTag = 0
  for (const vector of batch.columns) {
    if (vector.kind !== 'symbol') continue
    if (ids.length > 0 && vector.dict.length > entryHashes[keyTag]!.length - 1) keyTag = ids.length
    ids.push(vector.ids)
    const hashes = new Uint32Array(vector.dict.length + 1)
    for (let e = 0; e < vector.dict.length; e++) hashes[e + 1] = hashString(vector.dict[e]!)
    hashes[0] = NULL_TAG_HASH // id -1 reads slot 0
    entryHashes.push(hashes)
  }
  const seed = fnvWord(FNV_OFFSET, schema.id)
  const vShards = new Uint16Array(batch.rowCount)
  const tagCount = ids.length
  if (tagCount === 0) return vShards.fill(seed & (VSHARD_COUNT - 1))
  const keyIds = ids[keyTag]!
  // The first row of each key-column id (slot id + 1; -1: none yet).
  const firstRows = new Int32Array(entryHashes[keyTag]!.length).fill(-1)
  for (let row = 0; row < batch.rowCount; row++) {
    const key = keyIds[row]! + 1
    const first = firstRows[key]!
    if (first >= 0) {
      let t = 0
      while (t < tagCount && ids[t]![row] === ids[t]![first]) t++
      if (t === tagCount) {
        vShards[row] = vShards[first]!
        continue
      }
    } else {
      firstRows[key] = row
    }
    let h = seed
    for (let t = 0; t < tagCount; t++) {
      const word = entryHashes[t]![ids[t]![row]! + 1]!
      h = Math.imul(h ^ (word & 0xff), FNV_PRIME)
      h = Math.imul(h ^ ((word >>> 8) & 0xff), FNV_PRIME)
      h = Math.imul(h ^ ((word >>> 16) & 0xff), FNV_PRIME)
      h = Math.imul(h ^ (word >>> 24), FNV_PRIME)
    }
    vShards[row] = h & (VSHARD_COUNT - 1)
  }
  return vShards
}

export function vShardOfSeries(tableId: TableId, tags: ReadonlyArray<string | null>): number {
  let h = fnvWord(FNV_OFFSET, tableId)
  for (const tag of tags) h = fnvWord(h, tag === null ? NULL_TAG_HASH : hashString(tag))
  return h & (VSHARD_COUNT - 1)
}

/** Rows `rows[0..count)` of a vector, as a new vector (symbol dictionaries are shared, not copied). */
export function takeRows(vector: ColumnVector, rows: Int32Array): ColumnVector {
  const n = rows.length
  const pickNulls = (nulls: Uint8Array | undefined) => nulls === undefined ? {} : { nulls: pick(nulls, new Uint8Array(n)) }
  function pick<T extends Float64Array | BigInt64Array | Uint8Array | Int32Array>(from: T, into: T): T {
    for (let i = 0; i < n; i++) into[i] = from[rows[i]!]!
    return into
  }
  switch (vector.kind) {
    case 'timestamp': case 'f64':
      return { kind: vector.kind, values: pick(vector.values, new Float64Array(n)), ...pickNulls(vector.nulls) }
    case 'i64': return { kind: 'i64', values: pick(vector.values, new BigInt64Array(n)), ...pickNulls(vector.nulls) }
    case 'bool': return { kind: 'bool', values: pick(vector.values, new Uint8Array(n)), ...pickNulls(vector.nulls) }
    case 'symbol': return { kind: 'symbol', ids: pick(vector.ids, new Int32Array(n)), dict: vector.dict }
    case 'text': return { kind: 'text', values: Array.from(rows, (row) => vector.values[row] ?? null) }
    default: return assertNever(vector)
  }
}

/** Every id is -1 (NULL) or indexes the dictionary. A plain loop: this runs over every cell of every tag column. */
function idsInRange(ids: Int32Array, dictLength: number): boolean {
  for (let i = 0; i < ids.length; i++) {
    // -1 ≤ id < dictLength as one unsigned comparison.
    if ((ids[i]! + 1) >>> 0 > dictLength) return false
  }
  return true
}

/** Checks a batch against its table; returns a failure detail, or undefined when it is valid. */
export function validateBatch(schema: TableSchema, batch: ColumnBatch): string | undefined {
  if (!Number.isSafeInteger(batch.rowCount) || batch.rowCount < 0) return `bad row count ${batch.rowCount}`
  // A batch may cover only a prefix of the columns: it was built (or WAL'd) before AddColumnsOp appended the rest,
  // which then read as NULL for its rows. It always holds the designated timestamp.
  if (batch.columns.length > schema.columns.length || batch.columns.length <= schema.timestampIndex) {
    return `batch has ${batch.columns.length} columns, table "${schema.name}" has ${schema.columns.length}`
  }
  for (let c = 0; c < batch.columns.length; c++) {
    const column = schema.columns[c]!
    const vector = batch.columns[c]!
    if (vector.kind !== column.kind) return `column "${column.name}" is ${column.kind}, batch has ${vector.kind}`
    if (vectorLength(vector) !== batch.rowCount) return `column "${column.name}" has ${vectorLength(vector)} rows`
    if ('nulls' in vector && vector.nulls !== undefined && vector.nulls.length !== batch.rowCount) {
      return `column "${column.name}" null map has ${vector.nulls.length} rows`
    }
    if (vector.kind === 'symbol' && !idsInRange(vector.ids, vector.dict.length)) {
      return `column "${column.name}" has a dictionary id out of range`
    }
  }
  const ts = batch.columns[schema.timestampIndex]!
  if (ts.kind === 'timestamp') {
    // The first bad row decides the words, as a row-by-row check would: a NULL, else NaN or ±Infinity.
    const nullRow = ts.nulls === undefined ? -1 : ts.nulls.indexOf(1)
    const bad = firstNotFinite(ts.values, batch.rowCount)
    if (nullRow >= 0 && (bad < 0 || nullRow <= bad)) return 'designated timestamp is null'
    if (bad >= 0) return Number.isNaN(ts.values[bad]!) ? 'designated timestamp is null' : INFINITE_DESIGNATED_TIMESTAMP
  }
  return undefined
}

/** The first of `values`' first `count` that is NaN or ±Infinity (x - x is NaN just for those), or -1. */
function firstNotFinite(values: Float64Array, count: number): number {
  for (let i = 0; i < count; i++) {
    const value = values[i]!
    if (value - value !== 0) return i
  }
  return -1
}
