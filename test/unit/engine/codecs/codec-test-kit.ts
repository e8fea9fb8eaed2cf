// Shared by the codec tests: a seeded PRNG (sizes asserted on fixed inputs must not vary between runs), bit-exact
// comparisons of typed arrays, and fast-check arbitraries that reach every bit pattern. Not a test file itself.
import assert from 'node:assert/strict'
import fc from 'fast-check'

export { seededRandom } from '../../../helpers/random.js'

function bytesOf(array: Float64Array | BigInt64Array | Uint8Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/** Asserts that two typed arrays hold the same bytes (NaN payloads and -0 included). */
export function assertSameBits(actual: Float64Array | BigInt64Array | Uint8Array | Int32Array,
  expected: Float64Array | BigInt64Array | Uint8Array | Int32Array): void {
  assert.equal(actual.constructor, expected.constructor, 'typed array type')
  assert.equal(actual.length, expected.length, 'length')
  assert.ok(Buffer.from(bytesOf(actual)).equals(Buffer.from(bytesOf(expected))), 'same bytes')
}

/** Float64Arrays from raw bytes: every bit pattern, including NaNs with payloads and signalling NaNs. */
export const anyBitsFloat64Array = fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
  { maxLength: 200 }).map((pairs) => {
  const words = new Uint32Array(pairs.length * 2)
  pairs.forEach(([low, high], i) => {
    words[2 * i] = low
    words[2 * i + 1] = high
  })
  return new Float64Array(words.buffer)
})

const SPECIAL_FLOATS = [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE,
  -Number.MAX_VALUE, Number.EPSILON, 2 ** 53, -(2 ** 53), 0.1, 1 / 3]

/** Float64Arrays mixing ordinary doubles, special values and short decimals (which take the decimal mode). */
export const floatArrays = fc.oneof(
  fc.float64Array({ maxLength: 200 }),
  anyBitsFloat64Array,
  fc.array(fc.constantFrom(...SPECIAL_FLOATS), { maxLength: 50 }).map((values) => Float64Array.from(values)),
  fc.array(fc.oneof(fc.integer({ min: -100_000, max: 100_000 }).map((k) => k / 100), fc.constantFrom(...SPECIAL_FLOATS)),
    { maxLength: 300 }).map((values) => Float64Array.from(values)),
)

/** Bytes per value of an encoding, rounded to 3 decimals for readable failures. */
export function bytesPerValue(bytes: Uint8Array, count: number): number {
  return Math.round((bytes.length / count) * 1000) / 1000
}
