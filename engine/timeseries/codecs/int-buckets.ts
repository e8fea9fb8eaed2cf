// engine/timeseries/codecs/int-buckets: Gorilla-style variable-length bit buckets (paper §4.1.1) for zigzagged
// integers below 2^53, shared by the timestamp and decimal-float codecs. Knows nothing of what the integers mean.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/int-buckets.test.ts:
//   '0' → 0;  '10' + 7 bits;  '110' + 12 bits;  '1110' + 20 bits;  '11110' + 32 bits;  '11111' + 53 bits
import type { BitReader } from './bit-reader.js'
import type { BitWriter } from './bit-writer.js'

/** Largest |n| whose zigzag fits the widest bucket (2^53 - 1): callers fall back to raw bytes beyond it. */
export const BUCKET_MAGNITUDE_MAX = 2 ** 52 - 1

/** Maps a signed integer with |n| ≤ BUCKET_MAGNITUDE_MAX to a non-negative one: 0, -1, 1, -2 → 0, 1, 2, 3. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

export function unzigzag(value: number): number {
  // Not `value % 2`: on doubles V8 calls fmod, ~10× the cost of the rest of a varint decode loop.
  const half = Math.floor(value * 0.5)
  return value === half * 2 ? half : -half - 1
}

/** Writes zigzag(value); |value| ≤ BUCKET_MAGNITUDE_MAX (checked by the caller, which owns the fallback). */
export function writeBucketed(bits: BitWriter, value: number): void {
  if (value === 0) {
    bits.writeBit(0)
    return
  }
  const zz = zigzag(value)
  if (zz < 128) {
    bits.writeBits(0b10, 2)
    bits.writeBits(zz, 7)
  } else if (zz < 4096) {
    bits.writeBits(0b110, 3)
    bits.writeBits(zz, 12)
  } else if (zz < 1048576) {
    bits.writeBits(0b1110, 4)
    bits.writeBits(zz, 20)
  } else if (zz < 4294967296) {
    bits.writeBits(0b11110, 5)
    bits.writeBits(zz, 32)
  } else {
    bits.writeBits(0b11111, 5)
    bits.writeWide(zz, 53)
  }
}

/** Bits writeBucketed spends on `value`, so callers can measure before they choose an encoding. */
export function bucketedBits(value: number): number {
  if (value === 0) return 1
  const zz = zigzag(value)
  if (zz < 128) return 9
  if (zz < 4096) return 15
  if (zz < 1048576) return 24
  return zz < 4294967296 ? 37 : 58
}

/** Reads one value written by writeBucketed. */
export function readBucketed(bits: BitReader): number {
  if (bits.readBit() === 0) return 0
  if (bits.readBit() === 0) return unzigzag(bits.readBits(7))
  if (bits.readBit() === 0) return unzigzag(bits.readBits(12))
  if (bits.readBit() === 0) return unzigzag(bits.readBits(20))
  if (bits.readBit() === 0) return unzigzag(bits.readBits(32))
  const zz = bits.readWide(53)
  // 2^53 - 1 is odd and decodes to -2^52, one past the magnitude any writer produces.
  if (zz === 2 ** 53 - 1) bits.fail('bucketed integer out of range')
  return unzigzag(zz)
}
