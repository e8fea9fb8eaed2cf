// Goal: compareCodePoints orders strings as PostgreSQL's C collation does — by UTF-8 bytes, i.e. code points — not as
// JavaScript's UTF-16 code units do. Method: fast-check strings over the whole Unicode range (lone surrogates excluded:
// a text value never holds one) against Buffer.compare of their UTF-8 encodings.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { compareCodePoints } from '../../../src/common/text-order.js'

const sign = (n: number): number => Math.sign(n)

describe('text-order: code point order', function () {
  it('agrees with UTF-8 byte order on random strings, near the surrogate and private-use ranges above all', function () {
    const char = fc.oneof(
      fc.constantFrom(0x61, 0x7f, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff),
      fc.integer({ min: 0, max: 0xd7ff }),
      fc.integer({ min: 0xe000, max: 0x10ffff }),
    ).map((code) => String.fromCodePoint(code))
    const text = fc.array(char, { maxLength: 6 }).map((chars) => chars.join(''))
    fc.assert(fc.property(text, text, (x, y) => {
      assert.equal(sign(compareCodePoints(x, y)), sign(Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'))), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`)
    }), { numRuns: 20_000, seed: 20261207 })
  })

  it('differs from JavaScript\'s own order exactly where a surrogate pair meets U+E000–U+FFFF', function () {
    assert.ok('\u{1F600}' < '\uFFFD')
    assert.ok(compareCodePoints('\u{1F600}', '\uFFFD') > 0)
    assert.ok(compareCodePoints('ab', 'ab\u{1F600}') < 0)
    assert.equal(compareCodePoints('\u{1F600}', '\u{1F600}'), 0)
  })
})
