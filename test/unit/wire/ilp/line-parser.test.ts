// Goal: every escaping rule, value type and error of InfluxDB line protocol (v2/v3 "Line protocol reference")
// parses as the reference says, and a bad line is reported with its line, byte column and code, then skipped.
// Method: tables of literal lines with the expected row or error, run through parseLines with ns precision.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { IlpError } from '../../../../wire/ilp/ilp-error.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import type { IlpPrecision } from '../../../../wire/ilp/ilp-precision.js'
import { type Row, type RowValue, boolean, float, integer, rowsOf, string, unsigned } from './ilp-rows.js'

const NOW_US = 777

function parseOne(text: string | Buffer): { rows: Row[]; errors: IlpError[] } {
  const input = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  const result = parseLines(input, { precision: 'ns', nowUs: NOW_US })
  return { rows: rowsOf(result.batches), errors: result.errors }
}

function row(measurement: string, tags: Record<string, string>, fields: Record<string, RowValue>, timestampUs = NOW_US): Row {
  return { measurement, timestampUs, tags, fields }
}

const accepted: ReadonlyArray<readonly [string, Row]> = [
  // Field types: bare numbers are floats.
  ['m f=1', row('m', {}, { f: float(1) })],
  ['m f=1.5', row('m', {}, { f: float(1.5) })],
  ['m f=-1e-3', row('m', {}, { f: float(-0.001) })],
  ['m f=1E10', row('m', {}, { f: float(1e10) })],
  ['m f=1.e+78', row('m', {}, { f: float(1e78) })],
  ['m f=.5', row('m', {}, { f: float(0.5) })],
  ['m f=-0', row('m', {}, { f: float(-0) })],
  ['m f=0.1', row('m', {}, { f: float(0.1) })],
  ['m f=58.123456789', row('m', {}, { f: float(58.123456789) })],
  ['m f=12345678901234567890', row('m', {}, { f: float(12345678901234567890) })],
  ['m f=1.7976931348623157e308', row('m', {}, { f: float(1.7976931348623157e308) })],
  ['m f=5e-324', row('m', {}, { f: float(5e-324) })],
  ['m f=0.000000000000000000000000001', row('m', {}, { f: float(1e-27) })],
  ['m i=12i', row('m', {}, { i: integer(12n) })],
  ['m i=-12i', row('m', {}, { i: integer(-12n) })],
  ['m i=0i', row('m', {}, { i: integer(0n) })],
  ['m i=9223372036854775807i', row('m', {}, { i: integer(9223372036854775807n) })],
  ['m i=-9223372036854775808i', row('m', {}, { i: integer(-9223372036854775808n) })],
  ['m u=12u', row('m', {}, { u: unsigned(12n) })],
  ['m u=18446744073709551615u', row('m', {}, { u: unsigned(18446744073709551615n) })],
  ['m s="hello"', row('m', {}, { s: string('hello') })],
  ['m s=""', row('m', {}, { s: string('') })],
  ['m s="a\\"b"', row('m', {}, { s: string('a"b') })],
  ['m s="a\\\\b"', row('m', {}, { s: string('a\\b') })],
  ['m s="\\\\"', row('m', {}, { s: string('\\') })],
  ['m s="a\\nb"', row('m', {}, { s: string('a\\nb') })],
  ['m s="space, comma=equals"', row('m', {}, { s: string('space, comma=equals') })],
  ['m s="héllo 😀"', row('m', {}, { s: string('héllo 😀') })],
  ...['t', 'T', 'true', 'True', 'TRUE'].map((b) => [`m b=${b}`, row('m', {}, { b: boolean(true) })] as const),
  ...['f', 'F', 'false', 'False', 'FALSE'].map((b) => [`m b=${b}`, row('m', {}, { b: boolean(false) })] as const),
  ['m a=1,b=2i,c=3u,d="x",e=t', row('m', {}, { a: float(1), b: integer(2n), c: unsigned(3n), d: string('x'), e: boolean(true) })],
  // Measurement: ',' and ' ' are escaped; a backslash before anything else is literal.
  ['my\\ m f=1', row('my m', {}, { f: float(1) })],
  ['my\\,m f=1', row('my,m', {}, { f: float(1) })],
  ['m\\=x f=1', row('m\\=x', {}, { f: float(1) })],
  ['a=b f=1', row('a=b', {}, { f: float(1) })],
  ['m\\x f=1', row('m\\x', {}, { f: float(1) })],
  ['m\\\\ f=1', row('m\\\\', {}, { f: float(1) })],
  ['mé f=1', row('mé', {}, { f: float(1) })],
  // Tag keys, tag values and field keys: ',', '=' and ' ' are escaped.
  ['m,t\\ k=v\\ 1 f=1', row('m', { 't k': 'v 1' }, { f: float(1) })],
  ['m,t\\=k=v\\=1,u\\,k=x\\,y f=1', row('m', { 't=k': 'v=1', 'u,k': 'x,y' }, { f: float(1) })],
  ['m,t=a\\b f=1', row('m', { t: 'a\\b' }, { f: float(1) })],
  ['m,t=é,ü=1 f=1', row('m', { t: 'é', ü: '1' }, { f: float(1) })],
  ['m,t="q" f=1', row('m', { t: '"q"' }, { f: float(1) })],
  ['m f\\ k=1,f\\=k=2,f\\,k=3', row('m', {}, { 'f k': float(1), 'f=k': float(2), 'f,k': float(3) })],
  // Timestamps (ns → µs, truncated toward -∞), whitespace.
  ['m f=1 123', row('m', {}, { f: float(1) }, 0)],
  ['m f=1 -1', row('m', {}, { f: float(1) }, -1)],
  ['m f=1 1700000000000000123', row('m', {}, { f: float(1) }, 1700000000000000)],
  ['m f=1 -1700000000000000123', row('m', {}, { f: float(1) }, -1700000000000001)],
  ['  m f=1  ', row('m', {}, { f: float(1) })],
  ['\tm f=1\t', row('m', {}, { f: float(1) })],
  ['m,t=a  f=1   5000', row('m', { t: 'a' }, { f: float(1) }, 5)],
  ['m f=1 5000\r', row('m', {}, { f: float(1) }, 5)],
  // A key repeated in one line: the last value wins (InfluxDB's rule), whatever its type.
  ['m f=1,f=2', row('m', {}, { f: float(2) })],
  ['m f=1i,g=1,f="a"', row('m', {}, { f: string('a'), g: float(1) })],
]

const ERRORS: ReadonlyArray<readonly [string | Buffer, number, IlpError['code']]> = [
  ['m', 2, 'MissingFields'],
  ['m,t=a', 6, 'MissingFields'],
  ['m   ', 2, 'MissingFields'],
  [',t=a f=1', 1, 'MissingMeasurement'],
  [' f=1', 5, 'MissingFields'], // leading whitespace is skipped, so 'f=1' is the measurement
  ['m,t f=1', 4, 'BadTag'],
  ['m,=a f=1', 3, 'BadTag'],
  ['m,t= f=1', 5, 'BadTag'],
  ['m,t=a=b f=1', 6, 'BadTag'],
  ['m,t=a, f=1', 7, 'BadTag'],
  ['m,t=a,t=b f=1', 7, 'DuplicateTag'],
  ['m f', 4, 'BadFieldKey'],
  ['m =1', 3, 'BadFieldKey'],
  ['m f=1,', 7, 'BadFieldKey'],
  ['m f=1,,g=2', 7, 'BadFieldKey'],
  ['m f=', 5, 'BadFieldValue'],
  ['m f=,g=1', 5, 'BadFieldValue'],
  ['m f=abc', 5, 'BadFieldValue'],
  ['m f=tru', 5, 'BadFieldValue'],
  ['m f=1.2.3', 8, 'BadFieldValue'],
  ['m f=+1', 5, 'BadFieldValue'],
  ['m f=-', 5, 'BadFieldValue'],
  ['m f=1e', 5, 'BadFieldValue'],
  ['m f=NaN', 5, 'BadFieldValue'],
  ['m f=1e400', 5, 'BadFieldValue'],
  ['m f="a"b', 8, 'BadFieldValue'],
  ['m f=12i5', 8, 'BadFieldValue'],
  ['m f=12x', 7, 'BadTypeSuffix'],
  ['m f=1.5i', 8, 'BadTypeSuffix'],
  ['m f=1e3u', 8, 'BadTypeSuffix'],
  ['m f=12ii', 8, 'BadTypeSuffix'],
  ['m f=9223372036854775808i', 5, 'IntegerOverflow'],
  ['m f=-9223372036854775809i', 5, 'IntegerOverflow'],
  ['m f=18446744073709551616u', 5, 'IntegerOverflow'],
  ['m f=-1u', 5, 'IntegerOverflow'],
  ['m f="abc', 5, 'UnterminatedString'],
  ['m f="abc\\"', 5, 'UnterminatedString'],
  ['m f="abc\\', 5, 'UnterminatedString'],
  ['m\\', 2, 'BadEscape'],
  ['m,t=a\\', 6, 'BadEscape'],
  ['m,t\\', 4, 'BadEscape'],
  ['m f\\', 4, 'BadEscape'],
  ['m f=1 12a', 7, 'BadTimestamp'],
  ['m f=1 1.5', 7, 'BadTimestamp'],
  ['m f=1 1 2', 8, 'BadTimestamp'],
  ['m f=1 -', 7, 'BadTimestamp'],
  ['m f=1 9223372036854775807', 7, 'TimestampOutOfRange'],
  ['m f=1 99999999999999999999999', 7, 'TimestampOutOfRange'],
  [Buffer.from([0x6d, 0xff, 0x20, 0x66, 0x3d, 0x31]), 1, 'InvalidUtf8'],
  [Buffer.concat([Buffer.from('m,'), Buffer.from([0xc3]), Buffer.from('=a f=1')]), 3, 'InvalidUtf8'],
  [Buffer.concat([Buffer.from('m,t='), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(' f=1')]), 5, 'InvalidUtf8'],
  [Buffer.concat([Buffer.from('m '), Buffer.from([0x80]), Buffer.from('=1')]), 3, 'InvalidUtf8'],
  [Buffer.concat([Buffer.from('m f="'), Buffer.from([0xf8, 0x88]), Buffer.from('"')]), 5, 'InvalidUtf8'],
  ['m,t=a t=1', 7, 'TypeConflict'],
]

describe('wire/ilp/line-parser', function () {
  describe('accepts every escaping rule and value type', function () {
    for (const [line, expected] of accepted) {
      it(JSON.stringify(line), function () {
        const { rows, errors } = parseOne(line)
        assert.deepEqual(errors, [])
        assert.deepStrictEqual(rows, [expected])
      })
    }
  })

  describe('rejects a bad line with its line, column and code', function () {
    for (const [line, column, code] of ERRORS) {
      it(`${code}: ${JSON.stringify(line.toString('latin1'))}`, function () {
        const input = Buffer.concat([Buffer.from('ok f=1\n'), Buffer.from(line), Buffer.from('\nok f=2\n')])
        const { rows, errors } = parseOne(input)
        assert.deepEqual(errors, [{ line: 2, column, code }])
        // The bad line is skipped; the lines around it are kept.
        assert.deepStrictEqual(rows, [row('ok', {}, { f: float(1) }), row('ok', {}, { f: float(2) })])
      })
    }
  })

  it('rejects a field whose type differs from an earlier row of the same measurement, and keeps going', function () {
    const { rows, errors } = parseOne('m f=1\nm f=1i\nm f="x"\nm,f=a g=1\nother f=1i\nm f=2\n')
    assert.deepEqual(errors, [
      { line: 2, column: 3, code: 'TypeConflict' },
      { line: 3, column: 3, code: 'TypeConflict' },
      { line: 4, column: 3, code: 'TypeConflict' },
    ])
    assert.deepStrictEqual(rows, [
      row('m', {}, { f: float(1) }),
      row('m', {}, { f: float(2) }),
      row('other', {}, { f: integer(1n) }),
    ])
  })

  it('accepts CRLF endings, comments, blank lines and whitespace-only lines', function () {
    const result = parseLines(Buffer.from('# a comment\r\n\r\nm f=1\r\n   \n  # indented comment\nm f=2 1000\r\n\n'), {
      precision: 'ns', nowUs: NOW_US,
    })
    assert.deepEqual(result.errors, [])
    assert.equal(result.lineCount, 7)
    assert.deepStrictEqual(rowsOf(result.batches), [row('m', {}, { f: float(1) }), row('m', {}, { f: float(2) }, 1)])
  })

  it('counts a final line without a newline', function () {
    const result = parseLines(Buffer.from('m f=1\nm f=2'), { precision: 'ns', nowUs: NOW_US })
    assert.equal(result.lineCount, 2)
    assert.equal(result.batches[0]?.rowCount, 2)
  })

  it('a timestamp spelt as the line before\'s (reused, not parsed again) gives what parsing it alone gives', function () {
    // Lines of one chunk whose timestamps repeat, differ in one digit, in length or in sign, are out of range, bad or
    // trailed by a space, in random orders: each line's row or error equals that of the line parsed on its own.
    const stamps = ['1796691395470000000', '1796691395470000001', '2796691395470000000', '179669139547000000', '-5', '-0', '5',
      '0', '00', '9999999999999999999', '12x', '1 2', '123 ', '1234', '1235', '12345', '']
    const lines = fc.array(fc.tuple(fc.constantFrom(...stamps), fc.constantFrom('cpu,h=a f=1', 'cpu,h=b f=2', 'mem g=1i')), { minLength: 1, maxLength: 30 })
    fc.assert(fc.property(lines, fc.constantFrom<IlpPrecision>('ns', 'us', 's'), (order, precision) => {
      const texts = order.map(([stamp, head]) => `${head} ${stamp}`)
      const options = { precision, nowUs: NOW_US }
      const together = parseLines(Buffer.from(texts.join('\n')), options)
      const alone = texts.map((text) => parseLines(Buffer.from(text), options))
      assert.deepEqual(together.errors.map((error) => [error.line, error.code, error.column]),
        alone.flatMap((result, i) => result.errors.map((error) => [i + 1, error.code, error.column])))
      const stampOf = new Map<number, number>()
      for (const batch of together.batches) batch.lineNumbers.forEach((line, row) => stampOf.set(line, batch.timestampsUs[row]!))
      alone.forEach((result, i) => {
        if (result.errors.length === 0) assert.equal(stampOf.get(i + 1), result.batches[0]!.timestampsUs[0], texts[i])
      })
    }), { numRuns: 500 })
  })
})
