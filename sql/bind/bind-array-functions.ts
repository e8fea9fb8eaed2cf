// sql/bind/bind-array-functions: PostgreSQL's polymorphic array functions and operators over nodedb's one-dimensional
// arrays (text form, sql/functions/array-text.ts): array_append, array_prepend, array_cat, array_position(s),
// array_remove, array_replace, trim_array, and the operators @> <@ &&. The element type is resolved as anycompatible resolves it
// (an array argument fixes it; unknown literals take it), and elements compare by that type's equality
// (compareTyped: 1.0 = 1, NaN = NaN), never as text. Position and removal match NULL as IS NOT DISTINCT FROM does;
// containment and overlap never match a NULL element, as PostgreSQL's.
import { arraySubscriptError, featureNotSupported, nullValueNotAllowed, undefinedFunction, undefinedOperator } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { castText, formatArrayValues } from '../expr/cast-value.js'
import { compareTyped } from '../exec/value-ops.js'
import { parseArrayText } from '../functions/array-text.js'
import type { FunctionContext, ScalarFunction } from '../functions/function-def.js'
import type { SqlCallExpr, SqlExpr } from '../parse/ast.js'
import type { BindContext } from './bind-expr.js'
import { coerce } from './coerce.js'
import type { Expr } from './expr.js'
import { commonType, formatName } from './type-rules.js'
import { ARRAY_OF, ELEMENT_OF, sqlType, type PgTypeName, type SqlType } from './types.js'

type BindExpr = (ctx: BindContext, expr: SqlExpr) => Expr
/** Which arguments are arrays ('a'), which elements ('e') and which plain integers ('i'). */
type Shape = ReadonlyArray<'a' | 'e' | 'i'>

const SHAPES: Readonly<Record<string, Shape>> = {
  array_append: ['a', 'e'], array_prepend: ['e', 'a'], array_cat: ['a', 'a'], array_position: ['a', 'e'],
  array_positions: ['a', 'e'], array_remove: ['a', 'e'], array_replace: ['a', 'e', 'e'], trim_array: ['a', 'i'],
  '@>': ['a', 'a'], '<@': ['a', 'a'], '&&': ['a', 'a'],
}

export function isArrayFunctionName(name: string): boolean {
  return SHAPES[name] !== undefined
}

/**
 * The element type the arguments agree on, as anycompatible resolves it (the operators: anyarray, one array type),
 * or null when they do not (PostgreSQL's 42883 for the call).
 */
function elementTypeOf(args: ReadonlyArray<Expr>, shape: Shape, isOperator: boolean, pos: number): PgTypeName | null {
  const known: SqlType[] = []
  for (let i = 0; i < args.length; i++) {
    const type = args[i]!.type
    if (type.name === 'unknown' || shape[i] === 'i') continue
    const element = shape[i] === 'a' ? ELEMENT_OF[type.name] : type.name
    if (element === undefined) return null
    known.push(sqlType(element))
  }
  if (known.length === 0) return 'text'
  if (isOperator) return known.every((t) => t.name === known[0]!.name) ? known[0]!.name : null
  try {
    return commonType(known, 'ARRAY', pos).name
  } catch {
    return null
  }
}

type Items = Array<Exclude<SqlValue, null> | null>

function itemsOf(value: SqlValue, element: SqlType, ctx: FunctionContext): Items {
  return parseArrayText(String(value)).map((item) => (item === null ? null : castText(item, element, ctx) as Exclude<SqlValue, null>))
}

/** IS NOT DISTINCT FROM by the element type. */
function same(a: SqlValue, b: SqlValue, element: SqlType): boolean {
  if (a === null || b === null) return a === b
  return compareTyped(a, b, element) === 0
}

function evaluator(name: string, element: SqlType): (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue {
  const items = (value: SqlValue, ctx: FunctionContext): Items => itemsOf(value, element, ctx)
  const out = (values: Items, ctx: FunctionContext): string => formatArrayValues(values, element.name, ctx)
  const has = (list: Items, x: SqlValue): boolean => x !== null && list.some((item) => item !== null && same(item, x, element))
  switch (name) {
    case 'array_append': return ([a, x], ctx) => out([...(a === null ? [] : items(a, ctx)), x ?? null], ctx)
    case 'array_prepend': return ([x, a], ctx) => out([x ?? null, ...(a === null ? [] : items(a, ctx))], ctx)
    case 'array_cat': return ([a, b], ctx) => (a === null && b === null ? null : out([...(a === null ? [] : items(a, ctx)), ...(b === null ? [] : items(b, ctx))], ctx))
    case 'array_position': return (args, ctx) => {
      const [a, x, start] = args
      if (a === null) return null
      if (start === null) throw nullValueNotAllowed('initial position must not be null')
      const from = Math.max(0, start === undefined ? 0 : Number(start) - 1)
      const list = items(a, ctx)
      for (let i = from; i < list.length; i++) if (same(list[i]!, x ?? null, element)) return i + 1
      return null
    }
    case 'array_positions': return ([a, x], ctx) => (a === null ? null
      : formatArrayValues(items(a, ctx).flatMap((item, i) => (same(item, x ?? null, element) ? [i + 1] : [])), 'int4', ctx))
    case 'trim_array': return ([a, n], ctx) => {
      if (a === null || n === null) return null
      const list = items(a, ctx)
      const count = Number(n)
      if (count < 0 || count > list.length) throw arraySubscriptError(`number of elements to trim must be between 0 and ${list.length}`)
      return out(list.slice(0, list.length - count), ctx)
    }
    case 'array_remove': return ([a, x], ctx) => (a === null ? null : out(items(a, ctx).filter((item) => !same(item, x ?? null, element)), ctx))
    case 'array_replace': return ([a, x, y], ctx) => (a === null ? null : out(items(a, ctx).map((item) => (same(item, x ?? null, element) ? y ?? null : item)), ctx))
    case '@>': return ([a, b], ctx) => { const left = items(a!, ctx); return items(b!, ctx).every((item) => has(left, item)) }
    case '<@': return ([a, b], ctx) => { const right = items(b!, ctx); return items(a!, ctx).every((item) => has(right, item)) }
    default: return ([a, b], ctx) => { const right = items(b!, ctx); return items(a!, ctx).some((item) => has(right, item)) }
  }
}

const RESULTS: Readonly<Record<string, 'array' | 'int4' | '_int4' | 'bool'>> = {
  array_append: 'array', array_prepend: 'array', array_cat: 'array', array_position: 'int4', array_positions: '_int4',
  array_remove: 'array', array_replace: 'array', trim_array: 'array', '@>': 'bool', '<@': 'bool', '&&': 'bool',
}

/** One of the functions or operators above over bound arguments; null when no argument is an array (jsonb's @> …). */
export function bindArrayFunction(ctx: BindContext, name: string, bound: ReadonlyArray<Expr>, pos: number): Expr | null {
  // array_position(a, x, start): the start is a plain integer outside the element type's resolution.
  const hasStart = name === 'array_position' && bound.length === 3
  const shape: Shape = hasStart ? [...SHAPES[name]!, 'i'] : SHAPES[name]!
  const isOperator = !/^[a-z]/.test(name)
  if (isOperator && !bound.some((arg) => ELEMENT_OF[arg.type.name] !== undefined)) return null
  if (bound.length !== shape.length) throw undefinedFunction(`${name}(${bound.map((a) => formatName(a.type)).join(', ')})`, pos + 1)
  const signature = bound.map((a) => formatName(a.type)).join(', ')
  const element = elementTypeOf(bound, shape, isOperator, pos)
  if (element === null) throw isOperator ? undefinedOperator(`${formatName(bound[0]!.type)} ${name} ${formatName(bound[1]!.type)}`, pos + 1) : undefinedFunction(`${name}(${signature})`, pos + 1)
  const arrayName = ARRAY_OF[element]
  if (arrayName === undefined) throw featureNotSupported(`${name} over ${signature}`, pos + 1)
  const elementType = sqlType(element)
  const targets = shape.map((kind) => (kind === 'i' ? sqlType('int4') : kind === 'a' ? sqlType(arrayName) : elementType))
  const args = bound.map((arg, i) => coerce(ctx, arg, targets[i]!))
  args.forEach((arg, i) => {
    if (arg.type.name !== targets[i]!.name) throw undefinedFunction(`${name}(${signature})`, pos + 1)
  })
  const result = RESULTS[name]!
  const resultType = result === 'array' ? sqlType(arrayName) : sqlType(result)
  const fn: ScalarFunction = {
    name, args: targets.map((t) => t.name), result: resultType.name, strict: isOperator, volatility: 'immutable',
    evaluate: evaluator(name, elementType),
  }
  return { kind: 'Call', fn, args, type: resultType }
}

/** bindCall's entry: the call's arguments bound, then the function (no aggregate clauses on these). */
export function bindArrayCall(ctx: BindContext, call: SqlCallExpr, bind: BindExpr): Expr {
  if (call.distinct || call.filter !== null || call.orderBy.length > 0 || call.star) throw undefinedFunction(call.name, call.pos + 1)
  return bindArrayFunction(ctx, call.name, call.args.map((arg) => bind(ctx, arg)), call.pos)!
}
