// engine/timeseries/segment-slices: what a scan needs of one segment file, found on the control thread — its footer
// and where the chunks of the row groups that survive pruning lie (segment-prune.ts); the cores read those chunks
// themselves (segment-decode.ts), through a descriptor pinned here (segment-files.ts). Segment files are immutable while
// listed, so footers and chunk summaries are kept per segment until it leaves the manifest (forget()): a scan whose
// filters prune every row group of a segment it has seen before does not open the file, nor wait on a promise, at
// all (prunedByKnown). Knows nothing of rings or SQL.
import type { SegmentSlice } from '../bridge/messages.js'
import type { FileHandleLike, FileSystem } from '../io/file-system.js'
import { SEGMENT_FOOTER_BYTES_MAX, SEGMENT_READS_IN_FLIGHT_MAX_COUNT } from '../../src/common/limits.js'
import type { SegmentEntry } from './manifest.js'
import { prunedByKnown, readRowGroups, type KnownSummaries, type PruneCounters, type RowGroupScope } from './segment-prune.js'
import type { SegmentFiles, SegmentPins } from './segment-files.js'
import { SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES, type SegmentFooter } from './segment-format.js'
import { corruptSegment, decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer, readExactly } from './segment-reader.js'
import type { StatsAnswer } from './stats-answer.js'

/** Where readForCores counts, answers from statistics, and pins (one list per core). */
export interface SliceTargets {
  readonly counters: PruneCounters
  readonly answer: StatsAnswer | null
  readonly files: SegmentFiles
  readonly pins: SegmentPins[]
}

export class SegmentSliceReader {
  private readonly footers = new Map<number, SegmentFooter>()
  private readonly summaries = new Map<number, KnownSummaries>()

  constructor(private readonly fs: FileSystem) {}

  /**
   * Slices of `entries` per core (index = vShard mod core count), at most SEGMENT_READS_IN_FLIGHT_MAX_COUNT files read
   * at once; each slice with a row group left is pinned, its id added to its core's `pins` (also on failure, so the
   * caller can unpin all).
   */
  async readForCores(entries: ReadonlyArray<SegmentEntry>, fileOf: (entry: SegmentEntry) => string, scope: RowGroupScope,
    needed: ReadonlyArray<number>, into: SliceTargets): Promise<SegmentSlice[][]> {
    const coreCount = into.pins.length
    const perCore: SegmentSlice[][] = Array.from({ length: coreCount }, () => [])
    const open = entries.filter((entry) => !this.isPrunedByKnown(entry, scope, into.counters))
    for (let i = 0; i < open.length; i += SEGMENT_READS_IN_FLIGHT_MAX_COUNT) {
      const group = open.slice(i, i + SEGMENT_READS_IN_FLIGHT_MAX_COUNT)
      const outcomes = await Promise.allSettled(group.map((entry) =>
        this.read(entry, fileOf(entry), scope, needed, into.counters, into.answer, into.files)))
      let failure: { reason: unknown } | null = null
      outcomes.forEach((outcome, k) => {
        if (outcome.status === 'rejected') failure ??= { reason: outcome.reason }
        else if (outcome.value.rowGroups.length > 0) {
          const core = group[k]!.vShard % coreCount
          perCore[core]!.push(outcome.value)
          into.pins[core]!.push(group[k]!.id)
        }
      })
      if (failure !== null) throw (failure as { reason: unknown }).reason
    }
    return perCore
  }

  /**
   * Whether what is kept of `entry` proves that `scope` reads none of its row groups (prunedByKnown), counting them
   * as pruned: such a segment is neither opened nor pinned, and costs no promise.
   */
  private isPrunedByKnown(entry: SegmentEntry, scope: RowGroupScope, counters: PruneCounters): boolean {
    const footer = this.footers.get(entry.id)
    const prunedCount = footer === undefined ? null : prunedByKnown(footer, scope, this.summaries.get(entry.id))
    if (prunedCount === null) return false
    counters.rowGroupsPruned += prunedCount
    return true
  }

  /** Drops what is kept of a segment leaving the manifest. */
  forget(segmentId: number): void {
    this.footers.delete(segmentId)
    this.summaries.delete(segmentId)
  }

  /**
   * The row groups of the segment at `file` that `scope` needs, with where the chunks of the `needed` columns lie. The
   * file is opened on the first byte actually read (footer, chunk headers), and closed before this resolves. With
   * `files` and some row group left, the segment is pinned (the caller unpins it) and the slice carries its
   * descriptor (null past the descriptor budget: the cores open the file by name).
   */
  async read(entry: SegmentEntry, file: string, scope: RowGroupScope, needed: ReadonlyArray<number>,
    counters: PruneCounters, answer: StatsAnswer | null = null, files: SegmentFiles | null = null): Promise<SegmentSlice> {
    let opening: Promise<FileHandleLike> | undefined
    const handle = (): Promise<FileHandleLike> => (opening ??= this.fs.open(file, 'read'))
    try {
      const footer = this.footers.get(entry.id) ?? await this.readFooter(entry, file, await handle())
      let known = this.summaries.get(entry.id)
      if (known === undefined) this.summaries.set(entry.id, known = new Map())
      const read = async (offset: number, length: number) => readExactly(await handle(), file, offset, length)
      const rowGroups = await readRowGroups(file, footer, scope, needed, read, counters, answer, known)
      const fd = files === null || rowGroups.length === 0 ? null : await files.pin(entry.id, file)
      return { file, fd, columnCount: footer.kinds.length, rowGroups }
    } finally {
      if (opening !== undefined) await (await opening.catch(() => null))?.close()
    }
  }

  private async readFooter(entry: SegmentEntry, file: string, handle: FileHandleLike): Promise<SegmentFooter> {
    const sizeBytes = await handle.size()
    if (sizeBytes !== entry.sizeBytes) throw corruptSegment(file, sizeBytes, `file has ${sizeBytes} bytes, manifest says ${entry.sizeBytes}`)
    const header = decodeSegmentHeader(file, await readExactly(handle, file, 0, SEGMENT_HEADER_BYTES))
    const trailer = await readExactly(handle, file, sizeBytes - SEGMENT_TRAILER_BYTES, SEGMENT_TRAILER_BYTES)
    const { length, crc } = decodeSegmentTrailer(file, trailer, sizeBytes)
    if (length > SEGMENT_FOOTER_BYTES_MAX) throw corruptSegment(file, sizeBytes - SEGMENT_TRAILER_BYTES, `footer of ${length} bytes`)
    const footerBytes = await readExactly(handle, file, sizeBytes - SEGMENT_TRAILER_BYTES - length, length)
    const footer = decodeSegmentFooter(file, footerBytes, crc, header.columnCount, sizeBytes)
    this.footers.set(entry.id, footer)
    return footer
  }
}
