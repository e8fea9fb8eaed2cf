// Goal: writeShortFloat8Text (src/common/float-text.ts), the string-free float8 text the DataRow encoder writes, is
// encodeFloat8Text's text byte for byte whenever it answers, and answers for the values metrics carry (a few
// decimals). Method: a seeded sweep of decimals with 0–8 fraction digits, random doubles of every magnitude and the
// edges of its range, each compared with the string path (itself pinned to PostgreSQL by test/differential and
// test/integration/datarow-batch.test.ts).
import assert from 'node:assert/strict'
import { encodeFloat8Text, writeShortFloat8Text } from '../../../src/common/float-text.js'

function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

/** The short form's text, or null when it declines. */
function shortText(value: number): string | null {
  const out = Buffer.alloc(24)
  const byteCount = writeShortFloat8Text(out, 0, value)
  return byteCount === 0 ? null : out.toString('latin1', 0, byteCount)
}

describe('src/common/float-text: writeShortFloat8Text', function () {
  it('writes exactly encodeFloat8Text whenever it answers (seed 7)', function () {
    const random = seeded(7)
    const values: number[] = [0.1 + 0.2, 1e-4, 0.0001234, 9.999999999999999e14, 999999999999999.9, 123456789.12345678, 1e15 - 1,
      0.5, 100, 1e14, 2 ** 53, 5e-324, 1.7976931348623157e308, 0.00009999, 58.03, -0.07, 1 / 3, 2 / 3]
    for (let i = 0; i < 200_000; i++) {
      const digits = Math.floor(random() * 9)
      const magnitude = 10 ** Math.floor(random() * 20 - 5)
      values.push(Math.round(random() * magnitude * 10 ** digits) / 10 ** digits * (random() < 0.5 ? -1 : 1))
      values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20))
    }
    let answeredCount = 0
    for (const value of values) {
      const text = shortText(value)
      if (text === null) continue
      answeredCount++
      assert.equal(text, encodeFloat8Text(value), String(value))
    }
    assert.ok(answeredCount > values.length / 4, `answered ${answeredCount} of ${values.length}`)
  })

  it('writes every hundredth in ±1000 and around the int32 boundary of its digit loop as encodeFloat8Text does', function () {
    // Two decimals take an int32 path up to 2^31 − 1 hundredths and the double one above: both sides of it here.
    const values: number[] = []
    for (let scaled = -100_000; scaled <= 100_000; scaled++) values.push(scaled / 100)
    for (let scaled = 2 ** 31 - 300; scaled <= 2 ** 31 + 300; scaled++) values.push(scaled / 100, -scaled / 100)
    for (const value of values) {
      if (value === 0) continue
      assert.equal(shortText(value), encodeFloat8Text(value), String(value))
    }
  })

  it('answers exactly when, and as, the plain search over k = 0…8 does (its two-decimals-first shortcut changes nothing; seed 11)', function () {
    // The reference: the smallest k ≤ 8 with round(|v|·10^k) / 10^k === |v| and round(|v|·10^k) < 10^15.
    const reference = (value: number): string | null => {
      const magnitude = Math.abs(value)
      if (!(magnitude >= 1e-4 && magnitude < 1e15)) return null
      for (let k = 0; k <= 8; k++) {
        const scaled = Math.round(magnitude * 10 ** k)
        if (scaled >= 1e15) return null
        if (scaled / 10 ** k === magnitude) return encodeFloat8Text(value)
      }
      return null
    }
    const random = seeded(11)
    for (let i = 0; i < 300_000; i++) {
      const digits = Math.floor(random() * 10)
      const value = Math.round(random() * 10 ** Math.floor(random() * 18 - 4) * 10 ** digits) / 10 ** digits * (random() < 0.5 ? -1 : 1)
      assert.equal(shortText(value), reference(value), String(value))
    }
  })

  it('answers for values with up to 8 decimals, declines NaN, infinities, zero and magnitudes out of fixed notation', function () {
    for (const value of [58.03, -0.07, 100, 0.0001, 12345.678, 0.12345678]) assert.equal(shortText(value), encodeFloat8Text(value), String(value))
    for (const value of [Number.NaN, Infinity, -Infinity, 0, -0, 1e15, 0.00009, 1 / 3, 1e-9]) assert.equal(shortText(value), null, String(value))
  })
})
