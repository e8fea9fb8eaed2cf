// engine/wal/wal-writer: appends records to segmented WAL files with group commit and the three fsync modes.
// Knows the record layout (record.ts) but nothing of what payloads mean, nor of cores or SQL.
import path from 'node:path'
import { assert } from '../../src/common/assert.js'
import { asLsn, type Lsn, type TableId } from '../../src/common/ids.js'
import { log } from '../../src/common/log.js'
import { EngineFailureError, isEngineFailureError, type FsyncMode } from '../api.js'
import { WAL_BATCH_FSYNC_INTERVAL_MS, WAL_GROUP_COMMIT_RECORDS_MAX_COUNT, WAL_SEGMENT_BYTES } from '../../src/common/limits.js'
import { DiskHealth } from '../io/disk-health.js'
import { isNoSpaceError, type FileHandleLike, type FileSystem } from '../io/file-system.js'
import { deleteWalSegmentsBelow } from './checkpoint.js'
import { CommitPins } from './commit-pins.js'
import { encodeCommitPayload, encodePartPrefix, type CommitSpan } from './commit-record.js'
import { encodeWalRecordHeader, walSegmentName, type WalRecordKind } from './record.js'
import type { WalSegmentSpan } from './wal-reader.js'

/** A payload at least this large is written by itself rather than copied into the group's buffer. */
const WAL_DIRECT_WRITE_BYTES = 256 * 1024

interface PendingAppend {
  readonly lsn: Lsn
  /** The record is `header` then `payload` (kept apart: the payload is written without a copy of its own). */
  readonly header: Uint8Array
  readonly payload: Uint8Array
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

export interface WalWriterOptions {
  readonly fs: FileSystem
  readonly walDir: string
  readonly fsync: FsyncMode
  /** The LSN the next append gets (1 + the last LSN replayed). */
  readonly nextLsn: Lsn
  /** The last segment found on open (already truncated to its last good record), to continue appending to. */
  readonly lastSegment: { readonly sequence: number; readonly sizeBytes: number } | undefined
  /** Rotation bound; WAL_SEGMENT_BYTES unless a test wants many small segments. */
  readonly segmentBytes?: number
  /** Closed segments found on open (every one but the last), for checkpoints. */
  readonly closedSegments?: ReadonlyArray<WalSegmentSpan>
  /** Commit records replay met: their parts stay while the commits are needed (commit-pins.ts). */
  readonly commits?: ReadonlyArray<CommitSpan>
  /** Shared with the engine (probe, reserve, fatal state); a private one, never started, when absent (unit tests). */
  readonly health?: DiskHealth
  /** Sync (issue 11): the lowest LSN the cloud still needs; checkpoints never delete a segment reaching it. */
  readonly floor?: (() => number) | undefined
  /** Sync (issue 11): a refusal while the unshipped backlog is over budget; appends are refused as on a full disk. */
  readonly refusal?: (() => EngineFailureError | undefined) | undefined
}

/**
 * Group commit: appends that arrive while a write+fsync is in flight wait in `pending` and go out together in the
 * next round, sharing one write and one fsync. Modes (what `append()` resolving means):
 * - 'always': the record is covered by fdatasync (design invariant 1).
 * - 'batch': the record was written to the OS; fsync runs at most every WAL_BATCH_FSYNC_INTERVAL_MS, so a power
 *   loss (not a process crash) may lose up to that window of acknowledged writes.
 * - 'off': never fsynced by us; durability is left to the OS.
 * Failures (issue 12): a write that finds no space (ENOSPC, EDQUOT) truncates the segment back to the end of the last
 * written group (no partial record stays), rejects that group and every pending append with 'DiskFull', and makes
 * DiskHealth refuse appends until its probe writes again; then appends simply continue (their LSNs skip the refused
 * ones: replay needs LSNs increasing, not dense). A failed fsync, or any other write failure, is fatal: 'Io' for
 * every append from then on, and never an fsync retried on that file.
 */
/**
 * The group's bytes as few writes: headers and small payloads joined, a payload of WAL_DIRECT_WRITE_BYTES or more
 * written as it is (a large ingest's payload is not copied once more). Durability is the group's fsync either way; a
 * crash between the writes leaves a torn last record, which replay drops as it drops any torn tail.
 */
function coalescedWrites(group: ReadonlyArray<PendingAppend>): Uint8Array[] {
  const writes: Uint8Array[] = []
  let small: Uint8Array[] = []
  for (const append of group) {
    small.push(append.header)
    if (append.payload.length < WAL_DIRECT_WRITE_BYTES) {
      small.push(append.payload)
      continue
    }
    writes.push(Buffer.concat(small), append.payload)
    small = []
  }
  if (small.length > 0) writes.push(Buffer.concat(small))
  return writes
}

export class WalWriter {
  private pending: PendingAppend[] = []
  private isCommitting = false
  private isSyncDue = false
  private isRetireDue = false
  private syncTimer: NodeJS.Timeout | undefined
  private failure: EngineFailureError | undefined
  private nextLsnValue: number
  private durableLsnValue: number
  private committing: Promise<void> = Promise.resolve()
  private closedSegments: WalSegmentSpan[]
  private isCheckpointing = false
  private readonly pins: CommitPins
  readonly health: DiskHealth

  private constructor(
    private readonly options: WalWriterOptions,
    private handle: FileHandleLike,
    private sequence: number,
    private sizeBytes: number,
  ) {
    this.nextLsnValue = options.nextLsn
    this.durableLsnValue = options.nextLsn - 1
    this.closedSegments = [...(options.closedSegments ?? [])]
    this.health = options.health ?? new DiskHealth({ fs: options.fs, walDir: options.walDir })
    this.pins = new CommitPins(options.commits)
  }

  static async open(options: WalWriterOptions): Promise<WalWriter> {
    await options.fs.mkdirp(options.walDir)
    const sequence = options.lastSegment?.sequence ?? 1
    const handle = await options.fs.open(path.join(options.walDir, walSegmentName(sequence)), 'append')
    if (options.lastSegment === undefined && options.fsync !== 'off') await options.fs.syncDir(options.walDir)
    return new WalWriter(options, handle, sequence, options.lastSegment?.sizeBytes ?? 0)
  }

  /** The highest LSN assigned so far (durable or not): a TRUNCATE taken with no ingest in flight marks its point. */
  get lastAssignedLsn(): number {
    return this.nextLsnValue - 1
  }

  /** The highest LSN whose record is durable per the fsync mode. */
  get durableLsn(): Lsn {
    return asLsn(this.durableLsnValue)
  }

  /**
   * Assigns the next LSN synchronously (so LSN order is call order) and resolves when the record is durable per the
   * fsync mode. Rejects with EngineFailureError: 'DiskFull' while the disk is full or below the reserve (nothing of
   * the record is written; retry later), 'Io' once an fsync failed (refused until a restart).
   */
  append(kind: WalRecordKind, tableId: TableId, payload: Uint8Array): { lsn: Lsn; durable: Promise<void> } {
    return this.appendRecord(kind, tableId, payload, 1, undefined)
  }

  /**
   * A part of transaction `txn` (commit-record.ts); undefined starts one, whose id is this part's LSN. Applied to
   * nothing until appendCommit; appends as `append` does (a refused part refuses the transaction: never commit it).
   */
  appendPart(txn: number | undefined, tableId: TableId, payload: Uint8Array): { lsn: Lsn; txn: number; durable: Promise<void> } {
    const id = txn ?? this.nextLsnValue
    if (txn === undefined) this.pins.opened(id)
    return { ...this.appendRecord('PartRecord', tableId, payload, 1, encodePartPrefix(id)), txn: id }
  }

  /**
   * The commit of `partCount` parts of `txn`, all appended before: reserves `partCount` LSNs and resolves to the last
   * (the commit record's own); part i is applied at lsn - partCount + 1 + i. Appended in the same tick as the parts,
   * it shares their fate (a group that fails rejects every append after it).
   */
  appendCommit(txn: number, partCount: number, tableId: TableId): { lsn: Lsn; durable: Promise<void> } {
    const appended = this.appendRecord('CommitRecord', tableId, encodeCommitPayload(txn, partCount), partCount, undefined)
    this.pins.committed(txn, appended.lsn)
    return appended
  }

  /** Transaction `txn` ends without a commit: its parts no longer pin the WAL (replay drops them). */
  abandon(txn: number): void {
    this.pins.abandoned(txn)
  }

  private appendRecord(
    kind: WalRecordKind, tableId: TableId, payload: Uint8Array, lsnCount: number, prefix: Uint8Array | undefined,
  ): { lsn: Lsn; durable: Promise<void> } {
    this.nextLsnValue += lsnCount
    const lsn = asLsn(this.nextLsnValue - 1)
    if (this.failure !== undefined) return { lsn, durable: Promise.reject(this.failure) }
    const refusal = this.health.writeRefusal() ?? this.options.refusal?.()
    if (refusal !== undefined) return { lsn, durable: Promise.reject(refusal) }
    const header = encodeWalRecordHeader(lsn, kind, tableId, payload, prefix)
    const durable = new Promise<void>((resolve, reject) => this.pending.push({ lsn, header, payload, resolve, reject }))
    // A part starts no round by itself: its commit, appended in the same tick, does, so both share one write and fsync.
    if (kind === 'PartRecord') queueMicrotask(() => { if (!this.isCommitting && this.pending.length > 0) this.startCommit() })
    else if (!this.isCommitting) this.startCommit()
    return { lsn, durable }
  }

  /** Closed segments not yet deleted by a checkpoint (the active one is never listed). */
  get closedSegmentCount(): number {
    return this.closedSegments.length
  }

  /** The last LSN of the oldest closed segment (0 when none): what a checkpoint would delete next. */
  get oldestClosedLastLsn(): number {
    return this.closedSegments[0]?.lastLsn ?? 0
  }

  /**
   * Checkpoint: deletes closed segments whose every record has an LSN below `neededLsn` (the caller's low-water
   * mark: no memtable holds rows of a lower LSN). One checkpoint at a time; a concurrent call is a no-op.
   * `recordedLsn` is the highest LSN the manifest records (flushed, truncated, deleted): when it reaches the last LSN
   * assigned and every record is below the mark, the active segment is closed too (a rotation, in the commit loop) and
   * deleted, so a fully flushed WAL leaves no file behind; a restart then takes its next LSN from the manifest, so
   * LSNs still never go back. Without that proof (e.g. the last records were a dropped table's) the segment stays.
   */
  async deleteSegmentsBelow(neededLsn: number, recordedLsn = 0): Promise<number> {
    if (this.isCheckpointing) return 0
    this.isCheckpointing = true
    try {
      const needed = this.pins.keptFrom(Math.min(neededLsn, this.options.floor?.() ?? Number.POSITIVE_INFINITY))
      if (this.isActiveRetirable(needed, recordedLsn)) {
        this.isRetireDue = true
        this.startCommit()
        await this.committing
      }
      const deleted = await deleteWalSegmentsBelow(this.options.fs, this.options.walDir, this.closedSegments, needed)
      this.closedSegments = this.closedSegments.filter((span) => !deleted.includes(span.sequence))
      return deleted.length
    } finally {
      this.isCheckpointing = false
    }
  }

  /** Nothing in flight, every record durable, below `needed` and recorded by the manifest. */
  private isActiveRetirable(needed: number, recordedLsn: number): boolean {
    const last = this.lastAssignedLsn
    return this.sizeBytes > 0 && !this.isCommitting && this.pending.length === 0 && this.failure === undefined &&
      this.durableLsnValue === last && last < needed && last <= recordedLsn
  }

  /** Writes what is pending, fsyncs (unless 'off') and closes the segment. */
  async close(): Promise<void> {
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer)
    this.syncTimer = undefined
    await this.committing
    if (this.failure === undefined && this.options.fsync !== 'off') await this.handle.datasync()
    await this.handle.close()
  }

  private startCommit(): void {
    this.isCommitting = true
    this.committing = this.commitLoop()
  }

  /**
   * Clears isCommitting synchronously with its last check of `pending` (not in a later .finally), so an append made
   * by a continuation of a just-resolved record is never left waiting without a commit round.
   */
  private async commitLoop(): Promise<void> {
    try {
      while (this.failure === undefined && (this.pending.length > 0 || this.isSyncDue || this.isRetireDue)) {
        const group = this.pending.splice(0, WAL_GROUP_COMMIT_RECORDS_MAX_COUNT)
        try {
          await this.commitGroup(group)
        } catch (error) {
          await this.fail(error, group)
          if (this.failure !== undefined) return
          continue
        }
        for (const append of group) append.resolve()
      }
    } finally {
      this.isCommitting = false
    }
  }

  private async commitGroup(group: ReadonlyArray<PendingAppend>): Promise<void> {
    if (this.isRetireDue) {
      // A checkpoint retires the active segment; appends that came meanwhile simply go to the next one.
      this.isRetireDue = false
      if (this.sizeBytes > 0 && group.length === 0) await this.rotate()
    }
    if (group.length > 0) {
      const writes = coalescedWrites(group)
      const byteCount = writes.reduce((sum, bytes) => sum + bytes.length, 0)
      const segmentBytes = this.options.segmentBytes ?? WAL_SEGMENT_BYTES
      if (this.sizeBytes > 0 && this.sizeBytes + byteCount > segmentBytes) await this.rotate()
      try {
        let at = this.sizeBytes
        for (const bytes of writes) {
          await this.handle.write(bytes, at)
          at += bytes.length
        }
      } catch (error) {
        throw new WalWriteError(error)
      }
      this.sizeBytes += byteCount
    }
    const mode = this.options.fsync
    if (mode === 'always' || (mode === 'batch' && this.isSyncDue)) {
      this.isSyncDue = false
      await this.handle.datasync()
    }
    if (group.length > 0) {
      const last = group[group.length - 1]!.lsn
      assert(last > this.durableLsnValue, `durable lsn goes back: ${last} after ${this.durableLsnValue}`)
      this.durableLsnValue = last
      if (mode === 'batch') this.scheduleBatchSync()
    }
  }

  private scheduleBatchSync(): void {
    if (this.syncTimer !== undefined) return
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined
      this.isSyncDue = true
      if (!this.isCommitting) this.startCommit()
    }, WAL_BATCH_FSYNC_INTERVAL_MS)
  }

  /**
   * Opens the next segment before closing the current one, so a rotation that finds no space leaves the writer on
   * its current segment, unchanged (the new file is removed), and the next group tries again.
   */
  private async rotate(): Promise<void> {
    if (this.options.fsync !== 'off') await this.handle.datasync()
    const name = walSegmentName(this.sequence + 1)
    const file = path.join(this.options.walDir, name)
    let next: FileHandleLike
    try {
      next = await this.options.fs.open(file, 'create-exclusive')
    } catch (error) {
      throw new WalWriteError(error)
    }
    try {
      if (this.options.fsync !== 'off') await this.options.fs.syncDir(this.options.walDir)
    } catch (error) {
      await next.close()
      await this.options.fs.unlink(file)
      throw error
    }
    await this.handle.close()
    this.handle = next
    this.closedSegments.push({ sequence: this.sequence, lastLsn: this.durableLsnValue })
    this.sequence += 1
    this.sizeBytes = 0
    log.info({ segment: name }, 'wal segment rotated')
  }

  /**
   * A group failed. No space on a write: cut the segment back to the last whole group and refuse until the probe
   * succeeds. Anything else (a failed fsync above all): refuse every append until a restart.
   */
  private async fail(error: unknown, group: ReadonlyArray<PendingAppend>): Promise<void> {
    const cause = error instanceof WalWriteError ? error.cause : error
    const isNoSpace = error instanceof WalWriteError &&
      (isNoSpaceError(cause) || (isEngineFailureError(cause) && cause.failure.kind === 'DiskFull'))
    let rejection: EngineFailureError
    if (isNoSpace && await this.truncateTail()) {
      this.health.walFull(cause)
      rejection = this.health.writeRefusal() ?? new EngineFailureError({ kind: 'DiskFull', detail: messageOf(cause) })
    } else {
      const detail = `wal write failed: ${messageOf(cause)}`
      this.failure = isEngineFailureError(cause) && cause.failure.kind === 'Io' ? cause : new EngineFailureError({ kind: 'Io', detail })
      this.health.fatal(this.failure.failure.detail)
      log.error({ err: cause }, 'wal write failed; the wal refuses further appends')
      rejection = this.failure
    }
    for (const append of [...group, ...this.pending.splice(0)]) append.reject(rejection)
  }

  /** Truncates the active segment to the end of the last written group; false when even that fails (then fatal). */
  private async truncateTail(): Promise<boolean> {
    try {
      await this.handle.truncate(this.sizeBytes)
      return true
    } catch (error) {
      log.error({ err: error, sizeBytes: this.sizeBytes }, 'wal: truncating a partial write failed')
      return false
    }
  }
}

/** A failure of the write (or of opening the next segment), as opposed to its fsync: only these may mean "no space". */
class WalWriteError extends Error {
  constructor(readonly cause: unknown) {
    super(messageOf(cause))
    this.name = 'WalWriteError'
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
