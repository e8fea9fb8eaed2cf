// engine/record-payloads: the payloads one ingest record is written with (engine.ts ingest, atomic-ingest.ts): those a
// worker encoded ahead (encoded-ingest.ts) when they agree with the catalog at the time of the write, else the batch
// validated and encoded here, on the event loop, as before. Knows nothing of SQL.
import { WAL_RECORD_BYTES_MAX } from '../src/common/limits.js'
import type { ColumnBatch } from './batch.js'
import { validateBatch } from './bridge/dispatcher.js'
import type { CorePayloads } from './bridge/core-payloads.js'
import { encodedAgrees, encodeRecordPayloads, type EncodedIngest } from './encoded-ingest.js'
import { fail } from './engine-setup.js'
import type { TableSchema } from './ops.js'
import type { IngestEncodeBuffers } from './wal/ingest-payload.js'

/** A record's payloads and whether they came from `buffers` (the writer gives those back once unused). */
export interface RecordPayloads { readonly ring: CorePayloads; readonly wal: Uint8Array; readonly isPooled: boolean }

/**
 * The payloads of a write of `batch` to `table` on `coreCount` cores: `encoded` when it agrees with the table, else
 * validated and encoded here (from `buffers`); undefined for a valid batch of no rows. Throws 'InvalidBatch' or
 * 'LimitExceeded'.
 */
export function recordPayloads(
  table: TableSchema, batch: ColumnBatch, encoded: EncodedIngest | undefined, buffers: IngestEncodeBuffers, coreCount: number,
): RecordPayloads | undefined {
  let payloads: RecordPayloads
  if (encoded !== undefined && encodedAgrees(table, batch, encoded, coreCount)) payloads = { ring: encoded.ring, wal: encoded.wal, isPooled: false }
  else {
    const problem = validateBatch(table, batch)
    if (problem !== undefined) throw fail('InvalidBatch', problem)
    if (batch.rowCount === 0) return undefined
    payloads = { ...encodeRecordPayloads(table, batch, coreCount, buffers), isPooled: true }
  }
  // What one ring message carries: the largest core's payload (the whole batch's flat payload before issue 10's split).
  let bytes = payloads.wal.length
  for (let c = 0; c < coreCount; c++) bytes = Math.max(bytes, payloads.ring.ends[c + 1]! - payloads.ring.ends[c]!)
  if (bytes > WAL_RECORD_BYTES_MAX) throw fail('LimitExceeded', `batch of ${bytes} bytes exceeds ${WAL_RECORD_BYTES_MAX}`)
  return payloads
}
