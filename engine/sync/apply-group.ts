// engine/sync/apply-group: consecutive edge records of one table and one source, coalesced into ONE cloud ingest
// (issue 11, step 3): one cloud WAL record and one fsync for a whole fetch of a single-table stream instead of one per
// edge record. One record keeps it all-or-nothing, so the high-water mark rebuilt from the rows (max _edge_lsn) never
// skips a record: groups are ingested strictly one after another, each only after the one before is durable.
import { assert } from '../../src/common/assert.js'
import { asTableId } from '../../src/common/ids.js'
import type { Engine } from '../api.js'
import type { ColumnBatch, ColumnVector } from '../batch.js'
import { OP_VERSION } from '../ops.js'

/** Edge record bytes one group holds at most (memory bound; far below WAL_RECORD_BYTES_MAX with the cloud's columns). */
export const SYNC_APPLY_GROUP_BYTES_MAX = 16 * 1024 * 1024

/** Concatenates vectors of one kind; symbol dictionaries are merged (id -1, NULL, stays -1). */
function concatVectors(parts: ReadonlyArray<ColumnVector>, rowCount: number): ColumnVector {
  const first = parts[0]!
  if (first.kind === 'symbol') {
    const ids = new Int32Array(rowCount)
    const dict: string[] = []
    const idOf = new Map<string, number>()
    let at = 0
    for (const part of parts) {
      assert(part.kind === 'symbol', 'apply group: column kinds differ between parts')
      const remap = part.dict.map((value) => idOf.get(value) ?? (idOf.set(value, dict.length), dict.push(value) - 1))
      for (let i = 0; i < part.ids.length; i++) ids[at++] = part.ids[i]! < 0 ? -1 : remap[part.ids[i]!]!
    }
    return { kind: 'symbol', ids, dict }
  }
  if (first.kind === 'text') return { kind: 'text', values: parts.flatMap((part) => (part.kind === 'text' ? part.values : [])) }
  const values = first.kind === 'i64' ? new BigInt64Array(rowCount) : first.kind === 'bool' ? new Uint8Array(rowCount) : new Float64Array(rowCount)
  const hasNulls = parts.some((part) => 'nulls' in part && part.nulls !== undefined)
  const nulls = hasNulls ? new Uint8Array(rowCount) : undefined
  let at = 0
  for (const part of parts) {
    assert(part.kind === first.kind, 'apply group: column kinds differ between parts')
    values.set(part.values as never, at)
    if (nulls !== undefined && part.nulls !== undefined) nulls.set(part.nulls, at)
    at += part.values.length
  }
  assert(at === rowCount, 'apply group: row counts differ between columns')
  return { kind: first.kind, values, ...(nulls === undefined ? {} : { nulls }) } as ColumnVector
}

export function concatBatches(batches: ReadonlyArray<ColumnBatch>): ColumnBatch {
  assert(batches.length > 0, 'apply group: nothing to concatenate')
  if (batches.length === 1) return batches[0]!
  const rowCount = batches.reduce((n, batch) => n + batch.rowCount, 0)
  const columns = batches[0]!.columns.map((_, c) => concatVectors(batches.map((batch) => batch.columns[c]!), rowCount))
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
