// Goal: timestamp chunks round-trip bit-exactly for any input (sorted or not, repeated, extremes, and even values
// that are not timestamps via the raw mode), and regular intervals cost a few bytes per chunk (runs of equal
// deltas-of-delta).
// Method: fast-check round trips; sizes asserted on fixed seeded inputs (never times); a naive zigzag-varint of the
// delta-of-delta is measured beside it, which is why the bit buckets were chosen.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ByteWriter, varUintBytes } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import {
  DELTA_OF_DELTA_MODES, decodeDeltaOfDelta, encodeDeltaOfDelta,
} from '../../../../engine/timeseries/codecs/delta-of-delta.js'
import { zigzag } from '../../../../engine/timeseries/codecs/int-buckets.js'
import { assertSameBits, bytesPerValue, floatArrays, seededRandom } from './codec-test-kit.js'

const START_US = 1_764_000_000_000_000
const MAX = Number.MAX_SAFE_INTEGER

function regular(count: number, stepUs: number): Float64Array {
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) values[i] = START_US + i * stepUs
  return values
}

/** The alternative the brief offered: LEB128 of zigzag(delta-of-delta), with the first value as 8 bytes. */
function naiveVarintBytes(values: Float64Array): number {
  let bytes = 8
  let previousDelta = 0
  for (let i = 1; i < values.length; i++) {
    const delta = values[i]! - values[i - 1]!
    bytes += varUintBytes(zigzag(delta - previousDelta))
    previousDelta = delta
  }
  return bytes
}

function roundTrip(values: Float64Array): Uint8Array {
  const bytes = encodeDeltaOfDelta(values)
  assertSameBits(decodeDeltaOfDelta(bytes), values)
  return bytes
}

const timestamps = fc.oneof(
  fc.array(fc.maxSafeInteger(), { maxLength: 200 }),
  fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 300 }).map((jitter) =>
    jitter.map((j, i) => START_US + i * 10_000_000 + j)),
  fc.array(fc.constantFrom(MAX, -MAX, 0, 1, -1, 2 ** 52, -(2 ** 52), START_US), { maxLength: 40 }),
  fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }).map((steps) => {
    let t = START_US
    return steps.map((s) => (t += s * 1000))
  }),
).map((values) => Float64Array.from(values))

describe('engine/timeseries/codecs delta-of-delta', () => {
  it('round-trips arbitrary integer timestamps: unsorted, repeated, ±(2^53 - 1)', () => {
    fc.assert(fc.property(timestamps, (values) => {
      roundTrip(values)
    }), { numRuns: 300 })
  })

  it('round-trips anything else bit-exactly through the raw mode (fractions, NaN, -0, beyond 2^53)', () => {
    fc.assert(fc.property(floatArrays, (values) => {
      roundTrip(values)
    }))
    for (const odd of [[0.5], [-0], [NaN], [2 ** 53], [MAX, -MAX], [1, 2 ** 52 + 1, 0]]) {
      const bytes = roundTrip(Float64Array.from(odd))
      assert.equal(bytes[0], DELTA_OF_DELTA_MODES.raw, `raw mode for ${odd}`)
    }
  })

  it('handles empty and single-value chunks', () => {
    assert.equal(roundTrip(new Float64Array(0)).length, 2)
    assert.equal(roundTrip(Float64Array.of(START_US)).length, 10)
  })

  it('regular 10 s intervals cost a few bytes per chunk in the runs mode (100,000 values)', () => {
    const values = regular(100_000, 10_000_000)
    const bytes = roundTrip(values)
    // mode, count, first value, run count, (step, 1), (0, 99,999): 22 bytes for the whole chunk.
    assert.ok(bytes.length <= 24, `${bytes.length} bytes`)
    assert.equal(bytes[0], DELTA_OF_DELTA_MODES.runs)
    // The varint alternative spends a whole byte per zero delta-of-delta: five times the budget.
    assert.ok(naiveVarintBytes(values) / values.length >= 1)
  })

  it('series sorted one after another (the order a flush writes) cost a few bytes per series in the runs mode', () => {
    // 100 series of 90 rows at 10 s: per series a jump back and a return to the step, then 88 zero deltas-of-delta.
    const values = Float64Array.from({ length: 9000 }, (_, i) => START_US + (i % 90) * 10_000_000 + Math.floor(i / 90))
    const bytes = roundTrip(values)
    assert.equal(bytes[0], DELTA_OF_DELTA_MODES.runs)
    // Per series two runs of one wide delta-of-delta (~6 bytes each) and a run of zeros (2 bytes): 14 bytes, where
    // the buckets spend 88 bits on the zeros alone.
    assert.ok(bytes.length <= 100 * 16, `${bytes.length} bytes`)
  })

  it('pins the runs layout: mode 3, count, first value, run count, then zigzag(delta-of-delta) and length per run', () => {
    const values = regular(200, 10)
    // deltas-of-delta 10 once, then 0 198 times: 2 runs, zigzag 20 × 1 and 0 × 198 (LEB128 0xc6 0x01): 6 bytes
    // after the first value where the buckets take 26.
    const first = [...new Uint8Array(Float64Array.of(START_US).buffer)]
    assert.deepEqual([...encodeDeltaOfDelta(values)], [3, 0xc8, 0x01, ...first, 2, 20, 1, 0, 0xc6, 0x01])
    assertSameBits(decodeDeltaOfDelta(encodeDeltaOfDelta(values)), values)
  })

  it('jittered and out-of-order timestamps stay far below 8 bytes per value (seeded)', () => {
    const random = seededRandom(42)
    const jittered = regular(100_000, 10_000_000).map((t) => t + Math.floor(random() * 2000) - 1000)
    const jitteredBytes = roundTrip(jittered)
    assert.ok(bytesPerValue(jitteredBytes, jittered.length) <= 2.1, `${bytesPerValue(jitteredBytes, jittered.length)}`)
    // Heavy jitter (±1 ms in µs) pushes deltas-of-deltas past the 12-bit bucket: the chunk measures both and
    // takes the varint body, never worse than the naive varint.
    assert.equal(jitteredBytes[0], DELTA_OF_DELTA_MODES.varint)
    assert.ok(jitteredBytes.length <= naiveVarintBytes(jittered) + 4)
    const lightJitter = regular(100_000, 10_000_000).map((t) => t + Math.floor(random() * 200) - 100)
    const lightBytes = roundTrip(lightJitter)
    assert.equal(lightBytes[0], DELTA_OF_DELTA_MODES.buckets)
    assert.ok(lightBytes.length < naiveVarintBytes(lightJitter), 'buckets beat the varint on light jitter')
    const shuffled = regular(10_000, 1_000_000)
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const swap = shuffled[i]!
      shuffled[i] = shuffled[j]!
      shuffled[j] = swap
    }
    assert.ok(bytesPerValue(roundTrip(shuffled), shuffled.length) <= 8)
  })

  it('pins the layout: mode, count, first value, then one 0 bit per zero delta-of-delta', () => {
    const bytes = encodeDeltaOfDelta(Float64Array.of(100, 110, 120, 130))
    // mode 0, count 4, f64 100, then buckets: dod 10 → '10' + 0010100, then '0', '0', padded: 10001010 0000 0000.
    const expected = [0, 4, 0, 0, 0, 0, 0, 0, 0x59, 0x40, 0b10001010, 0b00000000]
    assert.deepEqual([...bytes], expected)
  })

  it('pins the varint layout: mode 2, count, first value, LEB128 of zigzag(delta-of-delta)', () => {
    // Deltas 5000, 1000, 9000 → deltas-of-deltas 5000, -4000, 8000: zigzag 10000, 7999, 16000 (2 varint bytes each,
    // 6 bytes) beat the buckets (24 + 15 + 24 bits = 8 bytes).
    const bytes = encodeDeltaOfDelta(Float64Array.of(0, 5000, 6000, 15000))
    assert.deepEqual([...bytes], [2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 0x4e, 0xbf, 0x3e, 0x80, 0x7d])
    assertSameBits(decodeDeltaOfDelta(bytes), Float64Array.of(0, 5000, 6000, 15000))
  })

  it('reuses a scratch writer across chunks', () => {
    const scratch = new ByteWriter(1)
    const a = encodeDeltaOfDelta(regular(1000, 1), scratch)
    const b = encodeDeltaOfDelta(regular(10, 7), scratch)
    assertSameBits(decodeDeltaOfDelta(a), regular(1000, 1))
    assertSameBits(decodeDeltaOfDelta(b), regular(10, 7))
  })

  it('truncated, extended or unknown-mode payloads throw ChunkCorruptError', () => {
    const bytes = encodeDeltaOfDelta(regular(1000, 10))
    assert.throws(() => decodeDeltaOfDelta(bytes.subarray(0, bytes.length - 1)), ChunkCorruptError)
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.from([...bytes, 0])), ChunkCorruptError)
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.from([7, ...bytes.subarray(1)])), ChunkCorruptError)
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.of(0, 0xff, 0xff, 0xff, 0x7f)), ChunkCorruptError)
    // runs mode: a run past the count, an empty run, runs that cover too few values
    const first = [...new Uint8Array(Float64Array.of(START_US).buffer)]
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.of(3, 3, ...first, 1, 0, 5)), ChunkCorruptError)
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.of(3, 3, ...first, 2, 0, 0, 0, 2)), ChunkCorruptError)
    assert.throws(() => decodeDeltaOfDelta(Uint8Array.of(3, 3, ...first, 1, 0, 1)), ChunkCorruptError)
  })
})
