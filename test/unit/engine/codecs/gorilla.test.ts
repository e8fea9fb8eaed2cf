// Goal: f64 chunks round-trip bit for bit (NaN payloads, -0, ±Infinity, subnormals) in every mode, and TSBS-like
// metrics (random walks with 1-2 decimal digits) cost no more than their deltas' entropy plus 0.1 bit per value
// (decimal mode with Huffman-coded deltas).
// Method: fast-check round trips over raw bit patterns and decimal mixes; a naive Gorilla XOR size reference;
// sizes asserted on fixed seeded inputs (never times).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import { GORILLA_MODES, decodeGorilla, encodeGorilla } from '../../../../engine/timeseries/codecs/gorilla.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { intHistogram, planHuffmanInts, writeHuffmanInts } from '../../../../engine/timeseries/codecs/huffman-ints.js'
import { anyBitsFloat64Array, assertSameBits, bytesPerValue, floatArrays, seededRandom } from './codec-test-kit.js'

function roundTrip(values: Float64Array): Uint8Array {
  const bytes = encodeGorilla(values)
  assertSameBits(decodeGorilla(bytes), values)
  return bytes
}

/** A random walk clamped to [0, 100] with `decimals` digits, like TSBS cpu's usage fields. */
function tsbsLike(count: number, decimals: number, seed: number): Float64Array {
  const random = seededRandom(seed)
  const scale = 10 ** decimals
  const values = new Float64Array(count)
  let k = 50 * scale
  for (let i = 0; i < count; i++) {
    k = Math.min(100 * scale, Math.max(0, k + Math.round((random() * 2 - 1) * scale)))
    values[i] = k / scale
  }
  return values
}

/** Order-0 entropy in bits of the deltas of k = value * 10^decimals: what a per-value code of them can reach. */
function deltaEntropyBits(values: Float64Array, decimals: number): number {
  const counts = new Map<number, number>()
  let previous = 0
  for (const value of values) {
    const k = Math.round(value * 10 ** decimals)
    counts.set(k - previous, (counts.get(k - previous) ?? 0) + 1)
    previous = k
  }
  let bits = 0
  for (const count of counts.values()) bits -= count * Math.log2(count / values.length)
  return bits
}

/** Naive Gorilla XOR size in bits (paper §4.1.2, no 5-bit leading cap subtleties beyond it): the XOR-mode reference. */
function naiveXorBits(values: Float64Array): number {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2)
  let bits = values.length === 0 ? 0 : 64
  let windowLeading = -1
  let windowTrailing = 0
  for (let i = 1; i < values.length; i++) {
    const xor = (BigInt(words[2 * i + 1]! ^ words[2 * i - 1]!) & 0xffffffffn) << 32n |
      (BigInt(words[2 * i]! ^ words[2 * i - 2]!) & 0xffffffffn)
    if (xor === 0n) {
      bits += 1
      continue
    }
    const binary = xor.toString(2).padStart(64, '0')
    const leading = Math.min(31, binary.indexOf('1'))
    const trailing = 63 - binary.lastIndexOf('1')
    if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing) {
      bits += 2 + 64 - windowLeading - windowTrailing
    } else {
      bits += 2 + 5 + 6 + 64 - leading - trailing
      windowLeading = leading
      windowTrailing = trailing
    }
  }
  return bits
}

describe('engine/timeseries/codecs gorilla', () => {
  it('round-trips any float64 bit patterns', () => {
    fc.assert(fc.property(floatArrays, (values) => {
      roundTrip(values)
    }), { numRuns: 400 })
  })

  it('XOR mode matches the naive Gorilla size exactly', () => {
    fc.assert(fc.property(anyBitsFloat64Array, (values) => {
      const bytes = roundTrip(values)
      if (bytes[0] !== GORILLA_MODES.xor) return
      const header = values.length < 128 ? 2 : 3
      assert.equal(bytes.length, header + Math.ceil(naiveXorBits(values) / 8))
    }))
  })

  it('keeps special values bit-exact: NaN payloads, -0, ±Infinity, subnormals', () => {
    const words = Uint32Array.of(0, 0x7ff80000, 1, 0x7ff00000, 0xdeadbeef, 0xfff7ffff, 0, 0x80000000, 1, 0)
    const values = new Float64Array(words.buffer)
    assert.equal(roundTrip(values)[0], GORILLA_MODES.xor)
    roundTrip(Float64Array.of(-0, 0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE))
    // A decimal chunk with a few exceptions keeps them raw: a -0 and a NaN payload among short decimals.
    const mixed = tsbsLike(1000, 2, 7)
    mixed[10] = -0
    new Uint32Array(mixed.buffer)[2 * 20 + 1] = 0x7ff00001
    assert.equal(roundTrip(mixed)[0], GORILLA_MODES.decimalHuffman)
  })

  it('decimal chunks with exceptions among them round-trip in the Huffman mode (NaN, -0, ±Infinity, subnormals)', () => {
    const specials = fc.constantFrom(NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, Math.PI)
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.tuple(fc.nat(1999), specials), { maxLength: 100 }),
      (seed, replaced) => {
        const values = tsbsLike(2000, 2, seed)
        for (const [at, value] of replaced) values[at] = value
        assert.equal(roundTrip(values)[0], GORILLA_MODES.decimalHuffman)
      }), { numRuns: 50 })
  })

  it('handles empty, single-value and constant chunks', () => {
    roundTrip(new Float64Array(0))
    roundTrip(Float64Array.of(Math.PI))
    const constant = new Float64Array(10_000).fill(Math.PI)
    assert.ok(bytesPerValue(roundTrip(constant), constant.length) <= 0.13)
    const constantDecimal = new Float64Array(10_000).fill(42.5)
    assert.ok(bytesPerValue(roundTrip(constantDecimal), constantDecimal.length) <= 0.13)
  })

  it('TSBS-like random walks with 1-2 decimals cost the entropy of their deltas + 0.1 bit per value (100,000 values, seeded)', () => {
    for (const decimals of [1, 2]) {
      const values = tsbsLike(100_000, decimals, 1234 + decimals)
      const bytes = roundTrip(values)
      assert.equal(bytes[0], GORILLA_MODES.decimalHuffman)
      const bound = (deltaEntropyBits(values, decimals) + 0.1 * values.length) / 8 + 300
      assert.ok(bytes.length <= bound, `${decimals} decimals: ${bytes.length} bytes, bound ${bound.toFixed(0)}`)
      // Plain XOR is what the decimal mode saves us from: near 50 meaningful bits per value.
      assert.ok(naiveXorBits(values) / 8 / values.length > 4)
    }
  })

  it('full-precision random walks fall back to XOR and stay within 8.5 bytes per value (seeded)', () => {
    const random = seededRandom(99)
    const values = new Float64Array(20_000)
    let value = 50
    for (let i = 0; i < values.length; i++) values[i] = value += random() - 0.5
    const bytes = roundTrip(values)
    assert.equal(bytes[0], GORILLA_MODES.xor)
    assert.ok(bytesPerValue(bytes, values.length) <= 8.5)
  })

  it('pins the XOR layout: mode, count, 64 first bits, then 0 per repeat', () => {
    const bytes = encodeGorilla(Float64Array.of(Math.PI, Math.PI, Math.PI))
    assert.deepEqual([...bytes], [0, 3, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18, 0b00000000])
  })

  it('pins the decimal Huffman layout: mode 2, count, decimals, exceptions, then huffman-ints of zigzag deltas of k', () => {
    // 64 values 0.5, 0.6, 0.5, ...: k = 5, 6, 5, ... at d = 1; zigzag deltas 10, 2, 1, 2, 1, ...
    const values = Float64Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 0.5 : 0.6))
    const deltas = Float64Array.from({ length: 64 }, (_, i) => (i === 0 ? 10 : i % 2 === 1 ? 2 : 1))
    const huffman = new ByteWriter()
    writeHuffmanInts(huffman, deltas, planHuffmanInts(intHistogram(deltas)))
    assert.deepEqual([...encodeGorilla(values)], [2, 64, 1, 0, ...huffman.toBytes()])
  })

  it('pins the decimal layout: mode, count, decimals, exceptions, bucketed deltas of k', () => {
    const bytes = encodeGorilla(Float64Array.of(0.5, 0.5, 0.6))
    // k = 5, 5, 6 at d = 1: '10'+0001010, '0', '10'+0000010 → 10000101 00100000 010(00000)
    assert.deepEqual([...bytes], [1, 3, 1, 0, 0b10000101, 0b00100000, 0b01000000])
  })

  it('truncated, extended or unknown-mode payloads throw ChunkCorruptError', () => {
    for (const values of [tsbsLike(500, 2, 3), Float64Array.of(Math.PI, Math.E, 1e300)]) {
      const bytes = encodeGorilla(values)
      assert.throws(() => decodeGorilla(bytes.subarray(0, bytes.length - 1)), ChunkCorruptError)
      assert.throws(() => decodeGorilla(Uint8Array.from([...bytes, 0])), ChunkCorruptError)
      assert.throws(() => decodeGorilla(Uint8Array.from([9, ...bytes.subarray(1)])), ChunkCorruptError)
    }
    assert.throws(() => decodeGorilla(Uint8Array.of(0, 0xff, 0xff, 0x7f)), ChunkCorruptError)
    // decimal mode: d above 10, an exception past the count, more exceptions than values
    assert.throws(() => decodeGorilla(Uint8Array.of(1, 1, 11, 0, 0)), ChunkCorruptError)
    assert.throws(() => decodeGorilla(Uint8Array.of(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)), ChunkCorruptError)
    assert.throws(() => decodeGorilla(Uint8Array.of(1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), ChunkCorruptError)
    // XOR mode: window reuse ('10') before any window was opened
    assert.throws(() => decodeGorilla(Uint8Array.of(0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0b10000000)), ChunkCorruptError)
  })
})
