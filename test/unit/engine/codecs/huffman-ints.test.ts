// Goal: the Huffman integer stage round-trips any non-negative safe integers (0 to 2^53 - 1, constant runs, a single
// symbol, escapes of every width), stays within Gallager's bound of the order-0 entropy (p_max + 0.086 bits per
// value) plus its table on skewed and uniform data, never makes a code longer than 15 bits, and refuses corrupt tables and short streams.
// Method: fast-check round trips; the entropy computed here from the values (independent of the code) is the size
// oracle; code lengths checked against Kraft's equality; sizes on fixed seeded inputs (never times).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import { readHuffmanInts } from '../../../../engine/timeseries/codecs/huffman-decode.js'
import { CODE_BITS_MAX, intHistogram, planHuffmanInts, writeHuffmanInts } from '../../../../engine/timeseries/codecs/huffman-ints.js'
import { huffmanLengths } from '../../../../engine/timeseries/codecs/huffman-lengths.js'
import { assertSameBits, seededRandom } from './codec-test-kit.js'

function encode(values: Float64Array): Uint8Array {
  const out = new ByteWriter()
  writeHuffmanInts(out, values, planHuffmanInts(intHistogram(values)))
  return out.toBytes()
}

/**
 * The plan by brute force, from the format's definition: for every literal width m (0 and the median bit length up to
 * 12 and the widest value, narrower on ties) the symbol frequencies, a code built by huffmanLengths, and the stream's
 * bits: header, table nibbles up to the last used symbol, each value's code (none when one symbol is used) and raw bits.
 */
function referencePlan(values: Float64Array): { literalBits: number; bits: number; lengths: Uint8Array } {
  const lengthOf = (value: number): number => (value === 0 ? 0 : value.toString(2).length)
  const sorted = [...values].map(lengthOf).sort((a, b) => a - b)
  const median = sorted[Math.ceil(values.length / 2) - 1] ?? 0
  const widest = sorted[sorted.length - 1] ?? 0
  let best: { literalBits: number; bits: number; lengths: Uint8Array } | null = null
  for (const m of [0, ...Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => m >= median && m <= widest)]) {
    const symbolOf = (value: number): number => (value < 2 ** m ? value : 2 ** m + lengthOf(value) - m - 1)
    const frequencies = new Uint32Array(2 ** m + 53 - m)
    for (const value of values) frequencies[symbolOf(value)]!++
    const lengths = huffmanLengths(frequencies, CODE_BITS_MAX)
    const used = frequencies.filter((f) => f !== 0).length
    let lastUsed = -1
    lengths.forEach((length, s) => { if (length !== 0) lastUsed = s })
    let bits = 24 + 4 * (lastUsed + 1)
    for (const value of values) bits += (used === 1 ? 0 : lengths[symbolOf(value)]!) + (value < 2 ** m ? 0 : lengthOf(value) - 1)
    if (best === null || bits < best.bits) best = { literalBits: m, bits, lengths }
  }
  return best!
}

function decode(bytes: Uint8Array, count: number): Float64Array {
  const input = new ByteReader(bytes)
  const values = readHuffmanInts(input, count)
  input.expectEnd()
  return values
}

function roundTrip(values: Float64Array): Uint8Array {
  const bytes = encode(values)
  assertSameBits(decode(bytes, values.length), values)
  return bytes
}

/**
 * Order-0 entropy of the values in bits (the floor any per-value code reaches) plus Gallager's bound on a Huffman
 * code's redundancy: p_max + 0.086 bits per value, p_max the share of the commonest value.
 */
function huffmanBoundBits(values: Float64Array): number {
  const counts = new Map<number, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  let bits = 0
  let commonest = 0
  for (const count of counts.values()) {
    bits -= count * Math.log2(count / values.length)
    commonest = Math.max(commonest, count)
  }
  return bits + (commonest / values.length + 0.086) * values.length
}

const safeInts = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 5000 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 2 ** 12 - 1, 2 ** 12, 2 ** 23, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 52, 2 ** 53 - 1),
)

describe('engine/timeseries/codecs huffman-ints', () => {
  it('round-trips any non-negative safe integers, runs and single symbols included', () => {
    fc.assert(fc.property(fc.array(safeInts, { maxLength: 400 }), (list) => {
      roundTrip(Float64Array.from(list))
    }), { numRuns: 400 })
    fc.assert(fc.property(safeInts, fc.integer({ min: 1, max: 3000 }), (value, count) => {
      roundTrip(new Float64Array(count).fill(value))
    }))
  })

  it('spends no bits per value on a single literal symbol, only the table', () => {
    assert.ok(roundTrip(new Float64Array(100_000).fill(7)).length <= 8)
    assert.ok(roundTrip(new Float64Array(100_000)).length <= 4)
  })

  it("stays within Gallager's bound of the order-0 entropy plus its table (seeded)", () => {
    const random = seededRandom(5)
    const shapes: Array<[string, () => number]> = [
      ['uniform over 201 zigzag deltas (TSBS)', () => Math.floor(random() * 201)],
      ['geometric', () => Math.floor(-Math.log2(1 - random()) * 3)],
      ['mostly zero', () => (random() < 0.95 ? 0 : Math.floor(random() * 40))],
    ]
    for (const [name, draw] of shapes) {
      const values = Float64Array.from({ length: 50_000 }, draw)
      const bytes = roundTrip(values)
      const bound = huffmanBoundBits(values) / 8 + 300
      assert.ok(bytes.length <= bound, `${name}: ${bytes.length} bytes, bound ${bound.toFixed(0)}`)
    }
  })

  it('keeps wide values as escapes with their exact low bits', () => {
    const random = seededRandom(11)
    const values = Float64Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** 53))
    const bytes = roundTrip(values)
    assert.ok(bytes.length <= values.length * (53 + 7) / 8 + 100, `${bytes.length} bytes`)
  })

  it('caps code lengths at 15 bits and keeps the code complete (Fibonacci frequencies, the deepest trees)', () => {
    const frequencies = new Uint32Array(40)
    let [a, b] = [1, 1]
    for (let i = 0; i < frequencies.length; i++) {
      frequencies[i] = a;
      [a, b] = [b, Math.min(a + b, 2 ** 31)]
    }
    const lengths = huffmanLengths(frequencies, CODE_BITS_MAX)
    assert.ok(Math.max(...lengths) <= CODE_BITS_MAX)
    assert.equal(lengths.reduce((sum, length) => sum + 2 ** -length, 0), 1)
    const values = Float64Array.from([...frequencies].flatMap((count, symbol) => Array<number>(Math.min(count, 3000)).fill(symbol)))
    roundTrip(values)
  })

  it('pins the layout: literal bits, symbol count, 4-bit lengths, then MSB-first canonical codes', () => {
    // Values 0, 0, 1: m = 0 (literal 0, escape class 1 = the value 1 with no raw bits; m = 1 costs the same, the
    // narrower wins), lengths 1 and 1, codes '0' and '1' → 0 0 1 → 001(00000).
    assert.deepEqual([...encode(Float64Array.of(0, 0, 1))], [0, 2, 0x11, 0b00100000])
    // Values 5, 300 at m = 0 are escapes: class 3 (symbol 3; 5 = 0b101, raw bits 01) and class 9 (symbol 9; 300,
    // raw bits 00101100); ten 4-bit lengths, codes '0' and '1' → 0 01 1 00101100 → 0011 0010 1100(0000).
    assert.deepEqual([...encode(Float64Array.of(5, 300))], [0, 10, 0x00, 0x01, 0x00, 0x00, 0x01, 0x32, 0xc0])
  })

  it('plans the width a code built at every width would pick, with that code\'s exact size (the reference builds them all)', () => {
    fc.assert(fc.property(fc.array(safeInts, { minLength: 1, maxLength: 600 }), fc.integer({ min: 1, max: 40 }), (list, repeat) => {
      const values = Float64Array.from(list.flatMap((value, i) => Array<number>(1 + (i * repeat) % 7).fill(value)))
      const plan = planHuffmanInts(intHistogram(values))
      const reference = referencePlan(values)
      assert.deepEqual([plan.literalBits, plan.bits, [...plan.lengths]], [reference.literalBits, reference.bits, [...reference.lengths]])
    }), { numRuns: 300 })
    // Fibonacci frequencies over 22 symbols: a Huffman tree 21 deep, so the capped code decides the size.
    const fibonacci = [1, 1]
    while (fibonacci.length < 22) fibonacci.push(fibonacci[fibonacci.length - 1]! + fibonacci[fibonacci.length - 2]!)
    const deep = Float64Array.from(fibonacci.flatMap((count, symbol) => Array<number>(count).fill(symbol)))
    const reference = referencePlan(deep)
    const plan = planHuffmanInts(intHistogram(deep))
    assert.deepEqual([plan.literalBits, plan.bits], [reference.literalBits, reference.bits])
  })

  it('refuses corrupt tables, short streams and counts beyond the bits left', () => {
    const values = Float64Array.from({ length: 500 }, (_, i) => (i * 7919) % 300)
    const bytes = encode(values)
    assert.throws(() => decode(bytes.subarray(0, bytes.length - 1), values.length), ChunkCorruptError)
    assert.throws(() => decode(bytes, values.length + 100), ChunkCorruptError)
    // Literal bits above 12, a symbol count above 2^m + 53 - m, an incomplete code (lengths 1 and 2), no code at all.
    assert.throws(() => decode(Uint8Array.of(13, 1, 0x10), 1), ChunkCorruptError)
    assert.throws(() => decode(Uint8Array.of(0, 60, ...new Uint8Array(30)), 1), ChunkCorruptError)
    assert.throws(() => decode(Uint8Array.of(1, 2, 0x12, 0), 2), ChunkCorruptError)
    assert.throws(() => decode(Uint8Array.of(1, 2, 0x00), 2), ChunkCorruptError)
  })
})
