// Goal: the datetime operators and functions of TIME_FUNCTIONS give PostgreSQL 15's results in any session zone.
// Method: each call runs as SQL on a real PostgreSQL and through nodedb's registry entry, compared as text/SQLSTATE.
import assert from 'node:assert/strict'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import { compareAll } from './oracle.js'

type Case = [string, string, Array<[PgTypeName, string | null]>]
const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns']
const TZ: PgTypeName = 'timestamptz'
const TS: PgTypeName = 'timestamp'
const T: PgTypeName = 'text'
const I: PgTypeName = 'interval'
const INSTANTS = ['2024-03-31 01:30:00+00', '2024-10-27 00:30:00+00', '2024-02-29 13:14:15.678912+00', '1999-12-31 23:59:59.999999+00',
  '2021-01-03 12:00:00+00', '0044-03-15 12:00:00+00 BC', 'infinity', '-infinity', '1969-07-20 20:17:40+00']
const LOCALS = ['2024-03-31 02:30:00', '2024-02-29 13:14:15.678912', '2021-01-03 12:00:00', '0044-03-15 12:00:00 BC', 'infinity', '1969-07-20 20:17:40']

describe('sql/time: functions against PostgreSQL', function () {
  it('date_trunc in session zones, in a given zone, on timestamp and interval', async function () {
    const units = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'dow', 'foo']
    const cases: Case[] = []
    for (const zone of ZONES) for (const u of units) for (const t of INSTANTS) cases.push([zone, 'date_trunc', [[T, u], [TZ, t]]])
    for (const u of units) {
      for (const t of INSTANTS) cases.push(['UTC', 'date_trunc', [[T, u], [TZ, t], [T, 'Asia/Kolkata']]])
      for (const t of LOCALS) cases.push(['UTC', 'date_trunc', [[T, u], [TS, t]]])
      for (const v of ['1 year 2 mons 3 days 04:05:06.789', '-1234 years -5 mons -06:07:08.9', '25 hours']) cases.push(['UTC', 'date_trunc', [[T, u], [I, v]]])
    }
    assert.deepEqual(await compareAll(cases), [])
  })

  it('extract (numeric) and date_part (float8) for every field', async function () {
    const fields = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month', 'year', 'decade', 'century', 'millennium', 'quarter',
      'week', 'dow', 'isodow', 'doy', 'isoyear', 'epoch', 'timezone', 'timezone_hour', 'timezone_minute', 'julian', 'nope']
    const cases: Case[] = []
    for (const f of fields) {
      for (const fn of ['extract', 'date_part']) {
        for (const zone of ['UTC', 'America/St_Johns']) for (const t of INSTANTS) cases.push([zone, fn, [[T, f], [TZ, t]]])
        for (const t of LOCALS) cases.push(['UTC', fn, [[T, f], [TS, t]]])
        for (const v of ['1 year 2 mons 3 days 04:05:06.789', '-1 year -1 day', '-5 mons 49:00:00']) cases.push(['UTC', fn, [[T, f], [I, v]]])
      }
      for (const d of ['2024-02-29', '0002-01-01 BC', 'infinity', '2021-01-03']) cases.push(['UTC', 'extract', [[T, f], ['date', d]]])
    }
    assert.deepEqual(await compareAll(cases), [])
  })

  it('arithmetic: months across month ends, days across DST, differences, dates', async function () {
    const cases: Case[] = []
    const spans = ['1 month', '1 mon 1 day', '-1 month', '1 day', '24 hours', '1 year 2 mons 3 days 04:05:06', '-1 days +02:00', '13 months']
    const times = ['2024-01-31 10:00:00', '2024-03-30 02:30:00', '2024-10-26 02:30:00', '2023-02-28 23:00:00', '2024-02-29 00:00:00', 'infinity']
    for (const zone of ZONES) {
      for (const s of spans) {
        for (const t of times) {
          cases.push([zone, '+', [[TZ, t], [I, s]]], [zone, '-', [[TZ, t], [I, s]]], [zone, '+', [[I, s], [TZ, t]]])
          cases.push([zone, '+', [[TS, t], [I, s]]], [zone, '-', [[TS, t], [I, s]]])
        }
      }
      for (const a of times) for (const b of times.slice(0, 4)) cases.push([zone, '-', [[TZ, a], [TZ, b]]], [zone, '-', [[TS, a], [TS, b]]])
    }
    for (const d of ['2024-01-31', '2024-02-29', 'infinity']) {
      cases.push(['UTC', '+', [['date', d], ['int4', '30']]], ['UTC', '-', [['date', d], ['int4', '366']]], ['UTC', '-', [['date', d], ['date', '2000-01-01']]])
      for (const s of spans) cases.push(['UTC', '+', [['date', d], [I, s]]], ['UTC', '-', [['date', d], [I, s]]])
    }
    assert.deepEqual(await compareAll(cases), [])
  })

  it('age, AT TIME ZONE, date_bin, to_timestamp, make_*, isfinite', async function () {
    const cases: Case[] = []
    const pairs = [['2024-03-31 10:00:00', '2023-01-31 12:30:00'], ['2023-01-31 12:30:00', '2024-03-31 10:00:00'], ['2024-02-29', '2023-02-28'],
      ['2024-10-27 03:00', '2024-10-26 01:00'], ['2001-04-10', '1957-06-13']]
    for (const zone of ZONES) for (const [a, b] of pairs) cases.push([zone, 'age', [[TZ, a ?? ''], [TZ, b ?? '']]], [zone, 'age', [[TS, a ?? ''], [TS, b ?? '']]])
    for (const z of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', '+05', '-03:30', 'EST', 'Nowhere/Land']) {
      for (const t of INSTANTS.slice(0, 5)) cases.push(['Europe/Berlin', 'timezone', [[T, z], [TZ, t]]])
      for (const t of LOCALS.slice(0, 3)) cases.push(['Europe/Berlin', 'timezone', [[T, z], [TS, t]]])
    }
    for (const z of ['05:30', '-08:00', '1 day']) cases.push(['UTC', 'timezone', [[I, z], [TZ, INSTANTS[2] ?? '']]], ['UTC', 'timezone', [[I, z], [TS, LOCALS[1] ?? '']]])
    for (const stride of ['15 minutes', '1 hour', '1 day', '7 days', '1 mon', '0', '-1 hour', '00:00:00.000007']) {
      for (const t of ['2024-02-29 13:14:15.678912+00', '1999-12-31 23:59:59+00', '1900-01-01 00:00:00+00', 'infinity']) {
        cases.push(['UTC', 'date_bin', [[I, stride], [TZ, t], [TZ, '2001-01-01 00:00:00+00']]])
        cases.push(['UTC', 'date_bin', [[I, stride], [TS, t.replace('+00', '')], [TS, '2020-01-01 00:07:00']]])
      }
    }
    for (const x of ['0', '1704067200', '1704067200.5', '-1.0000005', 'NaN', 'Infinity', '-Infinity', '1e20', '1704067200.0000005']) cases.push(['Asia/Kolkata', 'to_timestamp', [['float8', x]]])
    cases.push(['UTC', 'make_date', [['int4', '2024'], ['int4', '2'], ['int4', '29']]], ['UTC', 'make_date', [['int4', '-44'], ['int4', '3'], ['int4', '15']]],
      ['UTC', 'make_date', [['int4', '0'], ['int4', '1'], ['int4', '1']]], ['UTC', 'make_date', [['int4', '2023'], ['int4', '2'], ['int4', '29']]])
    cases.push(['UTC', 'make_timestamp', [['int4', '2024'], ['int4', '1'], ['int4', '2'], ['int4', '3'], ['int4', '4'], ['float8', '5.678']]])
    cases.push(['Europe/Berlin', 'make_timestamptz', [['int4', '2024'], ['int4', '3'], ['int4', '31'], ['int4', '2'], ['int4', '30'], ['float8', '0']]])
    cases.push(['UTC', 'make_timestamptz', [['int4', '2024'], ['int4', '7'], ['int4', '1'], ['int4', '12'], ['int4', '0'], ['float8', '0'], [T, 'America/New_York']]])
    cases.push(['UTC', 'make_interval', [['int4', '1'], ['int4', '2'], ['int4', '3'], ['int4', '4'], ['int4', '5'], ['int4', '6'], ['float8', '7.5']]])
    for (const t of ['infinity', '2024-01-01']) cases.push(['UTC', 'isfinite', [[TZ, t]]], ['UTC', 'isfinite', [['date', t]]])
    assert.deepEqual(await compareAll(cases), [])
  })

  it('to_char and to_timestamp(text, text) templates', async function () {
    const cases: Case[] = []
    // TZ (abbreviations) only where Intl knows PostgreSQL's abbreviation: see the report's known differences.
    const formats = ['YYYY-MM-DD HH24:MI:SS.MS US', 'HH12:MI AM am P.M.', 'Month Mon Day Dy', 'FMMonth FMDay FMDD', 'month MON day DY', 'OF TZH:TZM',
      'DDD D ID IW WW Q CC J', 'YYY YY Y IYYY', '"quoted" YYYY xyz', 'SSSS', 'Y,YYY', 'RM', 'FMrm']
    for (const zone of ['UTC', 'America/New_York']) for (const t of INSTANTS.slice(0, 5)) cases.push([zone, 'to_char', [[TZ, t], [T, 'TZ tz']]])
    for (const f of formats) {
      for (const zone of ['UTC', 'America/St_Johns']) for (const t of INSTANTS.slice(0, 6)) cases.push([zone, 'to_char', [[TZ, t], [T, f]]])
      cases.push(['UTC', 'to_char', [[TS, LOCALS[1] ?? ''], [T, f]]])
    }
    for (const f of ['YYYY MM DD HH24 HH12 HH MI SS MS US AM', 'HH24:MI:SS']) {
      for (const v of ['1 year 2 mons 3 days 25:04:05.678', '-3 days -04:00:00']) cases.push(['UTC', 'to_char', [[I, v], [T, f]]])
    }
    for (const [n, f] of [['0.5', '9.99'], ['0.5', '0.99'], ['-12', '9999'], ['12', '9999'], ['1', 'FM9.99'], ['1234567.891', '9,999,999.99'],
      ['-0.1', 'FM9990.00'], ['123', '99'], ['12.5', 'S999'], ['1234', 'FM9G999D00'], ['-1234.5', '99999.9'], ['0', '9999'], ['0', 'FM9999']]) {
      cases.push(['UTC', 'to_char', [['numeric', n ?? ''], [T, f ?? '']]], ['UTC', 'to_char', [['float8', n ?? ''], [T, f ?? '']]])
    }
    for (const [text, f] of [['2024-01-02 03:04:05', 'YYYY-MM-DD HH24:MI:SS'], ['02 Jan 2024', 'DD Mon YYYY'], ['2024-01-02 03:04:05 PM', 'YYYY-MM-DD HH12:MI:SS AM'],
      ['12:30', 'HH24:MI'], ['2024-01-02 +05', 'YYYY-MM-DD TZH'], ['March 3, 2024', 'Month DD, YYYY'], ['2024-07-01 12:00:00.123456', 'YYYY-MM-DD HH24:MI:SS.US']]) {
      for (const zone of ['UTC', 'Europe/Berlin']) cases.push([zone, 'to_timestamp', [[T, text ?? ''], [T, f ?? '']]])
    }
    assert.deepEqual(await compareAll(cases), [])
  })
})
