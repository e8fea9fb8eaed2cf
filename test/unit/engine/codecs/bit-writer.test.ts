// Goal: BitWriter and BitReader agree on any sequence of fields of 0..53 bits, MSB first, padded to a byte; the
// reader never reads past its range. Method: fast-check round trips against a naive bit-string reference.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { BitReader } from '../../../../engine/timeseries/codecs/bit-reader.js'
import { BitWriter } from '../../../../engine/timeseries/codecs/bit-writer.js'
import { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'

const fieldArb = fc.integer({ min: 0, max: 53 }).chain((width) =>
  fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n }).map((value) => ({ width, value: Number(value) })))

/** The naive reference: a string of '0'/'1' characters, padded with zeros to whole bytes. */
function referenceBytes(fields: ReadonlyArray<{ width: number; value: number }>): Uint8Array {
  let bitString = fields.map(({ width, value }) => (width === 0 ? '' : value.toString(2).padStart(width, '0'))).join('')
  bitString = bitString.padEnd(Math.ceil(bitString.length / 8) * 8, '0')
  const bytes = new Uint8Array(bitString.length / 8)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(bitString.slice(i * 8, i * 8 + 8), 2)
  return bytes
}

describe('engine/timeseries/codecs bit writer and reader', () => {
  it('writes exactly the reference bits and reads them back', () => {
    fc.assert(fc.property(fc.array(fieldArb, { maxLength: 80 }), fc.nat({ max: 3 }), (fields, prefix) => {
      const out = new ByteWriter(1)
      for (let i = 0; i < prefix; i++) out.writeU8(0xaa)
      const bits = new BitWriter(out)
      for (const { width, value } of fields) bits.writeWide(value, width)
      bits.flush()
      out.writeU8(0x55)
      const written = out.toBytes()
      assert.deepEqual(written.subarray(prefix, written.length - 1), referenceBytes(fields))
      const input = new ByteReader(written)
      input.pos = prefix
      const reader = new BitReader(input)
      for (const { width, value } of fields) assert.equal(reader.readWide(width), value)
      reader.finish()
      assert.equal(input.readU8(), 0x55)
      input.expectEnd()
    }))
  })

  it('readBit and readBits(1) agree', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
      const a = new BitReader(new ByteReader(bytes))
      const b = new BitReader(new ByteReader(bytes))
      for (let i = 0; i < bytes.length * 8; i++) assert.equal(a.readBit(), b.readBits(1))
    }))
  })

  it('reading past the range throws ChunkCorruptError', () => {
    const reader = new BitReader(new ByteReader(new Uint8Array([0xff, 0xff]), 0, 1))
    assert.equal(reader.readBits(8), 0xff)
    assert.throws(() => reader.readBit(), ChunkCorruptError)
    assert.throws(() => new BitReader(new ByteReader(new Uint8Array(3))).readBits(32), ChunkCorruptError)
  })
})
