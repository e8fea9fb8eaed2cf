// sql/ingest/ingest-ahead: an ILP parse worker lowers a measurement's batch onto its table and encodes the record's
// payloads (engine encoded-ingest.ts) before the batch reaches sql.ingest, so the event loop only writes them. Only
// the common case goes ahead: the table exists as the worker was told, every column maps as is (no column to add, no
// type conflict, no typed text to fit, no DEFAULT, no NOT NULL but the timestamp) and no row is refused; anything else
// is lowered and encoded on the event loop as before. sql.ingest takes the payloads only when the table it planned
// against equals the one the worker encoded for (ingest.ts), and the engine checks them against the catalog at the write.
import { isDeepStrictEqual } from 'node:util'
import { encodeIngestAhead, isEngineFailureError, type EncodedIngest, type Engine, type IngestEncodeBuffers } from '../../engine/api.js'
import { OP_VERSION, type TableSchema } from '../../engine/ops.js'
import { assert } from '../../src/common/assert.js'
import { emptyVector } from '../../src/common/column-vector.js'
import type { IngestBatch } from '../api.js'
import { planColumn, type ColumnPlan } from './ingest-plan.js'
import { buildIngestColumns } from './ingest-vectors.js'

export { encodedTransferables, IngestEncodeBuffers } from '../../engine/api.js'
export type { TableSchema as IngestTableSchema } from '../../engine/ops.js'

/**
 * A batch's record payloads encoded ahead, and the table as the worker lowered the batch onto it. `reparse` set: the
 * batch is lean (leanAhead) and this gives its rows again, from the input the caller kept, when the payloads cannot
 * be used.
 */
export interface IngestAhead {
  readonly table: TableSchema
  readonly payloads: EncodedIngest
  readonly isLean?: boolean
  readonly reparse?: () => IngestBatch
}

/** The SQL types ILP writes without fitting or range checks (those of the columns it creates). */
const AS_IS_TYPES = new Set(['timestamptz', 'text', 'float8', 'int8', 'bool'])
const INT64_MAX = (1n << 63n) - 1n

/** Whether every row of `batch` goes into `table` as planned, with nothing refused, fitted or defaulted. */
function goesAsIs(table: TableSchema, batch: IngestBatch, plans: ReadonlyArray<ColumnPlan>): boolean {
  for (const [index, schema] of table.columns.entries()) {
    if (!AS_IS_TYPES.has(schema.sqlType) || schema.isDropped === true) return false
    if (index !== table.timestampIndex && (schema.notNull || (schema.default !== undefined && schema.default !== null))) return false
  }
  for (const [index, plan] of plans.entries()) {
    if (plan.kind !== 'map') return false
    const column = batch.columns[index]!
    if (column.kind !== 'unsigned') continue
    for (let row = 0; row < batch.rowCount; row++) if (column.nulls[row] === 0 && column.values[row]! > INT64_MAX) return false
  }
  return true
}

/**
 * `batches` with the record payloads of those that go as is into a table of `tables` (by measurement name) attached
 * as `encoded`, split for `coreCount` cores; the others unchanged. Pure but for `buffers`.
 */
export function encodeBatchesAhead(
  batches: ReadonlyArray<IngestBatch>, tables: ReadonlyArray<TableSchema>, coreCount: number, buffers?: IngestEncodeBuffers,
): IngestBatch[] {
  return batches.map((batch) => {
    const table = tables.find((candidate) => candidate.name === batch.measurement)
    if (table === undefined || batch.rowCount === 0) return batch
    const plans = batch.columns.map((column) => planColumn(table, column))
    if (!goesAsIs(table, batch, plans)) return batch
    const payloads = encodeIngestAhead(table, buildIngestColumns(table, batch, plans, null), coreCount, buffers)
    return payloads === undefined ? batch : { ...batch, encoded: { table, payloads } }
  })
}

/**
 * `batch` without its rows when its payloads were encoded ahead (the worker keeps them): only the payloads, the row
 * count and the table they were encoded for cross to the event loop, whose GC the columns' external memory drove
 * (issue 10). The receiver must attach `reparse` before sql.ingest sees it (tcp-connection.ts).
 */
export function leanAhead(batch: IngestBatch): IngestBatch {
  if (batch.encoded === undefined) return batch
  const empty = { timestampsUs: new Float64Array(0), lineNumbers: new Uint32Array(0), columns: [] }
  return { measurement: batch.measurement, rowCount: batch.rowCount, ...empty, encoded: { ...batch.encoded, isLean: true } }
}

/** The payloads encoded ahead for `batch`, when they were encoded for `table` as it stands (sql.ingest's check). */
export function aheadPayloadsFor(batch: IngestBatch, table: TableSchema): EncodedIngest | undefined {
  const encoded = batch.encoded
  return encoded !== undefined && isDeepStrictEqual(encoded.table, table) ? encoded.payloads : undefined
}

/**
 * Writes a lean batch's payloads when its table still equals the one the worker encoded for: the rows written, or
 * undefined when they must be parsed again (reparsed) and take the usual path. The engine checks the payloads against
 * the catalog at the write; when a schema change raced in, it falls back to validating the batch, which here has no
 * rows, so it refuses with InvalidBatch before anything reaches the WAL: nothing is written twice or lost.
 */
export async function writeLeanAhead(engine: Engine, batch: IngestBatch): Promise<number | undefined> {
  const ahead = batch.encoded
  assert(ahead?.isLean === true, 'writeLeanAhead takes a lean batch')
  const table = engine.tables().find((candidate) => candidate.name === batch.measurement)
  if (table === undefined || !isDeepStrictEqual(table, ahead.table)) return undefined
  return writeEncoded(engine, table.id, ahead.payloads)
}

/**
 * Writes payloads encoded ahead with an IngestOp whose batch has only their shape (no rows): the rows written, or
 * undefined when the engine found them stale at the write (a schema change raced in: it then validates the shape,
 * which has no rows, and refuses with InvalidBatch before the WAL), and the caller writes the rows themselves. Not for
 * a transaction's engine view, which buffers the batch's rows (COPY and ILP write lean only outside transactions).
 */
export async function writeEncoded(engine: Engine, tableId: TableSchema['id'], payloads: EncodedIngest): Promise<number | undefined> {
  const shape = { rowCount: payloads.rowCount, columns: payloads.kinds.map(emptyVector) }
  try {
    return (await engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId, batch: shape, encoded: payloads })).rowCount
  } catch (error) {
    if (isEngineFailureError(error) && error.failure.kind === 'InvalidBatch') return undefined
    throw error
  }
}

/** A lean batch's rows, parsed again from the input its receiver kept. */
export function reparsed(batch: IngestBatch): IngestBatch {
  const reparse = batch.encoded?.reparse
  assert(reparse !== undefined, `a lean ingest batch of "${batch.measurement}" came without reparse`)
  const full = reparse()
  assert(full.encoded === undefined && full.measurement === batch.measurement, 'reparse gives the same measurement, not encoded')
  return full
}
