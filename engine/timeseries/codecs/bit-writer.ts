// engine/timeseries/codecs/bit-writer: MSB-first bit packing on top of a ByteWriter, for the bit-level codecs.
// Knows nothing of any codec's format; flush() pads the last byte with zero bits.
import { assert } from '../../../src/common/assert.js'
import type { ByteWriter } from './byte-writer.js'

const TWO_POW_32 = 4294967296

/** Appends bit fields to `out`; call flush() before writing bytes to `out` again. */
export class BitWriter {
  private readonly out: ByteWriter
  // Pending bits, right-aligned; fewer than 8 between calls so that adding 24 more still fits in 31 bits.
  private pending = 0
  private pendingBits = 0

  constructor(out: ByteWriter) {
    this.out = out
  }

  /** Writes the low `count` bits of `value` (0 ≤ count ≤ 32), most significant first. */
  writeBits(value: number, count: number): void {
    if (count > 24) {
      this.writeBits(value >>> 16, count - 16)
      this.writeBits(value & 0xffff, 16)
      return
    }
    this.pending = (this.pending << count) | (value & ((1 << count) - 1))
    this.pendingBits += count
    while (this.pendingBits >= 8) {
      this.pendingBits -= 8
      this.out.writeU8((this.pending >>> this.pendingBits) & 0xff)
    }
    this.pending &= (1 << this.pendingBits) - 1
  }

  writeBit(bit: number): void {
    this.writeBits(bit, 1)
  }

  /** Writes a non-negative safe integer below 2^count in `count` bits (0 ≤ count ≤ 53). */
  writeWide(value: number, count: number): void {
    if (count <= 32) {
      this.writeBits(value, count)
      return
    }
    const high = Math.floor(value / TWO_POW_32)
    this.writeBits(high, count - 32)
    this.writeBits(value - high * TWO_POW_32, 32)
  }

  /** Pads the last partial byte with zeros and writes it. */
  flush(): void {
    if (this.pendingBits > 0) this.writeBits(0, 8 - this.pendingBits)
    assert(this.pendingBits === 0, 'bit writer flushed to a byte boundary')
  }
}
