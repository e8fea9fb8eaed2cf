// engine/timeseries/codecs/bitmap: bool chunks (Uint8Array of 0/1) and null masks (1 = NULL) as packed bitmaps.
// The count is not stored here (the chunk header or an enclosing payload holds it). Knows nothing of files.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/bitmap.test.ts:
//   [u8 kind] then kind 0 (all zero) and 2 (all one): nothing; kind 1: ceil(count / 8) bytes, bit i of the chunk at
//   byte i >> 3, bit i & 7 (LSB first, as Arrow), padding bits zero
import { assert } from '../../../src/common/assert.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'

/** Bitmap kinds. Append-only: written to disk, pinned by bitmap.test.ts. */
export const BITMAP_KINDS = {
  /** Every bit 0: the usual null mask (no NULLs) costs one byte. */
  allZero: 0,
  packed: 1,
  /** Every bit 1: an all-true bool chunk, or an all-NULL column. */
  allOne: 2,
} as const

/** Appends the bitmap of `bits` (each 0 or 1) to `out`. */
export function writeBitmap(out: ByteWriter, bits: Uint8Array): void {
  let any = 0
  let all = 1
  for (let i = 0; i < bits.length; i++) {
    any |= bits[i]!
    all &= bits[i]!
  }
  assert((any & ~1) === 0, 'bitmap input holds only 0 and 1')
  if (any === 0) {
    out.writeU8(BITMAP_KINDS.allZero)
    return
  }
  if (all === 1) {
    out.writeU8(BITMAP_KINDS.allOne)
    return
  }
  out.writeU8(BITMAP_KINDS.packed)
  const byteCount = (bits.length + 7) >>> 3
  out.ensure(byteCount)
  const bytes = out.bytes
  const base = out.length
  const whole = bits.length >>> 3
  for (let j = 0; j < whole; j++) {
    const i = j << 3
    bytes[base + j] = bits[i]! | (bits[i + 1]! << 1) | (bits[i + 2]! << 2) | (bits[i + 3]! << 3) |
      (bits[i + 4]! << 4) | (bits[i + 5]! << 5) | (bits[i + 6]! << 6) | (bits[i + 7]! << 7)
  }
  if (whole < byteCount) {
    let last = 0
    for (let i = whole << 3; i < bits.length; i++) last |= bits[i]! << (i & 7)
    bytes[base + whole] = last
  }
  out.length = base + byteCount
}

/** Encodes `bits` into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeBitmap(bits: Uint8Array, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeBitmap(scratch, bits)
  return scratch.toBytes()
}

/** Reads a bitmap of `count` bits (a count the caller has already bounded) from `input`'s cursor. */
export function readBitmap(input: ByteReader, count: number): Uint8Array {
  const kindAt = input.pos
  const kind = input.readU8()
  switch (kind) {
    case BITMAP_KINDS.allZero: return new Uint8Array(count)
    case BITMAP_KINDS.allOne: return new Uint8Array(count).fill(1)
    case BITMAP_KINDS.packed: return readPacked(input, count)
    default: return input.failAt(kindAt, `unknown bitmap kind ${kind}`)
  }
}

function readPacked(input: ByteReader, count: number): Uint8Array {
  const byteCount = (count + 7) >>> 3
  const packed = input.readBytes(byteCount)
  const bits = new Uint8Array(count)
  for (let i = 0; i < count; i++) bits[i] = (packed[i >>> 3]! >>> (i & 7)) & 1
  // Padding must be zero; anything else means the count or the bytes are not what was written.
  if ((count & 7) !== 0 && packed[byteCount - 1]! >>> (count & 7) !== 0) input.fail('bitmap padding bits set')
  return bits
}

/** Decodes bytes produced by encodeBitmap for `count` bits; throws ChunkCorruptError on anything else. */
export function decodeBitmap(bytes: Uint8Array, count: number): Uint8Array {
  assert(Number.isSafeInteger(count) && count >= 0, `bitmap count ${count}`)
  const input = new ByteReader(bytes)
  const bits = readBitmap(input, count)
  input.expectEnd()
  return bits
}

/** Number of 1 bits (e.g. NULLs in a null mask). */
export function countOnes(bits: Uint8Array): number {
  let ones = 0
  for (let i = 0; i < bits.length; i++) ones += bits[i]!
  return ones
}
