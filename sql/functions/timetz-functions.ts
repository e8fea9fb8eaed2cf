// sql/functions/timetz-functions: the registry entries of PostgreSQL 15's time with time zone operators and
// functions (pg_operator / pg_proc): timetz ± interval, date + timetz, extract/date_part, AT TIME ZONE (timezone()).
// Semantics live in sql/expr/timetz.ts; comparisons need no entries (timetz values order as timetz_cmp does).
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import { addTimetzInterval, dateWithTimetz, timetzAtInterval, timetzAtZone, timetzParts } from '../expr/timetz.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import { overlaps } from './overlaps.js'
import { timePart } from './time-fields.js'
import { iv, n, s } from './time-functions.js'

type Evaluate = (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue

function def(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: Evaluate, volatility: ScalarFunction['volatility'] = 'immutable'): ScalarFunction {
  return { name, args, result, strict: true, volatility, evaluate }
}

function field(unit: SqlValue, value: SqlValue): ReturnType<typeof timePart> {
  const { time, zone } = timetzParts(s(value))
  return timePart(s(unit), time, zone)
}

function end(value: SqlValue | undefined): string | null {
  return value === null || value === undefined ? null : s(value)
}

export const TIMETZ_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  def('+', ['timetz', 'interval'], 'timetz', ([a, b]) => addTimetzInterval(s(a), iv(b), 1)),
  def('+', ['interval', 'timetz'], 'timetz', ([a, b]) => addTimetzInterval(s(b), iv(a), 1)),
  def('-', ['timetz', 'interval'], 'timetz', ([a, b]) => addTimetzInterval(s(a), iv(b), -1)),
  def('+', ['date', 'timetz'], 'timestamptz', ([a, b]) => dateWithTimetz(n(a), s(b))),
  def('+', ['timetz', 'date'], 'timestamptz', ([a, b]) => dateWithTimetz(n(b), s(a))),
  def('extract', ['text', 'timetz'], 'numeric', ([u, t]) => field(u, t).numeric),
  def('date_part', ['text', 'timetz'], 'float8', ([u, t]) => field(u, t).float),
  // timetz_zone reads the zone's offset at the statement's timestamp: stable, as in pg_proc.
  def('timezone', ['text', 'timetz'], 'timetz', ([z, t], ctx) => timetzAtZone(s(t), s(z), ctx), 'stable'),
  def('timezone', ['interval', 'timetz'], 'timetz', ([z, t]) => timetzAtInterval(s(t), iv(z))),
  // overlaps_timetz: not strict (a NULL end is the instant at the other end).
  { ...def('overlaps', ['timetz', 'timetz', 'timetz', 'timetz'], 'bool', ([a, b, c, d]) => overlaps(end(a), end(b), end(c), end(d))), strict: false },
]
