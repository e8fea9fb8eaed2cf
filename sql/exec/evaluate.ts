// sql/exec/evaluate: evaluates a bound Expr over one row (with the enclosing queries' rows for correlated
// references). SQL three-valued logic throughout; functions and operators run their registry definitions, so each
// one's semantics exist once. Subquery values come from ExecEnv, filled by prepareSubqueries before evaluation.
import { formatArrayValues } from '../expr/cast-value.js'
import { assertNever, AssertionError } from '../../src/common/assert.js'
import { cardinalityViolation } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { Expr } from '../bind/expr.js'
import { likeToRegExp } from '../functions/posix-regex.js'
import { castTyped, compareTyped } from './value-ops.js'
import type { ExecEnv, Row } from './exec-env.js'

function evalLogic(expr: Extract<Expr, { kind: 'And' | 'Or' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  let sawNull = false
  const stopAt = expr.kind === 'Or'
  for (const arg of expr.args) {
    const value = evaluate(arg, row, outer, env)
    if (value === null) sawNull = true
    else if (value === stopAt) return stopAt
  }
  return sawNull ? null : !stopAt
}

function evalCompare(op: string, order: number): boolean {
  switch (op) {
    case '=': return order === 0
    case '<>': return order !== 0
    case '<': return order < 0
    case '<=': return order <= 0
    case '>': return order > 0
    default: return order >= 0
  }
}

function evalIn(expr: Extract<Expr, { kind: 'InList' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  const value = evaluate(expr.arg, row, outer, env)
  if (value === null) return null
  let sawNull = false
  for (const item of expr.list) {
    const candidate = evaluate(item, row, outer, env)
    if (candidate === null) { sawNull = true; continue }
    if (compareTyped(value, candidate, expr.arg.type) === 0) return !expr.negated
  }
  return sawNull ? null : expr.negated
}

function evalLike(expr: Extract<Expr, { kind: 'Like' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  const value = evaluate(expr.arg, row, outer, env)
  const pattern = evaluate(expr.pattern, row, outer, env)
  const escape = expr.escape === null ? '\\' : evaluate(expr.escape, row, outer, env)
  if (value === null || pattern === null || escape === null) return null
  const key = `${expr.caseInsensitive ? 'i' : 's'}${String(escape)}\u0000${String(pattern)}`
  let regex = env.likeCache.get(key)
  if (regex === undefined) {
    regex = likeToRegExp(String(pattern), String(escape), expr.caseInsensitive)
    if (env.likeCache.size < 256) env.likeCache.set(key, regex)
  }
  return regex.test(String(value)) !== expr.negated
}

function extreme(expr: Extract<Expr, { kind: 'Coalesce' | 'Greatest' | 'Least' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  let best: SqlValue = null
  for (const arg of expr.args) {
    const value = evaluate(arg, row, outer, env)
    if (value === null) continue
    if (best === null) { best = value; continue }
    const order = compareTyped(value, best, expr.type)
    if (expr.kind === 'Greatest' ? order > 0 : order < 0) best = value
  }
  return best
}

/**
 * (a, b) IN (rows): true when some row is equal pair by pair, else NULL when some row's comparison is NULL (a pair
 * with a NULL and no unequal pair), else false — PostgreSQL's row comparison OR-ed over the rows.
 */
function rowIn(items: ReadonlyArray<Expr>, rows: ReadonlyArray<Row>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv, negated: boolean): SqlValue {
  const left = items.map((item) => evaluate(item, row, outer, env))
  let sawNull = false
  let found = false
  for (const candidate of rows) {
    let equal: boolean | null = true
    for (let i = 0; i < left.length && equal !== false; i++) {
      const a = left[i]!
      const b = candidate[i] ?? null
      if (a === null || b === null) equal = null
      else if (compareTyped(a, b, items[i]!.type) !== 0) equal = false
    }
    if (equal === true) { found = true; break }
    if (equal === null) sawNull = true
  }
  const result = found ? true : sawNull ? null : false
  return result === null ? null : negated ? !result : result
}

function evalSubquery(expr: Extract<Expr, { kind: 'Subquery' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  const rows = env.subqueryRows.get(expr.plan)
  if (rows === undefined) throw new AssertionError('subquery evaluated before prepareSubqueries ran it')
  switch (expr.mode) {
    case 'exists': return rows.length > 0
    case 'scalar':
      if (rows.length > 1) throw cardinalityViolation('more than one row returned by a subquery used as an expression')
      return rows[0]?.[0] ?? null
    case 'any': case 'all': {
      if (rows.length === 0) return expr.negated ? expr.mode === 'any' : expr.mode === 'all'
      if (expr.row !== undefined) return rowIn(expr.row, rows, row, outer, env, expr.negated)
      const left = evaluate(expr.left!, row, outer, env)
      let sawNull = left === null
      let verdict = expr.mode === 'all'
      for (const candidate of rows) {
        const value = candidate[0] ?? null
        if (left === null || value === null) { sawNull = true; continue }
        const holds = evalCompare(expr.op ?? '=', compareTyped(left, value, expr.left!.type))
        if (expr.mode === 'any' && holds) { verdict = true; break }
        if (expr.mode === 'all' && !holds) { verdict = false; break }
      }
      const result: SqlValue = (expr.mode === 'any' ? verdict : !verdict) ? verdict : sawNull ? null : verdict
      return result === null ? null : expr.negated ? !result : result
    }
    case 'array': return formatArrayValues(rows.map((r) => r[0] ?? null), expr.plan.columns[0]!.type.name, env.functions)
    default: return assertNever(expr.mode)
  }
}

function evalCall(expr: Extract<Expr, { kind: 'Call' }>, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  const args: SqlValue[] = new Array<SqlValue>(expr.args.length)
  for (let i = 0; i < expr.args.length; i++) {
    const value = evaluate(expr.args[i]!, row, outer, env)
    if (value === null && expr.fn.strict) return null
    args[i] = value
  }
  if (expr.fn.evaluateTyped !== undefined) return expr.fn.evaluateTyped(args, expr.args.map((arg) => arg.type), env.functions)
  return expr.fn.evaluate(args, env.functions)
}

export function evaluate(expr: Expr, row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue {
  switch (expr.kind) {
    case 'Slot': return row[expr.slot] ?? null
    case 'Outer': return outer[expr.depth - 1]?.[expr.slot] ?? null
    case 'Const': return expr.value
    case 'Param': return env.params[expr.index] ?? null
    case 'Call': return evalCall(expr, row, outer, env)
    case 'Cast': return castTyped(evaluate(expr.expr, row, outer, env), expr.expr.type, expr.type, env.functions, expr.isExplicit === true)
    case 'Compare': {
      const left = evaluate(expr.left, row, outer, env)
      const right = left === null ? null : evaluate(expr.right, row, outer, env)
      return left === null || right === null ? null : evalCompare(expr.op, compareTyped(left, right, expr.left.type))
    }
    case 'And': case 'Or': return evalLogic(expr, row, outer, env)
    case 'Not': { const v = evaluate(expr.arg, row, outer, env); return v === null ? null : !v }
    case 'IsNull': return (evaluate(expr.arg, row, outer, env) === null) !== expr.negated
    case 'IsBool': {
      const v = evaluate(expr.arg, row, outer, env)
      const holds = expr.test === 'unknown' ? v === null : v === (expr.test === 'true')
      return holds !== expr.negated
    }
    case 'IsDistinct': {
      const a = evaluate(expr.left, row, outer, env)
      const b = evaluate(expr.right, row, outer, env)
      const distinct = a === null || b === null ? a !== b : compareTyped(a, b, expr.left.type) !== 0
      return distinct !== expr.negated
    }
    case 'InList': return evalIn(expr, row, outer, env)
    case 'Like': return evalLike(expr, row, outer, env)
    case 'Case': {
      for (const w of expr.whens) if (evaluate(w.when, row, outer, env) === true) return evaluate(w.then, row, outer, env)
      return evaluate(expr.else, row, outer, env)
    }
    case 'Coalesce': {
      for (const arg of expr.args) { const v = evaluate(arg, row, outer, env); if (v !== null) return v }
      return null
    }
    case 'Greatest': case 'Least': return extreme(expr, row, outer, env)
    case 'NullIf': {
      const a = evaluate(expr.left, row, outer, env)
      const b = evaluate(expr.right, row, outer, env)
      return a !== null && b !== null && compareTyped(a, b, expr.left.type) === 0 ? null : a
    }
    case 'Subquery': return evalSubquery(expr, row, outer, env)
    case 'Aggregate': case 'Window': throw new AssertionError(`${expr.kind} must be replaced by a slot before evaluation`)
    default: return assertNever(expr)
  }
}
