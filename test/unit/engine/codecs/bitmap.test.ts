// Goal: bool chunks and null masks round-trip exactly; an all-zero mask costs one byte; the packed layout (LSB first,
// zero padding) is pinned. Method: fast-check round trips against a naive packing reference.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  BITMAP_KINDS, countOnes, decodeBitmap, encodeBitmap,
} from '../../../../engine/timeseries/codecs/bitmap.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import { assertSameBits } from './codec-test-kit.js'

function referencePacked(bits: Uint8Array): number[] {
  const bytes = new Array<number>(Math.ceil(bits.length / 8)).fill(0)
  bits.forEach((bit, i) => {
    if (bit === 1) bytes[Math.floor(i / 8)]! |= 2 ** (i % 8)
  })
  return bytes
}

const bitArrays = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 300 }),
  fc.array(fc.constant(0), { maxLength: 50 }),
  fc.array(fc.constant(1), { maxLength: 50 }),
).map((bits) => Uint8Array.from(bits))

describe('engine/timeseries/codecs bitmap', () => {
  it('round-trips any bits and packs them as the reference does', () => {
    fc.assert(fc.property(bitArrays, (bits) => {
      const bytes = encodeBitmap(bits)
      assertSameBits(decodeBitmap(bytes, bits.length), bits)
      const ones = countOnes(bits)
      if (ones === 0) assert.deepEqual([...bytes], [BITMAP_KINDS.allZero])
      else if (ones === bits.length) assert.deepEqual([...bytes], [BITMAP_KINDS.allOne])
      else assert.deepEqual([...bytes], [BITMAP_KINDS.packed, ...referencePacked(bits)])
    }), { numRuns: 300 })
  })

  it('an all-zero null mask of 100,000 rows is a single byte', () => {
    assert.equal(encodeBitmap(new Uint8Array(100_000)).length, 1)
  })

  it('pins the layout: bit i at byte i >> 3, bit i & 7', () => {
    assert.deepEqual([...encodeBitmap(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 1))], [1, 0b00000001, 0b00000010])
  })

  it('rejects bad kinds, short payloads and set padding bits with ChunkCorruptError', () => {
    assert.throws(() => decodeBitmap(Uint8Array.of(3), 4), ChunkCorruptError)
    assert.throws(() => decodeBitmap(Uint8Array.of(1, 0xff), 9), ChunkCorruptError)
    assert.throws(() => decodeBitmap(Uint8Array.of(1, 0b00010001), 4), ChunkCorruptError)
    assert.throws(() => decodeBitmap(Uint8Array.of(0, 0), 4), ChunkCorruptError)
  })
})
