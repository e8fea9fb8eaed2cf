// sql/functions/overlaps: the SQL OVERLAPS predicate, `(s1, e1) OVERLAPS (s2, e2)` — the grammar turns it into
// pg_catalog.overlaps with four arguments. PostgreSQL's overlaps_timestamp, NULLs included: an interval with one
// NULL end is the instant at its other end, both NULL is NULL; ends are swapped into order; and the forms whose
// second member is an interval (`(start, length)`) add it first, as PostgreSQL's SQL-language overloads do.
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import { addInterval } from './time-arith.js'
import { iv, n, session } from './time-functions.js'

type End<T> = T | null

/**
 * overlaps_timestamp over µs instants (timestamp and timestamptz compare alike); overlaps_timetz is the same over
 * timetz values, whose strings order as timetz_cmp does (sql/expr/timetz.ts).
 */
export function overlaps<T extends number | string>(s1: End<T>, e1: End<T>, s2: End<T>, e2: End<T>): boolean | null {
  const first = ordered(s1, e1)
  const second = ordered(s2, e2)
  if (first === null || second === null) return null
  const [ts1, te1] = first
  const [ts2, te2] = second
  if (ts1 > ts2) {
    if (te2 === null) return null
    if (ts1 < te2) return true
    return te1 === null ? null : false
  }
  if (ts1 < ts2) {
    if (te1 === null) return null
    if (ts2 < te1) return true
    return te2 === null ? null : false
  }
  return te1 === null || te2 === null ? null : true
}

/** One interval's ends in order; a NULL start takes the end's place; null when both are NULL. */
function ordered<T extends number | string>(start: End<T>, end: End<T>): readonly [T, End<T>] | null {
  if (start === null) return end === null ? null : [end, null]
  if (end === null) return [start, null]
  return start > end ? [end, start] : [start, end]
}

type Second = 'ts' | 'interval'

/** One overload: each interval given as (start, end) or (start, length); lengths are added in the session zone. */
function overload(type: 'timestamp' | 'timestamptz', second1: Second, second2: Second): ScalarFunction {
  const endOf = (start: SqlValue, second: SqlValue, kind: Second, ctx: FunctionContext): End<number> => {
    if (kind === 'ts') return second === null ? null : n(second)
    return start === null || second === null ? null : addInterval(n(start), iv(second), type === 'timestamptz' ? session(ctx) : null)
  }
  const args: PgTypeName[] = [type, second1 === 'ts' ? type : 'interval', type, second2 === 'ts' ? type : 'interval']
  return {
    name: 'overlaps', args, result: 'bool', strict: false, volatility: type === 'timestamptz' && (second1 !== 'ts' || second2 !== 'ts') ? 'stable' : 'immutable',
    evaluate: ([a, b, c, d], ctx) => overlaps(a === null ? null : n(a), endOf(a!, b!, second1, ctx), c === null ? null : n(c), endOf(c!, d!, second2, ctx)),
  }
}

export const OVERLAPS_FUNCTIONS: ReadonlyArray<ScalarFunction> = (['timestamptz', 'timestamp'] as const).flatMap((type) => [
  overload(type, 'ts', 'ts'), overload(type, 'interval', 'interval'), overload(type, 'ts', 'interval'), overload(type, 'interval', 'ts'),
])
