// sql/plan/plan-srf: set-returning functions in the select list become a ProjectSetNode between the query's rows (after
// grouping and windows) and its final projection, as PostgreSQL's ProjectSet: each call's marker in the expressions is
// replaced by a slot of the column the node appends. A call inside another call's arguments is refused (0A000).
import { featureNotSupported } from '../../src/common/errors.js'
import { setReturningOf, type SetReturningName } from '../bind/bind-srf.js'
import { mapExpr, someExpr, type Expr } from '../bind/expr.js'
import { planColumn, type PlanNode } from './plan-node.js'

export interface SetReturningCall { readonly fn: SetReturningName; readonly args: ReadonlyArray<Expr>; readonly type: Expr['type'] }

/** Lifts the calls out of `exprs` (in order); returns the node over `input` and the rewritten expressions. */
export function planSetReturning(input: PlanNode, exprs: ReadonlyArray<ReadonlyArray<Expr>>): { plan: PlanNode; exprs: Expr[][] } | null {
  const calls: SetReturningCall[] = []
  const base = input.columns.length
  const rewritten = exprs.map((list) => list.map((expr) => mapExpr(expr, (node) => {
    const fn = setReturningOf(node)
    if (fn === null || node.kind !== 'Call') return undefined
    if (node.args.some((arg) => someExpr(arg, (inner) => setReturningOf(inner) !== null))) {
      throw featureNotSupported('a set-returning function in the arguments of another')
    }
    calls.push({ fn, args: node.args, type: node.type })
    return { kind: 'Slot', slot: base + calls.length - 1, type: node.type, name: fn }
  })))
  if (calls.length === 0) return null
  const columns = [...input.columns, ...calls.map((call) => planColumn(call.fn, call.type))]
  return { plan: { kind: 'ProjectSetNode', input, calls, columns }, exprs: rewritten }
}
