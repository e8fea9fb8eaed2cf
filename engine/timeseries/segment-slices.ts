// engine/timeseries/segment-slices: reads what a scan needs of one segment file on the control thread — its footer
// and the chunks of the row groups that survive pruning (segment-prune.ts). Segment files are immutable while
// listed, so footers and chunk summaries are kept per segment until it leaves the manifest (forget()): a scan whose
// filters prune every row group of a segment it has seen before does not open the file at all. Knows nothing of
// rings or SQL.
import type { SegmentSlice } from '../bridge/messages.js'
import type { FileHandleLike, FileSystem } from '../io/file-system.js'
import { SEGMENT_FOOTER_BYTES_MAX } from '../../src/common/limits.js'
import type { SegmentEntry } from './manifest.js'
import { readRowGroups, type KnownSummaries, type PruneCounters, type RowGroupScope } from './segment-prune.js'
import { SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES, type SegmentFooter } from './segment-format.js'
import { corruptSegment, decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer, readExactly } from './segment-reader.js'
import type { StatsAnswer } from './stats-answer.js'

export class SegmentSliceReader {
  private readonly footers = new Map<number, SegmentFooter>()
  private readonly summaries = new Map<number, KnownSummaries>()

  constructor(private readonly fs: FileSystem) {}

  /** Drops what is kept of a segment leaving the manifest. */
  forget(segmentId: number): void {
    this.footers.delete(segmentId)
    this.summaries.delete(segmentId)
  }

  /**
   * The row groups of the segment at `file` that `scope` needs, with the chunks of the `needed` columns. The file is
   * opened on the first byte actually read, and closed before this resolves.
   */
  async read(entry: SegmentEntry, file: string, scope: RowGroupScope, needed: ReadonlyArray<number>,
    counters: PruneCounters, answer: StatsAnswer | null = null): Promise<SegmentSlice> {
    let opening: Promise<FileHandleLike> | undefined
    const handle = (): Promise<FileHandleLike> => (opening ??= this.fs.open(file, 'read'))
    try {
      const footer = this.footers.get(entry.id) ?? await this.readFooter(entry, file, await handle())
      let known = this.summaries.get(entry.id)
      if (known === undefined) this.summaries.set(entry.id, known = new Map())
      const read = async (offset: number, length: number) => readExactly(await handle(), file, offset, length)
      const rowGroups = await readRowGroups(file, footer, scope, needed, read, counters, answer, known)
      return { file, columnCount: footer.kinds.length, rowGroups }
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
