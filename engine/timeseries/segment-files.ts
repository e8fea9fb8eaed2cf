// engine/timeseries/segment-files: the control thread's open file descriptors of listed segments, which scans hand to
// the cores (file descriptors are process-wide: a core's worker reads them with fs.readSync). A scan pins the
// segments it sliced; a pinned descriptor is never closed, so a segment removed from the manifest meanwhile
// (compaction, retention, DROP, TRUNCATE, DELETE) and unlinked stays readable through it until the last pin goes.
// Unpinned descriptors of listed segments are kept for later scans, at most SEGMENT_FILES_OPEN_MAX_COUNT of them
// (least recently used closed first). Knows nothing of formats, rings or SQL.
import fs from 'node:fs'
import { promisify } from 'node:util'
import { SEGMENT_FILES_OPEN_MAX_COUNT } from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'

const openFile = promisify(fs.open)

interface OpenSegment {
  readonly fd: Promise<number>
  pinCount: number
  /** The segment left the manifest: close the descriptor once no scan pins it. */
  isRetired: boolean
}

/** The pins one scan holds, by segment id (a segment can appear once per scan). */
export type SegmentPins = number[]

export class SegmentFiles {
  /** Map order is recency: a pin moves its entry to the end; eviction of unpinned descriptors takes from the front. */
  private readonly open = new Map<number, OpenSegment>()

  /** Descriptors open now (pinned or kept), for tests and stats. */
  get openCount(): number {
    return this.open.size
  }

  /** Pins segment `id` (listed now: call under the scan gate) and resolves with its descriptor, opening it if needed. */
  async pin(id: number, file: string): Promise<number> {
    let entry = this.open.get(id)
    if (entry === undefined) {
      entry = { fd: openFile(file, 'r'), pinCount: 0, isRetired: false }
      entry.fd.catch(() => undefined)
    }
    this.open.delete(id)
    this.open.set(id, entry)
    entry.pinCount += 1
    try {
      return await entry.fd
    } catch (error) {
      // The open failed: forget it (unpinned), so a later scan tries again.
      entry.pinCount -= 1
      if (this.open.get(id) === entry) this.open.delete(id)
      throw error
    }
  }

  /** Drops one pin of each segment in `pins` (taken by pin() and resolved); closes what is retired or over the cap. */
  unpin(pins: SegmentPins): void {
    for (const id of pins) {
      const entry = this.open.get(id)
      if (entry === undefined || entry.pinCount === 0) continue
      entry.pinCount -= 1
      if (entry.pinCount === 0 && entry.isRetired) this.close(id, entry)
    }
    this.evict()
  }

  /** Segment `id` left the manifest: its descriptor is closed now, or when its last pin goes. */
  retire(id: number): void {
    const entry = this.open.get(id)
    if (entry === undefined) return
    entry.isRetired = true
    if (entry.pinCount === 0) this.close(id, entry)
  }

  /** Engine close: every descriptor (no scan runs any more). */
  closeAll(): void {
    for (const [id, entry] of [...this.open]) this.close(id, entry)
  }

  private evict(): void {
    if (this.open.size <= SEGMENT_FILES_OPEN_MAX_COUNT) return
    for (const [id, entry] of [...this.open]) {
      if (this.open.size <= SEGMENT_FILES_OPEN_MAX_COUNT) return
      if (entry.pinCount === 0) this.close(id, entry)
    }
  }

  private close(id: number, entry: OpenSegment): void {
    this.open.delete(id)
    void entry.fd.then((fd) => fs.close(fd, (error) => {
      if (error !== null) log.warn({ segment: id, err: error }, 'closing a segment file failed')
    }), () => undefined)
  }
}
