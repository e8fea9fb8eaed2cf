// test/unit/wire/codecs: text and binary output of SqlValues. Method: vectors written down from PostgreSQL 15's
// output (extra_float_digits=1, DateStyle ISO, IntervalStyle postgres, TimeZone UTC); binary checked byte by byte.
import { strict as assert } from 'node:assert'
import type { SqlValue } from '../../../sql/api.js'
import { encodeValue } from '../../../wire/pg/codecs/value-codec.js'

const DAY_US = 86_400_000_000
const JAN_1_2024_US = 1_704_067_200_000_000

function text(value: SqlValue, typeOid: number): string | Uint8Array | null {
  return encodeValue(value, typeOid, 0)
}

function hex(value: SqlValue, typeOid: number): string {
  const bytes = encodeValue(value, typeOid, 1)
  assert.ok(bytes instanceof Uint8Array)
  return Buffer.from(bytes).toString('hex')
}

describe('wire/pg/codecs: dates and times', () => {
  it('timestamptz and timestamp: fraction only when nonzero, trailing zeros trimmed', () => {
    const vectors: Array<[number, string]> = [
      [0, '1970-01-01 00:00:00'],
      [JAN_1_2024_US, '2024-01-01 00:00:00'],
      [JAN_1_2024_US + 500_000, '2024-01-01 00:00:00.5'],
      [JAN_1_2024_US + 20_123_000, '2024-01-01 00:00:20.123'],
      [JAN_1_2024_US + 1, '2024-01-01 00:00:00.000001'],
      [JAN_1_2024_US + DAY_US + 3_723_456_780, '2024-01-02 01:02:03.45678'],
      [-1, '1969-12-31 23:59:59.999999'],
    ]
    for (const [us, expected] of vectors) {
      assert.equal(text(us, 1184), `${expected}+00`)
      assert.equal(text(us, 1114), expected)
    }
    assert.equal(text(-62_167_219_200_000_000, 1184), '0001-01-01 00:00:00+00 BC')
    assert.equal(text(Infinity, 1184), 'infinity')
    assert.equal(text(null, 1184), null)
  })

  it('date and interval', () => {
    assert.equal(text(19_724, 1082), '2024-01-02')
    assert.equal(text(0, 1082), '1970-01-01')
    const iv = (months: number, days: number, us: number): { months: number; days: number; us: number } => ({ months, days, us })
    const intervals: Array<[ReturnType<typeof iv>, string]> = [
      [iv(0, 0, 3_723_000_000), '01:02:03'], [iv(0, 1, 7_200_000_000), '1 day 02:00:00'], [iv(0, 1, 0), '1 day'], [iv(0, 2, 0), '2 days'],
      [iv(0, 0, 0), '00:00:00'], [iv(0, 0, -3_600_000_000), '-01:00:00'], [iv(0, -1, -3_600_000_000), '-1 days -01:00:00'],
      [iv(0, 0, 1_500_000), '00:00:01.5'], [iv(0, 0, 100 * 3_600_000_000), '100:00:00'], [iv(14, 3, 0), '1 year 2 mons 3 days'],
      [iv(0, -1, 7_200_000_000), '-1 days +02:00:00'],
    ]
    for (const [value, expected] of intervals) assert.equal(text(value, 1186), expected, JSON.stringify(value))
  })

})

describe('wire/pg/codecs: numbers', () => {
  it('float8: shortest round-trip digits, exponent form below 1e-4 and from 1e15, two exponent digits at least', () => {
    const vectors: Array<[number, string]> = [
      [1e-7, '1e-07'], [1e21, '1e+21'], [1e15, '1e+15'], [1e14, '100000000000000'], [0.0001, '0.0001'], [0.00001, '1e-05'],
      [0.1, '0.1'], [1.5, '1.5'], [-2.5, '-2.5'], [-0, '-0'], [0, '0'], [123456789.125, '123456789.125'],
      [1.2345e-10, '1.2345e-10'], [1e100, '1e+100'], [Number.MAX_VALUE, '1.7976931348623157e+308'], [0.1 + 0.2, '0.30000000000000004'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    ]
    for (const [value, expected] of vectors) assert.equal(text(value, 701), expected, String(value))
  })

  it('float4: shortest digits of the single-precision value, exponent form from 1e6', () => {
    const vectors: Array<[number, string]> = [
      [0.1, '0.1'], [1.1, '1.1'], [123456, '123456'], [1e6, '1e+06'], [1234567, '1.234567e+06'], [3.4028235e38, '3.4028235e+38'],
      [0.00001, '1e-05'], [NaN, 'NaN'], [-Infinity, '-Infinity'],
    ]
    for (const [value, expected] of vectors) assert.equal(text(value, 700), expected, String(value))
  })

  it('bool, integers, numeric, text', () => {
    assert.deepEqual([text(true, 16), text(false, 16)], ['t', 'f'])
    assert.equal(text(9_007_199_254_740_993n, 20), '9007199254740993')
    assert.equal(text(-42, 23), '-42')
    assert.equal(text('1.50', 1700), '1.50')
    assert.equal(text(1e21, 1700), '1000000000000000000000')
    assert.equal(text(2.5, 1700), '2.5')
    assert.equal(text('héllo', 25), 'héllo')
  })

  it('binary: bool, int2/4/8, float4/8, timestamptz (µs since 2000-01-01), date, text', () => {
    assert.equal(hex(true, 16), '01')
    assert.equal(hex(-2, 21), 'fffe')
    assert.equal(hex(1, 23), '00000001')
    assert.equal(hex(-1n, 20), 'ffffffffffffffff')
    assert.equal(hex(1.5, 701), '3ff8000000000000')
    assert.equal(hex(1.5, 700), '3fc00000')
    assert.equal(hex(946_684_800_000_000, 1184), '0000000000000000')
    assert.equal(hex(946_684_800_000_001, 1114), '0000000000000001')
    assert.equal(hex(10_957, 1082), '00000000')
    assert.equal(hex({ months: 14, days: 3, us: 1 }, 1186), '0000000000000001000000030000000e')
    assert.equal(hex('hé', 25), '68c3a9')
    // numeric_send: ndigits, weight, sign, dscale, base-10000 digits (the real server's bytes are compared in
    // test/integration/sessions-binary.test.ts); text[] is array_send's layout; regclass (printed as a name) has none.
    assert.equal(hex('1.5', 1700), '000200000000000100011388')
    assert.equal(hex('{a,NULL}', 1009), '00000001000000010000001900000002000000010000000161ffffffff')
    assert.throws(() => encodeValue('pg_class', 2205, 1), { code: '0A000' })
  })
})

describe('wire/pg/codecs: float8 text fast path', () => {
  // Goal: the Number#toString fast path for 1e-4 ≤ |x| < 1e15 prints exactly what the exponent layout prints.
  // Method: seeded doubles across the range's decades, compared with the general layout of toExponential().
  it('agrees with the exponent layout across the fixed-notation range', async () => {
    const { splitExponential, layoutFixed, encodeFloat8Text } = await import('../../../src/common/float-text.js')
    const { seededRandom } = await import('../../helpers/random.js')
    const random = seededRandom(7)
    for (let i = 0; i < 50_000; i++) {
      const value = (random() < 0.5 ? -1 : 1) * random() * 10 ** (Math.floor(random() * 19) - 4)
      if (!(Math.abs(value) >= 1e-4 && Math.abs(value) < 1e15)) continue
      const { digits, exponent } = splitExponential(Math.abs(value).toExponential())
      assert.equal(encodeFloat8Text(value), (value < 0 ? '-' : '') + layoutFixed(digits, exponent), String(value))
    }
  })
})
