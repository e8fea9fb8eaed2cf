// Goal: numeric's binary form (sql/expr/numeric-binary.ts) loses nothing: decode(encode(x)) is x's canonical text
// for any sign, digit count and scale, and a few hand-checked layouts pin the header fields. Method: fast-check over
// generated decimal strings against a naive normalizer (the byte-exact comparison with PostgreSQL is in
// test/integration/sessions-binary.test.ts).
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeNumericBinary, encodeNumericBinary } from '../../../../sql/expr/numeric-binary.js'

/** What PostgreSQL prints for a decimal literal: no leading zeros, the scale kept, no minus on zero. */
function canonical(sign: string, intDigits: string, fracDigits: string): string {
  const intPart = intDigits.replace(/^0+/, '') || '0'
  const isZero = /^0*$/.test(intDigits + fracDigits)
  return `${sign === '-' && !isZero ? '-' : ''}${intPart}${fracDigits === '' ? '' : `.${fracDigits}`}`
}

describe('sql/expr/numeric-binary', () => {
  it('decode(encode(x)) is x in canonical form', () => {
    const digits = (max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max })
    fc.assert(fc.property(fc.constantFrom('', '-', '+'), digits(40), digits(40), (sign, intDigits, fracDigits) => {
      const text = `${sign}${intDigits || '0'}${fracDigits === '' ? '' : `.${fracDigits}`}`
      assert.equal(decodeNumericBinary(encodeNumericBinary(text)), canonical(sign, intDigits, fracDigits))
    }), { numRuns: 2000 })
  })

  it('lays out ndigits, weight, sign and dscale as numeric_send', () => {
    const hex = (text: string): string => Buffer.from(encodeNumericBinary(text)).toString('hex')
    assert.equal(hex('0'), '0000000000000000')
    // -12345.678: digits 0001 2345 6780, weight 1, NUMERIC_NEG, dscale 3.
    assert.equal(hex('-12345.678'), '00030001400000030001' + '0929' + '1a7c')
    assert.equal(hex('0.0001'), '0001ffff000000040001')
    assert.equal(hex('1e3'), '0001000000000000' + '03e8')
    assert.equal(hex('NaN'), '00000000c0000000')
    assert.equal(decodeNumericBinary(Buffer.from('000300014000000300010929' + '1a7c', 'hex')), '-12345.678')
  })
})
