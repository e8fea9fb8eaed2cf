// Goal: timestamp, timestamptz and date text input and output behave as PostgreSQL 15's (DateStyle ISO) in any
// session TimeZone, DST changes and LMT offsets included. Method: each literal is cast on a real PostgreSQL and
// parsed + printed by nodedb, compared as text/SQLSTATE.
import assert from 'node:assert/strict'
import { canonicalTimeZone } from '../../../../sql/expr/time-zone.js'
import { formatTimestamptz, parseDate, parseTimestamp, parseTimestamptz } from '../../../../sql/expr/timestamp.js'
import { context, ours, pgValue } from './oracle.js'

const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'America/New_York', 'Australia/Lord_Howe', '+05', '-03:30']

const LITERALS = [
  '2024-01-02 03:04:05', '2024-01-02T03:04:05.678', '2024-01-02 03:04:05.6789125', '2024-01-02 03:04:05.9999995', '2024-01-02',
  '2024-01-02 03:04:05Z', '2024-01-02 03:04:05+05', '2024-01-02 03:04:05+05:30', '2024-01-02 03:04:05-0800', '2024-01-02 03:04:05 UTC',
  '2024-01-02 03:04:05 GMT', '2024-07-01 12:00 Europe/Berlin', '2024-07-01 12:00 America/New_York', '2024-03-31 02:30', '2024-10-27 02:30',
  '2024-03-10 02:30', '2024-11-03 01:30', '1800-01-01 00:00', '1900-06-01 12:00', '0001-01-01 00:00:00 BC', '0044-03-15 12:00 BC',
  '2024-02-29', '2023-02-29', '2024-13-01', '2024-01-01 24:00:00', '2024-01-01 25:00', 'epoch', 'infinity', '-infinity', 'garbage',
  '2024-01-02 03:04:05 Mars/Olympus', '2200-12-31 23:59:59.999999', '9999-12-31 23:59:59', '2024-01-01 23:59:60',
]

async function compareLiterals(type: 'timestamp' | 'timestamptz' | 'date'): Promise<string[]> {
  const failures: string[] = []
  for (const zone of ZONES) {
    for (const text of LITERALS) {
      const expected = await pgValue(zone, `select $1::${type}::text`, [text])
      const actual = ours(zone, type, (ctx) => (type === 'timestamp' ? parseTimestamp(text, ctx) : type === 'date' ? parseDate(text, ctx) : parseTimestamptz(text, ctx)))
      if (JSON.stringify(expected) !== JSON.stringify(actual)) failures.push(`${zone} '${text}'::${type}: PostgreSQL ${JSON.stringify(expected)}, nodedb ${JSON.stringify(actual)}`)
    }
  }
  return failures
}

describe('sql/time: timestamp, timestamptz and date text', function () {
  it('timestamptz literals in several session zones', async function () {
    assert.deepEqual(await compareLiterals('timestamptz'), [])
  })

  it('timestamp literals (zones ignored)', async function () {
    assert.deepEqual(await compareLiterals('timestamp'), [])
  })

  it('date literals', async function () {
    assert.deepEqual(await compareLiterals('date'), [])
  })

  it('prints instants every 15 minutes across DST changes in each zone', async function () {
    const failures: string[] = []
    const starts = ['2024-03-30 22:00:00+00', '2024-10-26 22:00:00+00', '2024-03-10 04:00:00+00', '2024-04-06 13:00:00+00']
    for (const zone of ZONES) {
      for (const start of starts) {
        const base = parseTimestamptz(start, context('UTC'))
        for (let step = 0; step < 24; step++) {
          const us = base + step * 15 * 60_000_000
          const expected = await pgValue(zone, 'select to_timestamp($1::float8 / 1e6)::text', [String(us)])
          const actual = { value: formatTimestamptz(us, zone) }
          if (JSON.stringify(expected) !== JSON.stringify(actual)) failures.push(`${zone} ${us}: ${JSON.stringify(expected)} / ${JSON.stringify(actual)}`)
        }
      }
    }
    assert.deepEqual(failures, [])
  })

  it('SET TimeZone canonicalizes names and refuses unknown zones as PostgreSQL', async function () {
    const failures: string[] = []
    for (const name of ['europe/berlin', 'UTC', 'utc', 'Asia/Kolkata', 'America/St_Johns', '+05', '-03:30', 'Nowhere/Special', 'GMT']) {
      const c = await pgValue('UTC', `select set_config('timezone', $1, false)`, [name])
      await pgValue('UTC', `select set_config('timezone', 'UTC', false)`)
      let actual: { value: string } | { code: string }
      try {
        actual = { value: canonicalTimeZone(name) }
      } catch (error: unknown) {
        actual = { code: (error as { code: string }).code }
      }
      if (JSON.stringify(c) !== JSON.stringify(actual)) failures.push(`${name}: ${JSON.stringify(c)} / ${JSON.stringify(actual)}`)
    }
    assert.deepEqual(failures, [])
  })
})
