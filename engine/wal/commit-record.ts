// engine/wal/commit-record: the multi-record commit (issues 9, 10). A write too large or too wide for one record (a
// transaction over several tables, a streamed COPY) is written as PartRecords, then one CommitRecord; nothing of it
// exists without the commit. Knows the two payload layouts and how a reader turns them back into IngestRecords.
// ON-DISK FORMAT (little-endian; pinned by test/unit/engine/wal-commit.test.ts):
//   PartRecord payload:   [f64 txn][an IngestRecord payload]      txn = the LSN of the transaction's first part
//   CommitRecord payload: [u8 version = 1][f64 txn][u32 partCount] its tableId is its first part's
// A commit of n parts at LSN c reserves the n LSNs c-n+1..c (no other record has them): its i-th part (in LSN order)
// is applied as the IngestRecord of LSN c-n+1+i. So every part is applied above every record written before the
// commit and at an LSN of its own, and a vShard's flushed LSN keeps its meaning ("every record up to here is in a
// segment") — a flush between two parts of one table records the first part's LSN only.
import { asLsn, type Lsn } from '../../src/common/ids.js'
import { EngineFailureError } from '../api.js'
import type { WalRecord } from './record.js'

export const PART_PREFIX_BYTES = 8
export const COMMIT_PAYLOAD_VERSION = 1
const COMMIT_PAYLOAD_BYTES = 13

/** A commit as checkpoints must know it: its parts (from `txn` on) stay while some vShard needs the commit. */
export interface CommitSpan { readonly txn: number; readonly commitLsn: number }

/** The 8 bytes a part's payload starts with. */
export function encodePartPrefix(txn: number): Uint8Array {
  const prefix = new Uint8Array(PART_PREFIX_BYTES)
  new DataView(prefix.buffer).setFloat64(0, txn, true)
  return prefix
}

export function encodeCommitPayload(txn: number, partCount: number): Uint8Array {
  const payload = new Uint8Array(COMMIT_PAYLOAD_BYTES)
  const view = new DataView(payload.buffer)
  view.setUint8(0, COMMIT_PAYLOAD_VERSION)
  view.setFloat64(1, txn, true)
  view.setUint32(9, partCount, true)
  return payload
}

function corrupt(record: WalRecord, detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'Corrupt', detail: `wal ${record.kind} lsn ${record.lsn}: ${detail}` })
}

/** The transaction a PartRecord belongs to. */
export function partTxn(record: WalRecord): number {
  if (record.payload.length <= PART_PREFIX_BYTES) throw corrupt(record, `${record.payload.length} payload bytes`)
  const txn = new DataView(record.payload.buffer, record.payload.byteOffset, PART_PREFIX_BYTES).getFloat64(0, true)
  if (!Number.isSafeInteger(txn) || txn < 1 || txn > record.lsn) throw corrupt(record, `transaction ${txn}`)
  return txn
}

export function decodeCommit(record: WalRecord): { txn: number; partCount: number } {
  const { payload } = record
  if (payload.length !== COMMIT_PAYLOAD_BYTES || payload[0] !== COMMIT_PAYLOAD_VERSION) throw corrupt(record, 'bad commit payload')
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length)
  const txn = view.getFloat64(1, true)
  const partCount = view.getUint32(9, true)
  if (!Number.isSafeInteger(txn) || txn < 1 || partCount < 1 || txn > record.lsn - partCount) throw corrupt(record, `transaction ${txn} of ${partCount} parts`)
  return { txn, partCount }
}

/**
 * Turns a WAL read in LSN order into what it commits: IngestRecords and DeleteRecords as they are, parts held per
 * transaction (views of the segment's bytes; copied when the segment is done) until their commit, then handed on as IngestRecords at the commit's reserved LSNs. Parts with no commit
 * when the read ends (a crash before it, a COPY that failed) are dropped by `end`. A commit whose parts the read never
 * met (all or some) is one whose parts a checkpoint deleted — only ever done once every vShard flushed the commit (the
 * writer's pins) — when its transaction precedes the first record read; anywhere else it is corruption.
 */
export class CommitResolver {
  private readonly open = new Map<number, WalRecord[]>()
  private firstLsn = 0
  /** Parts taken from the segment being read (transaction, index): views of its buffer. */
  private readonly inSegment: Array<[number, number]> = []
  /** Commits met, for the writer's pins after a replay. */
  readonly commits: CommitSpan[] = []

  constructor(private readonly emit: (record: WalRecord) => Promise<void> | void) {}

  async take(record: WalRecord): Promise<void> {
    if (this.firstLsn === 0) this.firstLsn = record.lsn
    if (record.kind === 'IngestRecord' || record.kind === 'DeleteRecord') return this.emit(record)
    if (record.kind === 'PartRecord') {
      const txn = partTxn(record)
      const parts = this.open.get(txn)
      if (parts === undefined && txn !== record.lsn && txn >= this.firstLsn) throw corrupt(record, `transaction ${txn} has no first part`)
      if (parts === undefined) this.open.set(txn, [record])
      else parts.push(record)
      this.inSegment.push([txn, (parts?.length ?? 1) - 1])
      return
    }
    const { txn, partCount } = decodeCommit(record)
    const parts = this.open.get(txn)
    this.open.delete(txn)
    this.commits.push({ txn, commitLsn: record.lsn })
    // Its first part (and maybe more) went with a checkpoint, so every row of it is in segments.
    if (txn < this.firstLsn) return
    if (parts?.length !== partCount || parts[0]!.lsn !== txn) throw corrupt(record, `${parts?.length ?? 0} of ${partCount} parts found`)
    for (let i = 0; i < partCount; i++) {
      const part = parts[i]!
      const lsn: Lsn = asLsn(record.lsn - partCount + 1 + i)
      await this.emit({ lsn, kind: 'IngestRecord', tableId: part.tableId, payload: part.payload.subarray(PART_PREFIX_BYTES) })
    }
  }

  /** The segment read is done: parts still open are copied out of its buffer, so that buffer is not kept alive. */
  segmentEnd(): void {
    for (const [txn, index] of this.inSegment) {
      const parts = this.open.get(txn)
      if (parts !== undefined) parts[index] = { ...parts[index]!, payload: parts[index]!.payload.slice() }
    }
    this.inSegment.length = 0
  }

  /**
   * The read is over: parts without a commit are dropped — never acknowledged, or (a live read) not committed yet.
   * Returns how many.
   */
  end(): number {
    let dropped = 0
    for (const parts of this.open.values()) dropped += parts.length
    this.open.clear()
    return dropped
  }
}
