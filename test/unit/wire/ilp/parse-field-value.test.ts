// Goal: every float spelling line protocol accepts parses to exactly the double JavaScript's Number(text) gives (the
// correctly rounded one), through the plain-float fast path and the general path alike, and every spelling it
// refuses stays refused. Method: fast-check decimal strings built from parts (sign, integer and fraction digits with
// leading zeros, '.', exponent), weighted to the fast path's edges (15, 16 and 17 digits; '.5', '5.', '-0'), parsed
// as a field value by a fresh LineParser and compared with Number(text) by Object.is; acceptance against the grammar.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LineParser } from '../../../../wire/ilp/line-parser.js'

/** Line protocol's float grammar: digits with an optional '.', at least one digit, an optional exponent. */
const FLOAT_SYNTAX = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function parsedFloat(parser: LineParser, text: string): number | string {
  const buf = Buffer.from(`m f=${text}`)
  const result = parser.parse(buf, 0, buf.length, 0)
  if (result !== 'LineParsed') return `${result} ${parser.errorCode} ${parser.errorColumn}`
  parser.line.fillFields()
  assert.equal(parser.line.fieldKinds[0], 'float', text)
  return parser.line.fieldNumbers[0]!
}

function expected(text: string): number | string {
  const value = Number(text)
  return FLOAT_SYNTAX.test(text) && Number.isFinite(value) ? value : 'LineError BadFieldValue 5'
}

const digits = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength, maxLength }).map((chars) => chars.join(''))
const digitCount = fc.oneof(fc.constantFrom(0, 1, 14, 15, 16, 17), fc.integer({ min: 0, max: 25 }))
const decimal = fc.record({
  sign: fc.constantFrom('', '', '-', '+'),
  zeros: fc.constantFrom('', '', '0', '000'),
  integer: digitCount.chain((n) => digits(n, n)),
  dot: fc.constantFrom('.', '.', ''),
  fraction: digitCount.chain((n) => digits(n, n)),
  exponent: fc.oneof(fc.constant(''), fc.constant(''), fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), digits(0, 4)).map((p) => p.join(''))),
}).map((p) => p.sign + p.zeros + p.integer + p.dot + p.fraction + p.exponent)

describe('wire/ilp/parse-field-value', () => {
  it('parses every float spelling to the double Number(text) gives, and refuses what the grammar refuses', () => {
    const parser = new LineParser('ns')
    fc.assert(fc.property(decimal, (text) => {
      assert.ok(Object.is(parsedFloat(parser, text), expected(text)), `${text}: ${parsedFloat(parser, text)} vs ${expected(text)}`)
    }), { numRuns: 50_000 })
  })

  it('parses random doubles printed at every precision exactly', () => {
    const parser = new LineParser('ns')
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (value, places) => {
      for (const text of [String(value), value.toFixed(places), Math.abs(value) < 1e21 ? value.toFixed(Math.min(places, 17)) : '']) {
        if (text === '' || text.includes('e+') || !FLOAT_SYNTAX.test(text)) continue
        assert.ok(Object.is(parsedFloat(parser, text), Number(text)), text)
      }
    }), { numRuns: 20_000 })
  })

  it('keeps the edges of the fast path', () => {
    const parser = new LineParser('ns')
    for (const text of ['-0', '0', '.5', '5.', '-.5', '-5.', '.', '-', '-.', '999999999999999', '9999999999999999', '99999999999999999',
      '0.000000000000001', '0000000000000001.5', '123456789012345.6', '1234567890.12345', '9007199254740993', '0.1', '0.3',
      '1.7976931348623157e308', '1e309', '5e-324', '1e-400', '4.35']) {
      assert.ok(Object.is(parsedFloat(parser, text), expected(text)), text)
    }
  })
})
