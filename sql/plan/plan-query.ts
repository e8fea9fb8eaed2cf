// sql/plan/plan-query: a query body (SELECT core, UNION/INTERSECT/EXCEPT, VALUES) with its ORDER BY, LIMIT and
// OFFSET. Set operations resolve each column's common type and cast both sides to it; their ORDER BY may name only
// result columns, as in PostgreSQL.
import { featureNotSupported, invalidColumnReference, syntaxError } from '../../src/common/errors.js'
import { bindExpr } from '../bind/bind-expr.js'
import { coerce } from '../bind/coerce.js'
import type { Expr, ExprSortKey } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import { commonType } from '../bind/type-rules.js'
import { sqlType } from '../bind/types.js'
import type { SqlOrderItem, SqlQuery, SqlSetOperation, SqlValues } from '../parse/ast.js'
import { planColumn, type PlanColumn, type PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'
import { planSelectCore } from './plan-select.js'

export function castColumns(plan: PlanNode, types: ReadonlyArray<PlanColumn>): PlanNode {
  if (plan.columns.every((c, i) => c.type.name === types[i]!.type.name)) return plan
  const exprs: Expr[] = plan.columns.map((c, i) => {
    const slot: Expr = { kind: 'Slot', slot: i, type: c.type, name: c.name }
    const target = types[i]!.type
    return c.type.name === target.name ? slot : { kind: 'Cast', expr: slot, type: target }
  })
  return { kind: 'ProjectNode', input: plan, exprs, columns: plan.columns.map((c, i) => ({ ...c, type: types[i]!.type })) }
}

function planSetOperation(planner: Planner, body: SqlSetOperation, outer: Scope | null): PlanNode {
  const left = planner.planQuery(body.left, outer).plan
  const right = planner.planQuery(body.right, outer).plan
  const what = body.op.toUpperCase()
  if (left.columns.length !== right.columns.length) throw syntaxError(`each ${what} query must have the same number of columns`, body.pos + 1)
  const columns = left.columns.map((c, i) => ({ ...planColumn(c.name, commonType([c.type, right.columns[i]!.type], what, body.pos)) }))
  return { kind: 'SetOpNode', op: body.op, all: body.all, left: castColumns(left, columns), right: castColumns(right, columns), columns }
}

function planValues(planner: Planner, body: SqlValues, outer: Scope | null): PlanNode {
  const ctx = planner.bindContext(new Scope([], outer), 'VALUES')
  const rows = body.rows.map((row) => row.map((e) => bindExpr(ctx, e)))
  const width = rows[0]?.length ?? 0
  if (rows.some((r) => r.length !== width)) throw syntaxError('VALUES lists must all be the same length', body.pos + 1)
  const types = Array.from({ length: width }, (_, i) => commonType(rows.map((r) => r[i]!.type), 'VALUES', body.pos))
  const coerced = rows.map((r) => r.map((e, i) => coerce(ctx, e, types[i]!)))
  return { kind: 'ValuesNode', rows: coerced, columns: types.map((t, i) => planColumn(`column${i + 1}`, t)) }
}

/** ORDER BY over a set operation's or VALUES' result: result column names and ordinals only. */
function resultSortKeys(items: ReadonlyArray<SqlOrderItem>, columns: ReadonlyArray<PlanColumn>): ExprSortKey[] {
  return items.map((item) => {
    const e = item.expr
    let slot = -1
    if (e.kind === 'ExprNumber' && /^\d+$/.test(e.text)) {
      slot = Number(e.text) - 1
      if (slot < 0 || slot >= columns.length) throw invalidColumnReference(`ORDER BY position ${e.text} is not in select list`, e.pos + 1)
    } else if (e.kind === 'ExprColumn' && e.names.length === 1) {
      slot = columns.findIndex((c) => c.name === e.names[0])
    }
    if (slot < 0) throw featureNotSupported('invalid UNION/INTERSECT/EXCEPT ORDER BY clause: only result column names can be used', e.pos + 1)
    return { expr: { kind: 'Slot', slot, type: columns[slot]!.type, name: '' }, descending: item.descending, nullsFirst: item.nullsFirst ?? item.descending }
  })
}

function limitExpr(planner: Planner, expr: SqlQuery['limit'], outer: Scope | null): Expr | null {
  if (expr === null) return null
  const ctx = planner.bindContext(new Scope([], outer), 'LIMIT')
  return coerce(ctx, bindExpr(ctx, expr), sqlType('int8'))
}

export function planQueryBody(planner: Planner, query: SqlQuery, outer: Scope | null): PlanNode {
  const body = query.body
  let plan: PlanNode
  let visibleCount: number
  let sortKeys: ReadonlyArray<ExprSortKey>
  let sorted = false
  if (body.kind === 'SqlSelectCore') {
    const core = planSelectCore(planner, body, query, outer)
    plan = core.plan
    visibleCount = core.visibleCount
    sortKeys = core.sortKeys
    sorted = core.sorted
  } else {
    plan = body.kind === 'SqlSetOperation' ? planSetOperation(planner, body, outer) : planValues(planner, body, outer)
    visibleCount = plan.columns.length
    sortKeys = resultSortKeys(query.orderBy, plan.columns)
  }
  if (sortKeys.length > 0 && !sorted) plan = { kind: 'SortNode', input: plan, keys: sortKeys, columns: plan.columns }
  const limit = limitExpr(planner, query.limit, outer)
  const offset = limitExpr(planner, query.offset, outer)
  if (limit !== null || offset !== null) plan = { kind: 'LimitNode', input: plan, limit, offset, columns: plan.columns }
  if (plan.columns.length > visibleCount) plan = { kind: 'TrimNode', input: plan, count: visibleCount, columns: plan.columns.slice(0, visibleCount) }
  return plan
}
