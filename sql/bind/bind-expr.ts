// sql/bind/bind-expr: SqlExpr → Expr against a Scope. Resolves names, types every node by PostgreSQL's rules
// (unknown literals take their context's type, implicit casts, operator overloads from the function registry),
// infers $n types, and plans subqueries through the planner it is given. Refuses what it cannot bind (0A000).
import { bindArrayFunction, isArrayFunctionName } from './bind-array-functions.js'
import { bindGrouping } from './bind-grouping.js'
import { assertNever } from '../../src/common/assert.js'
import { datatypeMismatch, featureNotSupported, syntaxError, undefinedOperator } from '../../src/common/errors.js'
import type { SqlExpr, SqlQuery, SqlWindowSpec } from '../parse/ast.js'
import type { PlanNode } from '../plan/plan-node.js'
import { bindArrayConstructor, bindQuantifiedOverArray, bindSlice, bindSubscript } from './bind-array.js'
import { bindCall } from './bind-call.js'
import { coerce, constOf, resolveOperator, toType } from './coerce.js'
import type { CompareOp, Expr } from './expr.js'
import type { Scope } from './scope.js'
import { categoryOf, commonType, formatName, isTimeOfDay } from './type-rules.js'
import { ARRAY_OF, resolveTypeName, sqlType, type SqlType } from './types.js'
import { formatNumeric, parseNumeric } from '../functions/numeric-ops.js'

export interface SubqueryPlanner {
  /** Plans a subquery whose names may refer to `scope` (correlation); returns its plan and output types. */
  planSubquery(query: SqlQuery, scope: Scope): { readonly plan: PlanNode; readonly correlated: boolean }
}

export interface BindContext {
  readonly scope: Scope
  /** Parameter types, index 0-based; null while unknown. Filled as parameters are met. */
  readonly paramTypes: Array<SqlType | null>
  readonly planner: SubqueryPlanner
  /** Where aggregates may appear (select list, HAVING, ORDER BY of a grouped query); else their use is 42803. */
  readonly allowAggregates: boolean
  readonly allowWindows: boolean
  /** Only the select list may call generate_series/unnest outside FROM (sql/bind/bind-srf.ts). */
  readonly allowSetReturning?: boolean
  /** Words the error for an aggregate or window function in the wrong place: 'WHERE', 'GROUP BY', 'JOIN conditions'. */
  readonly clause: string
  /** The query's WINDOW clause, for OVER w. */
  readonly windows?: ReadonlyMap<string, SqlWindowSpec>
}

export const BOOL = sqlType('bool')
const UNKNOWN = sqlType('unknown')
const COMPARE_OPS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>='])

function bindNumber(text: string): Expr {
  if (/^\d+$/.test(text)) {
    const value = BigInt(text)
    if (value <= 2147483647n) return { kind: 'Const', value: Number(value), type: sqlType('int4') }
    if (value <= 9223372036854775807n) return { kind: 'Const', value, type: sqlType('int8') }
  }
  return { kind: 'Const', value: normalizeNumeric(text), type: sqlType('numeric') }
}

/** -digits as PostgreSQL types the folded constant: int4 or int8 when the negative value fits; null otherwise. */
function bindNegativeInteger(digits: string): Expr | null {
  const value = -BigInt(digits)
  if (value >= -2147483648n) return value === 0n ? null : { kind: 'Const', value: Number(value), type: sqlType('int4') }
  return value >= -9223372036854775808n ? { kind: 'Const', value, type: sqlType('int8') } : null
}

/** A numeric literal's text as numeric_in keeps it: exponent forms expanded, leading zeros gone, the scale kept. */
function normalizeNumeric(text: string): string {
  return formatNumeric(parseNumeric(text))
}

function bindParam(ctx: BindContext, index: number): Expr {
  while (ctx.paramTypes.length < index) ctx.paramTypes.push(null)
  return { kind: 'Param', index: index - 1, type: ctx.paramTypes[index - 1] ?? UNKNOWN }
}

export function bindComparison(ctx: BindContext, op: CompareOp, leftExpr: Expr, rightExpr: Expr, pos: number): Expr {
  const type = comparisonType(leftExpr.type, rightExpr.type, op, pos)
  return { kind: 'Compare', op, left: coerce(ctx, leftExpr, type), right: coerce(ctx, rightExpr, type), type: BOOL }
}

/** The type both sides of a comparison are cast to (PostgreSQL's cross-type comparison operators give the same answers). */
export function comparisonType(left: SqlType, right: SqlType, op: string, pos: number): SqlType {
  // json has no comparison operators at all (jsonb has them all).
  if (left.name === 'json' || right.name === 'json') throw undefinedOperator(`${formatName(left)} ${op} ${formatName(right)}`, pos + 1)
  if (left.name === 'unknown' && right.name === 'unknown') return sqlType('text')
  // Operators take their argument types without modifiers: 'abcdef' compared with a char(4) is not cut to fit.
  if (left.name === 'unknown') return sqlType(right.name)
  if (right.name === 'unknown') return sqlType(left.name)
  // time and timetz compare only with each other (time casts to timetz implicitly), and time with interval.
  const timeApart = isTimeOfDay(left.name) !== isTimeOfDay(right.name) && left.name !== 'interval' && right.name !== 'interval'
  if (categoryOf(left.name) !== categoryOf(right.name) || timeApart) {
    if (left.name === 'time' && right.name === 'interval') return right
    if (right.name === 'time' && left.name === 'interval') return left
    throw undefinedOperator(`${formatName(left)} ${op} ${formatName(right)}`, pos + 1)
  }
  return commonType([left, right], 'operator', pos)
}

function bindBinary(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprBinary' }>): Expr {
  const left = bindExpr(ctx, expr.left)
  const right = bindExpr(ctx, expr.right)
  if (expr.op === 'and' || expr.op === 'or') {
    const args = [toBool(ctx, left, expr.op.toUpperCase(), expr.pos), toBool(ctx, right, expr.op.toUpperCase(), expr.pos)]
    return { kind: expr.op === 'and' ? 'And' : 'Or', args, type: BOOL }
  }
  if (COMPARE_OPS.has(expr.op)) return bindComparison(ctx, expr.op as CompareOp, left, right, expr.pos)
  // array || element and element || array are array_append / array_prepend (anycompatible), as pg_operator has them.
  const isArray = (e: Expr): boolean => categoryOf(e.type.name) === 'A'
  const isElement = (e: Expr): boolean => !isArray(e) && e.type.name !== 'unknown'
  if (expr.op === '||' && isArray(left) && isElement(right)) return bindArrayFunction(ctx, 'array_append', [left, right], expr.pos)!
  if (expr.op === '||' && isElement(left) && isArray(right)) return bindArrayFunction(ctx, 'array_prepend', [left, right], expr.pos)!
  if (expr.op === '||' && isArray(left) && right.type.name === 'unknown') return bindArrayFunction(ctx, 'array_cat', [left, coerce(ctx, right, left.type)], expr.pos)!
  if (expr.op === '||' && left.type.name === 'unknown' && isArray(right)) return bindArrayFunction(ctx, 'array_cat', [coerce(ctx, left, right.type), right], expr.pos)!
  const overArrays = isArrayFunctionName(expr.op) ? bindArrayFunction(ctx, expr.op, [left, right], expr.pos) : null
  return overArrays ?? resolveOperator(ctx, expr.op, [left, right], expr.pos)
}

export function toBool(ctx: BindContext, expr: Expr, clause: string, pos: number): Expr {
  if (expr.type.name === 'bool') return expr
  if (expr.type.name === 'unknown') return coerce(ctx, expr, BOOL)
  throw datatypeMismatch(`argument of ${clause} must be type boolean, not type ${formatName(expr.type)}`, pos + 1)
}

function bindIn(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprIn' }>): Expr {
  const subject = bindExpr(ctx, expr.expr)
  const items = expr.list.map((item) => bindExpr(ctx, item))
  const type = commonType([subject.type, ...items.map((item) => item.type)], 'IN', expr.pos)
  for (const item of items) comparisonType(subject.type, item.type, '=', expr.pos)
  return { kind: 'InList', arg: coerce(ctx, subject, type), list: items.map((item) => coerce(ctx, item, type)), negated: expr.negated, type: BOOL }
}

function bindBetween(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprBetween' }>): Expr {
  const subject = bindExpr(ctx, expr.expr)
  const range = (low: SqlExpr, high: SqlExpr): Expr => ({
    kind: 'And', type: BOOL,
    args: [bindComparison(ctx, '>=', subject, bindExpr(ctx, low), expr.pos), bindComparison(ctx, '<=', subject, bindExpr(ctx, high), expr.pos)],
  })
  let test = range(expr.low, expr.high)
  if (expr.symmetric) test = { kind: 'Or', args: [test, range(expr.high, expr.low)], type: BOOL }
  return expr.negated ? { kind: 'Not', arg: test, type: BOOL } : test
}

function bindCase(outerCtx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprCase' }>): Expr {
  const ctx: BindContext = { ...outerCtx, allowSetReturning: false }
  const operand = expr.operand === null ? null : bindExpr(ctx, expr.operand)
  const conditions = expr.whens.map((w) => {
    const when = bindExpr(ctx, w.when)
    return operand === null ? toBool(ctx, when, 'CASE/WHEN', expr.pos) : bindComparison(ctx, '=', operand, when, expr.pos)
  })
  const results = expr.whens.map((w) => bindExpr(ctx, w.then))
  const otherwise = expr.else === null ? null : bindExpr(ctx, expr.else)
  const type = commonType([...results, ...(otherwise === null ? [] : [otherwise])].map((e) => e.type), 'CASE', expr.pos)
  return {
    kind: 'Case', type,
    whens: conditions.map((when, i) => ({ when, then: coerce(ctx, results[i]!, type) })),
    else: otherwise === null ? { kind: 'Const', value: null, type } : coerce(ctx, otherwise, type),
  }
}

function bindLike(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprLike' }>): Expr {
  const text = sqlType('text')
  const arg = bindExpr(ctx, expr.expr)
  // bytea LIKE is bytealike (~~ over bytea, no ILIKE). With ESCAPE the pattern is like_escape(pattern, escape): text
  // unless both are bytea (then like_escape(bytea, bytea), not built: 0A000), and bytea ~~ text does not exist.
  if (arg.type.name === 'bytea' && !expr.caseInsensitive) {
    const pattern = bindExpr(ctx, expr.pattern)
    if (expr.escape !== null) {
      const isBytea = pattern.type.name === 'bytea' && bindExpr(ctx, expr.escape).type.name === 'bytea'
      if (isBytea) throw featureNotSupported('like_escape(bytea, bytea)', expr.pos + 1)
      throw undefinedOperator(`bytea ${expr.negated ? '!~~' : '~~'} text`, expr.pos + 1)
    }
    return resolveOperator(ctx, expr.negated ? '!~~' : '~~', [arg, pattern], expr.pos)
  }
  if (arg.type.name !== 'unknown' && categoryOf(arg.type.name) !== 'S') {
    const op = expr.caseInsensitive ? '~~*' : '~~'
    throw undefinedOperator(`${formatName(arg.type)} ${op} unknown`, expr.pos + 1)
  }
  return {
    // character(n) is matched with its blanks (bpcharlike), every other string type as text.
    kind: 'Like', arg: arg.type.name === 'bpchar' ? arg : coerce(ctx, arg, text), pattern: coerce(ctx, bindExpr(ctx, expr.pattern), text),
    escape: expr.escape === null ? null : coerce(ctx, bindExpr(ctx, expr.escape), text),
    caseInsensitive: expr.caseInsensitive, negated: expr.negated, type: BOOL,
  }
}

/** x op ANY|ALL (ARRAY[a, b]): the OR (ANY) or AND (ALL) of the comparisons — the same three-valued answer. */
function bindQuantifiedArray(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprQuantified' }>): Expr {
  const array = expr.array
  if (array === null) throw featureNotSupported('ANY/ALL without an array', expr.pos + 1)
  if (array.kind !== 'ExprArray') return bindQuantifiedOverArray(ctx, expr, bindExpr)
  if (!COMPARE_OPS.has(expr.op)) throw featureNotSupported(`operator ${expr.op} with ANY/ALL`, expr.pos + 1)
  const left = bindExpr(ctx, expr.expr)
  const tests = array.elements.map((element) => bindComparison(ctx, expr.op as CompareOp, left, bindExpr(ctx, element), expr.pos))
  if (tests.length === 0) return constOf(expr.quantifier === 'all', BOOL)
  return { kind: expr.quantifier === 'any' ? 'Or' : 'And', args: tests, type: BOOL }
}

function bindSubqueryExpr(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprSubquery' | 'ExprExists' | 'ExprInSubquery' | 'ExprQuantified' }>): Expr {
  const { plan, correlated } = ctx.planner.planSubquery(expr.query ?? failArray(expr), ctx.scope)
  if (expr.kind === 'ExprExists') return { kind: 'Subquery', mode: 'exists', plan, correlated, left: null, op: null, negated: false, type: BOOL }
  if (expr.kind === 'ExprInSubquery' && expr.row !== undefined) return bindRowInSubquery(ctx, expr, plan, correlated)
  if (plan.columns.length !== 1) {
    throw featureNotSupported('a subquery returning other than one column in this position', expr.pos + 1)
  }
  const column = plan.columns[0]!
  if (expr.kind === 'ExprSubquery' && expr.asArray === true) {
    const arrayType = ARRAY_OF[column.type.name]
    if (arrayType === undefined) throw featureNotSupported(`arrays of ${formatName(column.type)}`, expr.pos + 1)
    return { kind: 'Subquery', mode: 'array', plan, correlated, left: null, op: null, negated: false, type: sqlType(arrayType) }
  }
  if (expr.kind === 'ExprSubquery') return { kind: 'Subquery', mode: 'scalar', plan, correlated, left: null, op: null, negated: false, type: column.type }
  const op: string = expr.kind === 'ExprInSubquery' ? '=' : expr.op
  if (!COMPARE_OPS.has(op)) throw featureNotSupported(`operator ${op} with ANY/ALL`, expr.pos + 1)
  const left = bindExpr(ctx, expr.expr)
  const type = comparisonType(left.type, column.type, op, expr.pos)
  if (type.name !== column.type.name) throw featureNotSupported(`comparing ${formatName(left.type)} with a subquery of ${formatName(column.type)}`, expr.pos + 1)
  const mode = expr.kind === 'ExprInSubquery' ? 'any' : expr.quantifier
  const negated = expr.kind === 'ExprInSubquery' && expr.negated
  return { kind: 'Subquery', mode, plan, correlated, left: coerce(ctx, left, type), op: op as CompareOp, negated, type: BOOL }
}

/** (a, b) [NOT] IN (SELECT x, y …): one column per row item, each pair compared at its common type. */
function bindRowInSubquery(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprInSubquery' }>, plan: PlanNode, correlated: boolean): Expr {
  const items = expr.row!
  if (plan.columns.length !== items.length) {
    throw syntaxError(`subquery has too ${plan.columns.length > items.length ? 'many' : 'few'} columns`, expr.pos + 1)
  }
  const row = items.map((item, i) => {
    const left = bindExpr(ctx, item)
    const column = plan.columns[i]!
    const type = comparisonType(left.type, column.type, '=', expr.pos)
    if (type.name !== column.type.name) throw featureNotSupported(`comparing ${formatName(left.type)} with a subquery of ${formatName(column.type)}`, expr.pos + 1)
    return coerce(ctx, left, type)
  })
  return { kind: 'Subquery', mode: 'any', plan, correlated, left: null, row, op: '=', negated: expr.negated, type: BOOL }
}

function failArray(expr: SqlExpr): never {
  throw featureNotSupported('ANY/ALL over an array', expr.pos + 1)
}

function bindCast(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprCast' }>): Expr {
  const type = resolveTypeName(expr.type)
  return toType(ctx, bindExpr(ctx, expr.expr), type, expr.pos)
}

export function bindExpr(ctx: BindContext, expr: SqlExpr): Expr {
  switch (expr.kind) {
    case 'ExprColumn': return ctx.scope.resolve(expr.names, expr.pos)
    case 'ExprStar': throw featureNotSupported('* in this position', expr.pos + 1)
    case 'ExprNumber': return bindNumber(expr.text)
    case 'ExprString': return { kind: 'Const', value: expr.value, type: UNKNOWN }
    case 'ExprBool': return constOf(expr.value, BOOL)
    case 'ExprNull': return { kind: 'Const', value: null, type: UNKNOWN }
    case 'ExprParam': return bindParam(ctx, expr.index)
    case 'ExprBinary': return bindBinary(ctx, expr)
    case 'ExprUnary': {
      const inner = bindExpr(ctx, expr.expr)
      if (expr.op === 'not') return { kind: 'Not', arg: toBool(ctx, inner, 'NOT', expr.pos), type: BOOL }
      // The grammar folds a minus into the number it precedes: -2147483648 is an int4 constant (make_const).
      if (expr.op === '-' && expr.expr.kind === 'ExprNumber' && /^\d+$/.test(expr.expr.text)) return bindNegativeInteger(expr.expr.text) ?? resolveOperator(ctx, '-', [inner], expr.pos)
      return resolveOperator(ctx, expr.op, [inner], expr.pos)
    }
    case 'ExprCall': return bindCall(ctx, expr, bindExpr)
    case 'ExprCast': return bindCast(ctx, expr)
    case 'ExprIn': return bindIn(ctx, expr)
    case 'ExprBetween': return bindBetween(ctx, expr)
    case 'ExprIsNull': return { kind: 'IsNull', arg: bindExpr(ctx, expr.expr), negated: expr.negated, type: BOOL }
    case 'ExprIsBool': return { kind: 'IsBool', arg: toBool(ctx, bindExpr(ctx, expr.expr), 'IS TRUE', expr.pos), test: expr.test, negated: expr.negated, type: BOOL }
    case 'ExprIsDistinct': {
      const left = bindExpr(ctx, expr.left)
      const right = bindExpr(ctx, expr.right)
      const type = comparisonType(left.type, right.type, '=', expr.pos)
      return { kind: 'IsDistinct', left: coerce(ctx, left, type), right: coerce(ctx, right, type), negated: expr.negated, type: BOOL }
    }
    case 'ExprLike': return bindLike(ctx, expr)
    case 'ExprCase': return bindCase(ctx, expr)
    case 'ExprSubquery': case 'ExprExists': case 'ExprInSubquery': return bindSubqueryExpr(ctx, expr)
    case 'ExprQuantified': return expr.query === null ? bindQuantifiedArray(ctx, expr) : bindSubqueryExpr(ctx, expr)
    case 'ExprArray': return bindArrayConstructor(ctx, expr, bindExpr)
    case 'ExprSubscript': return bindSubscript(ctx, expr, bindExpr)
    case 'ExprSlice': return bindSlice(ctx, expr, bindExpr)
    case 'ExprGrouping': return bindGrouping(ctx, expr, bindExpr)
    default: return assertNever(expr)
  }
}
