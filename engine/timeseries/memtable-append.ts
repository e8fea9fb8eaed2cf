// engine/timeseries/memtable-append: the loops a memtable's append runs per column (memtable.ts): gathers of batch rows
// into its arrays, one per array type, and the remap of a batch's symbol ids to the memtable's. Knows nothing of WAL,
// rings, files or SQL.
import type { ColumnVector } from '../batch.js'
import type { MemColumn } from './memtable.js'

// One gather per array type, so each loop stays monomorphic in V8 (a loop over the union of typed arrays was the
// cores' top frame under ILP ingest).
export function gatherF64(into: Float64Array, from: Float64Array, rows: Int32Array, count: number, at: number): void {
  for (let i = 0; i < count; i++) into[at + i] = from[rows[i]!]!
}

export function gatherI64(into: BigInt64Array, from: BigInt64Array, rows: Int32Array, count: number, at: number): void {
  for (let i = 0; i < count; i++) into[at + i] = from[rows[i]!]!
}

/** True when a row of `rows[0..count)` is NULL in `nulls`. */
export function anyNull(nulls: Uint8Array, rows: Int32Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (nulls[rows[i]!] === 1) return true
  return false
}

/** Bytes (bool values, null maps); an absent source map means no NULLs. */
export function gatherNulls(into: Uint8Array, from: Uint8Array | undefined, rows: Int32Array, count: number, at: number): void {
  if (from === undefined) into.fill(0, at, at + count)
  else for (let i = 0; i < count; i++) into[at + i] = from[rows[i]!]!
}

/**
 * appendSymbols' scratch (one per thread): a batch id's local id in `locals`, valid where `stamps` holds the current
 * call's stamp. Stamps only grow; at 2^31 the stamps are cleared and start again.
 */
export const REMAP = { stamps: new Int32Array(0), locals: new Int32Array(0), stamp: 0 }

/** A fresh stamp for a remap of `entries` batch ids (the scratch grown to hold them). */
export function nextRemapStamp(entries: number): number {
  if (REMAP.stamps.length < entries) {
    REMAP.stamps = new Int32Array(Math.max(entries, 2 * REMAP.stamps.length))
    REMAP.locals = new Int32Array(REMAP.stamps.length)
    REMAP.stamp = 0
  }
  if (REMAP.stamp === 0x7fffffff) {
    REMAP.stamps.fill(0)
    REMAP.stamp = 0
  }
  return ++REMAP.stamp
}

/**
 * True when every row of `rows[0..count)` holds the batch id of the text a column of shared zero ids already holds as
 * its id 0, so appending them writes nothing: a memtable per series (TSBS) takes each tag this way, one compare a row.
 */
export function isOneSeriesRun(column: Extract<MemColumn, { kind: 'symbol' }>, vector: Extract<ColumnVector, { kind: 'symbol' }>,
  rows: Int32Array, count: number): boolean {
  if (column.isIdsShared !== true || column.dict.length === 0 || count === 0) return false
  const ids = vector.ids
  const id = ids[rows[0]!]!
  if (id < 0 || vector.dict[id] !== column.dict[0]) return false
  for (let i = 1; i < count; i++) if (ids[rows[i]!] !== id) return false
  return true
}
