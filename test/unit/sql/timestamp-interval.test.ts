// test/unit/sql/timestamp-interval: goal — timestamp and interval text parse to the right µs and bad text gets
// 22007. Method: vectors computed independently with Date.UTC, plus the error codes of malformed inputs.
import assert from 'node:assert/strict'
import { parseIntervalUs } from '../../../sql/expr/interval.js'
import { formatTimestampUs, parseTimestampUs } from '../../../sql/expr/timestamp.js'
import { castText } from '../../../sql/expr/cast-value.js'
import { sqlType } from '../../../sql/bind/types.js'
import { dbErrorOf } from './helpers.js'

const MIDNIGHT_US = Date.UTC(2024, 0, 1) * 1000

describe('sql/expr timestamp parsing', () => {
  const vectors: ReadonlyArray<readonly [string, number]> = [
    ['2024-01-01T00:00:00Z', MIDNIGHT_US],
    ['2024-01-01 00:00:00+00', MIDNIGHT_US],
    ['2024-01-01', MIDNIGHT_US],
    ['2024-01-01 00:00:00', MIDNIGHT_US],
    ['2024-01-01 12:34:56.789', Date.UTC(2024, 0, 1, 12, 34, 56, 789) * 1000],
    ['2024-01-01 12:34:56.123456+00:00', Date.UTC(2024, 0, 1, 12, 34, 56) * 1000 + 123456],
    ['2024-01-01 02:00:00+02', MIDNIGHT_US],
    ['2023-12-31T19:00:00-05:00', MIDNIGHT_US],
    ['2024-02-29 23:59:59', Date.UTC(2024, 1, 29, 23, 59, 59) * 1000],
    ['epoch', 0],
  ]
  for (const [text, expected] of vectors) {
    it(`parses '${text}'`, () => assert.equal(parseTimestampUs(text), expected))
  }

  it('rejects malformed and impossible dates with 22007', async () => {
    for (const text of ['garbage', '2024-13-01', '2023-02-29', '2024-01-01 25:00:00', '2024-01-01 00:00:00 +ab']) {
      const error = await dbErrorOf(() => parseTimestampUs(text))
      assert.equal(error.code, '22007', text)
    }
  })

  it('formats as PostgreSQL does with TimeZone UTC', () => {
    assert.equal(formatTimestampUs(MIDNIGHT_US + 678_000, true), '2024-01-01 00:00:00.678+00')
    assert.equal(formatTimestampUs(MIDNIGHT_US + 1, false), '2024-01-01 00:00:00.000001')
    assert.equal(formatTimestampUs(MIDNIGHT_US, true), '2024-01-01 00:00:00+00')
  })
})

describe('sql/expr interval parsing', () => {
  const vectors: ReadonlyArray<readonly [string, number]> = [
    ['30 seconds', 30e6], ['1 minute', 60e6], ['5 minutes', 300e6], ['5m', 300e6], ['10 sec', 10e6],
    ['2 min', 120e6], ['1 hr', 3600e6], ['3 hours', 3 * 3600e6], ['1 day', 86400e6], ['2 weeks', 14 * 86400e6],
    ['250 milliseconds', 250e3], ['7 microseconds', 7], ['1 hour 30 minutes', 5400e6], ['00:05:00', 300e6],
    ['01:00:00.5', 3600e6 + 5e5], ['1.5 seconds', 1.5e6], ['5 MINUTE', 300e6],
  ]
  for (const [text, expected] of vectors) {
    it(`parses '${text}'`, () => assert.equal(parseIntervalUs(text), expected))
  }

  it('rejects months, years and garbage with 22007', async () => {
    for (const text of ['1 month', '2 years', 'soon', '', 'minutes']) {
      const error = await dbErrorOf(() => parseIntervalUs(text))
      assert.equal(error.code, '22007', text)
    }
  })
})

describe('sql/expr text casts', () => {
  it('casts text to each column type, with 22P02 for bad input', async () => {
    assert.equal(castText('42', sqlType('int4')), 42)
    assert.equal(castText('42', sqlType('int8')), 42n)
    assert.equal(castText('1.5', sqlType('float8')), 1.5)
    assert.equal(castText('yes', sqlType('bool')), true)
    assert.equal(castText('2024-01-01', sqlType('timestamptz')), MIDNIGHT_US)
    assert.equal((await dbErrorOf(() => castText('4x', sqlType('int4')))).code, '22P02')
    assert.equal((await dbErrorOf(() => castText('maybe', sqlType('bool')))).code, '22P02')
    assert.equal((await dbErrorOf(() => castText('3000000000', sqlType('int4')))).code, '22003')
  })
})
