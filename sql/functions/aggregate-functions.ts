// sql/functions/aggregate-functions: every built-in aggregate, with PostgreSQL 15's overloads and result types
// (pg_aggregate ⋈ pg_proc), plus TimescaleDB's first/last. The binder picks an overload among findAggregate(name).
// array_agg exists for the catalog's array types only (aggregate-ordered.ts).
import type { AggregateFunction } from './function-def.js'
import { BASIC_FUNCTIONS } from './aggregate-basic.js'
import { ORDERED_FUNCTIONS } from './aggregate-ordered.js'
import { STATS_FUNCTIONS } from './aggregate-stats.js'
import { SUM_AVG_FUNCTIONS } from './aggregate-sum-avg.js'
import { JSON_AGGREGATES } from './json-functions.js'

export const AGGREGATE_FUNCTIONS: ReadonlyArray<AggregateFunction> = [
  ...BASIC_FUNCTIONS, ...SUM_AVG_FUNCTIONS, ...STATS_FUNCTIONS, ...ORDERED_FUNCTIONS, ...JSON_AGGREGATES,
]

const BY_NAME: ReadonlyMap<string, ReadonlyArray<AggregateFunction>> = (() => {
  const map = new Map<string, AggregateFunction[]>()
  for (const def of AGGREGATE_FUNCTIONS) {
    const list = map.get(def.name)
    if (list === undefined) map.set(def.name, [def])
    else list.push(def)
  }
  return map
})()

/** Every overload of an aggregate (lower-case name, as the parser folds unquoted identifiers); [] when none. */
export function findAggregate(name: string): ReadonlyArray<AggregateFunction> {
  return BY_NAME.get(name) ?? []
}

export function isAggregateName(name: string): boolean {
  return BY_NAME.has(name)
}
