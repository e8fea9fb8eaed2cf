// sql/bind/bind-array: the array forms catalog queries use, over arrays in their text form (sql/functions/array-text.ts):
// ARRAY[…], a[i], and x = ANY (array) / x <> ALL (array) where the array is an expression rather than ARRAY[…].
// Each binds to a Call of a definition made here, so the evaluator needs nothing new. Only one-dimensional arrays.
import { datatypeMismatch, featureNotSupported } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { castText } from '../expr/cast-value.js'
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

function elementText(value: SqlValue): string | null {
  if (value === null) return null
  if (typeof value === 'boolean') return value ? 't' : 'f'
  return typeof value === 'object' ? null : String(value)
}

/** ARRAY[a, b, …]: the elements' common type must have an array type here (text, oid, int2, "char"). */
export function bindArrayConstructor(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprArray' }>, bind: BindExpr): Expr {
  const elements = expr.elements.map((e) => bind(ctx, e))
  const elementType = commonType(elements.map((e) => e.type), 'ARRAY', expr.pos)
  const arrayName = ARRAY_OF[elementType.name]
  if (arrayName === undefined) throw featureNotSupported(`arrays of ${formatName(elementType)}`, expr.pos + 1)
  const fn: ScalarFunction = {
    name: 'array', args: [], variadic: 'any', result: arrayName, strict: false, volatility: 'immutable',
    evaluate: (values) => formatArrayText(values.map(elementText)),
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

/** x = ANY (arr) / x <> ALL (arr) …: the comparison against each element, three-valued like PostgreSQL's. */
export function bindQuantifiedOverArray(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprQuantified' }>, bind: BindExpr): Expr {
  const array = bind(ctx, expr.array!)
  const arrayType = array.type.name === 'unknown' ? sqlType('_text') : array.type
  const element = sqlType(ELEMENT_OF[arrayType.name] ?? requireArray(array, expr.pos).name)
  if (expr.op !== '=' && expr.op !== '<>') throw featureNotSupported(`operator ${expr.op} with ANY/ALL over an array`, expr.pos + 1)
  const left = coerce(ctx, bind(ctx, expr.expr), element)
  if (left.type.name !== element.name) throw featureNotSupported(`comparing ${formatName(left.type)} with ${formatName(arrayType)} elements`, expr.pos + 1)
  const wantEqual = expr.op === '='
  const isAny = expr.quantifier === 'any'
  const fn: ScalarFunction = {
    name: isAny ? 'any' : 'all', args: [element.name, arrayType.name], result: 'bool', strict: true, volatility: 'immutable',
    evaluate: ([value, text]) => {
      let sawNull = false
      for (const item of parseArrayText(String(text))) {
        if (item === null) { sawNull = true; continue }
        const holds = (castText(item, element) === value) === wantEqual
        if (isAny && holds) return true
        if (!isAny && !holds) return false
      }
      return sawNull ? null : !isAny
    },
  }
  return call(fn, [left, coerce(ctx, array, arrayType)], sqlType('bool'))
}
