// sql/expr/evaluate: evaluates slotted bound expressions over one merged row (filters not pushed down, projections,
// sort keys). SQL three-valued logic: NULL propagates, AND/OR follow PostgreSQL. Errors are 22xxx.
import { NODEDB_VERSION } from '../../src/common/version.js'
import { AssertionError, assert, assertNever } from '../../src/common/assert.js'
import { divisionByZero } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { BoundExpr } from '../bind/bound.js'
import { isIntegerType, type SqlType } from '../bind/types.js'
import { castValue } from './cast-value.js'
import { compareValues } from './compare-values.js'

export interface EvalEnv {
  readonly params: ReadonlyArray<SqlValue>
  readonly settings: ReadonlyMap<string, string>
  /** Statement start, µs since the epoch (now() is stable within a statement, as in PostgreSQL). */
  readonly nowUs: number
}

export const SERVER_VERSION_TEXT = `PostgreSQL 15.0 (nodedb ${NODEDB_VERSION}) on x86_64-pc-linux-gnu, compiled by Node.js, 64-bit`

function evalArithmetic(op: string, left: SqlValue, right: SqlValue, type: SqlType): SqlValue {
  if (left === null || right === null) return null
  if (isIntegerType(type.name)) {
    const a = BigInt(typeof left === 'bigint' ? left : Math.trunc(Number(left)))
    const b = BigInt(typeof right === 'bigint' ? right : Math.trunc(Number(right)))
    if ((op === '/' || op === '%') && b === 0n) throw divisionByZero()
    const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b
    return castValue(result, 'int8', type)
  }
  const a = Number(left)
  const b = Number(right)
  if ((op === '/' || op === '%') && b === 0) throw divisionByZero()
  const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b
  return type.name === 'numeric' ? String(result) : result
}

function evalLogic(op: 'and' | 'or', left: SqlValue, right: SqlValue): SqlValue {
  if (op === 'and') {
    if (left === false || right === false) return false
    return left === null || right === null ? null : true
  }
  if (left === true || right === true) return true
  return left === null || right === null ? null : false
}

function evalCompare(op: string, left: SqlValue, right: SqlValue): SqlValue {
  if (left === null || right === null) return null
  const order = compareValues(left, right)
  switch (op) {
    case '=': return order === 0
    case '<>': return order !== 0
    case '<': return order < 0
    case '<=': return order <= 0
    case '>': return order > 0
    case '>=': return order >= 0
    default: return null
  }
}

function evalBinary(expr: Extract<BoundExpr, { kind: 'BoundBinary' }>, row: ReadonlyArray<SqlValue>, env: EvalEnv): SqlValue {
  const left = evaluate(expr.left, row, env)
  const right = evaluate(expr.right, row, env)
  switch (expr.op) {
    case 'and': case 'or': return evalLogic(expr.op, left, right)
    case '||': return left === null || right === null ? null : `${String(left)}${String(right)}`
    case '=': case '<>': case '<': case '<=': case '>': case '>=': return evalCompare(expr.op, left, right)
    case '+': case '-': case '*': case '/': case '%': return evalArithmetic(expr.op, left, right, expr.type)
    default: return assertNever(expr.op)
  }
}

function evalIn(expr: Extract<BoundExpr, { kind: 'BoundIn' }>, row: ReadonlyArray<SqlValue>, env: EvalEnv): SqlValue {
  const value = evaluate(expr.expr, row, env)
  if (value === null) return null
  let sawNull = false
  for (const item of expr.list) {
    const candidate = evaluate(item, row, env)
    if (candidate === null) { sawNull = true; continue }
    if (compareValues(value, candidate) === 0) return !expr.negated
  }
  return sawNull ? null : expr.negated
}

function evalScalarCall(expr: Extract<BoundExpr, { kind: 'BoundScalarCall' }>, row: ReadonlyArray<SqlValue>, env: EvalEnv): SqlValue {
  switch (expr.fn) {
    case 'now': return env.nowUs
    case 'version': return SERVER_VERSION_TEXT
    case 'current_setting': {
      const name = evaluate(expr.args[0] ?? { kind: 'BoundConst', value: null, type: expr.type }, row, env)
      return name === null ? null : env.settings.get(String(name).toLowerCase()) ?? null
    }
    case 'current_database': return env.settings.get('database') ?? null
    case 'current_user': return env.settings.get('user') ?? null
    default: return assertNever(expr.fn)
  }
}

export function bucketStartUs(us: number, widthUs: number, originUs: number): number {
  return Math.floor((us - originUs) / widthUs) * widthUs + originUs
}

export function evaluate(expr: BoundExpr, row: ReadonlyArray<SqlValue>, env: EvalEnv): SqlValue {
  switch (expr.kind) {
    case 'BoundSlot': {
      assert(expr.slot < row.length, `slot ${expr.slot} out of row of ${row.length}`)
      return row[expr.slot] ?? null
    }
    case 'BoundConst': return expr.value
    case 'BoundParam': return env.params[expr.index] ?? null
    case 'BoundBinary': return evalBinary(expr, row, env)
    case 'BoundUnary': {
      const value = evaluate(expr.expr, row, env)
      if (value === null) return null
      if (expr.op === 'not') return !value
      return typeof value === 'bigint' ? -value : typeof value === 'string' ? String(-Number(value)) : -Number(value)
    }
    case 'BoundIn': return evalIn(expr, row, env)
    case 'BoundIsNull': return (evaluate(expr.expr, row, env) === null) !== expr.negated
    case 'BoundCast': return castValue(evaluate(expr.expr, row, env), expr.expr.type.name, expr.type)
    case 'BoundTimeBucket': {
      const value = evaluate(expr.arg, row, env)
      return value === null ? null : bucketStartUs(Number(value), expr.widthUs, expr.originUs)
    }
    case 'BoundScalarCall': return evalScalarCall(expr, row, env)
    case 'BoundColumn': case 'BoundAggregate': throw new AssertionError(`${expr.kind} must be slotted before evaluation`)
    default: return assertNever(expr)
  }
}
