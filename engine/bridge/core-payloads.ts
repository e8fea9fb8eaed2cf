// engine/bridge/core-payloads: a record's rows as each core receives them (issue 10). Where the rows are encoded (a
// COPY or ILP parse worker, else the event loop; catch-up for one core), each row's vShard is computed once
// (vShardsOf, the dispatcher's exact hash) and the rows are written into one payload per core holding only the rows
// of that core's vShards, grouped by vShard in vShard order and in record order within one; so a core neither
// hashes, nor skips rows, nor sorts them by vShard. The WAL record stays the whole batch: replay and catch-up
// re-derive the same split from it (the same vShardsOf), so a row lands in the same vShard whichever path brings it.
// RING FORMAT (in memory between threads of one process, never on disk; pinned by core-payloads.test.ts), integers
// little-endian: u8 CORE_PAYLOAD_MARK, u8 CORE_PAYLOAD_VERSION, u16 0, u32 runCount, then u16 vShard × runCount
// and i32 rowEnd × runCount (each section padded with zeros to a multiple of 8 bytes; a run's rows end at rowEnd),
// then, when runCount > 0, the flat payload (ingest-flat.ts) of the core's rows in run order.
// Knows nothing of WAL records or SQL.
import { assert, paranoid } from '../../src/common/assert.js'
import { VSHARD_COUNT } from '../../src/common/limits.js'
import type { ColumnBatch, ColumnVector } from '../batch.js'
import type { TableSchema } from '../ops.js'
import { anyNonZero } from '../wal/ingest-compact.js'
import { decodeFlatPayload, encodeFlatPayload, FlatDictionaries, flatPayloadBytes } from '../wal/ingest-flat.js'
import { validateBatch, vShardsOf } from './dispatcher.js'

const CORE_PAYLOAD_MARK = 0xc2
const CORE_PAYLOAD_VERSION = 1
const HEADER_BYTES = 8
/** The length of a payload holding no row. */
export const CORE_PAYLOAD_EMPTY_BYTES = HEADER_BYTES
const align8 = (n: number): number => (n + 7) & ~7

/**
 * The batch with each null map that marks no row dropped (exact: no map means no NULL): ILP sends one for every field
 * column, mostly without a NULL, so the encoder leaves them out of every core's payload (no gather for them, no scan
 * on the cores), and replay's apply drops them once per record instead of scanning them per memtable.
 */
export function withoutEmptyNullMaps(batch: ColumnBatch): ColumnBatch {
  let columns: ColumnVector[] | undefined
  for (let c = 0; c < batch.columns.length; c++) {
    const vector = batch.columns[c]!
    if (vector.kind === 'symbol' || vector.kind === 'text' || vector.nulls === undefined || anyNonZero(vector.nulls)) continue
    columns ??= [...batch.columns]
    columns[c] = vector.kind === 'i64' ? { kind: vector.kind, values: vector.values }
      : vector.kind === 'bool' ? { kind: vector.kind, values: vector.values } : { kind: vector.kind, values: vector.values }
  }
  return columns === undefined ? batch : { rowCount: batch.rowCount, columns }
}

/** One buffer holding every core's payload: core c's is `bytes[ends[c], ends[c + 1])`, each starting 8-aligned. */
export interface CorePayloads {
  readonly bytes: Uint8Array
  readonly ends: ReadonlyArray<number>
}

export function payloadOfCore(payloads: CorePayloads, core: number): Uint8Array {
  return payloads.bytes.subarray(payloads.ends[core]!, payloads.ends[core + 1]!)
}

/** The rows of a record in core order, run by run (a run: one vShard's rows). */
interface CoreRouting {
  readonly coreCount: number
  /** Row indices, grouped by core, then by vShard ascending, then in record order. */
  readonly order: Int32Array
  /** Per run: its vShard and the end of its rows in `order`. */
  readonly runVShards: Uint16Array
  readonly runEnds: Int32Array
  /** Core c's runs are [coreRuns[c], coreRuns[c + 1]). */
  readonly coreRuns: Int32Array
}

/**
 * Groups `batch`'s rows by core (vShard mod coreCount) and vShard; with `kept` (1 per vShard to keep), only the
 * rows of vShards it marks (catch-up: one core's vShards no segment holds yet).
 */
function routeRows(schema: TableSchema, batch: ColumnBatch, coreCount: number, kept?: Uint8Array): CoreRouting {
  assert(Number.isInteger(coreCount) && coreCount >= 1, `core count ${coreCount}`)
  const vShards = vShardsOf(schema, batch)
  const counts = new Int32Array(VSHARD_COUNT)
  for (let row = 0; row < batch.rowCount; row++) counts[vShards[row]!]! += 1
  if (kept !== undefined) for (let v = 0; v < VSHARD_COUNT; v++) if (kept[v] !== 1) counts[v] = 0
  // Each vShard's next slot in `order`, vShards visited core by core.
  const next = new Int32Array(VSHARD_COUNT)
  const runVShards = new Uint16Array(VSHARD_COUNT)
  const runEnds = new Int32Array(VSHARD_COUNT)
  const coreRuns = new Int32Array(coreCount + 1)
  let at = 0
  let runCount = 0
  for (let core = 0; core < coreCount; core++) {
    coreRuns[core] = runCount
    for (let v = core; v < VSHARD_COUNT; v += coreCount) {
      if (counts[v] === 0) continue
      next[v] = at
      at += counts[v]!
      runVShards[runCount] = v
      runEnds[runCount++] = at
    }
  }
  coreRuns[coreCount] = runCount
  const order = new Int32Array(at)
  for (let row = 0; row < batch.rowCount; row++) {
    const v = vShards[row]!
    if (kept === undefined || kept[v] === 1) order[next[v]!++] = row
  }
  return { coreCount, order, runVShards: runVShards.subarray(0, runCount), runEnds: runEnds.subarray(0, runCount), coreRuns }
}

function rowsOfCore(routing: CoreRouting, core: number): Int32Array {
  const first = routing.coreRuns[core]!
  const last = routing.coreRuns[core + 1]!
  const start = first === 0 ? 0 : routing.runEnds[first - 1]!
  return routing.order.subarray(start, first === last ? start : routing.runEnds[last - 1]!)
}

function corePayloadBytes(batch: ColumnBatch, routing: CoreRouting, core: number, dicts: FlatDictionaries): number {
  const runCount = routing.coreRuns[core + 1]! - routing.coreRuns[core]!
  if (runCount === 0) return HEADER_BYTES
  return HEADER_BYTES + align8(2 * runCount) + align8(4 * runCount) + flatPayloadBytes(batch, rowsOfCore(routing, core), dicts)
}

function encodeCorePayload(batch: ColumnBatch, routing: CoreRouting, core: number, into: Uint8Array, dicts: FlatDictionaries): void {
  const first = routing.coreRuns[core]!
  const runCount = routing.coreRuns[core + 1]! - first
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength)
  into.fill(0, 0, HEADER_BYTES)
  view.setUint8(0, CORE_PAYLOAD_MARK)
  view.setUint8(1, CORE_PAYLOAD_VERSION)
  view.setUint32(4, runCount, true)
  if (runCount === 0) return
  const start = first === 0 ? 0 : routing.runEnds[first - 1]!
  const endsAt = HEADER_BYTES + align8(2 * runCount)
  const flatAt = endsAt + align8(4 * runCount)
  into.fill(0, HEADER_BYTES, flatAt)
  for (let r = 0; r < runCount; r++) {
    view.setUint16(HEADER_BYTES + 2 * r, routing.runVShards[first + r]!, true)
    view.setInt32(endsAt + 4 * r, routing.runEnds[first + r]! - start, true)
  }
  encodeFlatPayload(batch, into.subarray(flatAt), rowsOfCore(routing, core), dicts)
}

/**
 * Every core's payload of `batch` (valid for `schema`: validateBatch) for `coreCount` cores, in one buffer from
 * `take` (a zero-offset view of the length asked); `kept` as routeRows.
 */
export function encodeCorePayloads(
  schema: TableSchema, source: ColumnBatch, coreCount: number, take: (byteLength: number) => Uint8Array, kept?: Uint8Array,
): CorePayloads {
  const batch = withoutEmptyNullMaps(source)
  const routing = routeRows(schema, batch, coreCount, kept)
  const dicts = new FlatDictionaries()
  const sizes = Array.from({ length: coreCount }, (_, core) => corePayloadBytes(batch, routing, core, dicts))
  const ends = [0]
  for (let core = 0; core < coreCount; core++) ends.push(ends[core]! + align8(sizes[core]!))
  const bytes = take(ends[coreCount]!)
  assert(bytes.byteOffset % 8 === 0 && bytes.length === ends[coreCount], 'core payloads start 8-aligned, sized as asked')
  for (let core = 0; core < coreCount; core++) {
    const end = ends[core]! + sizes[core]!
    encodeCorePayload(batch, routing, core, bytes.subarray(ends[core]!, end), dicts)
    bytes.fill(0, end, ends[core + 1]!)
  }
  return { bytes, ends }
}

/**
 * Catch-up: core `core`'s payload of a record read back from the WAL, holding only the rows of its vShards that
 * `isMissed` accepts (those no segment holds yet); undefined when there is none. The live path's encoding, so each
 * row lands in the vShard live ingest gave it.
 */
export function missedCorePayload(
  schema: TableSchema, batch: ColumnBatch, coreCount: number, core: number, isMissed: (vShard: number) => boolean,
): Uint8Array | undefined {
  const kept = new Uint8Array(VSHARD_COUNT)
  for (let v = core; v < VSHARD_COUNT; v += coreCount) kept[v] = isMissed(v) ? 1 : 0
  const payload = payloadOfCore(encodeCorePayloads(schema, batch, coreCount, (n) => new Uint8Array(n), kept), core)
  return payload.length > CORE_PAYLOAD_EMPTY_BYTES ? payload : undefined
}

/** A core's rows of one record: run r holds rows [r === 0 ? 0 : runEnds[r - 1], runEnds[r]) of vShard runVShards[r]. */
export interface CoreRows {
  readonly batch: ColumnBatch
  readonly runVShards: Uint16Array
  readonly runEnds: Int32Array
}

/**
 * The rows of a core payload, views of `bytes` where it is 8-aligned (else of one aligned copy), or what is wrong
 * with it. An encoder in this process validated the rows (validateBatch) against the
 * table the write checked them with, so `schema` is checked per column here and per row only under paranoid().
 */
export function decodeCorePayload(schema: TableSchema, bytes: Uint8Array, core: number, coreCount: number): CoreRows | string {
  if (bytes.length < HEADER_BYTES || bytes[0] !== CORE_PAYLOAD_MARK || bytes[1] !== CORE_PAYLOAD_VERSION) return 'not a core payload'
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice()
  const view = new DataView(aligned.buffer, aligned.byteOffset, aligned.byteLength)
  const runCount = view.getUint32(4, true)
  if (runCount === 0) return { batch: { rowCount: 0, columns: [] }, runVShards: new Uint16Array(0), runEnds: new Int32Array(0) }
  const endsAt = HEADER_BYTES + align8(2 * runCount)
  const flatAt = endsAt + align8(4 * runCount)
  if (runCount > VSHARD_COUNT || flatAt > aligned.length) return 'bad run table'
  const runVShards = new Uint16Array(aligned.buffer, aligned.byteOffset + HEADER_BYTES, runCount)
  const runEnds = new Int32Array(aligned.buffer, aligned.byteOffset + endsAt, runCount)
  const batch = decodeFlatPayload(aligned.subarray(flatAt))
  if (batch === undefined) return 'bad flat payload'
  let end = 0
  for (let r = 0; r < runCount; r++) {
    if (runVShards[r]! % coreCount !== core || runEnds[r]! <= end || (r > 0 && runVShards[r]! <= runVShards[r - 1]!)) return 'bad run table'
    end = runEnds[r]!
  }
  if (end !== batch.rowCount) return 'bad run table'
  const problem = shapeProblem(schema, batch)
  if (problem !== undefined) return problem
  paranoid(() => validateBatch(schema, batch) === undefined && vShardsOf(schema, batch).every((v, row) => v === runVShards[runOf(runEnds, row)]),
    'a core payload holds valid rows, each in the run of its own vShard')
  return { batch, runVShards, runEnds }
}

function runOf(runEnds: Int32Array, row: number): number {
  let r = 0
  while (runEnds[r]! <= row) r++
  return r
}

/** validateBatch's per-column checks (kinds, a prefix of the table's columns): O(columns). */
function shapeProblem(schema: TableSchema, batch: ColumnBatch): string | undefined {
  if (batch.columns.length > schema.columns.length || batch.columns.length <= schema.timestampIndex) {
    return `batch has ${batch.columns.length} columns, table "${schema.name}" has ${schema.columns.length}`
  }
  for (let c = 0; c < batch.columns.length; c++) {
    if (batch.columns[c]!.kind !== schema.columns[c]!.kind) return `column "${schema.columns[c]!.name}" is ${schema.columns[c]!.kind}, batch has ${batch.columns[c]!.kind}`
  }
  return undefined
}
