// sql/bind/bind-array: the array forms catalog queries use, over arrays in their text form (sql/functions/array-text.ts):
// ARRAY[…], a[i], and x = ANY (array) / x <> ALL (array) where the array is an expression rather than ARRAY[…].
// Each binds to a Call of a definition made here, so the evaluator needs nothing new. Only one-dimensional arrays.
import { datatypeMismatch, featureNotSupported } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { castText, formatArrayValues } from '../expr/cast-value.js'
import { compareTyped } from '../exec/value-ops.js'
import { formatArrayText, parseArrayText } from '../functions/array-text.js'
import type { ScalarFunction } from '../functions/function-def.js'
import type { SqlExpr } from '../parse/ast.js'
import type { BindContext } from './bind-expr.js'
import { coerce } from './coerce.js'
import type { Expr } from './expr.js'
import { commonType, formatName } from './type-rules.js'
import { ARRAY_OF, ELEMENT_OF, sqlType, type SqlType } from './types.js'

type BindExpr = (ctx: BindContext, expr: SqlExpr) => Expr

function call(fn: ScalarFunction, args: ReadonlyArray<Expr>, type: SqlType): Expr {
  return { kind: 'Call', fn, args, type }
}

/** ARRAY[a, b, …]: the elements' common type must have an array type (sql/bind/types.ts ARRAY_OF). */
export function bindArrayConstructor(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprArray' }>, bind: BindExpr): Expr {
  const elements = expr.elements.map((e) => bind(ctx, e))
  const elementType = commonType(elements.map((e) => e.type), 'ARRAY', expr.pos)
  const arrayName = ARRAY_OF[elementType.name]
  if (arrayName === undefined) throw featureNotSupported(`arrays of ${formatName(elementType)}`, expr.pos + 1)
  const fn: ScalarFunction = {
    name: 'array', args: [], variadic: 'any', result: arrayName, strict: false, volatility: 'immutable',
    evaluate: (values, fnCtx) => formatArrayValues(values, elementType.name, fnCtx),
  }
  return call(fn, elements.map((e) => coerce(ctx, e, elementType)), sqlType(arrayName))
}

function requireArray(expr: Expr, pos: number): SqlType {
  const element = ELEMENT_OF[expr.type.name]
  if (element === undefined) throw datatypeMismatch(`cannot subscript type ${formatName(expr.type)} because it does not support subscripting`, pos + 1)
  return sqlType(element)
}

/** a[i]: 1-based; out of range or NULL gives NULL, as PostgreSQL does. */
export function bindSubscript(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprSubscript' }>, bind: BindExpr): Expr {
  const array = bind(ctx, expr.expr)
  const element = requireArray(array, expr.pos)
  const fn: ScalarFunction = {
    name: 'array_subscript', args: [array.type.name, 'int4'], result: element.name, strict: true, volatility: 'immutable',
    evaluate: ([value, index]) => {
      const item = parseArrayText(String(value))[Number(index) - 1]
      return item === undefined || item === null ? null : castText(item, element)
    },
  }
  return call(fn, [array, coerce(ctx, bind(ctx, expr.index), sqlType('int4'))], element)
}

/**
 * a[lower:upper]: the elements between the bounds, clamped to the array's (an omitted bound is the array's own), as
 * array_get_slice does for a one-dimensional array with lower bound 1: '{}' when nothing is left, NULL when the array or
 * a given bound is NULL.
 */
export function bindSlice(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprSlice' }>, bind: BindExpr): Expr {
  const array = bind(ctx, expr.expr)
  requireArray(array, expr.pos)
  const bounds = [expr.lower, expr.upper].map((b) => (b === null ? null : coerce(ctx, bind(ctx, b), sqlType('int4'))))
  const [hasLower, hasUpper] = bounds.map((b) => b !== null)
  const fn: ScalarFunction = {
    name: 'array_slice', args: [array.type.name, 'int4', 'int4'], result: array.type.name, strict: true, volatility: 'immutable',
    evaluate: (values) => {
      const items = parseArrayText(String(values[0]))
      const lower = hasLower ? Math.max(1, Number(values[1])) : 1
      const upper = hasUpper ? Math.min(items.length, Number(values[hasLower ? 2 : 1])) : items.length
      return formatArrayText(lower > upper ? [] : items.slice(lower - 1, upper))
    },
  }
  return call(fn, [array, ...bounds.filter((b): b is Expr => b !== null)], array.type)
}

/**
 * x op ANY (arr) / x op ALL (arr): the comparison against each element, three-valued like PostgreSQL's. An array of
 * unknown type (a literal '{…}' or an untyped parameter, as node-postgres sends `= ANY($1)`) takes the element type
 * of the left side — PostgreSQL resolves it so — and each element is read as that type, never compared as text.
 */
export function bindQuantifiedOverArray(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprQuantified' }>, bind: BindExpr): Expr {
  const boundLeft = bind(ctx, expr.expr)
  const boundArray = bind(ctx, expr.array!)
  const leftElement = boundLeft.type.name === 'unknown' ? 'text' : boundLeft.type.name
  const inferred = boundArray.type.name === 'unknown' ? ARRAY_OF[leftElement] : undefined
  if (boundArray.type.name === 'unknown' && inferred === undefined) throw featureNotSupported(`arrays of ${formatName(boundLeft.type)}`, expr.pos + 1)
  const arrayType = inferred === undefined ? boundArray.type : sqlType(inferred)
  const element = sqlType(ELEMENT_OF[arrayType.name] ?? requireArray(boundArray, expr.pos).name)
  const op = expr.op
  if (!COMPARISONS.has(op)) throw featureNotSupported(`operator ${op} with ANY/ALL over an array`, expr.pos + 1)
  const left = coerce(ctx, boundLeft, element)
  if (left.type.name !== element.name) throw featureNotSupported(`comparing ${formatName(left.type)} with ${formatName(arrayType)} elements`, expr.pos + 1)
  const isAny = expr.quantifier === 'any'
  const fn: ScalarFunction = {
    name: isAny ? 'any' : 'all', args: [element.name, arrayType.name], result: 'bool', strict: true, volatility: 'immutable',
    evaluate: ([value, text], fnCtx) => {
      let sawNull = false
      for (const item of parseArrayText(String(text))) {
        if (item === null) { sawNull = true; continue }
        const holds = COMPARISONS.get(op)!(compareTyped(value!, castText(item, element, fnCtx) as Exclude<SqlValue, null>, element))
        if (isAny && holds) return true
        if (!isAny && !holds) return false
      }
      return sawNull ? null : !isAny
    },
  }
  return call(fn, [left, coerce(ctx, boundArray, arrayType)], sqlType('bool'))
}

const COMPARISONS: ReadonlyMap<string, (order: number) => boolean> = new Map([
  ['=', (o: number) => o === 0], ['<>', (o: number) => o !== 0], ['<', (o: number) => o < 0],
  ['<=', (o: number) => o <= 0], ['>', (o: number) => o > 0], ['>=', (o: number) => o >= 0],
])
