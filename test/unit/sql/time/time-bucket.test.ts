// Goal: TimescaleDB's time_bucket semantics (time-bucket.ts states the rules followed). PostgreSQL has no
// time_bucket, so each rule is expressed in PostgreSQL SQL that is equivalent by TimescaleDB's documentation —
// date_bin with origin 2000-01-03 for fixed widths, calendar-month arithmetic for month widths, AT TIME ZONE for the
// timezone form — and compared with nodedb; a few documented examples are pinned literally.
import assert from 'node:assert/strict'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import { callTime, pgValue } from './oracle.js'

const TZ: PgTypeName = 'timestamptz'
const TS: PgTypeName = 'timestamp'
const I: PgTypeName = 'interval'
const TIMES = ['2024-01-01 10:07:00+00', '2024-01-03 23:59:59.999999+00', '1999-12-31 12:00:00+00', '1969-07-20 20:17:40+00', '2024-03-31 01:30:00+00',
  '2024-10-27 00:30:00+00', '2000-01-03 00:00:00+00', '2024-02-29 13:14:15.678912+00']
const WIDTHS = ['1 second', '5 minutes', '15 minutes', '1 hour', '90 minutes', '1 day', '7 days', '1 week 2 hours', '00:00:00.000250']

async function expectEqual(failures: string[], label: string, sql: string, params: string[], actual: { value: string | null } | { code: string }): Promise<void> {
  const expected = await pgValue('UTC', sql, params)
  if (JSON.stringify(expected) !== JSON.stringify(actual)) failures.push(`${label}: PostgreSQL-equivalent ${JSON.stringify(expected)}, nodedb ${JSON.stringify(actual)}`)
}

describe('sql/time: time_bucket (TimescaleDB semantics)', function () {
  it('fixed widths are date_bin with origin 2000-01-03 (UTC), with origin and offset forms', async function () {
    const failures: string[] = []
    for (const w of WIDTHS) {
      for (const t of TIMES) {
        await expectEqual(failures, `${w} ${t}`, `select date_bin($1::interval, $2::timestamptz, '2000-01-03 00:00:00+00')::text`, [w, t],
          callTime('UTC', 'time_bucket', [[I, w], [TZ, t]]))
        await expectEqual(failures, `${w} ${t} origin`, 'select date_bin($1::interval, $2::timestamptz, $3::timestamptz)::text', [w, t, '2020-06-01 00:07:30+00'],
          callTime('UTC', 'time_bucket', [[I, w], [TZ, t], [TZ, '2020-06-01 00:07:30+00']]))
        await expectEqual(failures, `${w} ${t} offset`, `select (date_bin($1::interval, $2::timestamptz - $3::interval, '2000-01-03 00:00:00+00') + $3::interval)::text`,
          [w, t, '7 minutes'], callTime('UTC', 'time_bucket', [[I, w], [TZ, t], [I, '7 minutes']]))
        const local = t.replace('+00', '')
        await expectEqual(failures, `${w} ${local} timestamp`, `select date_bin($1::interval, $2::timestamp, '2000-01-03 00:00:00')::text`, [w, local],
          callTime('UTC', 'time_bucket', [[I, w], [TS, local]]))
      }
    }
    assert.deepEqual(failures, [])
  })

  it('the timezone form buckets wall clocks in that zone', async function () {
    const failures: string[] = []
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns']) {
      for (const w of ['1 hour', '1 day', '7 days', '1 month', '3 months']) {
        for (const t of TIMES) {
          const sql = w.includes('month')
            ? `select ((date_trunc('month', $1::timestamptz at time zone $2) - make_interval(months => ((((extract(year from $1::timestamptz at time zone $2)::int - 2000) * 12 + extract(month from $1::timestamptz at time zone $2)::int - 1) % $3::int + $3::int) % $3::int))) at time zone $2)::text`
            : `select (date_bin($1::interval, $2::timestamptz at time zone $3, '2000-01-03 00:00:00') at time zone $3)::text`
          const months = w.startsWith('3') ? '3' : '1'
          await expectEqual(failures, `${zone} ${w} ${t}`, sql, w.includes('month') ? [t, zone, months] : [w, t, zone],
            callTime('UTC', 'time_bucket', [[I, w], [TZ, t], ['text', zone]]))
        }
      }
    }
    assert.deepEqual(failures, [])
  })

  it('month widths are calendar months from 2000-01-01 (UTC)', async function () {
    const failures: string[] = []
    for (const months of [1, 2, 3, 12, 24]) {
      for (const t of TIMES) {
        const sql = `select ('2000-01-01'::timestamp + make_interval(months => (floor(((extract(year from $1::timestamptz)::int - 2000) * 12 + extract(month from $1::timestamptz)::int - 1) / $2::float8) * $2::int)::int))::timestamptz::text`
        await expectEqual(failures, `${months} mons ${t}`, sql, [t, String(months)], callTime('UTC', 'time_bucket', [[I, `${months} mons`], [TZ, t]]))
      }
    }
    assert.deepEqual(failures, [])
  })

  it('documented examples and errors', function () {
    const value = (o: { value: string | null } | { code: string }): string | null => ('value' in o ? o.value : o.code)
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '5 minutes'], [TZ, '2024-01-01 10:07:00+00']])), '2024-01-01 10:05:00+00')
    // Weekly buckets start on Monday (the origin 2000-01-03 is a Monday): Wednesday 2024-01-03 → Monday 2024-01-01.
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 week'], [TZ, '2024-01-03 12:00:00+00']])), '2024-01-01 00:00:00+00')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 month'], [TZ, '2024-02-15 12:00:00+00']])), '2024-02-01 00:00:00+00')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '3 months'], [TZ, '2024-05-15 12:00:00+00']])), '2024-04-01 00:00:00+00')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 year'], [TZ, '2024-05-15 12:00:00+00']])), '2024-01-01 00:00:00+00')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '7 days'], ['date', '2024-01-03']])), '2024-01-01')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 month'], ['date', '2024-01-31']])), '2024-01-01')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 day'], [TZ, 'infinity']])), 'infinity')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '0 minutes'], [TZ, '2024-01-01 00:00:00+00']])), '22023')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '-1 hour'], [TZ, '2024-01-01 00:00:00+00']])), '22023')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 month 1 day'], [TZ, '2024-01-01 00:00:00+00']])), '0A000')
    assert.equal(value(callTime('UTC', 'time_bucket', [[I, '1 hour'], ['date', '2024-01-01']])), '22023')
  })
})
