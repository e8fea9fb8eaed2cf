// engine/timeseries/segment-store: the control thread's side of segments — writes flushed segment files (temp, fsync,
// rename, fsync dir), commits them to the manifest, and slices what a scan needs (segment-slices.ts): footers and
// chunk headers are read here (async), chunks by the cores through descriptors pinned for the scan (segment-files.ts),
// so a file removed from the manifest stays readable until every scan that sliced it is done. Knows nothing of
// rings or SQL.
import path from 'node:path'
import type { TableId } from '../../src/common/ids.js'
import { log } from '../../src/common/log.js'
import {
  COLUMNS_PER_TABLE_MAX_COUNT, VSHARD_COUNT,
} from '../../src/common/limits.js'
import type { EncodedSegment, FlushOutput, SegmentSlice } from '../bridge/messages.js'
import type { AggPartial } from '../batch.js'
import type { FileSystem } from '../io/file-system.js'
import type { ScanOp, TableSchema } from '../ops.js'
import {
  loadManifest, saveManifest, segmentFileName, type ManifestData, type ManifestLsn, type SegmentDelete, type SegmentEntry, type TruncatedLsn,
} from './manifest.js'
import { ScanGate } from './scan-gate.js'
import { StatsAnswer } from './stats-answer.js'
import { newPruneCounters, type PruneCounters, type RowGroupScope } from './segment-prune.js'
import { removeUnlisted } from './segment-cleanup.js'
import { SegmentFiles, type SegmentPins } from './segment-files.js'
import { SegmentSliceReader } from './segment-slices.js'
import { neededColumns } from './segment-reader.js'

/**
 * A scan's segment row groups per core (index = core), and the partial of the groups their statistics answered
 * (null when none): sql merges it with the cores' partials.
 */
export interface ScanSlices {
  readonly perCore: SegmentSlice[][]
  /** Releases the scan gate: call once every core's request is queued. */
  readonly release: () => void
  /** Unpins core `core`'s segments: call once that core is done with them (answered, stream ended, cancel acked). */
  readonly unpin: (core: number) => void
  readonly answered: AggPartial | null
}

const lsnKey = (tableId: number, vShard: number): string => `${tableId}/${vShard}`
// readSlice skips columns past a segment's own count, so "every column" is simply the largest possible count.
const SEGMENT_COLUMNS_ALL_COUNT = COLUMNS_PER_TABLE_MAX_COUNT

export class SegmentStore {
  private readonly gate = new ScanGate()
  private readonly slices: SegmentSliceReader
  /** Segments pinned per scan, and the descriptors of listed segments the cores read chunks through. */
  private readonly files: SegmentFiles
  private readonly flushed = new Map<string, number>()
  private readonly truncated = new Map<number, number>()
  /**
   * Whether a table still exists (the catalog's answer; set by the engine). A flush encoded before a DROP TABLE
   * reached the core may commit after it: its segments of the dropped table are left out, not committed.
   */
  isTableLive: (tableId: TableId) => boolean = () => true
  private flushCountValue = 0
  /** Row groups pruned and read by scans since open (EngineStats). */
  readonly pruneCounters = newPruneCounters()
  // Compaction rounds and retention passes, one at a time: neither reads or merges files the other is dropping.
  private maintenanceQueue: Promise<unknown> = Promise.resolve()
  // Ids are reserved when a flush starts writing, so flushes of two cores never share a file name.
  private nextIdReserved: number

  private constructor(
    private readonly fs: FileSystem, private readonly dataDir: string, private manifest: ManifestData,
  ) {
    for (const entry of manifest.flushedLsns) this.flushed.set(lsnKey(entry.tableId, entry.vShard), entry.lsn)
    for (const entry of manifest.truncatedLsns ?? []) this.truncated.set(entry.tableId, entry.lsn)
    this.nextIdReserved = manifest.nextSegmentId
    this.slices = new SegmentSliceReader(fs)
    this.files = new SegmentFiles((file) => fs.unlink(file))
  }

  get segmentDir(): string {
    return path.join(this.dataDir, 'segments')
  }

  /** Loads the manifest and deletes segment files it does not list (a flush cut short by a crash). */
  static async open(fs: FileSystem, dataDir: string): Promise<SegmentStore> {
    const store = new SegmentStore(fs, dataDir, await loadManifest(fs, dataDir))
    await fs.mkdirp(store.segmentDir)
    const listed = new Set(store.manifest.segments.map((entry) => entry.file))
    for (const name of await fs.readdir(store.segmentDir)) {
      if (listed.has(name)) continue
      log.warn({ file: name }, 'segment file not in the manifest (flush cut short); deleted')
      await fs.unlink(path.join(store.segmentDir, name))
    }
    return store
  }

  /**
   * Every row of (tableId, vShard) with an LSN ≤ this is in a segment, or was truncated away (0: none is). Replay and
   * catch-up skip records at or below it, which is how a TRUNCATE keeps old WAL records from resurrecting rows.
   */
  flushedLsn(tableId: TableId, vShard: number): number {
    return Math.max(this.flushed.get(lsnKey(tableId, vShard)) ?? 0, this.truncated.get(tableId) ?? 0)
  }

  /** The LSN at or below which the table's WAL records are dead (TRUNCATE); 0 when never truncated. */
  truncatedLsn(tableId: TableId): number {
    return this.truncated.get(tableId) ?? 0
  }

  /** Truncation LSNs as the manifest holds them (the next LSN after a restart must be above every one). */
  truncatedLsns(): ReadonlyArray<TruncatedLsn> {
    return this.manifest.truncatedLsns ?? []
  }

  /** 1 for each vShard of the table whose rows at `lsn` a segment already holds; null when there is none. */
  flushedVShardsAt(tableId: TableId, lsn: number): Uint8Array | null {
    let flushed: Uint8Array | null = null
    for (let v = 0; v < VSHARD_COUNT; v++) {
      if (this.flushedLsn(tableId, v) < lsn) continue
      flushed ??= new Uint8Array(VSHARD_COUNT)
      flushed[v] = 1
    }
    return flushed
  }

  get segments(): ReadonlyArray<SegmentEntry> {
    return this.manifest.segments
  }

  get flushCount(): number {
    return this.flushCountValue
  }

  /**
   * Writes a flush's segments and commits them to the manifest. `onCommitted` runs synchronously right after the
   * in-memory swap, with no scan between (the gate): it queues the core's CommitFlushRequest ahead of later scans.
   */
  async commitFlush(output: FlushOutput, onCommitted: () => void): Promise<void> {
    const firstId = this.nextIdReserved
    this.nextIdReserved += output.segments.length
    await this.commitFlushNow(output, onCommitted, firstId)
      .catch((error: unknown) => removeUnlisted(this.fs, this.segmentDir, firstId, output.segments.length, error))
  }

  private async commitFlushNow(output: FlushOutput, onCommitted: () => void, firstId: number): Promise<void> {
    const entries: SegmentEntry[] = []
    for (const [i, segment] of output.segments.entries()) entries.push(await this.writeSegment(firstId + i, segment))
    await this.fs.syncDir(this.segmentDir)
    const dead: SegmentEntry[] = []
    await this.gate.write(async () => {
      // Decided under the gate, so a DROP or TRUNCATE swap is wholly before or after this commit (see isDeadFlush).
      const liveLsns = output.flushedLsns.filter((entry) => this.isTableLive(entry.tableId))
      const flushedLsns = new Map(this.manifest.flushedLsns.map((entry) => [lsnKey(entry.tableId, entry.vShard), entry]))
      for (const entry of liveLsns) {
        const key = lsnKey(entry.tableId, entry.vShard)
        const lsn = Math.max(entry.lsn, flushedLsns.get(key)?.lsn ?? 0)
        flushedLsns.set(key, { tableId: entry.tableId, vShard: entry.vShard, lsn })
      }
      const isDead = (entry: SegmentEntry) => this.isDeadFlush(entry, output)
      dead.push(...entries.filter(isDead))
      const next: ManifestData = {
        ...this.manifest, nextSegmentId: this.nextIdReserved,
        segments: [...this.manifest.segments, ...entries.filter((entry) => !isDead(entry))],
        flushedLsns: [...flushedLsns.values()],
      }
      await saveManifest(this.fs, this.dataDir, next)
      this.manifest = next
      for (const entry of next.flushedLsns) this.flushed.set(lsnKey(entry.tableId, entry.vShard), entry.lsn)
      this.flushCountValue += 1
      onCommitted()
    })
    await this.deleteFiles(dead)
  }

  /**
   * A flushed segment of a dropped table, or of a table truncated at or after the segment's rows (the flush's
   * flushed LSN for its vShard is at or below the truncation): the core encoded it before the DROP or TRUNCATE reached
   * it, so it holds only rows that are gone. A flush encoded after holds no row at or below the truncation.
   */
  private isDeadFlush(entry: SegmentEntry, output: FlushOutput): boolean {
    if (!this.isTableLive(entry.tableId)) return true
    const truncated = this.truncated.get(entry.tableId)
    if (truncated === undefined) return false
    const flushed = output.flushedLsns.find((lsn) => lsn.tableId === entry.tableId && lsn.vShard === entry.vShard)
    return flushed === undefined || flushed.lsn <= truncated
  }

  /**
   * DROP TABLE (and, at open, the rest of one cut short by a crash): every segment, flushed LSN and truncation of the
   * tables `isDropped` picks leaves the manifest in one atomic swap under the scan gate, then their files are deleted.
   * Call inside maintain(). `onCommitted` runs right after the in-memory swap, before any scan (see commitFlush).
   */
  async dropTables(isDropped: (tableId: TableId) => boolean, onCommitted: () => void = () => undefined): Promise<void> {
    const dropped = await this.gate.write(async () => {
      const gone = this.manifest.segments.filter((entry) => isDropped(entry.tableId))
      const next: ManifestData = {
        nextSegmentId: this.manifest.nextSegmentId,
        segments: this.manifest.segments.filter((entry) => !isDropped(entry.tableId)),
        flushedLsns: this.manifest.flushedLsns.filter((entry) => !isDropped(entry.tableId)),
        truncatedLsns: (this.manifest.truncatedLsns ?? []).filter((entry) => !isDropped(entry.tableId)),
        deletedLsns: (this.manifest.deletedLsns ?? []).filter((entry) => !isDropped(entry.tableId)),
      }
      const isChanged = gone.length > 0 || next.flushedLsns.length !== this.manifest.flushedLsns.length ||
        next.truncatedLsns?.length !== (this.manifest.truncatedLsns ?? []).length
      if (isChanged) await this.swap(next)
      onCommitted()
      return gone
    })
    await this.deleteFiles(dropped)
  }

  /**
   * TRUNCATE's commit point: the table's segments leave the manifest and its WAL records up to `lsn` become dead, in
   * one atomic swap under the scan gate; then the files are deleted. Call inside maintain(). `onCommitted` as above.
   */
  async truncateTable(tableId: TableId, lsn: number, onCommitted: () => void): Promise<void> {
    const dropped = await this.gate.write(async () => {
      const gone = this.manifest.segments.filter((entry) => entry.tableId === tableId)
      const others = (this.manifest.truncatedLsns ?? []).filter((entry) => entry.tableId !== tableId)
      const truncatedLsn = Math.max(lsn, this.truncated.get(tableId) ?? 0)
      await this.swap({
        ...this.manifest, segments: this.manifest.segments.filter((entry) => entry.tableId !== tableId),
        truncatedLsns: [...others, { tableId, lsn: truncatedLsn }],
      })
      onCommitted()
      return gone
    })
    await this.deleteFiles(dropped)
  }

  /** Saves `next` (atomically) and adopts it in memory; call under the gate's write lease. */
  private async swap(next: ManifestData): Promise<void> {
    await saveManifest(this.fs, this.dataDir, next)
    this.manifest = next
    this.flushed.clear()
    for (const entry of next.flushedLsns) this.flushed.set(lsnKey(entry.tableId, entry.vShard), entry.lsn)
    this.truncated.clear()
    for (const entry of next.truncatedLsns ?? []) this.truncated.set(entry.tableId, entry.lsn)
  }

  /** Deletes files the manifest no longer lists. A crash midway leaves orphans, which open() deletes. */
  private async deleteFiles(entries: ReadonlyArray<SegmentEntry>): Promise<void> {
    for (const entry of entries) {
      this.slices.forget(entry.id)
      // A file a scan reads by name (no descriptor) is unlinked by SegmentFiles after that scan's last pin.
      if (this.files.retire(entry.id)) await this.fs.unlink(path.join(this.segmentDir, entry.file))
    }
    if (entries.length > 0) await this.fs.syncDir(this.segmentDir)
  }

  private async writeSegment(id: number, segment: EncodedSegment): Promise<SegmentEntry> {
    const file = segmentFileName(id)
    const final = path.join(this.segmentDir, file)
    const temp = `${final}.tmp`
    const handle = await this.fs.open(temp, 'create-truncate')
    try {
      await handle.write(segment.bytes, 0)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await this.fs.rename(temp, final)
    const { tableId, vShard, partitionStartUs, rowCount, minUs, maxUs } = segment
    return { id, file, tableId, vShard, partitionStartUs, rowCount, minUs, maxUs, sizeBytes: segment.bytes.length }
  }

  /**
   * The segment slices of `op` for each core (index = core), pruned by segment and row-group time range, with where the
   * chunks of the needed columns lie and a pinned descriptor of each file. Call `release` once every core's ScanRequest
   * is queued, and `unpin(c)` once core c is done with its slices.
   */
  async sliceForScan(schema: TableSchema, op: ScanOp, coreCount: number): Promise<ScanSlices> {
    const release = await this.gate.read()
    const pins: SegmentPins[] = Array.from({ length: coreCount }, () => [])
    const unpin = (core: number): void => {
      const held = pins[core]!
      pins[core] = []
      this.files.unpin(held)
    }
    try {
      const chosen = this.slices.entriesOf(this.manifest.segments, op.tableId)
      const needed = neededColumns(schema, op)
      const answer = StatsAnswer.of(schema, op)
      const perCore = await this.slices.readForCores(chosen, (entry) => path.join(this.segmentDir, entry.file), op, needed,
        { counters: this.pruneCounters, answer, files: this.files, pins })
      return { perCore, release, unpin, answered: answer !== null && answer.groupCount > 0 ? answer.toPartial() : null }
    } catch (error) {
      for (let core = 0; core < coreCount; core++) unpin(core)
      release()
      throw error
    }
  }

  private readSlice(entry: SegmentEntry, scope: RowGroupScope, needed: ReadonlyArray<number>,
    counters: PruneCounters): Promise<SegmentSlice> {
    return this.slices.read(entry, path.join(this.segmentDir, entry.file), scope, needed, counters)
  }

  /** Engine close, after the cores stopped: closes every segment descriptor and deletes files left to the last pin. */
  async closeFiles(): Promise<void> {
    for (const file of this.files.closeAll()) await this.fs.unlink(file).catch(() => undefined)
  }

  /**
   * Runs `body` alone among maintenance work (compaction rounds, retention passes). Segment files are deleted only
   * inside it, so a compaction reading its inputs never races a retention pass deleting them.
   */
  maintain<T>(body: () => Promise<T>): Promise<T> {
    const result = this.maintenanceQueue.then(body)
    this.maintenanceQueue = result.catch(() => undefined)
    return result
  }

  /**
   * Retention: removes every segment `isExpired` picks from the manifest in one atomic swap (no scan in between: the
   * gate), then deletes their files. Call inside maintain(). A crash after the swap leaves orphans, deleted at open.
   * Resolves with the segments dropped.
   */
  async dropSegments(isExpired: (entry: SegmentEntry) => boolean): Promise<ReadonlyArray<SegmentEntry>> {
    const dropped = await this.gate.write(async () => {
      const expired = this.manifest.segments.filter(isExpired)
      if (expired.length === 0) return expired
      await this.swap({ ...this.manifest, segments: this.manifest.segments.filter((entry) => !isExpired(entry)) })
      return expired
    })
    await this.deleteFiles(dropped)
    return dropped
  }

  /**
   * Every chunk of a segment, for compaction and DELETE (inside maintain(): no file it reads is deleted meanwhile), with
   * no descriptor: the core opens the file for the request.
   */
  async readWhole(entry: SegmentEntry): Promise<SegmentSlice> {
    const columns = Array.from({ length: SEGMENT_COLUMNS_ALL_COUNT }, (_, c) => c)
    const everything = { timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }, filters: [] }
    return this.readSlice(entry, everything, columns, newPruneCounters())
  }

  /**
   * Writes the merged segment, then swaps it for its inputs in the manifest (atomically, no scan in between), then
   * deletes the inputs' files. A crash before the swap leaves an orphan file (deleted at open); after it, orphans too.
   */
  async commitCompaction(inputs: ReadonlyArray<SegmentEntry>, merged: EncodedSegment): Promise<void> {
    const id = this.nextIdReserved++
    await this.commitCompactionNow(inputs, merged, id).catch((error: unknown) => removeUnlisted(this.fs, this.segmentDir, id, 1, error))
  }

  private async commitCompactionNow(inputs: ReadonlyArray<SegmentEntry>, merged: EncodedSegment, id: number): Promise<void> {
    const entry = await this.writeSegment(id, merged)
    await this.fs.syncDir(this.segmentDir)
    const removed = new Set(inputs.map((input) => input.id))
    await this.gate.write(async () => {
      const next: ManifestData = {
        ...this.manifest, nextSegmentId: this.nextIdReserved,
        segments: [...this.manifest.segments.filter((segment) => !removed.has(segment.id)), entry],
      }
      await this.swap(next)
    })
    await this.deleteFiles(inputs)
  }

  /** DELETE: whether chunk statistics leave a row group of `entry` that `scope` may pick (reads no chunk values). */
  async mayPick(entry: SegmentEntry, scope: RowGroupScope): Promise<boolean> {
    return (await this.readSlice(entry, scope, [], newPruneCounters())).rowGroupCount > 0
  }

  /** DELETE: writes a rewritten segment, unlisted until commitDelete (else discardUnlisted or open() deletes it). */
  writeUnlisted = (segment: EncodedSegment): Promise<SegmentEntry> => this.writeSegment(this.nextIdReserved++, segment)
  discardUnlisted = (entries: ReadonlyArray<SegmentEntry>): Promise<void> => this.deleteFiles(entries)

  /**
   * DELETE's segment side: `removed` leave, `added` (from writeUnlisted) join and the table's deleted LSN becomes
   * `lsn`, in one atomic swap under the scan gate; then the removed files are deleted. Call inside maintain().
   * `onCommitted` runs right after the in-memory swap, before any scan (see commitFlush).
   */
  async commitDelete(change: SegmentDelete, onCommitted: () => void): Promise<void> {
    if (change.added.length > 0) await this.fs.syncDir(this.segmentDir)
    const removed = new Set(change.removed.map((entry) => entry.id))
    await this.gate.write(async () => {
      const others = (this.manifest.deletedLsns ?? []).filter((entry) => entry.tableId !== change.tableId)
      await this.swap({
        ...this.manifest, nextSegmentId: this.nextIdReserved, deletedLsns: [...others, { tableId: change.tableId, lsn: change.lsn }],
        segments: [...this.manifest.segments.filter((entry) => !removed.has(entry.id)), ...change.added],
      })
      onCommitted()
    })
    await this.deleteFiles(change.removed)
  }

  /** The LSN of the table's last DELETE whose rows the listed segments already lack (0: none). */
  deletedLsn = (tableId: TableId): number => this.deletedLsns().find((entry) => entry.tableId === tableId)?.lsn ?? 0
  /** Delete LSNs as the manifest holds them (the next LSN after a restart must be above every one). */
  deletedLsns = (): ReadonlyArray<TruncatedLsn> => this.manifest.deletedLsns ?? []

  /** Flushed LSNs as the manifest holds them (for tests and stats). */
  flushedLsns(): ReadonlyArray<ManifestLsn> {
    return this.manifest.flushedLsns
  }
}
