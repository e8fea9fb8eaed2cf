// Goal: interval input, output and arithmetic behave as PostgreSQL 15's (IntervalStyle postgres). Method: every
// literal and operation runs on a real PostgreSQL (test/helpers/postgres.ts) and on nodedb, compared as text/SQLSTATE.
import assert from 'node:assert/strict'
import { compareIntervals, parseInterval } from '../../../../sql/expr/interval.js'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import { compareAll, ours, pgValue } from './oracle.js'

const LITERALS = [
  '1 month', '1 mon 2 days 03:04:05.5', '1 year 2 months', '-1 day +02:00', 'P1Y2M3DT4H5M6S', 'P1Y2M3DT4H5M6.5S', '@ 1 hour ago',
  '1.5 months', '1.5 days', '1.5 years', '-1.5 months', '.5 day', '1 week', '1.5 weeks', 'P1W', 'PT1.5H', 'P1.5M', 'P0001-02-03T04:05:06',
  '1:30.5', '1 02:00:00', '1-2', '5', '1.5', '-1:30', '1h30m', '1 d 2 h', '1 hour 30 minutes 1.25 seconds', '-2.5 mons',
  '1 millennium 2 centuries 1 decade', '0.0000005 sec', '0.0000015 sec', '178000000 years', '1 day -02:00:00',
  '-1 days -02:00:00.5 ago', '1 year -1 mon', '0', '00:00:00', '100 hours', '-100 hours', '1 ms', '1 us', '3 mons -1 days',
  '25:61:00', '2147483648 days', '1 week 1.5 weeks', '+1 -1', 'foo', '', '1 fortnight', '1 day ago ago', '-2147483648 mons',
]

describe('sql/time: interval text', function () {
  it('parses and prints every literal as PostgreSQL', async function () {
    const failures: string[] = []
    for (const text of LITERALS) {
      const expected = await pgValue('UTC', 'select $1::interval::text', [text])
      const actual = ours('UTC', 'interval', () => parseInterval(text))
      if (JSON.stringify(expected) !== JSON.stringify(actual)) failures.push(`'${text}': PostgreSQL ${JSON.stringify(expected)}, nodedb ${JSON.stringify(actual)}`)
    }
    assert.deepEqual(failures, [])
  })
})

const I: PgTypeName = 'interval'
const F: PgTypeName = 'float8'

describe('sql/time: interval arithmetic', function () {
  it('+, -, unary -, * and / with PostgreSQL cascading of fractions', async function () {
    const spans = ['1 mon', '1 year 2 mons 3 days 04:05:06.789', '-1 days +02:00', '7 days', '1 mon -1 days', '00:00:00.000001', '3 mons 5 days']
    const factors = ['0.5', '1.5', '-2', '3', '0.1', '1e-7', '0', '2.718281828', 'NaN', '1e10']
    const cases: Array<[string, string, Array<[PgTypeName, string]>]> = []
    for (const a of spans) {
      cases.push(['UTC', '-', [[I, a]]])
      for (const b of spans) cases.push(['UTC', '+', [[I, a], [I, b]]], ['UTC', '-', [[I, a], [I, b]]])
      for (const f of factors) cases.push(['UTC', '*', [[I, a], [F, f]]], ['UTC', '*', [[F, f], [I, a]]], ['UTC', '/', [[I, a], [F, f]]])
    }
    assert.deepEqual(await compareAll(cases), [])
  })

  it('justify_days, justify_hours, justify_interval', async function () {
    const spans = ['35 days', '-35 days', '1 mon -40 days', '-1 mon 40 days', '50 hours', '-50 hours', '1 day -50 hours', '1 mon -1 days -50 hours',
      '-1 mon 1 day 50 hours', '29 days 30:00:00', '1 mon -00:00:01']
    const cases = spans.flatMap((s) => ['justify_days', 'justify_hours', 'justify_interval'].map((f) => ['UTC', f, [[I, s]]] as [string, string, Array<[PgTypeName, string]>]))
    assert.deepEqual(await compareAll(cases), [])
  })

  it('orders by interval_cmp (1 mon = 30 days, 1 day = 24 h)', async function () {
    const spans = ['1 mon', '30 days', '720 hours', '1 mon 00:00:00.000001', '29 days 24:00:00', '-1 mon', '1 year', '360 days', '365 days', '0', '178000000 years']
    const failures: string[] = []
    for (const a of spans) {
      for (const b of spans) {
        const expected = await pgValue('UTC', 'select sign(case when $1::interval < $2::interval then -1 when $1::interval = $2::interval then 0 else 1 end)::text', [a, b])
        const actual = { value: String(Math.sign(compareIntervals(parseInterval(a), parseInterval(b)))) }
        if (JSON.stringify(expected) !== JSON.stringify(actual)) failures.push(`${a} vs ${b}: ${JSON.stringify(expected)} / ${JSON.stringify(actual)}`)
      }
    }
    assert.deepEqual(failures, [])
  })
})
