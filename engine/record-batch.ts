// engine/record-batch: a WAL record's table and rows as the engine's apply paths (replay, catch-up) read them; a
// record naming no table or holding no valid batch is corruption. Knows nothing of SQL.
import type { ColumnBatch } from './batch.js'
import { validateBatch } from './bridge/dispatcher.js'
import type { FrameCodec } from './bridge/frame-codec.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import { fail } from './engine-setup.js'
import type { TableSchema } from './ops.js'
import { decodeIngestPayload } from './wal/ingest-payload.js'
import type { WalRecord } from './wal/record.js'

export function tableOfRecord(catalog: CatalogStore, record: WalRecord): TableSchema {
  const table = catalog.table(record.tableId)
  if (table === undefined) throw fail('Corrupt', `wal record lsn ${record.lsn} names unknown table ${record.tableId}`)
  return table
}

export function batchOfRecord(catalog: CatalogStore, codec: FrameCodec, record: WalRecord): ColumnBatch {
  const batch = decodeIngestPayload(codec, record.payload)
  const problem = batch === undefined ? 'undecodable payload' : validateBatch(tableOfRecord(catalog, record), batch)
  if (batch === undefined || problem !== undefined) throw fail('Corrupt', `wal record lsn ${record.lsn}: ${problem ?? 'bad payload'}`)
  return batch
}
