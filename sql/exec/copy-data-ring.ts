// sql/exec/copy-data-ring: the event loop's side of a COPY's CopyData ring (issue 9). CopyData arrived as views of
// socket reads (or the framer's reused join buffer) and was copied into a fresh buffer per message, transferred to the
// parse worker and dropped there: ~50 MiB of external memory per 200 k rows that both threads' GC had to account and
// sweep. Now each CopyData is copied into a SharedArrayBuffer the worker parses in place (a view, no allocation), and
// its region is free again once the worker's parsed counter passes it. Chunks are parsed in order, so the free space
// is what lies between the newest chunk's end and the oldest unparsed chunk's start (wrapping once).

/** Bytes of a COPY's ring: bulk loaders send 8–64 KiB CopyData; a write waits for room (backpressure). */
export const COPY_DATA_RING_BYTES = 1024 * 1024
/** CopyData larger than this skip the ring (a buffer of their own, transferred, as before): the ring fits four. */
export const COPY_DATA_RING_CHUNK_BYTES_MAX = COPY_DATA_RING_BYTES / 4
/** Rings of finished COPYs kept for the next COPYs (MiB-sized SharedArrayBuffers that stay allocated). */
const COPY_DATA_RINGS_KEPT_COUNT = 4

/** Rings of COPYs that ended cleanly (their worker read all of them), for the next COPYs. */
const kept: SharedArrayBuffer[] = []

export class CopyDataRing {
  readonly buffer: SharedArrayBuffer
  private readonly bytes: Uint8Array
  /** Unparsed chunks, oldest first: their number (1-based, as the sink counts posts) and region. */
  private readonly regions: Array<{ readonly number: number; readonly start: number; readonly end: number }> = []

  constructor() {
    this.buffer = kept.pop() ?? new SharedArrayBuffer(COPY_DATA_RING_BYTES)
    this.bytes = new Uint8Array(this.buffer)
  }

  /**
   * Copies `data` in as chunk `number` when it fits, after freeing the regions of the first `parsedCount` chunks;
   * returns where it starts, or -1 (no room until the worker parses more).
   */
  put(data: Uint8Array, number: number, parsedCount: number): number {
    while (this.regions.length > 0 && this.regions[0]!.number <= parsedCount) this.regions.shift()
    const at = this.placeFor(data.byteLength)
    if (at < 0) return -1
    this.bytes.set(data, at)
    this.regions.push({ number, start: at, end: at + data.byteLength })
    return at
  }

  /** The COPY ended with every chunk parsed: the next COPY may take this ring. */
  recycle(): void {
    if (kept.length < COPY_DATA_RINGS_KEPT_COUNT) kept.push(this.buffer)
  }

  private placeFor(length: number): number {
    const oldest = this.regions[0]
    const newest = this.regions[this.regions.length - 1]
    if (oldest === undefined || newest === undefined) return length <= this.bytes.length ? 0 : -1
    if (newest.start < oldest.start) return newest.end + length <= oldest.start ? newest.end : -1 // wrapped
    if (newest.end + length <= this.bytes.length) return newest.end
    return length <= oldest.start ? 0 : -1
  }
}
