// engine/sync/tail-commits: the sync shipper's view of multi-record commits (engine/wal/commit-record.ts). Parts are
// held (copied) until their commit, which turns them into whole IngestRecords at the commit's LSNs, framed and
// checksummed as any record: the cloud applier reads IngestRecords only, and each carries its own LSN for its
// high-water marks. Parts without a commit are never shipped. Knows nothing of NATS.
import { log } from '../../src/common/log.js'
import { decodeCommit, partTxn, PART_PREFIX_BYTES } from '../wal/commit-record.js'
import { encodeWalRecord, type WalRecord } from '../wal/record.js'
import { asLsn, type TableId } from '../../src/common/ids.js'

/** A committed part as the tail ships it. */
export interface CommittedPart { readonly lsn: number; readonly tableId: TableId; readonly bytes: Uint8Array }

export class TailCommits {
  private readonly open = new Map<number, Array<{ readonly tableId: TableId; readonly payload: Uint8Array }>>()

  /** A seek: the tail reads the WAL again from its oldest segment. */
  clear(): void {
    this.open.clear()
  }

  /** Takes a PartRecord or CommitRecord; a commit returns its parts with an LSN above `afterLsn`. */
  take(record: WalRecord, afterLsn: number): CommittedPart[] {
    if (record.kind === 'PartRecord') {
      const txn = partTxn(record)
      const parts = this.open.get(txn) ?? []
      parts.push({ tableId: record.tableId, payload: record.payload.slice(PART_PREFIX_BYTES) })
      this.open.set(txn, parts)
      return []
    }
    const { txn, partCount } = decodeCommit(record)
    const parts = this.open.get(txn)
    this.open.delete(txn)
    if (parts?.length !== partCount) {
      // Parts are deleted only once every vShard and the cloud's floor passed the commit (commit-pins.ts).
      if (record.lsn > afterLsn) log.error({ lsn: record.lsn, found: parts?.length ?? 0, partCount }, 'sync: a commit whose parts are gone was not shipped')
      return []
    }
    const out: CommittedPart[] = []
    parts.forEach((part, i) => {
      const lsn = record.lsn - partCount + 1 + i
      if (lsn > afterLsn) out.push({ lsn, tableId: part.tableId, bytes: encodeWalRecord(asLsn(lsn), 'IngestRecord', part.tableId, part.payload) })
    })
    return out
  }
}
