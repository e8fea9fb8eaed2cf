// wire/ilp/tcp-staged-bytes: the bytes an ILP TCP connection read and gave no parser yet, copied as they arrive into
// one buffer of the listener's run pool, which becomes the next run (transferred to the parse pool) without another
// copy. Why not keep the socket's chunks and copy them into a run at once (as before): a run gathers ~4 MiB, so its
// chunks lived across scavenges into the old generation, where only a mark-compact frees them, and once the event
// loop's isolate stopped running one every ~0.1 s (bin/nodedb's --initial-old-space-size) they piled up as malloc'd
// garbage (+35 MiB of RSS after the bench's TCP load). Copied at once, a chunk dies young. A connection starts with a
// small buffer of its own and takes a pool buffer (~4 MiB) only once its bytes outgrow it, and gives that back when
// its bytes are parsed inline (timer, end): a thousand slow senders do not each hold a run's buffer. Knows nothing of lines.
import { assert } from '../../src/common/assert.js'
import type { IngestBufferPool } from './ingest-buffers.js'

/** A connection's first staging buffer, in bytes: a slow sender's lines between flushes fit, a bulk one's outgrow it at once. */
const FIRST_STAGE_BYTES = 64 * 1024

export class StagedBytes {
  /** A small buffer of its own, a pool buffer (all of it), or one of its own past a pool buffer's size; or none. */
  private staged: Buffer | null = null
  /** `staged` came from the pool (take): it goes back there. */
  private isPooled = false
  private length = 0

  constructor(private readonly buffers: IngestBufferPool) {}

  /** Bytes staged. */
  get bytes(): number {
    return this.length
  }

  /** The staged bytes as a list of chunks (one view, or none), for run-lines.ts; valid until the next change. */
  chunks(): Buffer[] {
    return this.staged === null || this.length === 0 ? [] : [this.staged.subarray(0, this.length)]
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return
    const needed = this.length + chunk.length
    if (this.staged === null && needed <= FIRST_STAGE_BYTES) {
      this.staged = Buffer.allocUnsafeSlow(FIRST_STAGE_BYTES)
      this.isPooled = false
    } else if (this.staged === null || needed > this.staged.length) {
      const grown = this.buffers.take(Math.max(needed, this.buffers.bufferBytes))
      if (this.staged !== null) {
        this.staged.copy(grown, 0, 0, this.length)
        this.giveBack()
      }
      this.staged = grown
      this.isPooled = true
    }
    chunk.copy(this.staged, this.length)
    this.length = needed
  }

  /**
   * The first `runBytes` staged bytes, in a view of the staging buffer (the caller transfers it whole and gives it back
   * to the pool, which frees one not of its size); what follows them is staged again, in a fresh buffer.
   */
  takeRun(runBytes: number): Buffer {
    assert(this.staged !== null && runBytes > 0 && runBytes <= this.length, `a run of ${runBytes} of ${this.length} staged bytes`)
    const staged = this.staged
    const restBytes = this.length - runBytes
    this.staged = null
    this.isPooled = false
    this.length = 0
    if (restBytes > 0) this.append(staged.subarray(runBytes, runBytes + restBytes))
    return staged.subarray(0, runBytes)
  }

  /**
   * Hands every staged byte to `feed` (which must not keep them: IlpParser.feed copies what it keeps) and empties the
   * stage; a small buffer is kept for the next bytes, a pool buffer given back. Returns what `feed` returned (false:
   * it refused them), true when nothing was staged.
   */
  drain(feed: (chunk: Buffer) => boolean): boolean {
    const staged = this.length === 0 ? null : this.staged!.subarray(0, this.length)
    this.length = 0
    const isFed = staged === null || feed(staged)
    if (this.isPooled) this.release()
    return isFed
  }

  /** Gives a pool buffer back (the connection closed); staged bytes are dropped. */
  release(): void {
    this.giveBack()
    this.staged = null
    this.length = 0
  }

  private giveBack(): void {
    if (this.staged !== null && this.isPooled) this.buffers.give(this.staged)
    this.isPooled = false
  }
}
