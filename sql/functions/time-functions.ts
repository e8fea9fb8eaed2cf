// sql/functions/time-functions: the registry entries of PostgreSQL 15's datetime operators and functions, plus
// TimescaleDB's time_bucket. Semantics live in time-arith.ts, time-fields.ts, time-bucket.ts and to-char.ts; this
// file only types the overloads and narrows SqlValues. timestamptz work happens in the session TimeZone (ctx).
import { assert } from '../../src/common/assert.js'
import type { IntervalValue, SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import {
  formatInterval, intervalAdd, intervalDiv, intervalMul, intervalNegate, intervalSub, isIntervalValue, justifyDays, justifyHours,
  justifyInterval,
} from '../expr/interval.js'
import { castDateToTimestamp } from '../expr/time-casts.js'
import { type Zone, localToUtcIn, requireSessionZone, requireZone } from '../expr/time-zone.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import {
  addInterval, age, atZoneFromLocal, atZoneFromTz, dateAddDays, dateDiff, intervalZone, makeDate, makeInterval, makeTimestamp,
  subInterval, timestampDiff, toTimestampFromSeconds,
} from './time-arith.js'
import { dateBin, timeBucketDate, timeBucketLocal, timeBucketTz } from './time-bucket.js'
import { type FieldValue, datePart, intervalPart, timePart, timestampPart, truncInterval, truncTimestamp } from './time-fields.js'
import { addTimeInterval, dateWithTime, makeTime, timeDiff } from '../expr/time-of-day.js'
import { toCharInterval, toCharTimestamp, toTimestampFromText, toDateFromText } from './to-char.js'
import { toNumber } from './to-number.js'
import { toCharNumber } from './number-format.js'

type Evaluate = (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue

function def(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: Evaluate, volatility: ScalarFunction['volatility'] = 'immutable'): ScalarFunction {
  return { name, args, result, strict: true, volatility, evaluate }
}

/** Arguments arrive cast to the declared types (function-def.ts); a wrong JavaScript type is a binder bug. */
export function n(v: SqlValue | undefined): number {
  assert(typeof v === 'number', `expected a number, got ${typeof v}`)
  return v
}
export function s(v: SqlValue | undefined): string {
  assert(typeof v === 'string', `expected a string, got ${typeof v}`)
  return v
}
export function iv(v: SqlValue | undefined): IntervalValue {
  assert(isIntervalValue(v), `expected an interval, got ${typeof v}`)
  return v
}
export function session(ctx: FunctionContext): Zone {
  return requireSessionZone(ctx.timeZone)
}

const numeric = (f: FieldValue | null): SqlValue => (f === null ? null : f.numeric)
const float = (f: FieldValue | null): SqlValue => (f === null ? null : f.float)

/** Operators: + - * / on the datetime types, as pg_operator lists them. */
const OPERATORS: ReadonlyArray<ScalarFunction> = [
  def('+', ['timestamptz', 'interval'], 'timestamptz', ([a, b], ctx) => addInterval(n(a), iv(b), session(ctx)), 'stable'),
  def('+', ['interval', 'timestamptz'], 'timestamptz', ([a, b], ctx) => addInterval(n(b), iv(a), session(ctx)), 'stable'),
  def('-', ['timestamptz', 'interval'], 'timestamptz', ([a, b], ctx) => subInterval(n(a), iv(b), session(ctx)), 'stable'),
  def('+', ['timestamp', 'interval'], 'timestamp', ([a, b]) => addInterval(n(a), iv(b), null)),
  def('+', ['interval', 'timestamp'], 'timestamp', ([a, b]) => addInterval(n(b), iv(a), null)),
  def('-', ['timestamp', 'interval'], 'timestamp', ([a, b]) => subInterval(n(a), iv(b), null)),
  def('-', ['timestamptz', 'timestamptz'], 'interval', ([a, b]) => timestampDiff(n(a), n(b))),
  def('-', ['timestamp', 'timestamp'], 'interval', ([a, b]) => timestampDiff(n(a), n(b))),
  def('+', ['date', 'int4'], 'date', ([a, b]) => dateAddDays(n(a), n(b))),
  def('+', ['int4', 'date'], 'date', ([a, b]) => dateAddDays(n(b), n(a))),
  def('-', ['date', 'int4'], 'date', ([a, b]) => dateAddDays(n(a), -n(b))),
  def('-', ['date', 'date'], 'int4', ([a, b]) => dateDiff(n(a), n(b))),
  def('+', ['date', 'interval'], 'timestamp', ([a, b]) => addInterval(castDateToTimestamp(n(a)), iv(b), null)),
  def('+', ['interval', 'date'], 'timestamp', ([a, b]) => addInterval(castDateToTimestamp(n(b)), iv(a), null)),
  def('-', ['date', 'interval'], 'timestamp', ([a, b]) => subInterval(castDateToTimestamp(n(a)), iv(b), null)),
  def('+', ['interval', 'interval'], 'interval', ([a, b]) => intervalAdd(iv(a), iv(b))),
  def('-', ['interval', 'interval'], 'interval', ([a, b]) => intervalSub(iv(a), iv(b))),
  def('-', ['interval'], 'interval', ([a]) => intervalNegate(iv(a))),
  def('*', ['interval', 'float8'], 'interval', ([a, b]) => intervalMul(iv(a), n(b))),
  def('*', ['float8', 'interval'], 'interval', ([a, b]) => intervalMul(iv(b), n(a))),
  def('/', ['interval', 'float8'], 'interval', ([a, b]) => intervalDiv(iv(a), n(b))),
  def('+', ['time', 'interval'], 'time', ([a, b]) => addTimeInterval(n(a), iv(b), 1)),
  def('+', ['interval', 'time'], 'time', ([a, b]) => addTimeInterval(n(b), iv(a), 1)),
  def('-', ['time', 'interval'], 'time', ([a, b]) => addTimeInterval(n(a), iv(b), -1)),
  def('-', ['time', 'time'], 'interval', ([a, b]) => timeDiff(n(a), n(b))),
  def('+', ['date', 'time'], 'timestamp', ([a, b]) => dateWithTime(n(a), n(b))),
  def('+', ['time', 'date'], 'timestamp', ([a, b]) => dateWithTime(n(b), n(a))),
]

const FIELD_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  def('date_trunc', ['text', 'timestamptz'], 'timestamptz', ([u, t], ctx) => truncTimestamp(s(u), n(t), session(ctx)), 'stable'),
  def('date_trunc', ['text', 'timestamptz', 'text'], 'timestamptz', ([u, t, z]) => truncTimestamp(s(u), n(t), requireZone(s(z)))),
  def('date_trunc', ['text', 'timestamp'], 'timestamp', ([u, t]) => truncTimestamp(s(u), n(t), null)),
  def('date_trunc', ['text', 'interval'], 'interval', ([u, v]) => truncInterval(s(u), iv(v))),
  def('extract', ['text', 'timestamptz'], 'numeric', ([u, t], ctx) => numeric(timestampPart(s(u), n(t), session(ctx))), 'stable'),
  def('extract', ['text', 'timestamp'], 'numeric', ([u, t]) => numeric(timestampPart(s(u), n(t), null))),
  def('extract', ['text', 'date'], 'numeric', ([u, d]) => numeric(datePart(s(u), n(d)))),
  def('extract', ['text', 'interval'], 'numeric', ([u, v]) => intervalPart(s(u), iv(v)).numeric),
  def('extract', ['text', 'time'], 'numeric', ([u, t]) => timePart(s(u), n(t)).numeric),
  def('date_part', ['text', 'time'], 'float8', ([u, t]) => timePart(s(u), n(t)).float),
  def('date_part', ['text', 'timestamptz'], 'float8', ([u, t], ctx) => float(timestampPart(s(u), n(t), session(ctx))), 'stable'),
  def('date_part', ['text', 'timestamp'], 'float8', ([u, t]) => float(timestampPart(s(u), n(t), null))),
  def('date_part', ['text', 'interval'], 'float8', ([u, v]) => intervalPart(s(u), iv(v)).float),
  def('date_bin', ['interval', 'timestamptz', 'timestamptz'], 'timestamptz', ([w, t, o]) => dateBin(iv(w), n(t), n(o))),
  def('date_bin', ['interval', 'timestamp', 'timestamp'], 'timestamp', ([w, t, o]) => dateBin(iv(w), n(t), n(o))),
]

const TIME_BUCKET: ReadonlyArray<ScalarFunction> = [
  def('time_bucket', ['interval', 'timestamptz'], 'timestamptz', ([w, t]) => timeBucketTz(iv(w), n(t), {})),
  def('time_bucket', ['interval', 'timestamptz', 'interval'], 'timestamptz', ([w, t, o]) => timeBucketTz(iv(w), n(t), { offset: iv(o) })),
  def('time_bucket', ['interval', 'timestamptz', 'timestamptz'], 'timestamptz', ([w, t, o]) => timeBucketTz(iv(w), n(t), { origin: n(o) })),
  def('time_bucket', ['interval', 'timestamptz', 'text'], 'timestamptz', ([w, t, z]) => timeBucketTz(iv(w), n(t), { zone: requireZone(s(z)) })),
  def('time_bucket', ['interval', 'timestamptz', 'text', 'timestamptz'], 'timestamptz',
    ([w, t, z, o]) => timeBucketTz(iv(w), n(t), { zone: requireZone(s(z)), origin: n(o) })),
  def('time_bucket', ['interval', 'timestamptz', 'text', 'timestamptz', 'interval'], 'timestamptz',
    ([w, t, z, o, off]) => timeBucketTz(iv(w), n(t), { zone: requireZone(s(z)), origin: n(o), offset: iv(off) })),
  def('time_bucket', ['interval', 'timestamp'], 'timestamp', ([w, t]) => timeBucketLocal(iv(w), n(t), null)),
  def('time_bucket', ['interval', 'timestamp', 'interval'], 'timestamp', ([w, t, o]) => timeBucketLocal(iv(w), n(t), null, iv(o))),
  def('time_bucket', ['interval', 'timestamp', 'timestamp'], 'timestamp', ([w, t, o]) => timeBucketLocal(iv(w), n(t), n(o))),
  def('time_bucket', ['interval', 'date'], 'date', ([w, d]) => timeBucketDate(iv(w), n(d), null)),
  def('time_bucket', ['interval', 'date', 'interval'], 'date', ([w, d, o]) => timeBucketDate(iv(w), n(d), null, iv(o))),
  def('time_bucket', ['interval', 'date', 'date'], 'date', ([w, d, o]) => timeBucketDate(iv(w), n(d), n(o))),
]

const OTHER_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  def('to_timestamp', ['float8'], 'timestamptz', ([x]) => toTimestampFromSeconds(n(x))),
  def('to_timestamp', ['text', 'text'], 'timestamptz', ([t, f], ctx) => toTimestampFromText(s(t), s(f), session(ctx)), 'stable'),
  def('to_date', ['text', 'text'], 'date', ([t, f]) => toDateFromText(s(t), s(f)), 'stable'),
  def('to_char', ['timestamptz', 'text'], 'text', ([t, f], ctx) => toCharTimestamp(n(t), s(f), session(ctx)), 'stable'),
  def('to_char', ['timestamp', 'text'], 'text', ([t, f]) => toCharTimestamp(n(t), s(f), null)),
  def('to_char', ['interval', 'text'], 'text', ([v, f]) => toCharInterval(iv(v), s(f))),
  def('to_char', ['numeric', 'text'], 'text', ([v, f]) => toCharNumber(typeof v === 'number' ? String(v) : s(v), s(f))),
  def('to_char', ['float8', 'text'], 'text', ([v, f]) => toCharNumber(n(v), s(f))),
  // float4_to_char: FLT_DIG (6) significant digits; integers print exactly (an int8 past 2^53 too).
  def('to_char', ['float4', 'text'], 'text', ([v, f]) => toCharNumber(n(v), s(f), 6)),
  def('to_char', ['int4', 'text'], 'text', ([v, f]) => toCharNumber(String(v), s(f))),
  def('to_char', ['int8', 'text'], 'text', ([v, f]) => toCharNumber(String(v), s(f))),
  def('to_number', ['text', 'text'], 'numeric', ([v, f]) => toNumber(s(v), s(f)), 'stable'),
  def('make_date', ['int4', 'int4', 'int4'], 'date', ([y, m, d]) => makeDate(n(y), n(m), n(d))),
  def('make_time', ['int4', 'int4', 'float8'], 'time', ([h, m, sec]) => makeTime(n(h), n(m), n(sec))),
  def('make_timestamp', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamp',
    ([y, mo, d, h, mi, sec]) => makeTimestamp(n(y), n(mo), n(d), n(h), n(mi), n(sec))),
  def('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamptz',
    ([y, mo, d, h, mi, sec], ctx) => atZoneFromLocal(makeTimestamp(n(y), n(mo), n(d), n(h), n(mi), n(sec)), session(ctx)), 'stable'),
  def('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8', 'text'], 'timestamptz',
    ([y, mo, d, h, mi, sec, z]) => atZoneFromLocal(makeTimestamp(n(y), n(mo), n(d), n(h), n(mi), n(sec)), requireZone(s(z)))),
  // make_interval's parameters all default to 0; named arguments arrive positionally, so every prefix is an overload.
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((count) => def('make_interval',
    (['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'] as const).slice(0, count), 'interval',
    (args) => makeInterval(args.map((a) => n(a))))),
  def('age', ['timestamptz', 'timestamptz'], 'interval', ([a, b], ctx) => age(n(a), n(b), session(ctx)), 'stable'),
  def('age', ['timestamp', 'timestamp'], 'interval', ([a, b]) => age(n(a), n(b), null)),
  def('age', ['timestamp'], 'interval', ([a], ctx) => age(todayLocal(ctx), n(a), null), 'stable'),
  // age(timestamptz): from current_date's midnight in the session zone, fields in that zone.
  def('age', ['timestamptz'], 'interval', ([a], ctx) => age(localToUtcIn(session(ctx), todayLocal(ctx)), n(a), session(ctx)), 'stable'),
  def('timezone', ['text', 'timestamptz'], 'timestamp', ([z, t]) => atZoneFromTz(n(t), requireZone(s(z), true))),
  def('timezone', ['text', 'timestamp'], 'timestamptz', ([z, t]) => atZoneFromLocal(n(t), requireZone(s(z), true))),
  def('timezone', ['interval', 'timestamptz'], 'timestamp', ([z, t]) => atZoneFromTz(n(t), intervalZone(iv(z), formatInterval(iv(z))))),
  def('timezone', ['interval', 'timestamp'], 'timestamptz', ([z, t]) => atZoneFromLocal(n(t), intervalZone(iv(z), formatInterval(iv(z))))),
  def('isfinite', ['timestamptz'], 'bool', ([t]) => Number.isFinite(n(t))),
  def('isfinite', ['timestamp'], 'bool', ([t]) => Number.isFinite(n(t))),
  def('isfinite', ['date'], 'bool', ([d]) => Number.isFinite(n(d))),
  def('isfinite', ['interval'], 'bool', () => true),
  def('justify_days', ['interval'], 'interval', ([v]) => justifyDays(iv(v))),
  def('justify_hours', ['interval'], 'interval', ([v]) => justifyHours(iv(v))),
  def('justify_interval', ['interval'], 'interval', ([v]) => justifyInterval(iv(v))),
  def('now', [], 'timestamptz', (_args, ctx) => ctx.nowUs, 'stable'),
  def('transaction_timestamp', [], 'timestamptz', (_args, ctx) => ctx.nowUs, 'stable'),
  def('statement_timestamp', [], 'timestamptz', (_args, ctx) => ctx.nowUs, 'stable'),
  def('clock_timestamp', [], 'timestamptz', () => clockUs(), 'volatile'),
  // timeofday(): the clock as text, pg_strftime's '%a %b %d %H:%M:%S.%%06d %Y %Z' in the session's zone.
  def('timeofday', [], 'text', (_args, ctx) => toCharTimestamp(clockUs(), 'Dy Mon DD HH24:MI:SS.US YYYY TZ', session(ctx)), 'volatile'),
]

/** The wall clock in µs (clock_timestamp, timeofday): microsecond resolution, as PostgreSQL's GetCurrentTimestamp. */
function clockUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000)
}

/** Midnight of the session's current date, as a wall clock (age(timestamp)'s implicit first argument). */
function todayLocal(ctx: FunctionContext): number {
  return truncTimestamp('day', atZoneFromTz(ctx.nowUs, session(ctx)), null)
}

export const TIME_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...OPERATORS, ...FIELD_FUNCTIONS, ...TIME_BUCKET, ...OTHER_FUNCTIONS,
]
