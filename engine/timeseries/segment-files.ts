// engine/timeseries/segment-files: segments pinned by running scans, and the open file descriptors of listed segments
// that scans hand to the cores (file descriptors are process-wide: a core's worker reads them with fs.readSync).
// A scan pins the segments it sliced; a pinned descriptor is never closed, so a segment removed from the manifest
// meanwhile (compaction, retention, DROP, TRUNCATE, DELETE) and unlinked stays readable through it until the last
// pin goes. At most SEGMENT_FILES_OPEN_MAX_COUNT descriptors are open (unpinned ones kept for later scans, least
// recently used closed first); a segment pinned beyond that (or when the process is out of descriptors) gets none:
// its cores open it by name, and its file's unlink waits for its last pin. Knows nothing of formats, rings or SQL.
import fs from 'node:fs'
import { promisify } from 'node:util'
import { SEGMENT_FILES_OPEN_MAX_COUNT } from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'
import { errnoCode } from '../io/file-system.js'

const openFile = promisify(fs.open)

interface PinnedSegment {
  readonly file: string
  /** Its descriptor; null: none (cores open the file by name, so its unlink must wait for the last pin). */
  readonly fd: Promise<number | null>
  /** `fd` once resolved (undefined before): retire() and close() need it synchronously; a pin awaits it first. */
  resolved: number | null | undefined
  pinCount: number
  /** The segment left the manifest: close (and, without a descriptor, unlink) once no scan pins it. */
  isRetired: boolean
}

/** The pins one scan holds, by segment id (a segment can appear once per scan). */
export type SegmentPins = number[]

export class SegmentFiles {
  /** Map order is recency: a pin moves its entry to the end; eviction of unpinned descriptors takes from the front. */
  private readonly segments = new Map<number, PinnedSegment>()
  private fdCount = 0

  /** `unlink` deletes a retired file whose deletion waited for its last pin (a failure is logged, not thrown). */
  constructor(private readonly unlink: (file: string) => Promise<void>) {}

  /** Descriptors open now (pinned or kept), for tests and stats. */
  get openCount(): number {
    return this.fdCount
  }

  /**
   * Pins segment `id` (listed now: call under the scan gate) and resolves with its descriptor, opened if needed, or
   * null when the descriptor budget is spent: the cores then open `file` by name.
   */
  async pin(id: number, file: string): Promise<number | null> {
    let entry = this.segments.get(id)
    if (entry === undefined) {
      this.evict()
      const isOpening = this.fdCount < SEGMENT_FILES_OPEN_MAX_COUNT
      if (isOpening) this.fdCount += 1
      entry = { file, fd: isOpening ? this.open(file) : Promise.resolve(null), resolved: undefined, pinCount: 0, isRetired: false }
      entry.fd.catch(() => undefined)
    }
    this.segments.delete(id)
    this.segments.set(id, entry)
    entry.pinCount += 1
    try {
      const fd = await entry.fd
      entry.resolved = fd
      return fd
    } catch (error) {
      // The open failed: forget it (unpinned), so a later scan tries again.
      entry.pinCount -= 1
      if (this.segments.get(id) === entry) this.segments.delete(id)
      throw error
    }
  }

  /** The descriptor of segment `id` when it is open already (not opening, not retired); undefined otherwise. */
  openFd(id: number): number | undefined {
    const entry = this.segments.get(id)
    return entry === undefined || entry.isRetired || typeof entry.resolved !== 'number' ? undefined : entry.resolved
  }

  /** pin() of a segment whose descriptor openFd() just returned, without a promise (call under the scan gate). */
  pinOpen(id: number): void {
    const entry = this.segments.get(id)!
    this.segments.delete(id)
    this.segments.set(id, entry)
    entry.pinCount += 1
  }

  /** Drops one pin of each segment in `pins` (taken by pin() and resolved); closes what is retired or over the cap. */
  unpin(pins: SegmentPins): void {
    for (const id of pins) {
      const entry = this.segments.get(id)
      if (entry === undefined || entry.pinCount === 0) continue
      entry.pinCount -= 1
      if (entry.pinCount > 0) continue
      if (entry.isRetired) {
        this.close(id, entry)
        if (entry.resolved === null) void this.unlink(entry.file).catch((error: unknown) => log.warn({ file: entry.file, err: error }, 'deleting a segment file failed'))
      } else if (entry.resolved === null) this.segments.delete(id)
    }
  }

  /**
   * Segment `id` left the manifest: its descriptor is closed now, or when its last pin goes. Returns whether its file
   * may be unlinked now (false: a scan reads it by name, and unpin() unlinks it after the last pin).
   */
  retire(id: number): boolean {
    const entry = this.segments.get(id)
    if (entry === undefined) return true
    entry.isRetired = true
    if (entry.pinCount > 0) return entry.resolved !== null
    this.close(id, entry)
    return true
  }

  /** Engine close (no core reads any more): closes every descriptor; resolves with the files whose unlink waited. */
  closeAll(): string[] {
    const waiting: string[] = []
    for (const [id, entry] of [...this.segments]) {
      if (entry.isRetired && entry.resolved === null && entry.pinCount > 0) waiting.push(entry.file)
      this.close(id, entry)
    }
    return waiting
  }

  /** Opens `file`; out of descriptors (EMFILE, ENFILE) resolves null, so the scan goes on by name. */
  private async open(file: string): Promise<number | null> {
    try {
      return await openFile(file, 'r')
    } catch (error) {
      this.fdCount -= 1
      const code = errnoCode(error)
      if (code === 'EMFILE' || code === 'ENFILE') return null
      throw error
    }
  }

  /** Closes unpinned descriptors, least recently used first, until one more fits the budget. */
  private evict(): void {
    if (this.fdCount < SEGMENT_FILES_OPEN_MAX_COUNT) return
    for (const [id, entry] of this.segments) {
      if (this.fdCount < SEGMENT_FILES_OPEN_MAX_COUNT) return
      if (entry.pinCount === 0) this.close(id, entry)
    }
  }

  /** Forgets the entry and closes its descriptor (counted out now, so eviction sees the room at once). */
  private close(id: number, entry: PinnedSegment): void {
    this.segments.delete(id)
    const closeFd = (fd: number): void => {
      this.fdCount -= 1
      fs.close(fd, (error) => { if (error !== null) log.warn({ segment: id, err: error }, 'closing a segment file failed') })
    }
    if (entry.resolved === undefined) void entry.fd.then((fd) => { if (fd !== null) closeFd(fd) }, () => undefined)
    else if (entry.resolved !== null) closeFd(entry.resolved)
  }
}
