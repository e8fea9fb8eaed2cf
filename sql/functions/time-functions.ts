// sql/functions/time-functions: the time operators and functions as registry definitions — timestamp/date/interval
// arithmetic, date_trunc, date_part/extract, date_bin, to_timestamp, AT TIME ZONE (timezone()), and TimescaleDB's
// time_bucket. The calendar and zone rules live in sql/expr and time-*.ts; this file only declares and dispatches.
import type { IntervalValue, SqlValue } from '../api.js'
import { intervalAdd, intervalDiv, intervalMul, intervalNegate, intervalSub } from '../expr/interval.js'
import { requireSessionZone, requireZone, type Zone } from '../expr/time-zone.js'
import type { PgTypeName } from '../bind/types.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import { addInterval, atZoneFromLocal, atZoneFromTz, dateAddDays, dateDiff, subInterval, timestampDiff, toTimestampFromSeconds } from './time-arith.js'
import { dateBin, timeBucketDate, timeBucketLocal, timeBucketTz } from './time-bucket.js'
import { datePart, intervalPart, timestampPart, truncInterval, truncTimestamp } from './time-fields.js'

const iv = (v: SqlValue): IntervalValue => v as IntervalValue
const num = (v: SqlValue): number => Number(v)
const sessionZone = (ctx: FunctionContext): Zone => requireSessionZone(ctx.timeZone)

function fn(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: ScalarFunction['evaluate'],
  volatility: ScalarFunction['volatility'] = 'immutable'): ScalarFunction {
  return { name, args, result, strict: true, volatility, evaluate }
}

const OPERATORS: ReadonlyArray<ScalarFunction> = [
  fn('+', ['timestamptz', 'interval'], 'timestamptz', ([t, v], ctx) => addInterval(num(t), iv(v), sessionZone(ctx)), 'stable'),
  fn('+', ['interval', 'timestamptz'], 'timestamptz', ([v, t], ctx) => addInterval(num(t), iv(v), sessionZone(ctx)), 'stable'),
  fn('-', ['timestamptz', 'interval'], 'timestamptz', ([t, v], ctx) => subInterval(num(t), iv(v), sessionZone(ctx)), 'stable'),
  fn('+', ['timestamp', 'interval'], 'timestamp', ([t, v]) => addInterval(num(t), iv(v), null)),
  fn('+', ['interval', 'timestamp'], 'timestamp', ([v, t]) => addInterval(num(t), iv(v), null)),
  fn('-', ['timestamp', 'interval'], 'timestamp', ([t, v]) => subInterval(num(t), iv(v), null)),
  fn('-', ['timestamptz', 'timestamptz'], 'interval', ([a, b]) => timestampDiff(num(a), num(b))),
  fn('-', ['timestamp', 'timestamp'], 'interval', ([a, b]) => timestampDiff(num(a), num(b))),
  fn('+', ['date', 'int4'], 'date', ([d, n]) => dateAddDays(num(d), num(n))),
  fn('+', ['int4', 'date'], 'date', ([n, d]) => dateAddDays(num(d), num(n))),
  fn('-', ['date', 'int4'], 'date', ([d, n]) => dateAddDays(num(d), -num(n))),
  fn('-', ['date', 'date'], 'int4', ([a, b]) => dateDiff(num(a), num(b))),
  fn('+', ['date', 'interval'], 'timestamp', ([d, v]) => addInterval(num(d) * 86_400_000_000, iv(v), null)),
  fn('-', ['date', 'interval'], 'timestamp', ([d, v]) => subInterval(num(d) * 86_400_000_000, iv(v), null)),
  fn('+', ['interval', 'interval'], 'interval', ([a, b]) => intervalAdd(iv(a), iv(b))),
  fn('-', ['interval', 'interval'], 'interval', ([a, b]) => intervalSub(iv(a), iv(b))),
  fn('-', ['interval'], 'interval', ([a]) => intervalNegate(iv(a))),
  fn('*', ['interval', 'float8'], 'interval', ([a, f]) => intervalMul(iv(a), num(f))),
  fn('*', ['float8', 'interval'], 'interval', ([f, a]) => intervalMul(iv(a), num(f))),
  fn('/', ['interval', 'float8'], 'interval', ([a, f]) => intervalDiv(iv(a), num(f))),
]

const part = (value: ReturnType<typeof timestampPart>, numeric: boolean): SqlValue => (value === null ? null : numeric ? value.numeric : value.float)

const FIELDS: ReadonlyArray<ScalarFunction> = [
  fn('date_trunc', ['text', 'timestamptz'], 'timestamptz', ([u, t], ctx) => truncTimestamp(String(u), num(t), sessionZone(ctx)), 'stable'),
  fn('date_trunc', ['text', 'timestamptz', 'text'], 'timestamptz', ([u, t, z]) => truncTimestamp(String(u), num(t), requireZone(String(z)))),
  fn('date_trunc', ['text', 'timestamp'], 'timestamp', ([u, t]) => truncTimestamp(String(u), num(t), null)),
  fn('date_trunc', ['text', 'interval'], 'interval', ([u, v]) => truncInterval(String(u), iv(v))),
  fn('date_part', ['text', 'timestamptz'], 'float8', ([u, t], ctx) => part(timestampPart(String(u), num(t), sessionZone(ctx)), false), 'stable'),
  fn('date_part', ['text', 'timestamp'], 'float8', ([u, t]) => part(timestampPart(String(u), num(t), null), false)),
  fn('date_part', ['text', 'date'], 'float8', ([u, d]) => part(datePart(String(u), num(d)), false)),
  fn('date_part', ['text', 'interval'], 'float8', ([u, v]) => intervalPart(String(u), iv(v)).float),
  fn('extract', ['text', 'timestamptz'], 'numeric', ([u, t], ctx) => part(timestampPart(String(u), num(t), sessionZone(ctx)), true), 'stable'),
  fn('extract', ['text', 'timestamp'], 'numeric', ([u, t]) => part(timestampPart(String(u), num(t), null), true)),
  fn('extract', ['text', 'date'], 'numeric', ([u, d]) => part(datePart(String(u), num(d)), true)),
  fn('extract', ['text', 'interval'], 'numeric', ([u, v]) => intervalPart(String(u), iv(v)).numeric),
  fn('date_bin', ['interval', 'timestamptz', 'timestamptz'], 'timestamptz', ([s, t, o]) => dateBin(iv(s), num(t), num(o))),
  fn('date_bin', ['interval', 'timestamp', 'timestamp'], 'timestamp', ([s, t, o]) => dateBin(iv(s), num(t), num(o))),
  fn('to_timestamp', ['float8'], 'timestamptz', ([s]) => toTimestampFromSeconds(num(s))),
  fn('timezone', ['text', 'timestamptz'], 'timestamp', ([z, t]) => atZoneFromTz(num(t), requireZone(String(z)))),
  fn('timezone', ['text', 'timestamp'], 'timestamptz', ([z, t]) => atZoneFromLocal(num(t), requireZone(String(z)))),
]

const BUCKETS: ReadonlyArray<ScalarFunction> = [
  fn('time_bucket', ['interval', 'timestamptz'], 'timestamptz', ([w, t]) => timeBucketTz(iv(w), num(t), {})),
  fn('time_bucket', ['interval', 'timestamptz', 'timestamptz'], 'timestamptz', ([w, t, o]) => timeBucketTz(iv(w), num(t), { origin: num(o) })),
  fn('time_bucket', ['interval', 'timestamptz', 'interval'], 'timestamptz', ([w, t, o]) => timeBucketTz(iv(w), num(t), { offset: iv(o) })),
  fn('time_bucket', ['interval', 'timestamptz', 'text'], 'timestamptz', ([w, t, z]) => timeBucketTz(iv(w), num(t), { zone: requireZone(String(z)) })),
  fn('time_bucket', ['interval', 'timestamp'], 'timestamp', ([w, t]) => timeBucketLocal(iv(w), num(t), null)),
  fn('time_bucket', ['interval', 'timestamp', 'timestamp'], 'timestamp', ([w, t, o]) => timeBucketLocal(iv(w), num(t), num(o))),
  fn('time_bucket', ['interval', 'timestamp', 'interval'], 'timestamp', ([w, t, o]) => timeBucketLocal(iv(w), num(t), null, iv(o))),
  fn('time_bucket', ['interval', 'date'], 'date', ([w, d]) => timeBucketDate(iv(w), num(d), null)),
]

export const TIME_FUNCTIONS: ReadonlyArray<ScalarFunction> = [...OPERATORS, ...FIELDS, ...BUCKETS]
