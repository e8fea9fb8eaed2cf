// Goal: text chunks round-trip exactly (any Unicode, empty strings, NULLs), low-cardinality chunks take the
// dictionary mode and high-cardinality ones the plain mode. Method: fast-check round trips; seeded size checks.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { AssertionError } from '../../../../src/common/assert.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'
import { TEXT_MODES, decodeText, encodeText } from '../../../../engine/timeseries/codecs/text.js'
import { seededRandom } from './codec-test-kit.js'

const texts = fc.oneof(
  fc.array(fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: null }), { maxLength: 200 }),
  fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 5 }).chain((pool) =>
    fc.array(fc.option(fc.constantFrom(...pool), { nil: null }), { maxLength: 300 })),
  fc.array(fc.constantFrom('', null), { maxLength: 20 }),
)

describe('engine/timeseries/codecs text', () => {
  it('round-trips any texts and NULLs in either mode', () => {
    fc.assert(fc.property(texts, (values) => {
      assert.deepEqual(decodeText(encodeText(values)), values)
    }), { numRuns: 300 })
  })

  it('handles empty and single-value chunks', () => {
    for (const values of [[], [null], [''], ['é'], ['😀']]) assert.deepEqual(decodeText(encodeText(values)), values)
  })

  it('uses the dictionary for low cardinality and plain UTF-8 for unique values (seeded)', () => {
    const random = seededRandom(3)
    const levels = ['debug', 'info', 'warning', 'error']
    const logs = Array.from({ length: 10_000 }, () => levels[Math.floor(random() * levels.length)]!)
    const logBytes = encodeText(logs)
    assert.equal(logBytes[0], TEXT_MODES.dictionary)
    // 4 symbols + NULL need 3 bits per id.
    assert.ok(logBytes.length <= 10_000 * 0.38, `${logBytes.length} bytes`)
    const unique = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? null : `request-${i}-${random()}`))
    const uniqueBytes = encodeText(unique)
    assert.equal(uniqueBytes[0], TEXT_MODES.plain)
    assert.deepEqual(decodeText(uniqueBytes), unique)
  })

  it('pins the plain layout: mode, count, null bitmap, length-prefixed UTF-8', () => {
    assert.deepEqual([...encodeText(['a', null, 'é'])], [0, 3, 1, 0b010, 1, 97, 2, 0xc3, 0xa9])
  })

  it('lone surrogates are programmer errors; invalid UTF-8 and short payloads are corrupt', () => {
    assert.throws(() => encodeText(['ok', 'x\udc00']), AssertionError)
    assert.throws(() => decodeText(Uint8Array.of(0, 1, 0, 2, 0xc3, 0x28)), ChunkCorruptError)
    assert.throws(() => decodeText(Uint8Array.of(0, 3, 0, 1, 97)), ChunkCorruptError)
    assert.throws(() => decodeText(Uint8Array.of(5)), ChunkCorruptError)
  })
})
