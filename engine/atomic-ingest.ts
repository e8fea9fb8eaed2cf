// engine/atomic-ingest: rows of several tables made durable and visible all or nothing (a transaction's COMMIT,
// issue 10): one PartRecord per table, then one CommitRecord, appended in one tick so they share one group commit
// and fsync; only then are the parts dispatched to the cores, at the commit's reserved LSNs (commit-record.ts), in
// order. A crash before the commit record is on disk leaves parts that replay drops. Knows nothing of SQL.
import { asLsn, type Lsn, type TableId } from '../src/common/ids.js'
import type { IngestResult } from './api.js'
import type { ColumnBatch } from './batch.js'
import type { CoreClient } from './bridge/core-client.js'
import type { CorePayloads } from './bridge/core-payloads.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import { fail } from './engine-setup.js'
import type { FlushCoordinator } from './flush-coordinator.js'
import type { DiskHealth } from './io/disk-health.js'
import type { TableSchema } from './ops.js'
import type { EncodedIngest } from './encoded-ingest.js'
import { recordPayloads, type RecordPayloads } from './record-payloads.js'
import type { IngestEncodeBuffers } from './wal/ingest-payload.js'
import type { WalWriter } from './wal/wal-writer.js'

/** One table's rows of an atomic ingest. */
export interface IngestPart { readonly tableId: TableId; readonly batch: ColumnBatch; readonly encoded?: EncodedIngest }

export interface AtomicIngestDeps {
  readonly catalog: CatalogStore
  readonly cores: ReadonlyArray<CoreClient>
  readonly flushes: FlushCoordinator
  readonly health: DiskHealth
  readonly encodeBuffers: IngestEncodeBuffers
  readonly wal: () => WalWriter
  /** Held from before the WAL until every core applied (DROP TABLE and TRUNCATE wait for it). */
  readonly gate: () => Promise<() => void>
  /** The engine's dispatch of one record's payload to every core at `lsn` (LSN order is call order). */
  readonly applyToCores: (table: TableSchema, payloads: CorePayloads, lsn: Lsn) => Array<Promise<unknown>>
  readonly relieveWal: () => void
}

interface EncodedPart extends RecordPayloads { readonly table: TableSchema; readonly rowCount: number }

export class AtomicIngest {
  constructor(private readonly deps: AtomicIngestDeps) {}

  /** Resolves once the commit is durable and every core applied every part; the result's LSN is the commit's. */
  async ingest(parts: ReadonlyArray<IngestPart>): Promise<IngestResult> {
    const release = await this.deps.gate()
    try {
      return await this.ingestLeased(parts)
    } finally {
      release()
    }
  }

  private encode(parts: ReadonlyArray<IngestPart>): EncodedPart[] {
    const encoded: EncodedPart[] = []
    for (const { tableId, batch, encoded: ahead } of parts) {
      const table = this.deps.catalog.table(tableId)
      if (table === undefined) throw fail('NoSuchTable', `table ${tableId} does not exist`)
      const payloads = recordPayloads(table, batch, ahead, this.deps.encodeBuffers, this.deps.cores.length)
      if (payloads !== undefined) encoded.push({ table, ...payloads, rowCount: batch.rowCount })
    }
    return encoded
  }

  private async ingestLeased(parts: ReadonlyArray<IngestPart>): Promise<IngestResult> {
    const encoded = this.encode(parts)
    const rowCount = encoded.reduce((sum, part) => sum + part.rowCount, 0)
    if (encoded.length === 0) return { kind: 'IngestResult', rowCount: 0, lsn: this.deps.wal().durableLsn }
    if (this.deps.health.state === 'Failed') throw this.deps.health.writeRefusal()!
    await Promise.all(this.deps.cores.map((core) => core.whenQueueHasRoom()))
    await this.deps.flushes.whenMemoryAllows(true)
    // One tick: the parts and their commit enter the writer's queue together, in LSN order.
    const wal = this.deps.wal()
    let txn: number | undefined
    for (const part of encoded) {
      const appended = wal.appendPart(txn, part.table.id, part.wal)
      txn = appended.txn
      // The commit's fate is the parts' (appended after them, it is durable only once they are, and a group that
      // fails rejects every append still pending): only the commit is awaited.
      appended.durable.catch(() => undefined)
    }
    const commit = wal.appendCommit(txn!, encoded.length, encoded[0]!.table.id)
    // ONE await, as every ingest: continuations of durable records run in LSN order, so the rings receive LSN order
    // (awaiting Promise.all of the parts would add a hop and let a later record of the same group dispatch first).
    await commit.durable
    for (const part of encoded) if (part.isPooled) this.deps.encodeBuffers.give(part.wal)
    this.deps.relieveWal()
    // No await between durability and dispatch: the parts reach the rings in LSN order.
    const first = commit.lsn - encoded.length + 1
    const applies = encoded.flatMap((part, i) => this.deps.applyToCores(part.table, part.ring, asLsn(first + i)))
    await Promise.all(applies)
    for (const part of encoded) if (part.isPooled) this.deps.encodeBuffers.give(part.ring.bytes)
    return { kind: 'IngestResult', rowCount, lsn: commit.lsn }
  }
}
