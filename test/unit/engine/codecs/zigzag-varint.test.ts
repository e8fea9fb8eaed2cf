// Goal: int64 chunks round-trip exactly for every int64 (including ±2^63 neighbours, where deltas wrap), and the
// word-pair arithmetic matches a naive BigInt reference byte for byte. Method: fast-check against the reference;
// sizes on fixed seeded inputs.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import {
  decodeZigzagVarint, encodeZigzagVarint,
} from '../../../../engine/timeseries/codecs/zigzag-varint.js'
import { assertSameBits, bytesPerValue, seededRandom } from './codec-test-kit.js'

const MIN = -(2n ** 63n)
const MAX = 2n ** 63n - 1n

/** The naive reference: BigInt delta mod 2^64, zigzag, LEB128, after [mode 0][varuint count]. */
function referenceEncode(values: BigInt64Array): number[] {
  const bytes = [0]
  const pushVarint = (value: bigint): void => {
    let rest = value
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80)
      rest >>= 7n
    }
    bytes.push(Number(rest))
  }
  pushVarint(BigInt(values.length))
  let previous = 0n
  for (const value of values) {
    const delta = BigInt.asIntN(64, value - previous)
    pushVarint(BigInt.asUintN(64, (delta << 1n) ^ (delta >> 63n)))
    previous = value
  }
  return bytes
}

const int64Arrays = fc.oneof(
  fc.bigInt64Array({ maxLength: 200 }),
  fc.array(fc.constantFrom(MIN, MAX, 0n, -1n, 1n, MIN + 1n, MAX - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 32n, -(2n ** 31n)),
    { maxLength: 60 }).map((values) => BigInt64Array.from(values)),
  fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 300 }).map((steps) => {
    let value = 1_000_000n
    return BigInt64Array.from(steps, (step) => (value += BigInt(step)))
  }),
)

describe('engine/timeseries/codecs zigzag-varint', () => {
  it('round-trips any int64s and matches the BigInt reference byte for byte', () => {
    fc.assert(fc.property(int64Arrays, (values) => {
      const bytes = encodeZigzagVarint(values)
      assert.deepEqual([...bytes], referenceEncode(values))
      assertSameBits(decodeZigzagVarint(bytes), values)
    }), { numRuns: 400 })
  })

  it('handles empty and single-value chunks, and wrapping deltas at the extremes', () => {
    for (const values of [[], [0n], [MIN], [MAX], [MIN, MAX, MIN], [MAX, MIN, 0n, MAX]]) {
      const array = BigInt64Array.from(values)
      assertSameBits(decodeZigzagVarint(encodeZigzagVarint(array)), array)
    }
    assert.equal(encodeZigzagVarint(BigInt64Array.of(MIN, MAX)).length, 2 + 10 + 1)
  })

  it('counters and small-step series cost 1-2 bytes per value (seeded)', () => {
    const random = seededRandom(5)
    const counter = new BigInt64Array(100_000)
    let value = 10_000_000_000n
    for (let i = 0; i < counter.length; i++) counter[i] = value += BigInt(Math.floor(random() * 100))
    const counterBytes = encodeZigzagVarint(counter)
    assertSameBits(decodeZigzagVarint(counterBytes), counter)
    assert.ok(bytesPerValue(counterBytes, counter.length) <= 2, `${bytesPerValue(counterBytes, counter.length)}`)
    const gauge = new BigInt64Array(100_000)
    for (let i = 0; i < gauge.length; i++) gauge[i] = BigInt(Math.floor(random() * 60) - 30)
    const gaugeBytes = encodeZigzagVarint(gauge)
    assert.ok(bytesPerValue(gaugeBytes, gauge.length) <= 1, `${bytesPerValue(gaugeBytes, gauge.length)}`)
  })

  it('truncated, extended, overlong or unknown-mode payloads throw ChunkCorruptError', () => {
    const bytes = encodeZigzagVarint(BigInt64Array.of(1n, MAX, 3n))
    assert.throws(() => decodeZigzagVarint(bytes.subarray(0, bytes.length - 1)), ChunkCorruptError)
    assert.throws(() => decodeZigzagVarint(Uint8Array.from([...bytes, 0])), ChunkCorruptError)
    assert.throws(() => decodeZigzagVarint(Uint8Array.from([1, ...bytes.subarray(1)])), ChunkCorruptError)
    assert.throws(() => decodeZigzagVarint(Uint8Array.of(0, 1, ...new Array<number>(11).fill(0x80), 0)), ChunkCorruptError)
    assert.throws(() => decodeZigzagVarint(Uint8Array.of(0, 5, 1)), ChunkCorruptError)
  })
})
