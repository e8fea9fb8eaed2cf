// Goal: the bit buckets shared by timestamps and decimal floats round-trip every integer within ±(2^52 - 1), and
// their widths are pinned (they are on disk). Method: fast-check round trips; exact bit costs of bucket edges.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { BitReader } from '../../../../engine/timeseries/codecs/bit-reader.js'
import { BitWriter } from '../../../../engine/timeseries/codecs/bit-writer.js'
import { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import {
  BUCKET_MAGNITUDE_MAX, readBucketed, unzigzag, writeBucketed, zigzag,
} from '../../../../engine/timeseries/codecs/int-buckets.js'

const bucketed = fc.oneof(
  fc.integer({ min: -200, max: 200 }),
  fc.integer(),
  fc.integer({ min: -BUCKET_MAGNITUDE_MAX, max: BUCKET_MAGNITUDE_MAX }),
  fc.constantFrom(BUCKET_MAGNITUDE_MAX, -BUCKET_MAGNITUDE_MAX, 63, 64, -64, -65, 2047, 2048, -2048, -2049),
)

/** Bits writeBucketed spends on one value. */
function bitCost(value: number): number {
  const out = new ByteWriter()
  const bits = new BitWriter(out)
  // A 1-bit marker after the value shows where the value's bits end once the byte padding is stripped.
  writeBucketed(bits, value)
  bits.writeBit(1)
  bits.flush()
  const bytes = out.view()
  const last = bytes[bytes.length - 1]!
  return bytes.length * 8 - (31 - Math.clz32(last & -last)) - 1
}

describe('engine/timeseries/codecs int buckets', () => {
  it('zigzag is a bijection onto [0, 2^53 - 2] within the bound', () => {
    fc.assert(fc.property(bucketed, (value) => {
      const zz = zigzag(value)
      assert.ok(Number.isSafeInteger(zz) && zz >= 0)
      assert.equal(unzigzag(zz), value)
    }))
    assert.deepEqual([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4])
  })

  it('round-trips any sequence of bucketed integers', () => {
    fc.assert(fc.property(fc.array(bucketed, { maxLength: 100 }), (values) => {
      const out = new ByteWriter()
      const bits = new BitWriter(out)
      for (const value of values) writeBucketed(bits, value)
      bits.flush()
      const reader = new BitReader(new ByteReader(out.toBytes()))
      for (const value of values) assert.equal(readBucketed(reader), value)
    }))
  })

  it('pins the on-disk bucket widths', () => {
    const expected: Array<[number, number]> = [[0, 1], [1, 9], [-64, 9], [64, 15], [-65, 15], [2047, 15],
      [2048, 24], [524287, 24], [524288, 37], [2 ** 31 - 1, 37], [2 ** 31, 58], [-BUCKET_MAGNITUDE_MAX, 58]]
    for (const [value, bits] of expected) assert.equal(bitCost(value), bits, `bits for ${value}`)
  })
})
