// Goal: the fast Huffman-int and decimal-float decoders (session 8: tabled code and raw bits, int32 escapes below
// 2^25, deltas decoded in place) return exactly what main's decoders returned — the same values bit for bit (-0, NaN
// payloads, ±Infinity, integers of every width up to 2^53 - 1) and, on corrupt input, the same error at the same
// place — and TSBS cpu columns chunked as a flush chunks them decode to their own bits.
// Method: main's decoders kept verbatim in decode-reference.ts; fast-check inputs at every width and around the fast
// step's limits (2^24, 2^25, 2^31, 2^32, 2^52, 2^53 - 1), skewed enough for codes past the 11-bit table, encoded by
// the production encoders; valid streams mutated or truncated byte-wise for the error paths; the encoder's input is
// the oracle for values, the reference for errors.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { ByteWriter } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { decodeChunk, encodeChunk } from '../../../../engine/timeseries/codecs/chunk.js'
import { readDecimalHuffmanFloats } from '../../../../engine/timeseries/codecs/decimal-floats.js'
import { GORILLA_MODES, decodeGorilla, encodeGorilla } from '../../../../engine/timeseries/codecs/gorilla.js'
import { readHuffmanInts } from '../../../../engine/timeseries/codecs/huffman-decode.js'
import { intHistogram, planHuffmanInts, writeHuffmanInts } from '../../../../engine/timeseries/codecs/huffman-ints.js'
import { FIELD_NAMES, cpuRows } from '../../../../bench/tsbs.js'
import { anyBitsFloat64Array, assertSameBits, floatArrays, seededRandom } from './codec-test-kit.js'
import { referenceReadDecimalHuffmanFloats, referenceReadHuffmanInts } from './decode-reference.js'

type Reader = (input: ByteReader, count: number) => Float64Array

/** What a decoder made of `bytes`: its values and where it stopped, or its error's message. */
function outcome(read: Reader, bytes: Uint8Array, count: number): { values?: Float64Array; pos?: number; error?: string } {
  const input = new ByteReader(bytes)
  try {
    const values = read(input, count)
    return { values, pos: input.pos }
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) }
  }
}

/** The new and the reference decoder agree on `bytes`: the same values bit for bit and end, or the same error. */
function assertSameOutcome(read: Reader, reference: Reader, bytes: Uint8Array, count: number): void {
  const actual = outcome(read, bytes, count)
  const expected = outcome(reference, bytes, count)
  assert.equal(actual.error, expected.error)
  assert.equal(actual.pos, expected.pos)
  if (expected.values !== undefined) assertSameBits(actual.values!, expected.values)
}

function encodeInts(values: Float64Array): Uint8Array {
  const out = new ByteWriter()
  writeHuffmanInts(out, values, planHuffmanInts(intHistogram(values)))
  return out.toBytes()
}

const EDGES = [2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 25 - 1, 2 ** 25, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
  2 ** 52 - 1, 2 ** 52, 2 ** 53 - 1]

/** A value of exactly `bits` bits (1..53), its lower bits from a 53-bit random `raw`. */
const ofWidth = fc.tuple(fc.integer({ min: 1, max: 53 }), fc.integer({ min: 0, max: 2 ** 26 - 1 }), fc.integer({ min: 0, max: 2 ** 27 - 1 }))
  .map(([bits, high, low]) => 2 ** (bits - 1) + Math.floor((high * 2 ** 27 + low) / 2 ** (54 - bits)))

/** Geometric-ish values from a seed: skewed enough for codes longer than the 11-bit table, and many escapes. */
const skewed = fc.tuple(fc.integer(), fc.integer({ min: 1, max: 4000 }), fc.double({ min: 0.5, max: 40, noNaN: true }))
  .map(([seed, length, scale]) => {
    const random = seededRandom(seed)
    return Float64Array.from({ length }, () => Math.floor(-Math.log(1 - random()) * scale * (random() < 0.01 ? 1e6 : 1)))
  })

const intArrays = fc.oneof(
  skewed,
  fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 15 }), weight: 3 }, { arbitrary: ofWidth, weight: 3 },
    { arbitrary: fc.constantFrom(...EDGES), weight: 1 }), { maxLength: 600 }).map((values) => Float64Array.from(values)),
  fc.tuple(fc.oneof(fc.integer({ min: 0, max: 15 }), ofWidth, fc.constantFrom(...EDGES)), fc.integer({ min: 0, max: 300 }))
    .map(([value, length]) => new Float64Array(length).fill(value)),
)

/** `bytes` with one byte replaced, or cut short, at a position drawn from the stream. */
const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
function mutate(bytes: Uint8Array, [at, value, isCut]: [number, number, boolean]): Uint8Array {
  if (bytes.length === 0) return bytes
  if (isCut) return bytes.subarray(0, at % bytes.length)
  const copy = bytes.slice()
  copy[at % copy.length] = value
  return copy
}

function decimalHuffmanBody(bytes: Uint8Array): { body: Uint8Array; count: number } | null {
  const input = new ByteReader(bytes)
  if (input.readU8() !== GORILLA_MODES.decimalHuffman) return null
  const count = input.readVarUint()
  return { body: bytes.subarray(input.pos), count }
}

describe('codecs: fast decoders against main\'s (decode-reference.ts)', function () {
  this.timeout(120_000)

  it('Huffman ints of every width and skew decode to their input, as the reference decodes them', () => {
    fc.assert(fc.property(intArrays, (values) => {
      const bytes = encodeInts(values)
      const input = new ByteReader(bytes)
      assertSameBits(readHuffmanInts(input, values.length), values)
      assert.equal(input.pos, bytes.length)
      assertSameOutcome(readHuffmanInts, referenceReadHuffmanInts, bytes, values.length)
    }), { numRuns: 400 })
  })

  it('mutated, truncated and arbitrary Huffman streams give the reference\'s values or its error', () => {
    fc.assert(fc.property(intArrays, mutation, fc.integer({ min: -2, max: 2 }), (values, change, countDelta) => {
      const count = Math.max(0, values.length + countDelta)
      assertSameOutcome(readHuffmanInts, referenceReadHuffmanInts, mutate(encodeInts(values), change), count)
    }), { numRuns: 1500 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 3000 }), (bytes, count) => {
      assertSameOutcome(readHuffmanInts, referenceReadHuffmanInts, bytes, count)
    }), { numRuns: 1500 })
  })

  it('floats (decimals, -0, NaN payloads, ±Infinity, any bits) decode bit-identical; decimal-Huffman bodies as the reference', () => {
    let decimalHuffman = 0
    const decimals = fc.tuple(fc.integer(), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 4 }), anyBitsFloat64Array)
      .map(([seed, length, digits, oddities]) => {
        const random = seededRandom(seed)
        let value = Math.round(random() * 1e4)
        const values = Float64Array.from({ length }, () => (value += Math.round((random() - 0.5) * 300)) / 10 ** digits)
        oddities.forEach((odd, i) => { values[(i * 7919) % length] = odd })
        return values
      })
    fc.assert(fc.property(fc.oneof(floatArrays, decimals), mutation, (values, change) => {
      const bytes = encodeGorilla(values)
      assertSameBits(decodeGorilla(bytes), values)
      const body = decimalHuffmanBody(bytes)
      if (body === null) return
      decimalHuffman++
      assertSameOutcome(readDecimalHuffmanFloats, referenceReadDecimalHuffmanFloats, body.body, body.count)
      assertSameOutcome(readDecimalHuffmanFloats, referenceReadDecimalHuffmanFloats, mutate(body.body, change), body.count)
    }), { numRuns: 600 })
    assert.ok(decimalHuffman > 50, `only ${decimalHuffman} inputs took the decimal-Huffman mode`)
  })

  it('TSBS cpu columns, sorted by host then time and chunked as flushes chunk them, decode to their own bits', () => {
    const hosts = 20
    const rows = [...cpuRows(hosts * 1500, hosts, 7)]
    rows.sort((a, b) => a.tags[0]!.localeCompare(b.tags[0]!) || a.timeMs - b.timeMs)
    let decimalHuffman = 0
    for (const chunkRows of [2000, 9095]) {
      for (let f = 0; f < FIELD_NAMES.length; f++) {
        for (let at = 0; at < rows.length; at += chunkRows) {
          const values = Float64Array.from(rows.slice(at, at + chunkRows), (row) => row.fields[f]!)
          const bytes = encodeChunk({ kind: 'f64', values })
          const vector = decodeChunk(bytes).vector
          assert.equal(vector.kind, 'f64')
          if (vector.kind === 'f64') assertSameBits(vector.values, values)
          const body = decimalHuffmanBody(encodeGorilla(values))
          if (body === null) continue
          decimalHuffman++
          assertSameOutcome(readDecimalHuffmanFloats, referenceReadDecimalHuffmanFloats, body.body, body.count)
        }
      }
    }
    assert.ok(decimalHuffman > 100, `only ${decimalHuffman} TSBS chunks took the decimal-Huffman mode`)
  })
})
