// wire/ilp/tcp-budget: the bytes every ILP TCP connection of one listener holds (read but not yet written: buffered
// raw input, runs being parsed, parsed lines waiting for sql.ingest), bounded together (design invariant 4). Each
// connection charges what it reads and releases it once the flush that carried those bytes settled; while the sum is
// over the budget, connections stop reading (their senders block in TCP), and they resume, in the order they
// stopped, once releases bring it back under. Knows nothing of sockets: a waiting connection is a callback.
import { assert } from '../../src/common/assert.js'

export class IlpTcpBudget {
  private usedBytes = 0
  private usedBytesPeak = 0
  private readonly waiters: Array<() => void> = []
  /** Times a connection stopped reading because the budget was spent. */
  pauseCount = 0

  constructor(readonly bytesMax: number) {
    assert(Number.isInteger(bytesMax) && bytesMax > 0, `ILP TCP buffer budget out of range: ${bytesMax}`)
  }

  get bytes(): number {
    return this.usedBytes
  }

  /** The most bytes held at once since the listener started (for tests and metrics). */
  get bytesPeak(): number {
    return this.usedBytesPeak
  }

  get isSpent(): boolean {
    return this.usedBytes >= this.bytesMax
  }

  charge(bytes: number): void {
    assert(bytes >= 0, `negative ILP TCP charge ${bytes}`)
    this.usedBytes += bytes
    if (this.usedBytes > this.usedBytesPeak) this.usedBytesPeak = this.usedBytes
  }

  release(bytes: number): void {
    assert(bytes >= 0 && bytes <= this.usedBytes, `ILP TCP release of ${bytes} with ${this.usedBytes} held`)
    this.usedBytes -= bytes
    // Wake in order while there is room: each woken connection reads at most one more chunk before it checks again.
    while (!this.isSpent && this.waiters.length > 0) this.waiters.shift()!()
  }

  /** Calls `resume` once the budget has room again (at once if it has room now). */
  waitForRoom(resume: () => void): void {
    this.pauseCount++
    if (!this.isSpent) return resume()
    this.waiters.push(resume)
  }

  /** Forgets a waiter that will not read again (its socket closed). */
  cancel(resume: () => void): void {
    const index = this.waiters.indexOf(resume)
    if (index >= 0) this.waiters.splice(index, 1)
  }
}
