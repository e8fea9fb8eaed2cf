// engine/bridge/spsc-ring: a single-producer single-consumer byte ring on SharedArrayBuffers, carrying
// length-prefixed messages split into fragments. Knows nothing of what the bytes mean (see frame-codec.ts).
import { assert } from '../../src/common/assert.js'
import { RING_BYTES, RING_FRAME_BYTES_MAX } from '../../src/common/limits.js'

// Header words (Int32). HEAD and TAIL are free-running uint32 byte counters: position = counter & (capacity - 1).
const HEAD = 0
const TAIL = 1
/** Bumped by the producer after every push; the consumer sleeps on it (Atomics.wait / waitAsync). */
export const RING_SIGNAL_INDEX = 2
const HEADER_WORDS = 4
// Fragment header: u32 byte length, u32 flags. Fragments are padded to 8 bytes so a header never wraps.
const FRAGMENT_HEADER_BYTES = 8
const FLAG_MORE = 1

/** The shared memory of one ring; plain data, passed to a worker through workerData. */
export interface RingBuffers {
  readonly header: SharedArrayBuffer
  readonly data: SharedArrayBuffer
  readonly fragmentBytesMax: number
}

export function createRingBuffers(capacityBytes = RING_BYTES, fragmentBytesMax = RING_FRAME_BYTES_MAX): RingBuffers {
  assert(capacityBytes >= 64 && (capacityBytes & (capacityBytes - 1)) === 0, `ring capacity ${capacityBytes}`)
  assert(fragmentBytesMax >= 8 && fragmentBytesMax <= capacityBytes / 2, `fragment bound ${fragmentBytesMax}`)
  return {
    header: new SharedArrayBuffer(HEADER_WORDS * 4),
    data: new SharedArrayBuffer(capacityBytes),
    fragmentBytesMax,
  }
}

function padded(lengthBytes: number): number {
  return (lengthBytes + 7) & ~7
}

/** Shared by both ends: the index arithmetic and its invariant. */
class RingView {
  readonly header: Int32Array
  readonly bytes: Uint8Array
  readonly view: DataView
  readonly capacity: number
  readonly mask: number
  readonly fragmentBytesMax: number

  constructor(buffers: RingBuffers) {
    this.header = new Int32Array(buffers.header)
    this.bytes = new Uint8Array(buffers.data)
    this.view = new DataView(buffers.data)
    this.capacity = this.bytes.length
    this.mask = this.capacity - 1
    this.fragmentBytesMax = buffers.fragmentBytesMax
  }

  /** Bytes in use; asserts 0 ≤ tail − head ≤ capacity (checked by producer and consumer alike). */
  used(): number {
    const head = Atomics.load(this.header, HEAD) >>> 0
    const tail = Atomics.load(this.header, TAIL) >>> 0
    const used = (tail - head) >>> 0
    assert(used <= this.capacity, `ring indices broken: head ${head} tail ${tail} capacity ${this.capacity}`)
    return used
  }

  signalValue(): number {
    return Atomics.load(this.header, RING_SIGNAL_INDEX)
  }
}

export class RingProducer {
  private readonly ring: RingView

  constructor(buffers: RingBuffers) {
    this.ring = new RingView(buffers)
  }

  /** Pushes the whole message (all its fragments) or nothing; false when the ring lacks room (retry later). */
  tryPush(message: Uint8Array): boolean {
    assert(message.length > 0, 'ring messages are never empty')
    const max = this.ring.fragmentBytesMax
    const whole = Math.floor(message.length / max)
    const rest = message.length - whole * max
    const needed = whole * (FRAGMENT_HEADER_BYTES + padded(max)) + (rest > 0 ? FRAGMENT_HEADER_BYTES + padded(rest) : 0)
    if (this.ring.capacity - this.ring.used() < needed) return false
    const end = this.pushSome(message, 0)
    assert(end === message.length, 'a message that fit was pushed whole')
    return true
  }

  /**
   * Streams a message of any size: pushes as many fragments from byte `offset` as fit, and returns the new offset
   * (message.length when done). The consumer reassembles, so the same producer must finish one message before
   * starting the next.
   */
  pushSome(message: Uint8Array, offset: number): number {
    assert(offset >= 0 && offset < message.length, `push offset ${offset} of ${message.length}`)
    let at = offset
    let pushed = false
    while (at < message.length) {
      const length = Math.min(this.ring.fragmentBytesMax, message.length - at)
      const frameBytes = FRAGMENT_HEADER_BYTES + padded(length)
      if (this.ring.capacity - this.ring.used() < frameBytes) break
      this.writeFragment(message, at, length, at + length < message.length)
      at += length
      pushed = true
    }
    if (pushed) {
      Atomics.add(this.ring.header, RING_SIGNAL_INDEX, 1)
      Atomics.notify(this.ring.header, RING_SIGNAL_INDEX)
    }
    return at
  }

  private writeFragment(message: Uint8Array, from: number, length: number, hasMore: boolean): void {
    const ring = this.ring
    const tail = Atomics.load(ring.header, TAIL) >>> 0
    const position = tail & ring.mask
    ring.view.setUint32(position, length, true)
    ring.view.setUint32(position + 4, hasMore ? FLAG_MORE : 0, true)
    const dataAt = (position + FRAGMENT_HEADER_BYTES) & ring.mask
    const firstPart = Math.min(length, ring.capacity - dataAt)
    ring.bytes.set(message.subarray(from, from + firstPart), dataAt)
    if (firstPart < length) ring.bytes.set(message.subarray(from + firstPart, from + length), 0)
    const next = (tail + FRAGMENT_HEADER_BYTES + padded(length)) >>> 0
    // The store publishes the bytes written above (Atomics are sequentially consistent).
    Atomics.store(ring.header, TAIL, next | 0)
    ring.used()
  }
}

export class RingConsumer {
  private readonly ring: RingView
  private partial: Uint8Array[] = []
  private partialBytes = 0

  constructor(buffers: RingBuffers) {
    this.ring = new RingView(buffers)
  }

  /** The signal word's current value: read it before checking for messages, then wait on it if there were none. */
  signalValue(): number {
    return this.ring.signalValue()
  }

  get header(): Int32Array {
    return this.ring.header
  }

  /** The next complete message (a copy the caller owns), or null when none is complete yet. */
  pop(): Uint8Array | null {
    while (this.ring.used() > 0) {
      const fragment = this.readFragment()
      if (fragment.hasMore || this.partial.length > 0) {
        this.partial.push(fragment.bytes)
        this.partialBytes += fragment.bytes.length
        if (fragment.hasMore) continue
        const message = Buffer.concat(this.partial, this.partialBytes)
        this.partial = []
        this.partialBytes = 0
        return new Uint8Array(message.buffer, message.byteOffset, message.length)
      }
      return fragment.bytes
    }
    return null
  }

  private readFragment(): { bytes: Uint8Array; hasMore: boolean } {
    const ring = this.ring
    const head = Atomics.load(ring.header, HEAD) >>> 0
    const position = head & ring.mask
    const length = ring.view.getUint32(position, true)
    const flags = ring.view.getUint32(position + 4, true)
    const frameBytes = FRAGMENT_HEADER_BYTES + padded(length)
    assert(length > 0 && length <= ring.fragmentBytesMax && frameBytes <= ring.used(), `bad fragment length ${length}`)
    const bytes = new Uint8Array(length)
    const dataAt = (position + FRAGMENT_HEADER_BYTES) & ring.mask
    const firstPart = Math.min(length, ring.capacity - dataAt)
    bytes.set(ring.bytes.subarray(dataAt, dataAt + firstPart), 0)
    if (firstPart < length) bytes.set(ring.bytes.subarray(0, length - firstPart), firstPart)
    Atomics.store(ring.header, HEAD, ((head + frameBytes) >>> 0) | 0)
    ring.used()
    return { bytes, hasMore: (flags & FLAG_MORE) !== 0 }
  }
}
