// engine/bridge/spsc-ring: a single-producer single-consumer byte ring on SharedArrayBuffers, carrying
// length-prefixed messages split into fragments. Knows nothing of what the bytes mean (see frame-codec.ts).
// A message may be given as parts (a header and a large payload) that are copied into the ring side by side, so
// the producer never concatenates them; the consumer reassembles a fragmented message with one copy.
import { assert } from '../../src/common/assert.js'
import { RING_BYTES, RING_FRAME_BYTES_MAX } from '../../src/common/limits.js'

// Header words (Int32). HEAD and TAIL are free-running uint32 byte counters: position = counter & (capacity - 1).
const HEAD = 0
const TAIL = 1
/** Bumped by the producer after every push; the consumer sleeps on it (Atomics.wait / waitAsync). */
export const RING_SIGNAL_INDEX = 2
const HEADER_WORDS = 4
// Fragment header: u32 byte length, u32 flags. Fragments are padded to 8 bytes so a header never wraps. Flags: bit 0
// = more fragments follow; on the first fragment of a fragmented message, bits 1–31 hold the message's whole length
// (so the consumer allocates it once). A header of length 0 is a skip: the rest of the ring up to its end is unused
// and the next fragment starts at position 0 (see rewind).
const FRAGMENT_HEADER_BYTES = 8
const FLAG_MORE = 1
const MESSAGE_BYTES_MAX = 0x7fffffff

/** One message: its bytes, or its parts in order (sent as if concatenated, without concatenating them). */
export type RingMessage = Uint8Array | ReadonlyArray<Uint8Array>

export function ringMessageLength(message: RingMessage): number {
  if (message instanceof Uint8Array) return message.length
  let length = 0
  for (const part of message) length += part.length
  return length
}

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

/** Ring bytes a message of `messageLength` bytes takes as fragments of at most `fragmentBytesMax`, headers included. */
function framedBytes(messageLength: number, fragmentBytesMax: number): number {
  const whole = Math.floor(messageLength / fragmentBytesMax)
  const rest = messageLength - whole * fragmentBytesMax
  return whole * (FRAGMENT_HEADER_BYTES + padded(fragmentBytesMax)) + (rest > 0 ? FRAGMENT_HEADER_BYTES + padded(rest) : 0)
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
    if (used > this.capacity) assert(false, `ring indices broken: head ${head} tail ${tail} capacity ${this.capacity}`)
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
  tryPush(message: RingMessage): boolean {
    const messageLength = ringMessageLength(message)
    assert(messageLength > 0, 'ring messages are never empty')
    if (this.ring.capacity - this.ring.used() < framedBytes(messageLength, this.ring.fragmentBytesMax)) return false
    const end = this.pushSome(message, 0)
    assert(end === messageLength, 'a message that fit was pushed whole')
    return true
  }

  /**
   * Streams a message of any size: pushes as many fragments from byte `offset` as fit, and returns the new offset
   * (its whole length when done); wakes the consumer unless `isWaking` is false. The consumer reassembles, so the
   * same producer must finish one message before starting the next.
   */
  pushSome(message: RingMessage, offset: number, isWaking = true): number {
    const parts = message instanceof Uint8Array ? [message] : message
    const messageLength = ringMessageLength(parts)
    if (!(offset >= 0 && offset < messageLength && messageLength <= MESSAGE_BYTES_MAX)) assert(false, `push offset ${offset} of ${messageLength}`)
    let at = offset
    let pushed = this.rewind(framedBytes(messageLength - at, this.ring.fragmentBytesMax))
    while (at < messageLength) {
      const length = Math.min(this.ring.fragmentBytesMax, messageLength - at)
      const frameBytes = FRAGMENT_HEADER_BYTES + padded(length)
      if (this.ring.capacity - this.ring.used() < frameBytes) break
      const hasMore = at + length < messageLength
      this.writeFragment(parts, at, length, hasMore ? FLAG_MORE | (at === 0 ? messageLength << 1 : 0) : 0)
      at += length
      pushed = true
    }
    if (pushed) {
      Atomics.add(this.ring.header, RING_SIGNAL_INDEX, 1)
      if (isWaking) this.wake()
    }
    return at
  }

  /**
   * When the consumer has taken everything and `needed` bytes fit below the current position, writes a skip to the
   * ring's end so the next fragment starts at position 0: a ring whose consumer keeps up then only ever touches its
   * first pages (its largest burst), not all of RING_BYTES, which the OS would keep resident for good (issue 10: the
   * request rings were 2 × 8 MiB of RSS). True when it wrote one.
   */
  private rewind(needed: number): boolean {
    const ring = this.ring
    const tail = Atomics.load(ring.header, TAIL) >>> 0
    const position = tail & ring.mask
    if (position === 0 || position < needed || ring.used() !== 0) return false
    ring.view.setUint32(position, 0, true)
    ring.view.setUint32(position + 4, 0, true)
    Atomics.store(ring.header, TAIL, ((tail + ring.capacity - position) >>> 0) | 0)
    ring.used()
    return true
  }

  /**
   * Wakes a consumer sleeping on the signal word. pushSome(…, false) bumps the word but leaves the wake to the
   * caller (a consumer that has not started waiting yet sees the bump and does not sleep): several pushes, one wake.
   */
  wake(): void {
    Atomics.notify(this.ring.header, RING_SIGNAL_INDEX)
  }

  private writeFragment(parts: ReadonlyArray<Uint8Array>, from: number, length: number, flags: number): void {
    const ring = this.ring
    const tail = Atomics.load(ring.header, TAIL) >>> 0
    const position = tail & ring.mask
    ring.view.setUint32(position, length, true)
    ring.view.setUint32(position + 4, flags >>> 0, true)
    let dataAt = (position + FRAGMENT_HEADER_BYTES) & ring.mask
    // Copy message bytes [from, from + length) part by part, wrapping at the ring's end.
    let skip = from
    let left = length
    for (let p = 0; p < parts.length && left > 0; p++) {
      const part = parts[p]!
      if (skip >= part.length) {
        skip -= part.length
        continue
      }
      let slice = part.subarray(skip, Math.min(part.length, skip + left))
      skip = 0
      left -= slice.length
      while (slice.length > 0) {
        const room = Math.min(slice.length, ring.capacity - dataAt)
        ring.bytes.set(room === slice.length ? slice : slice.subarray(0, room), dataAt)
        slice = slice.subarray(room)
        dataAt = (dataAt + room) & ring.mask
      }
    }
    const next = (tail + FRAGMENT_HEADER_BYTES + padded(length)) >>> 0
    // The store publishes the bytes written above (Atomics are sequentially consistent).
    Atomics.store(ring.header, TAIL, next | 0)
    ring.used()
  }
}

export class RingConsumer {
  private readonly ring: RingView
  // The fragmented message being reassembled (allocated whole at its first fragment) and how much of it arrived.
  private partial: Uint8Array | null = null
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

  /**
   * The next complete message (a copy the caller owns, in the array `allocate` gives for its length when given), or
   * null when none is complete yet.
   */
  pop(allocate?: (length: number) => Uint8Array): Uint8Array | null {
    const ring = this.ring
    while (ring.used() > 0) {
      const head = Atomics.load(ring.header, HEAD) >>> 0
      const position = head & ring.mask
      const length = ring.view.getUint32(position, true)
      if (length === 0) {
        // A skip (RingProducer.rewind): the producer went on at position 0.
        Atomics.store(ring.header, HEAD, ((head + ring.capacity - position) >>> 0) | 0)
        ring.used()
        continue
      }
      const flags = ring.view.getUint32(position + 4, true)
      const frameBytes = FRAGMENT_HEADER_BYTES + padded(length)
      if (!(length > 0 && length <= ring.fragmentBytesMax && frameBytes <= ring.used())) assert(false, `bad fragment length ${length}`)
      const hasMore = (flags & FLAG_MORE) !== 0
      let message = this.partial
      if (message === null) {
        const messageLength = hasMore ? flags >>> 1 : length
        if (messageLength < length) assert(false, `fragmented message of ${messageLength} bytes starts with ${length}`)
        message = allocate === undefined ? new Uint8Array(messageLength) : allocate(messageLength)
      }
      assert(this.partialBytes + length <= message.length, 'fragments overrun their message')
      this.copyOut(position, length, message, this.partialBytes)
      Atomics.store(ring.header, HEAD, ((head + frameBytes) >>> 0) | 0)
      ring.used()
      if (hasMore) {
        this.partial = message
        this.partialBytes += length
        continue
      }
      assert(this.partialBytes + length === message.length, 'a message ends where its length said')
      this.partial = null
      this.partialBytes = 0
      return message
    }
    return null
  }

  /** Copies the fragment at ring `position` (its header there) into `target` at `at`, across the wrap. */
  private copyOut(position: number, length: number, target: Uint8Array, at: number): void {
    const ring = this.ring
    const dataAt = (position + FRAGMENT_HEADER_BYTES) & ring.mask
    const firstPart = Math.min(length, ring.capacity - dataAt)
    target.set(ring.bytes.subarray(dataAt, dataAt + firstPart), at)
    if (firstPart < length) target.set(ring.bytes.subarray(0, length - firstPart), at + firstPart)
  }
}
