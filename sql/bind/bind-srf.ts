// sql/bind/bind-srf: the set-returning functions nodedb has — generate_series and unnest — bound the one way for both
// places PostgreSQL allows them: in FROM (a FunctionScanNode) and in the select list (PostgreSQL's ProjectSet: each
// call expands its row into as many rows as the longest call returns, the shorter ones padded with NULL). In the
// select list a call binds to a marker the planner lifts into a ProjectSetNode; anywhere else it is 0A000, as
// PostgreSQL's "set-returning functions are not allowed in …".
import { AssertionError } from '../../src/common/assert.js'
import { featureNotSupported, undefinedFunction } from '../../src/common/errors.js'
import type { ScalarFunction } from '../functions/function-def.js'
import type { BindContext } from './bind-expr.js'
import { coerce } from './coerce.js'
import { categoryOf, formatName } from './type-rules.js'
import type { Expr } from './expr.js'
import { ELEMENT_OF, sqlType, type SqlType } from './types.js'

export const JSON_SET_RETURNING = [
  'json_array_elements', 'jsonb_array_elements', 'json_array_elements_text', 'jsonb_array_elements_text',
  'json_object_keys', 'jsonb_object_keys', 'json_each', 'jsonb_each', 'json_each_text', 'jsonb_each_text',
] as const
export type JsonSetReturningName = typeof JSON_SET_RETURNING[number]

export function isJsonSetReturning(name: string): name is JsonSetReturningName {
  return (JSON_SET_RETURNING as ReadonlyArray<string>).includes(name)
}

/** json_each and its kin return (key, value) rows: a record, so only FROM can hold them. */
export function isTwoColumnJsonSrf(name: JsonSetReturningName): boolean {
  return name.endsWith('_each') || name.endsWith('_each_text')
}

/** regexp_matches (one text[] per match), regexp_split_to_table and string_to_table (one text per piece); pg_listening_channels(). */
export type TextSetReturningName = 'regexp_matches' | 'regexp_split_to_table' | 'string_to_table' | 'pg_listening_channels'

export function isTextSetReturning(name: string): name is TextSetReturningName {
  return name === 'regexp_matches' || name === 'regexp_split_to_table' || name === 'string_to_table' || name === 'pg_listening_channels'
}

export type SetReturningName = 'generate_series' | 'unnest' | JsonSetReturningName | TextSetReturningName

export function isSetReturningName(name: string): name is SetReturningName {
  return name === 'generate_series' || name === 'unnest' || isJsonSetReturning(name) || isTextSetReturning(name)
}

/** The arguments cast as PostgreSQL resolves the call, and the type of the one column it returns. */
export function bindSetReturning(ctx: BindContext, name: SetReturningName, bound: ReadonlyArray<Expr>, pos: number): { args: Expr[]; type: SqlType } {
  if (isJsonSetReturning(name)) return bindJsonSetReturning(ctx, name, bound, pos)
  if (name === 'pg_listening_channels') {
    if (bound.length > 0) throw undefinedFunction(`${name}(${bound.map((a) => a.type.name).join(', ')})`, pos + 1)
    return { args: [], type: sqlType('text') }
  }
  if (isTextSetReturning(name)) {
    if (bound.length < 2 || bound.length > 3 || bound.some((a) => a.type.name !== 'unknown' && categoryOf(a.type.name) !== 'S')) {
      throw undefinedFunction(`${name}(${bound.map((a) => a.type.name).join(', ')})`, pos + 1)
    }
    return { args: bound.map((a) => coerce(ctx, a, sqlType('text'))), type: sqlType(name === 'regexp_matches' ? '_text' : 'text') }
  }
  if (name === 'unnest') {
    // Several arrays are ROWS FROM's shorthand, planned in FROM (sql/plan/plan-from.ts); anywhere else no such function.
    if (bound.length !== 1) throw undefinedFunction(`unnest(${bound.map((a) => formatName(a.type)).join(', ')})`, pos + 1)
    const arg = bound[0]!
    const arrayType = arg.type.name === 'unknown' ? sqlType('_text') : arg.type
    const element = ELEMENT_OF[arrayType.name]
    if (element === undefined) throw undefinedFunction(`unnest(${arg.type.name})`, pos + 1)
    return { args: [coerce(ctx, arg, arrayType)], type: sqlType(element) }
  }
  if (bound.length < 2 || bound.length > 3) throw featureNotSupported('generate_series with this many arguments', pos + 1)
  const isTime = bound.some((a) => a.type.name === 'timestamptz' || a.type.name === 'timestamp' || a.type.name === 'interval')
  const isBig = bound.some((a) => a.type.name === 'int8')
  const isNumeric = bound.some((a) => a.type.name === 'numeric')
  if (isNumeric && !isTime) throw featureNotSupported('generate_series over numeric', pos + 1)
  const type = isTime ? sqlType(bound.some((a) => a.type.name === 'timestamp') ? 'timestamp' : 'timestamptz') : sqlType(isBig ? 'int8' : 'int4')
  return { args: bound.map((a, i) => coerce(ctx, a, i === 2 && isTime ? sqlType('interval') : type)), type }
}

/** json(b)_array_elements(_text), json(b)_object_keys, json(b)_each(_text): one json or jsonb argument. */
function bindJsonSetReturning(ctx: BindContext, name: JsonSetReturningName, bound: ReadonlyArray<Expr>, pos: number): { args: Expr[]; type: SqlType } {
  const argType = sqlType(name.startsWith('jsonb') ? 'jsonb' : 'json')
  const arg = bound[0]
  if (bound.length !== 1 || arg === undefined || (arg.type.name !== argType.name && arg.type.name !== 'unknown')) {
    throw undefinedFunction(`${name}(${bound.map((a) => a.type.name).join(', ')})`, pos + 1)
  }
  const type = name.endsWith('_text') || name.endsWith('object_keys') ? sqlType('text') : argType
  return { args: [coerce(ctx, arg, argType)], type }
}

const MARKERS: Readonly<Record<SetReturningName, ScalarFunction>> = Object.fromEntries(
  ['generate_series', 'unnest', 'regexp_matches', 'regexp_split_to_table', 'string_to_table', 'pg_listening_channels', ...JSON_SET_RETURNING].map((name) => [name, marker(name as SetReturningName)]),
) as Record<SetReturningName, ScalarFunction>

function marker(name: SetReturningName): ScalarFunction {
  return {
    name, args: [], variadic: 'any', result: 'unknown', strict: false, volatility: 'volatile',
    evaluate: () => { throw new AssertionError(`${name}() in a select list evaluated outside its ProjectSetNode`) },
  }
}

/** A select-list call: the marker the planner lifts (sql/plan/plan-srf.ts); 0A000 where the clause allows none. */
export function bindSetReturningCall(ctx: BindContext, name: SetReturningName, args: ReadonlyArray<Expr>, pos: number): Expr {
  if (ctx.allowSetReturning !== true) throw featureNotSupported(`set-returning functions in ${ctx.clause}`, pos + 1)
  if (isJsonSetReturning(name) && isTwoColumnJsonSrf(name)) throw featureNotSupported(`${name}() in a select list (its rows are records): call it in FROM`, pos + 1)
  const bound = bindSetReturning(ctx, name, args, pos)
  return { kind: 'Call', fn: MARKERS[name], args: bound.args, type: bound.type }
}

/** The set-returning function of a lifted marker call, or null for any other expression. */
export function setReturningOf(expr: Expr): SetReturningName | null {
  if (expr.kind !== 'Call') return null
  const name = expr.fn.name
  return isSetReturningName(name) && MARKERS[name] === expr.fn ? name : null
}
