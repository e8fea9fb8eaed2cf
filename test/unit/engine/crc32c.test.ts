// Goal: pin CRC32C (Castagnoli) as used by WAL records. Method: the standard check vector, the empty input, and
// that continuing from a seed over a split input equals one pass over the whole; the slicing-by-8 loop equals the
// byte-at-a-time reference on arbitrary bytes, offsets and seeds (fast-check).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { crc32c, crc32cReference } from '../../../engine/wal/crc32c.js'

describe('engine/wal/crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    assert.equal(crc32c(Buffer.from('123456789', 'ascii')), 0xe3069283)
  })

  it('is 0 for no bytes', () => {
    assert.equal(crc32c(new Uint8Array(0)), 0)
  })

  it('continues from a seed over a split input', () => {
    const bytes = Buffer.from('the quick brown fox jumps over the lazy dog', 'ascii')
    const whole = crc32c(bytes)
    for (const split of [0, 1, 7, 20, bytes.length]) {
      assert.equal(crc32c(bytes, split, bytes.length, crc32c(bytes, 0, split)), whole, `split at ${split}`)
    }
  })

  it('differs when one bit flips', () => {
    const bytes = Buffer.from('123456789', 'ascii')
    bytes[4]! ^= 1
    assert.notEqual(crc32c(bytes), 0xe3069283)
  })

  it('slicing-by-8 equals the byte-at-a-time reference on any bytes, range and seed', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), fc.nat({ max: 0xffffffff }), (bytes, a, b, seed) => {
      const from = bytes.length === 0 ? 0 : a % (bytes.length + 1)
      const to = from + (bytes.length === 0 ? 0 : b % (bytes.length - from + 1))
      assert.equal(crc32c(bytes, from, to, seed), crc32cReference(bytes, from, to, seed))
    }), { numRuns: 500 })
  })

  it('the aligned word loop equals the reference from any byte offset of the underlying buffer, long ranges too', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 64, maxLength: 2000 }), fc.nat({ max: 7 }), fc.nat(), fc.nat({ max: 0xffffffff }), (data, shift, a, seed) => {
      const buffer = new Uint8Array(data.length + shift)
      buffer.set(data, shift)
      const bytes = buffer.subarray(shift)
      const from = a % 9
      assert.equal(crc32c(bytes, from, bytes.length, seed), crc32cReference(bytes, from, bytes.length, seed))
    }), { numRuns: 500 })
  })
})
