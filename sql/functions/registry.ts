// sql/functions/registry: every built-in function, operator and aggregate by name, from the definition files. The
// binder's only source of what exists: a name that is not here is 42883.
import { ADVISORY_FUNCTIONS } from './advisory-functions.js'
import { AGGREGATE_FUNCTIONS } from './aggregate-functions.js'
import { CATALOG_FUNCTIONS } from './catalog-functions.js'
import { GAPFILL_FUNCTIONS } from './gapfill-functions.js'
import type { AggregateFunction, ScalarFunction } from './function-def.js'
import { MATH_FUNCTIONS } from './math-functions.js'
import { MISC_FUNCTIONS } from './misc-functions.js'
import { NOTIFY_FUNCTIONS } from './notify-functions.js'
import { SLEEP_FUNCTIONS } from './sleep-functions.js'
import { TEXT_FUNCTIONS } from './text-functions.js'
import { BIT_OPERATORS, operatorAliases } from './bit-operators.js'
import { BYTEA_FUNCTIONS } from './bytea-functions.js'
import { JSON_FUNCTIONS } from './json-functions.js'
import { JSONB_MODIFY_FUNCTIONS } from './jsonb-modify.js'
import { OVERLAPS_FUNCTIONS } from './overlaps.js'
import { TIME_FUNCTIONS } from './time-functions.js'
import { TIMETZ_FUNCTIONS } from './timetz-functions.js'

function byName<T extends { readonly name: string }>(definitions: ReadonlyArray<T>): ReadonlyMap<string, ReadonlyArray<T>> {
  const map = new Map<string, T[]>()
  for (const definition of definitions) {
    const list = map.get(definition.name) ?? []
    list.push(definition)
    map.set(definition.name, list)
  }
  return map
}

const FUNCTIONS: ReadonlyArray<ScalarFunction> = [...MATH_FUNCTIONS, ...TEXT_FUNCTIONS, ...BYTEA_FUNCTIONS, ...JSON_FUNCTIONS, ...JSONB_MODIFY_FUNCTIONS, ...MISC_FUNCTIONS, ...TIME_FUNCTIONS, ...TIMETZ_FUNCTIONS, ...OVERLAPS_FUNCTIONS, ...GAPFILL_FUNCTIONS, ...CATALOG_FUNCTIONS, ...SLEEP_FUNCTIONS, ...ADVISORY_FUNCTIONS, ...NOTIFY_FUNCTIONS, ...BIT_OPERATORS]
const SCALARS = byName<ScalarFunction>([...FUNCTIONS, ...operatorAliases(FUNCTIONS)])
const AGGREGATES = byName<AggregateFunction>(AGGREGATE_FUNCTIONS as ReadonlyArray<AggregateFunction>)

export function scalarOverloads(name: string): ReadonlyArray<ScalarFunction> {
  return SCALARS.get(name) ?? []
}

export function aggregateOverloads(name: string): ReadonlyArray<AggregateFunction> {
  return AGGREGATES.get(name) ?? []
}

export function isAggregate(name: string): boolean {
  return AGGREGATES.has(name)
}

/** Every scalar function and operator, in registry order (pg_proc lists them). */
export function allScalarFunctions(): ReadonlyArray<ScalarFunction> {
  return [...SCALARS.values()].flat()
}
