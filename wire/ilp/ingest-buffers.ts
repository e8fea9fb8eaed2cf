// wire/ilp/ingest-buffers: reusable input buffers for the ILP listeners (a TCP run of complete lines, an HTTP body)
// on their way to the parse pool and back. Each buffer is an ArrayBuffer of one fixed size that is transferred to
// a parse worker and handed back with the result, then returned here: reused instead of freed, so the allocator
// never holds a trail of freed multi-MiB buffers and the event loop's isolate never waits for a GC to free them
// (ARCHITECTURE.md, "ILP ingest cost, memory and disk"). A request larger than the size gets a buffer of its own,
// which is freed when given back; the kept ones are freed once the pool has been idle a while. Knows nothing of lines
// or sockets.
import { assert } from '../../src/common/assert.js'
import { ILP_INGEST_BUFFERS_IDLE_RELEASE_MS } from '../../src/common/limits.js'
import { releaseBuffer, releaseBuffersNow } from '../../src/common/release-buffer.js'

export class IngestBufferPool {
  private readonly free: ArrayBuffer[] = []
  /** Buffers taken and not yet given back (tests and metrics read it). */
  takenCount = 0
  private isKeeping = true
  /** Buffers lent by take() and not given back: one given back that is not among them came through a transfer. */
  private readonly lentBuffers = new WeakSet<ArrayBuffer>()
  private isDetaching = false
  private lastTakeMs = 0
  private idleTimer: NodeJS.Timeout | null = null

  constructor(readonly bufferBytes: number, readonly freeMaxCount: number, readonly idleReleaseMs = ILP_INGEST_BUFFERS_IDLE_RELEASE_MS) {
    assert(Number.isInteger(bufferBytes) && bufferBytes > 0, `ingest buffer size out of range: ${bufferBytes}`)
    assert(Number.isInteger(freeMaxCount) && freeMaxCount >= 0, `ingest buffers kept out of range: ${freeMaxCount}`)
  }

  /** Buffers kept for reuse (tests read it). */
  get freeCount(): number {
    return this.free.length
  }

  /**
   * A Buffer of `bytes` (contents undefined) over a whole ArrayBuffer that may be transferred; the caller gives it
   * back (or drops it) once nothing reads it any more.
   */
  take(bytes: number): Buffer {
    assert(bytes >= 0, `negative ingest buffer request ${bytes}`)
    if (bytes > this.bufferBytes) return this.lent(Buffer.allocUnsafeSlow(bytes))
    this.takenCount++
    this.lastTakeMs = Date.now()
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes).buffer
    return this.lent(Buffer.from(buffer, 0, bytes))
  }

  /** Takes back a buffer from take() (any view of it; after a transfer, the view that came back). */
  give(view: Uint8Array): void {
    const buffer = view.buffer
    if (!(buffer instanceof ArrayBuffer)) return
    // Another ArrayBuffer than the one lent: it came back through a transfer, so this isolate detaches anyway.
    if (!this.lentBuffers.delete(buffer)) this.isDetaching = true
    // One not kept (an oversized one too: an HTTP body above ILP_HTTP_POOLED_BODY_BYTES) is freed now: it went through
    // a worker and back, so it is old and only a mark-compact would free it, after the arena grew past it (issue 10).
    if (buffer.byteLength !== this.bufferBytes) return this.release(buffer)
    this.takenCount--
    if (this.isKeeping && this.free.length < this.freeMaxCount) {
      this.free.push(buffer)
      this.releaseWhenIdle(this.idleReleaseMs)
    } else {
      this.release(buffer)
    }
  }

  /**
   * Whether buffers given back are kept for reuse (by default they are). A listener without connections keeps none:
   * the kept ones are freed at once (~17 MiB for TCP's four), and the next connection's first runs allocate again.
   */
  setKeeping(isKeeping: boolean): void {
    this.isKeeping = isKeeping
    if (!isKeeping) this.dropKept()
  }

  private dropKept(): void {
    const dropped = this.free.splice(0)
    if (this.isDetaching) releaseBuffersNow(dropped)
  }

  /** Drops the kept buffers once no take() came for idleReleaseMs (one unref'd timer, re-armed for the remainder). */
  private releaseWhenIdle(delayMs: number): void {
    if (this.idleTimer !== null) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      const idleMs = Date.now() - this.lastTakeMs
      if (idleMs < this.idleReleaseMs) this.releaseWhenIdle(this.idleReleaseMs - idleMs)
      else this.dropKept()
    }, delayMs)
    this.idleTimer.unref()
  }

  private lent(view: Buffer): Buffer {
    this.lentBuffers.add(view.buffer as ArrayBuffer)
    return view
  }

  /**
   * Frees a dropped buffer now where this isolate already detaches buffers; else leaves it to the GC, as a first
   * detach would slow every typed-array access of the isolate (src/common/release-buffer.ts).
   */
  private release(buffer: ArrayBuffer): void {
    if (this.isDetaching) releaseBuffer(buffer)
  }
}
