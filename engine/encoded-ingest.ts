// engine/encoded-ingest: a batch's record payloads built ahead, where its rows were parsed (a COPY or ILP parse
// worker), so the event loop only appends ready bytes to the WAL and hands the same bytes to the cores (issues 9, 10).
// The encoder checks the rows (validateBatch against the table as it knew it) and records the column kinds and the
// designated timestamp it checked them with; the write compares those with the catalog at the time of the write and,
// where they disagree (a schema change raced the encode), validates and encodes the batch itself as it always did,
// so a record never disagrees with the catalog. Knows nothing of SQL.
import type { ColumnBatch, ColumnKind } from './batch.js'
import { validateBatch } from './bridge/dispatcher.js'
import type { TableSchema } from './ops.js'
import { encodeIngestPayloads, type IngestEncodeBuffers } from './wal/ingest-payload.js'

/** A batch's two payloads (ingest-payload.ts): the flat one for the rings, the compact one for the WAL. */
export interface EncodedIngest {
  readonly rowCount: number
  /** The batch's column kinds, catalog order, as the encoder's table had them (a prefix of the table's columns). */
  readonly kinds: ReadonlyArray<ColumnKind>
  /** The designated timestamp the encoder checked (non-NULL, finite on every row). */
  readonly timestampIndex: number
  readonly ring: Uint8Array
  readonly wal: Uint8Array
}

/**
 * Encodes `batch` for a write to `table` ahead of the write (in a worker): undefined when validateBatch refuses it
 * (the write then refuses it with the same words). Payloads come from `buffers` when given.
 */
export function encodeIngestAhead(table: TableSchema, batch: ColumnBatch, buffers?: IngestEncodeBuffers): EncodedIngest | undefined {
  if (batch.rowCount === 0 || validateBatch(table, batch) !== undefined) return undefined
  const { ring, wal } = encodeIngestPayloads(batch, buffers)
  return { rowCount: batch.rowCount, kinds: batch.columns.map((vector) => vector.kind), timestampIndex: table.timestampIndex, ring, wal }
}

/** The buffers an EncodedIngest holds, to transfer between threads. */
export function encodedTransferables(encoded: EncodedIngest): ArrayBuffer[] {
  return [encoded.ring.buffer, encoded.wal.buffer].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer)
}

/**
 * Whether `encoded` holds `batch`'s rows as `table` now stands: the same kinds in the same places, within its columns
 * (AddColumnsOp may have appended more since: they read NULL), the same designated timestamp. O(columns).
 */
export function encodedAgrees(table: TableSchema, batch: ColumnBatch, encoded: EncodedIngest): boolean {
  const { kinds } = encoded
  if (encoded.rowCount !== batch.rowCount || kinds.length !== batch.columns.length || encoded.ring.byteLength === 0) return false
  if (encoded.timestampIndex !== table.timestampIndex || kinds.length > table.columns.length || kinds.length <= table.timestampIndex) return false
  for (let c = 0; c < kinds.length; c++) {
    if (kinds[c] !== table.columns[c]!.kind || batch.columns[c]!.kind !== kinds[c]) return false
  }
  return true
}
