// sql/bind/bind-expr: SqlExpr → BoundExpr against one table (or none). Resolves columns and functions, types every
// node, coerces unknown-typed literals and parameters from their context (this is how $n types are inferred).
import type { TableSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import { datatypeMismatch, featureNotSupported, undefinedColumn } from '../../src/common/errors.js'
import { castText } from '../expr/cast-value.js'
import type { SqlBinaryOp, SqlExpr } from '../parse/ast.js'
import type { BoundExpr } from './bound.js'
import { bindCall } from './bind-call.js'
import { columnType } from './catalog.js'
import { isIntegerType, isNumericType, isTextType, isTimestampType, resolveTypeName, sqlType, type SqlType } from './types.js'

export interface BindContext {
  readonly table: TableSchema | null
  readonly tableAlias: string | null
  /** Parameter types, index 0-based; null while unknown. Grown and filled as parameters are met. */
  readonly paramTypes: Array<SqlType | null>
}

const BOOL = sqlType('bool')
const UNKNOWN = sqlType('unknown')

function bindColumn(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprColumn' }>): BoundExpr {
  const table = ctx.table
  const qualifierOk = expr.table === null || (table !== null && (expr.table === table.name || expr.table === ctx.tableAlias))
  const column = table === null || !qualifierOk ? -1 : table.columns.findIndex((c) => c.name === expr.name)
  if (table === null || column < 0) throw undefinedColumn(expr.table === null ? expr.name : `${expr.table}.${expr.name}`, expr.pos + 1)
  return { kind: 'BoundColumn', column, name: expr.name, pos: expr.pos, type: columnType(table, column) }
}

function bindNumber(text: string): BoundExpr {
  if (/^[+-]?\d+$/.test(text)) {
    const value = BigInt(text)
    if (value >= -2147483648n && value <= 2147483647n) return { kind: 'BoundConst', value: Number(value), type: sqlType('int4') }
    return { kind: 'BoundConst', value, type: sqlType('int8') }
  }
  return { kind: 'BoundConst', value: text, type: sqlType('numeric') }
}

function bindParam(ctx: BindContext, index: number): BoundExpr {
  while (ctx.paramTypes.length < index) ctx.paramTypes.push(null)
  return { kind: 'BoundParam', index: index - 1, type: ctx.paramTypes[index - 1] ?? UNKNOWN }
}

/** Gives an unknown-typed literal or parameter the type its context expects; anything else is returned as is. */
export function coerceTo(ctx: BindContext, expr: BoundExpr, target: SqlType): BoundExpr {
  if (expr.type.name !== 'unknown' || target.name === 'unknown') return expr
  if (expr.kind === 'BoundConst') {
    return { kind: 'BoundConst', value: typeof expr.value === 'string' ? castText(expr.value, target) : expr.value, type: target }
  }
  if (expr.kind === 'BoundParam') {
    ctx.paramTypes[expr.index] = target
    return { ...expr, type: target }
  }
  return expr
}

function arithmeticType(op: SqlBinaryOp, left: SqlType, right: SqlType, pos: number): SqlType {
  if (isTimestampType(left.name) && right.name === 'interval' && (op === '+' || op === '-')) return left
  if (isTimestampType(left.name) && isTimestampType(right.name) && op === '-') return sqlType('interval')
  if (!isNumericType(left.name) || !isNumericType(right.name)) {
    throw datatypeMismatch(`operator does not exist: ${left.name} ${op} ${right.name}`, pos + 1)
  }
  if (isIntegerType(left.name) && isIntegerType(right.name)) {
    return left.name === 'int8' || right.name === 'int8' ? sqlType('int8') : sqlType('int4')
  }
  const isExact = (type: SqlType): boolean => type.name === 'numeric' || isIntegerType(type.name)
  if (isExact(left) && isExact(right)) return sqlType('numeric')
  return sqlType('float8')
}

/** The type an unknown operand takes from the other side of a binary operator. */
function peerType(other: SqlType): SqlType {
  return other.name === 'unknown' ? sqlType('text') : other
}

function bindBinary(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprBinary' }>): BoundExpr {
  let left = bindExpr(ctx, expr.left)
  let right = bindExpr(ctx, expr.right)
  const op = expr.op
  if (op === 'and' || op === 'or') {
    return { kind: 'BoundBinary', op, left: coerceTo(ctx, left, BOOL), right: coerceTo(ctx, right, BOOL), type: BOOL }
  }
  if (op === '||') {
    const text = sqlType('text')
    return { kind: 'BoundBinary', op, left: coerceTo(ctx, left, text), right: coerceTo(ctx, right, text), type: text }
  }
  const isTimeArithmetic = isTimestampType(left.type.name) && (op === '+' || op === '-') && right.type.name === 'unknown'
  left = coerceTo(ctx, left, peerType(right.type))
  right = coerceTo(ctx, right, isTimeArithmetic ? sqlType('interval') : peerType(left.type))
  if (op === '=' || op === '<>' || op === '<' || op === '<=' || op === '>' || op === '>=') {
    checkComparable(left.type, right.type, op, expr.pos)
    return { kind: 'BoundBinary', op, left, right, type: BOOL }
  }
  return { kind: 'BoundBinary', op, left, right, type: arithmeticType(op, left.type, right.type, expr.pos) }
}

function typeFamily(type: SqlType): string {
  if (isNumericType(type.name)) return 'number'
  if (isTextType(type.name)) return 'text'
  if (isTimestampType(type.name)) return 'timestamp'
  return type.name
}

function checkComparable(left: SqlType, right: SqlType, op: string, pos: number): void {
  if (typeFamily(left) !== typeFamily(right)) {
    throw datatypeMismatch(`operator does not exist: ${left.name} ${op} ${right.name}`, pos + 1)
  }
}

function bindIn(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprIn' }>): BoundExpr {
  const subject = bindExpr(ctx, expr.expr)
  const target = peerType(subject.type)
  const list = expr.list.map((item) => coerceTo(ctx, bindExpr(ctx, item), target))
  for (const item of list) checkComparable(target, item.type, '=', expr.pos)
  return { kind: 'BoundIn', expr: coerceTo(ctx, subject, target), list, negated: expr.negated, type: BOOL }
}

function bindBetween(ctx: BindContext, expr: Extract<SqlExpr, { kind: 'ExprBetween' }>): BoundExpr {
  const pos = expr.pos
  const low: SqlExpr = { kind: 'ExprBinary', op: expr.negated ? '<' : '>=', left: expr.expr, right: expr.low, pos }
  const high: SqlExpr = { kind: 'ExprBinary', op: expr.negated ? '>' : '<=', left: expr.expr, right: expr.high, pos }
  return bindExpr(ctx, { kind: 'ExprBinary', op: expr.negated ? 'or' : 'and', left: low, right: high, pos })
}

export function bindExpr(ctx: BindContext, expr: SqlExpr): BoundExpr {
  switch (expr.kind) {
    case 'ExprColumn': return bindColumn(ctx, expr)
    case 'ExprStar': throw featureNotSupported('* in this position', expr.pos + 1)
    case 'ExprNumber': return bindNumber(expr.text)
    case 'ExprString': return { kind: 'BoundConst', value: expr.value, type: UNKNOWN }
    case 'ExprBool': return { kind: 'BoundConst', value: expr.value, type: BOOL }
    case 'ExprNull': return { kind: 'BoundConst', value: null, type: UNKNOWN }
    case 'ExprParam': return bindParam(ctx, expr.index)
    case 'ExprInterval': return { kind: 'BoundConst', value: castText(expr.text, sqlType('interval')), type: sqlType('interval') }
    case 'ExprBinary': return bindBinary(ctx, expr)
    case 'ExprUnary': {
      const inner = bindExpr(ctx, expr.expr)
      const type = expr.op === 'not' ? BOOL : inner.type.name === 'unknown' ? sqlType('float8') : inner.type
      return { kind: 'BoundUnary', op: expr.op, expr: coerceTo(ctx, inner, type), type }
    }
    case 'ExprCall': return bindCall(ctx, expr, bindExpr)
    case 'ExprCast': {
      const type = resolveTypeName(expr.type)
      const inner = bindExpr(ctx, expr.expr)
      return inner.type.name === 'unknown' ? coerceTo(ctx, inner, type) : { kind: 'BoundCast', expr: inner, type }
    }
    case 'ExprIn': return bindIn(ctx, expr)
    case 'ExprBetween': return bindBetween(ctx, expr)
    case 'ExprIsNull': return { kind: 'BoundIsNull', expr: bindExpr(ctx, expr.expr), negated: expr.negated, type: BOOL }
    default: return assertNever(expr)
  }
}
