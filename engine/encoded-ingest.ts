// engine/encoded-ingest: a batch's record payloads built ahead, where its rows were parsed (a COPY or ILP parse
// worker), so the event loop only appends ready bytes to the WAL and hands the same bytes to the cores (issues 9, 10).
// The encoder checks the rows (validateBatch against the table as it knew it) and records the column kinds and the
// designated timestamp it checked them with; the write compares those with the catalog at the time of the write and,
// where they disagree (a schema change raced the encode), validates and encodes the batch itself as it always did,
// so a record never disagrees with the catalog. Knows nothing of SQL.
import type { ColumnBatch, ColumnKind } from './batch.js'
import { encodeCorePayloads, type CorePayloads } from './bridge/core-payloads.js'
import { validateBatch } from './bridge/dispatcher.js'
import type { TableSchema } from './ops.js'
import { encodeWalIngestPayload, type IngestEncodeBuffers } from './wal/ingest-payload.js'

/**
 * A record's payloads for a write of `batch` (valid for `table`) to `table` on `coreCount` cores, each in a buffer
 * from `buffers` when given (give each back once nothing refers to it): one per core for the rings (each core's
 * rows only, grouped by vShard: core-payloads.ts), the compact one for the WAL (~8× smaller than flat on TSBS rows).
 * Every write's payloads come from here, encoded ahead in a worker or at the write.
 */
export function encodeRecordPayloads(
  table: TableSchema, batch: ColumnBatch, coreCount: number, buffers?: IngestEncodeBuffers,
): { ring: CorePayloads; wal: Uint8Array } {
  const take = buffers === undefined ? (byteLength: number) => new Uint8Array(byteLength) : (byteLength: number) => buffers.take(byteLength)
  return { ring: encodeCorePayloads(table, batch, coreCount, take), wal: encodeWalIngestPayload(batch, buffers) }
}

/** A batch's payloads: the cores' for the rings, the compact one for the WAL. */
export interface EncodedIngest {
  readonly rowCount: number
  /** The batch's column kinds, catalog order, as the encoder's table had them (a prefix of the table's columns). */
  readonly kinds: ReadonlyArray<ColumnKind>
  /** The designated timestamp the encoder checked (non-NULL, finite on every row). */
  readonly timestampIndex: number
  /** For `ring.ends.length - 1` cores: the write uses them only when the engine has that many. */
  readonly ring: CorePayloads
  readonly wal: Uint8Array
}

/**
 * Encodes `batch` for a write to `table` on `coreCount` cores ahead of the write (in a worker): undefined when
 * validateBatch refuses it (the write then refuses it with the same words). Payloads come from `buffers` when given.
 */
export function encodeIngestAhead(table: TableSchema, batch: ColumnBatch, coreCount: number, buffers?: IngestEncodeBuffers): EncodedIngest | undefined {
  if (batch.rowCount === 0 || validateBatch(table, batch) !== undefined) return undefined
  const { ring, wal } = encodeRecordPayloads(table, batch, coreCount, buffers)
  return { rowCount: batch.rowCount, kinds: batch.columns.map((vector) => vector.kind), timestampIndex: table.timestampIndex, ring, wal }
}

/** The buffers an EncodedIngest holds, to transfer between threads. */
export function encodedTransferables(encoded: EncodedIngest): ArrayBuffer[] {
  return [encoded.ring.bytes.buffer, encoded.wal.buffer].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer)
}

/**
 * Whether `encoded` holds `batch`'s rows as `table` now stands, for `coreCount` cores: the same kinds in the same
 * places, within its columns (AddColumnsOp may have appended more since: they read NULL), the same designated
 * timestamp. O(columns). (The vShards depend on the table's id and the rows only, never on its columns.)
 */
export function encodedAgrees(table: TableSchema, batch: ColumnBatch, encoded: EncodedIngest, coreCount: number): boolean {
  const { kinds } = encoded
  if (encoded.rowCount !== batch.rowCount || kinds.length !== batch.columns.length || encoded.ring.bytes.byteLength === 0) return false
  if (encoded.ring.ends.length !== coreCount + 1) return false
  if (encoded.timestampIndex !== table.timestampIndex || kinds.length > table.columns.length || kinds.length <= table.timestampIndex) return false
  for (let c = 0; c < kinds.length; c++) {
    if (kinds[c] !== table.columns[c]!.kind || batch.columns[c]!.kind !== kinds[c]) return false
  }
  return true
}
