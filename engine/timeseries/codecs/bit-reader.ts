// engine/timeseries/codecs/bit-reader: MSB-first bit reads over a ByteReader's bytes, bounds-checked.
// Knows nothing of any codec's format; finish() hands the byte cursor back after the padded last byte.
import { ChunkCorruptError } from './chunk-corrupt-error.js'
import type { ByteReader } from './byte-reader.js'

const TWO_POW_32 = 4294967296

/** Reads bit fields from `source`'s cursor onward; call finish() before reading bytes from `source` again. */
export class BitReader {
  private readonly source: ByteReader
  private readonly bytes: Uint8Array
  private pos: number
  private readonly end: number
  // Buffered bits, right-aligned; fewer than 8 between calls so that refilling up to 24 more fits in 31 bits.
  private pending = 0
  private pendingBits = 0

  constructor(source: ByteReader) {
    this.source = source
    this.bytes = source.bytes
    this.pos = source.pos
    this.end = source.end
  }

  /** Reads `count` bits (0 ≤ count ≤ 32) as an unsigned number. */
  readBits(count: number): number {
    if (count > 24) {
      const high = this.readBits(count - 16)
      return high * 65536 + this.readBits(16)
    }
    while (this.pendingBits < count) {
      if (this.pos >= this.end) throw new ChunkCorruptError(this.pos, 'bit stream ends early')
      this.pending = (this.pending << 8) | this.bytes[this.pos++]!
      this.pendingBits += 8
    }
    this.pendingBits -= count
    const value = (this.pending >>> this.pendingBits) & ((1 << count) - 1)
    this.pending &= (1 << this.pendingBits) - 1
    return value
  }

  readBit(): number {
    if (this.pendingBits === 0) {
      if (this.pos >= this.end) throw new ChunkCorruptError(this.pos, 'bit stream ends early')
      this.pending = this.bytes[this.pos++]!
      this.pendingBits = 8
    }
    this.pendingBits--
    const bit = (this.pending >>> this.pendingBits) & 1
    this.pending &= (1 << this.pendingBits) - 1
    return bit
  }

  /** Reads `count` bits (0 ≤ count ≤ 53) as an unsigned safe integer. */
  readWide(count: number): number {
    if (count <= 32) return this.readBits(count)
    const high = this.readBits(count - 32)
    return high * TWO_POW_32 + this.readBits(32)
  }

  fail(reason: string): never {
    throw new ChunkCorruptError(this.pos, reason)
  }

  /** Bits still readable, for plausibility checks on counts. */
  get remainingBits(): number {
    return (this.end - this.pos) * 8 + this.pendingBits
  }

  /** Drops the padding bits of the last byte and moves `source`'s cursor past it. */
  finish(): void {
    this.pending = 0
    this.pendingBits = 0
    this.source.pos = this.pos
  }
}
