// sql/ingest/ingest-ahead: an ILP parse worker lowers a measurement's batch onto its table and encodes the record's
// payloads (engine encoded-ingest.ts) before the batch reaches sql.ingest, so the event loop only writes them. Only
// the common case goes ahead: the table exists as the worker was told, every column maps as is (no column to add, no
// type conflict, no typed text to fit, no DEFAULT, no NOT NULL but the timestamp) and no row is refused; anything else
// is lowered and encoded on the event loop as before. sql.ingest takes the payloads only when the table it planned
// against equals the one the worker encoded for (ingest.ts), and the engine checks them against the catalog at the write.
import { isDeepStrictEqual } from 'node:util'
import { encodeIngestAhead, type EncodedIngest, type IngestEncodeBuffers } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import type { IngestBatch } from '../api.js'
import { planColumn, type ColumnPlan } from './ingest-plan.js'
import { buildIngestColumns } from './ingest-vectors.js'

/** The SQL types ILP writes without fitting or range checks (those of the columns it creates). */
export { encodedTransferables, IngestEncodeBuffers } from '../../engine/api.js'
export type { TableSchema as IngestTableSchema } from '../../engine/ops.js'

/** A batch's record payloads encoded ahead, and the table as the worker lowered the batch onto it. */
export interface IngestAhead { readonly table: TableSchema; readonly payloads: EncodedIngest }

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
 * as `encoded`; the others unchanged. Pure but for `buffers`.
 */
export function encodeBatchesAhead(batches: ReadonlyArray<IngestBatch>, tables: ReadonlyArray<TableSchema>, buffers?: IngestEncodeBuffers): IngestBatch[] {
  return batches.map((batch) => {
    const table = tables.find((candidate) => candidate.name === batch.measurement)
    if (table === undefined || batch.rowCount === 0) return batch
    const plans = batch.columns.map((column) => planColumn(table, column))
    if (!goesAsIs(table, batch, plans)) return batch
    const payloads = encodeIngestAhead(table, buildIngestColumns(table, batch, plans, null), buffers)
    return payloads === undefined ? batch : { ...batch, encoded: { table, payloads } }
  })
}

/** The payloads encoded ahead for `batch`, when they were encoded for `table` as it stands (sql.ingest's check). */
export function aheadPayloadsFor(batch: IngestBatch, table: TableSchema): EncodedIngest | undefined {
  const encoded = batch.encoded
  return encoded !== undefined && isDeepStrictEqual(encoded.table, table) ? encoded.payloads : undefined
}
