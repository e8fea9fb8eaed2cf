// sql/exec/delete-subqueries: the uncorrelated subqueries of a DELETE's WHERE, run once before the DELETE (as
// PostgreSQL runs an InitPlan once) and replaced by constants, so the WHERE the cores get is plain: a scalar or
// EXISTS subquery becomes its value (21000 for more than one row), `x IN (SELECT …)` / `x NOT IN (SELECT …)` /
// `x <> ALL (SELECT …)` an IN list of the rows' values (a constant when no row comes back). Anything else with a
// subquery — correlated, other ANY/ALL operators, a column type other than the left side's — is refused (0A000).
import { featureNotSupported } from '../../src/common/errors.js'
import { DELETE_SUBQUERY_VALUES_MAX_COUNT } from '../../src/common/limits.js'
import { mapExpr, someExpr, type Expr } from '../bind/expr.js'
import { sqlType } from '../bind/types.js'
import { evaluate } from './evaluate.js'
import type { ExecEnv } from './exec-env.js'
import { runPlan } from './run-plan.js'

type Subquery = Extract<Expr, { kind: 'Subquery' }>

/** The refusal for a subquery this file does not turn into constants. */
function refuseSubquery(what: string, pos: number): never {
  throw featureNotSupported(`${what} in DELETE … WHERE`, pos)
}

/** `x IN (SELECT …)` and its negations as an IN list over the rows' values; null when the form is another. */
function asInList(sub: Subquery, env: ExecEnv, pos: number): Expr | null {
  const isIn = sub.mode === 'any' && sub.op === '='
  const isNotIn = sub.mode === 'all' && sub.op === '<>'
  if ((!isIn && !isNotIn) || sub.left === null) return null
  const columnType = sub.plan.columns[0]?.type
  if (columnType === undefined || columnType.name !== sub.left.type.name) refuseSubquery('a subquery of another type than its left side', pos)
  const rows = env.subqueryRows.get(sub.plan)!
  if (rows.length === 0) return { kind: 'Const', value: sub.negated === isIn, type: sqlType('bool') }
  if (rows.length > DELETE_SUBQUERY_VALUES_MAX_COUNT) refuseSubquery(`a subquery of more than ${DELETE_SUBQUERY_VALUES_MAX_COUNT} rows`, pos)
  const list: Expr[] = rows.map((row) => ({ kind: 'Const', value: row[0] ?? null, type: columnType }))
  return { kind: 'InList', arg: sub.left, list, negated: sub.negated === isIn, type: sqlType('bool') }
}

/** `where` with every subquery run and replaced by constants (the caller folds and lowers the result). */
export async function inlineSubqueries(where: Expr, env: ExecEnv, pos: number): Promise<Expr> {
  const subqueries: Subquery[] = []
  someExpr(where, (node) => { if (node.kind === 'Subquery') subqueries.push(node); return false })
  if (subqueries.length === 0) return where
  if (subqueries.some((sub) => sub.correlated)) refuseSubquery('a correlated subquery', pos)
  for (const sub of subqueries) if (!env.subqueryRows.has(sub.plan)) env.subqueryRows.set(sub.plan, await runPlan(sub.plan, env, []))
  const inlined = mapExpr(where, (node) => {
    if (node.kind !== 'Subquery') return undefined
    if (node.mode === 'scalar' || node.mode === 'exists') return { kind: 'Const', value: evaluate(node, [], [], env), type: node.type }
    return asInList(node, env, pos) ?? refuseSubquery(`a ${node.mode.toUpperCase()} subquery with ${node.op ?? 'no operator'}`, pos)
  })
  if (someExpr(inlined, (node) => node.kind === 'Subquery')) refuseSubquery('a subquery inside a subquery\'s left side', pos)
  return inlined
}
