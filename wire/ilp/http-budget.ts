// wire/ilp/http-budget: the bytes every HTTP write request of one listener holds (its body read, its parsed rows
// waiting for their answer), bounded together (design invariant 4; --ilp-http-buffer-mb). A request is admitted
// before its body is read, charged its declared Content-Length (a body of unknown length, chunked or gzip, is charged
// what it inflated to once read), and released once answered. A request that does not fit waits, unread, in a FIFO
// (its sender blocks in TCP): admitted in arrival order as releases make room, so a large body is not overtaken
// forever by small ones. One request is always admitted when nothing is held, so a body larger than the budget (up
// to ILP_HTTP_BODY_BYTES_MAX) still goes through, alone. Knows nothing of sockets: a waiting request is a promise.
import { assert } from '../../src/common/assert.js'

interface Waiter {
  readonly bytes: number
  readonly admit: () => void
}

export class IlpHttpBudget {
  private usedBytes = 0
  private usedBytesPeak = 0
  private readonly waiters: Waiter[] = []
  /** Requests that waited for room before being read (tests and logs). */
  waitCount = 0

  constructor(readonly bytesMax: number) {
    assert(Number.isInteger(bytesMax) && bytesMax > 0, `ILP HTTP buffer budget out of range: ${bytesMax}`)
  }

  get bytes(): number {
    return this.usedBytes
  }

  /** Whether requests wait, unread, for room: their senders cannot send more until bytes held are released. */
  get hasWaiters(): boolean {
    return this.waiters.length > 0
  }

  /** The most bytes held at once since the listener started. */
  get bytesPeak(): number {
    return this.usedBytesPeak
  }

  /** Resolves once `bytes` more fit (or nothing is held), and charges them; release them when answered. */
  async admit(bytes: number): Promise<void> {
    if (this.waiters.length === 0 && this.fits(bytes)) return this.charge(bytes)
    this.waitCount++
    await new Promise<void>((resolve) => this.waiters.push({ bytes, admit: resolve }))
  }

  /** Charges bytes learnt after admission (a body of unknown length, once read). */
  charge(bytes: number): void {
    assert(bytes >= 0, `negative ILP HTTP charge ${bytes}`)
    this.usedBytes += bytes
    if (this.usedBytes > this.usedBytesPeak) this.usedBytesPeak = this.usedBytes
  }

  release(bytes: number): void {
    assert(bytes >= 0 && bytes <= this.usedBytes, `ILP HTTP release of ${bytes} with ${this.usedBytes} held`)
    this.usedBytes -= bytes
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!
      this.charge(waiter.bytes)
      waiter.admit()
    }
  }

  private fits(bytes: number): boolean {
    return this.usedBytes === 0 || this.usedBytes + bytes <= this.bytesMax
  }
}
