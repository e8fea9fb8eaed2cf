// engine/sync/apply-group: consecutive edge records of one table and one source, coalesced into ONE cloud ingest
// (issue 11, step 3): one cloud WAL record and one fsync for a whole fetch of a single-table stream instead of one per
// edge record. One record keeps it all-or-nothing, so the high-water mark rebuilt from the rows (max _edge_lsn) never
// skips a record: groups are ingested strictly one after another, each only after the one before is durable.
import { assert } from '../../src/common/assert.js'
import { asTableId } from '../../src/common/ids.js'
import type { Engine } from '../api.js'
import type { ColumnBatch } from '../batch.js'
import { concatVectorsNow } from '../../src/common/column-order.js'
import { OP_VERSION } from '../ops.js'

/** Edge record bytes one group holds at most (memory bound; far below WAL_RECORD_BYTES_MAX with the cloud's columns). */
export const SYNC_APPLY_GROUP_BYTES_MAX = 16 * 1024 * 1024

export function concatBatches(batches: ReadonlyArray<ColumnBatch>): ColumnBatch {
  assert(batches.length > 0, 'apply group: nothing to concatenate')
  if (batches.length === 1) return batches[0]!
  const rowCount = batches.reduce((n, batch) => n + batch.rowCount, 0)
  const columns = batches[0]!.columns.map((_, c) => concatVectorsNow(batches.map((batch) => batch.columns[c]!), rowCount))
  return { rowCount, columns }
}

/** The pending group: cloud batches of one table, in edge LSN order. */
export class ApplyGroup {
  private tableId = 0
  private columnsKey = ''
  private batches: ColumnBatch[] = []
  private bytes = 0
  recordCount = 0

  /** Whether a record of `tableId` (cloud columns `columnsKey`, `bytes` long) may join without a flush first. */
  fits(tableId: number, columnsKey: string, bytes: number): boolean {
    if (this.batches.length === 0) return true
    return tableId === this.tableId && columnsKey === this.columnsKey && this.bytes + bytes <= SYNC_APPLY_GROUP_BYTES_MAX
  }

  add(tableId: number, columnsKey: string, batch: ColumnBatch, bytes: number): void {
    assert(this.fits(tableId, columnsKey, bytes) || this.batches.length === 0, 'apply group: add without a flush')
    this.tableId = tableId
    this.columnsKey = columnsKey
    this.batches.push(batch)
    this.bytes += bytes
    this.recordCount += 1
  }

  get isEmpty(): boolean { return this.batches.length === 0 }

  /** One ingest of every pending record; resolves once it is durable in the cloud's WAL. Empties the group first. */
  async flush(engine: Engine): Promise<number> {
    if (this.batches.length === 0) return 0
    const batch = concatBatches(this.batches)
    const [tableId, recordCount] = [this.tableId, this.recordCount]
    this.batches = []
    this.bytes = 0
    this.recordCount = 0
    await engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId: asTableId(tableId), batch })
    return recordCount
  }

  /** After a failure: forget the pending records (they were not acknowledged, so they come again). */
  clear(): void {
    this.batches = []
    this.bytes = 0
    this.recordCount = 0
  }
}
