// engine/timeseries/codecs/byte-writer: a growable little-endian byte buffer that the codecs append to.
// Knows nothing of any codec's format; one instance may be reused across chunks (reset()) to avoid regrowth.
import { assert } from '../../../src/common/assert.js'

const INITIAL_BYTES = 1024
const TEXT_ENCODER = new TextEncoder()

/**
 * Append-only writer. `bytes` is reallocated as it grows, so never keep a view of it across writes; take
 * `toBytes()` (a copy) or `view()` (valid until the next write or reset) when done.
 */
export class ByteWriter {
  bytes: Uint8Array
  length = 0
  private data: DataView

  constructor(initialBytes = INITIAL_BYTES) {
    assert(Number.isSafeInteger(initialBytes) && initialBytes > 0, `initial bytes ${initialBytes}`)
    this.bytes = new Uint8Array(initialBytes)
    this.data = new DataView(this.bytes.buffer)
  }

  /** Forgets the contents but keeps the buffer, so the next chunk does not regrow it. */
  reset(): void {
    this.length = 0
  }

  /** Makes room for `count` more bytes. */
  ensure(count: number): void {
    const needed = this.length + count
    if (needed <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < needed) capacity *= 2
    const next = new Uint8Array(capacity)
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
    this.data = new DataView(next.buffer)
  }

  writeU8(value: number): void {
    if (this.length === this.bytes.length) this.ensure(1)
    this.bytes[this.length++] = value
  }

  writeU32(value: number): void {
    assert(value >= 0 && value <= 0xffffffff && Number.isInteger(value), `u32 ${value}`)
    this.ensure(4)
    this.data.setUint32(this.length, value, true)
    this.length += 4
  }

  /** Overwrites a u32 already written at `at` (for lengths known only after the payload). */
  patchU32(at: number, value: number): void {
    assert(at >= 0 && at + 4 <= this.length, `patch at ${at} of ${this.length}`)
    this.data.setUint32(at, value, true)
  }

  writeF64(value: number): void {
    this.ensure(8)
    this.data.setFloat64(this.length, value, true)
    this.length += 8
  }

  writeI64(value: bigint): void {
    this.ensure(8)
    this.data.setBigInt64(this.length, value, true)
    this.length += 8
  }

  /** Unsigned LEB128 of a non-negative safe integer (1 byte below 128, at most 8 bytes). */
  writeVarUint(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `varuint ${value}`)
    this.ensure(8)
    this.length = putVarUint(this.bytes, this.length, value)
  }

  writeBytes(source: Uint8Array): void {
    this.ensure(source.length)
    this.bytes.set(source, this.length)
    this.length += source.length
  }

  /** Writes `text` as a varuint byte length followed by its UTF-8 bytes, encoded straight into the buffer. */
  writeString(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; reserve the worst case plus the longest length prefix.
    const worst = text.length * 3
    this.ensure(worst + 8)
    const prefixBytes = varUintBytes(worst)
    const start = this.length + prefixBytes
    const { written } = TEXT_ENCODER.encodeInto(text, this.bytes.subarray(start, start + worst))
    const actualPrefix = varUintBytes(written)
    if (actualPrefix !== prefixBytes) this.bytes.copyWithin(this.length + actualPrefix, start, start + written)
    this.writeVarUint(written)
    this.length += written
  }

  /** A view of the written bytes; valid only until the next write or reset. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }

  /** A copy of the written bytes that the caller owns. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }
}

/**
 * Writes unsigned LEB128 of `value` (a non-negative safe integer, unchecked) at `at` of `bytes`, which must have 8
 * bytes of room; answers the offset after it. For hot loops that size their buffer once (the WAL payload encoder).
 */
export function putVarUint(bytes: Uint8Array, at: number, value: number): number {
  let rest = value
  let next = at
  while (rest >= 0x80000000) {
    bytes[next++] = (rest % 128) | 0x80
    rest = Math.floor(rest / 128)
  }
  while (rest >= 0x80) {
    bytes[next++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  bytes[next++] = rest
  return next
}

/** Bytes writeVarUint(value) takes. */
export function varUintBytes(value: number): number {
  let bytes = 1
  let rest = value
  while (rest >= 128) {
    rest = Math.floor(rest / 128)
    bytes++
  }
  return bytes
}
