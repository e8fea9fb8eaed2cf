// sql/catalog/pg-proc: pg_proc as nodedb's registry holds it — one row per overload of every function (prokind 'f'),
// aggregate ('a') and window function ('w'), with argument and result types as PostgreSQL names them (polymorphic ones
// as "any", anyelement, anyarray) — and what pg_get_function_arguments / pg_get_function_result print for a row, which
// psql's \df and \da, and IDEs listing functions, read. Operators are pg_operator's, not here.
import { PG_TYPES, sqlType, type PgTypeName } from '../bind/types.js'
import { AGGREGATE_FUNCTIONS } from '../functions/aggregate-functions.js'
import { formatType } from '../functions/catalog-functions.js'
import type { AggregateFunction, ScalarFunction } from '../functions/function-def.js'
import { allScalarFunctions } from '../functions/registry.js'
import { PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID } from './catalog-ids.js'
import { defineTable } from './define-table.js'
import type { VirtualTable } from './virtual-table.js'

/** nodedb's functions have no PostgreSQL OIDs of their own: they are numbered from here in registry order. */
export const FUNCTION_OID_BASE = 100000

const ANY_OID = 2276
const ANYELEMENT_OID = 2283

export interface ProcEntry {
  readonly oid: number
  readonly name: string
  readonly kind: 'f' | 'a' | 'w'
  readonly argOids: ReadonlyArray<number>
  /** The element type of a VARIADIC last argument (0: none); "any" for variadic "any". */
  readonly variadicOid: number
  readonly resultOid: number
  readonly strict: boolean
  readonly volatility: 'i' | 's' | 'v'
}

const typeOid = (name: PgTypeName | 'any'): number => (name === 'any' ? ANY_OID : PG_TYPES[name].oid)

/** A computed result type (a typmod kept, an element of the argument's array) from the declared arguments. */
function resultOid(result: ScalarFunction['result'], args: ReadonlyArray<PgTypeName | 'any'>): number {
  if (typeof result === 'string') return typeOid(result)
  if (args.includes('any')) return ANYELEMENT_OID
  try {
    return typeOid(result(args.map((arg) => sqlType(arg as PgTypeName))).name)
  } catch {
    return ANYELEMENT_OID
  }
}

function scalarEntry(fn: ScalarFunction): Omit<ProcEntry, 'oid'> {
  const variadic = fn.variadic === undefined ? 0 : typeOid(fn.variadic)
  return {
    name: fn.name, kind: 'f', argOids: fn.args.map(typeOid), variadicOid: variadic, resultOid: resultOid(fn.result, fn.args),
    strict: fn.strict, volatility: fn.volatility === 'immutable' ? 'i' : fn.volatility === 'stable' ? 's' : 'v',
  }
}

function aggregateEntry(fn: AggregateFunction): Omit<ProcEntry, 'oid'> {
  return { name: fn.name, kind: 'a', argOids: fn.args.map(typeOid), variadicOid: 0, resultOid: resultOid(fn.result, fn.args), strict: false, volatility: 'i' }
}

/** PostgreSQL 15's window functions (pg_proc prokind 'w'): name, argument types, result type, strictness. */
const ANYCOMPATIBLE_OID = 5077
const WINDOW_FUNCTIONS: ReadonlyArray<readonly [string, ReadonlyArray<number>, number, boolean]> = [
  ['row_number', [], 20, false], ['rank', [], 20, false], ['dense_rank', [], 20, false], ['percent_rank', [], 701, false],
  ['cume_dist', [], 701, false], ['ntile', [23], 23, true],
  ...['lag', 'lead'].flatMap((name) => [
    [name, [ANYELEMENT_OID], ANYELEMENT_OID, true], [name, [ANYELEMENT_OID, 23], ANYELEMENT_OID, true],
    [name, [ANYCOMPATIBLE_OID, 23, ANYCOMPATIBLE_OID], ANYCOMPATIBLE_OID, true],
  ] as const),
  ['first_value', [ANYELEMENT_OID], ANYELEMENT_OID, true], ['last_value', [ANYELEMENT_OID], ANYELEMENT_OID, true],
  ['nth_value', [ANYELEMENT_OID, 23], ANYELEMENT_OID, true],
]

let entries: ReadonlyArray<ProcEntry> | undefined

/** Every row, built once (the registry does not change while the server runs). */
export function procEntries(): ReadonlyArray<ProcEntry> {
  entries ??= [
    ...allScalarFunctions().filter((fn) => /^[a-z_][a-z0-9_]*$/.test(fn.name)).map(scalarEntry),
    ...AGGREGATE_FUNCTIONS.map(aggregateEntry),
    ...WINDOW_FUNCTIONS.map(([name, argOids, result, strict]): Omit<ProcEntry, 'oid'> => ({ name, kind: 'w', argOids, variadicOid: 0, resultOid: result, strict, volatility: 'i' })),
  ].map((entry, index) => ({ ...entry, oid: FUNCTION_OID_BASE + index }))
  return entries
}

export function procEntry(oid: number): ProcEntry | undefined {
  const entry = procEntries()[oid - FUNCTION_OID_BASE]
  return entry?.oid === oid ? entry : undefined
}

/** pg_get_function_arguments / _identity_arguments: the types as format_type prints them, VARIADIC last. */
export function functionArguments(entry: ProcEntry): string {
  const args = entry.argOids.map((oid) => formatType(oid, null))
  if (entry.variadicOid !== 0) args.push(`VARIADIC ${entry.variadicOid === ANY_OID ? '"any"' : `${formatType(entry.variadicOid, null)}[]`}`)
  return args.join(', ')
}

export const PG_PROC: VirtualTable = defineTable('pg_catalog', 'pg_proc', 1255, `oid:oid proname:name pronamespace:oid proowner:oid
  prolang:oid procost:float4 prorows:float4 provariadic:oid prosupport:regproc prokind:char prosecdef:bool proleakproof:bool proisstrict:bool
  proretset:bool provolatile:char proparallel:char pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:_oid
  proallargtypes:_oid proargmodes:_char proargnames:_text proargdefaults:text protrftypes:_oid prosrc:text probin:text prosqlbody:text
  proconfig:_text proacl:_text`,
() => procEntries().map((entry) => {
  const argOids = entry.variadicOid === 0 ? entry.argOids : [...entry.argOids, entry.variadicOid]
  return [
    entry.oid, entry.name, PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID, 12, 1, 0, entry.variadicOid, 0, entry.kind, false, false, entry.strict,
    false, entry.volatility, 's', argOids.length, 0, entry.resultOid, `{${argOids.join(',')}}`, null, null, null, null,
    null, entry.name, null, null, null, null,
  ]
}))
