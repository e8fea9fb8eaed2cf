// engine/timeseries/segment-slices: what a scan needs of one segment file, found on the control thread — its footer
// and where the chunks of the row groups that survive pruning lie (segment-prune.ts); the cores read those chunks
// themselves (segment-decode.ts), through a descriptor pinned here (segment-files.ts). Segment files are immutable while
// listed, so footers and chunk summaries are kept per segment until it leaves the manifest (forget()): a scan of a
// segment it has seen before, whose descriptor is open, is sliced without opening the file or waiting on a promise
// (knownRowGroups). Knows nothing of rings or SQL.
import type { SegmentSlice } from '../bridge/messages.js'
import type { FileHandleLike, FileSystem } from '../io/file-system.js'
import { SEGMENT_FOOTER_BYTES_MAX, SEGMENT_READS_IN_FLIGHT_MAX_COUNT } from '../../src/common/limits.js'
import type { SegmentEntry } from './manifest.js'
import { groupsPrunedByTags, knownRowGroups, readRowGroups, segmentTagValues, type KnownSummaries, type PruneCounters, type RowGroupScope,
  type TagValuesSource } from './segment-prune.js'
import { segmentSlice } from './segment-slice-layout.js'
import type { SegmentFiles, SegmentPins } from './segment-files.js'
import { SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES, type SegmentFooter } from './segment-format.js'
import { corruptSegment, decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer, readExactly } from './segment-reader.js'
import type { StatsAnswer } from './stats-answer.js'

/** sliceKnown's answer for a segment whose every row group in range is pruned or answered: no slice, no pin. */
const NOTHING = Symbol('nothing')

/** The `needed` columns the segment has (columns added to the table later read as NULL); `needed` itself when all. */
function columnsIn(footer: SegmentFooter, needed: ReadonlyArray<number>): ReadonlyArray<number> {
  const count = footer.kinds.length
  return needed.every((column) => column < count) ? needed : needed.filter((column) => column < count)
}

/** Where readForCores counts, answers from statistics, and pins (one list per core). */
export interface SliceTargets {
  readonly counters: PruneCounters
  readonly answer: StatsAnswer | null
  readonly files: SegmentFiles
  readonly pins: SegmentPins[]
}

/** A tag column's values over a segment's row groups (segmentTagValues), with the count of summaries known then. */
interface TagValuesTaken { readonly knownCount: number; readonly values: ReadonlySet<string> | null }

/**
 * What is kept of one listed segment, in one record so that a scan's walk over the segments in its time range looks
 * each up once (four Maps by segment id were ~5 hash lookups a segment, for every segment of every scan: a one-host
 * query over 95 segments spent ~7% of the control thread's CPU there).
 */
class KeptSegment implements TagValuesSource {
  footer: SegmentFooter | undefined = undefined
  known: KnownSummaries | undefined = undefined
  /** The file path (a path.join per segment per scan was measurable in one-host queries). */
  path: string | undefined = undefined
  /**
   * Per tag column, its values over all row groups: an incomplete one (null) is taken again only once more summaries
   * are known.
   */
  private readonly tagValues: Array<TagValuesTaken | undefined> = []

  tagValuesOf(_segmentId: number, footer: SegmentFooter, known: KnownSummaries, column: number): ReadonlySet<string> | null {
    const had = this.tagValues[column]
    if (had !== undefined && (had.values !== null || had.knownCount === known.size)) return had.values
    const values = segmentTagValues(known, footer.rowGroups.length, column)
    this.tagValues[column] = { knownCount: known.size, values }
    return values
  }
}

export class SegmentSliceReader {
  private readonly kept = new Map<number, KeptSegment>()
  /** The manifest's segment list (a new array on every change) by table: a scan no longer filters the whole list. */
  private byTable: { readonly of: ReadonlyArray<SegmentEntry>; readonly lists: Map<number, SegmentEntry[]> } | null = null

  constructor(private readonly fs: FileSystem) {}

  /** The entries of `segments` (the manifest's list, never changed in place) that belong to table `tableId`, in order. */
  entriesOf(segments: ReadonlyArray<SegmentEntry>, tableId: number): ReadonlyArray<SegmentEntry> {
    if (this.byTable?.of !== segments) {
      const lists = new Map<number, SegmentEntry[]>()
      for (const entry of segments) {
        const list = lists.get(entry.tableId)
        if (list === undefined) lists.set(entry.tableId, [entry])
        else list.push(entry)
      }
      this.byTable = { of: segments, lists }
    }
    return this.byTable.lists.get(tableId) ?? []
  }

  /**
   * Slices of those `entries` that overlap the scope's time range, per core (index = vShard mod core count), in `entries` order (a core scans its segments in that
   * order, so rows, float sums and first/last ties do not depend on which segments were known). A segment whose kept
   * footer and summaries decide every row group in range, and whose descriptor is open, is sliced synchronously
   * (knownRowGroups); the others are read, at most SEGMENT_READS_IN_FLIGHT_MAX_COUNT files at once. Each slice with a
   * row group left is pinned, its id added to its core's `pins` (also on failure, so the caller can unpin all).
   */
  async readForCores(entries: ReadonlyArray<SegmentEntry>, fileOf: (entry: SegmentEntry) => string, scope: RowGroupScope,
    needed: ReadonlyArray<number>, into: SliceTargets): Promise<SegmentSlice[][]> {
    const coreCount = into.pins.length
    // The slices kept and their entries' indices: most segments of a tag-filtered scan are pruned, so no array as
    // long as `entries` is made for the few that are left.
    const keptAt: number[] = []
    const keptSlices: SegmentSlice[] = []
    const keep = (index: number, slice: SegmentSlice): void => {
      keptAt.push(index)
      keptSlices.push(slice)
      into.pins[entries[index]!.vShard % coreCount]!.push(entries[index]!.id)
    }
    const open: number[] = []
    const { fromUs, toUs } = scope.timeRange
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index]!
      if (entry.minUs >= toUs || entry.maxUs < fromUs) continue
      const known = this.sliceKnown(entry, fileOf, scope, needed, into)
      if (known === null) open.push(index)
      else if (known !== NOTHING) keep(index, known)
    }
    for (let i = 0; i < open.length; i += SEGMENT_READS_IN_FLIGHT_MAX_COUNT) {
      const group = open.slice(i, i + SEGMENT_READS_IN_FLIGHT_MAX_COUNT)
      const outcomes = await Promise.allSettled(group.map((index) =>
        this.read(entries[index]!, this.pathOf(entries[index]!, fileOf), scope, needed, into.counters, into.answer, into.files)))
      let failure: { reason: unknown } | null = null
      outcomes.forEach((outcome, k) => {
        if (outcome.status === 'rejected') failure ??= { reason: outcome.reason }
        else if (outcome.value.rowGroupCount > 0) keep(group[k]!, outcome.value)
      })
      if (failure !== null) throw (failure as { reason: unknown }).reason
    }
    // Known slices were kept in entries order, read ones after them: back into entries order when any was read.
    const order = keptAt.map((_, k) => k)
    if (open.length > 0) order.sort((a, b) => keptAt[a]! - keptAt[b]!)
    const perCore: SegmentSlice[][] = []
    for (let core = 0; core < coreCount; core++) perCore.push([])
    for (const k of order) perCore[entries[keptAt[k]!]!.vShard % coreCount]!.push(keptSlices[k]!)
    return perCore
  }

  /**
   * The slice of `entry` decided from what is kept of it (knownRowGroups), pinned through its open descriptor;
   * NOTHING when no row group is left (nothing pinned); null when that takes a read or a descriptor being opened.
   */
  private sliceKnown(entry: SegmentEntry, fileOf: (entry: SegmentEntry) => string, scope: RowGroupScope,
    needed: ReadonlyArray<number>, into: SliceTargets): SegmentSlice | typeof NOTHING | null {
    const kept = this.kept.get(entry.id)
    const footer = kept?.footer
    if (footer === undefined) return null
    const known = kept!.known
    const pruned = known === undefined ? -1 : groupsPrunedByTags(footer, scope, kept!, entry.id, known)
    if (pruned >= 0) {
      into.counters.rowGroupsPruned += pruned
      return NOTHING
    }
    const columns = columnsIn(footer, needed)
    // A row group left needs the descriptor at hand (open, not opening): otherwise read() pins it, opening the file.
    const fd = into.files.openFd(entry.id)
    const groups = knownRowGroups(footer, scope, columns.length, into.counters, into.answer, known, fd !== undefined)
    if (groups === null) return null
    if (groups.length === 0) return NOTHING
    into.files.pinOpen(entry.id)
    kept!.path ??= fileOf(entry)
    return segmentSlice(kept!.path, fd!, footer.kinds.length, columns, groups)
  }

  private keptOf(segmentId: number): KeptSegment {
    let kept = this.kept.get(segmentId)
    if (kept === undefined) this.kept.set(segmentId, kept = new KeptSegment())
    return kept
  }

  private pathOf(entry: SegmentEntry, fileOf: (entry: SegmentEntry) => string): string {
    const kept = this.keptOf(entry.id)
    return kept.path ??= fileOf(entry)
  }

  /** Drops what is kept of a segment leaving the manifest. */
  forget(segmentId: number): void {
    this.kept.delete(segmentId)
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
      const footer = this.kept.get(entry.id)?.footer ?? await this.readFooter(entry, file, await handle())
      const known = this.keptOf(entry.id).known ??= new Map()
      const read = async (offset: number, length: number) => readExactly(await handle(), file, offset, length)
      const columns = columnsIn(footer, needed)
      const groups = await readRowGroups(file, footer, scope, columns.length, read, counters, answer, known)
      const fd = files === null || groups.length === 0 ? null : await files.pin(entry.id, file)
      return segmentSlice(file, fd, footer.kinds.length, columns, groups)
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
    this.keptOf(entry.id).footer = footer
    return footer
  }
}
