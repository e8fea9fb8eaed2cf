// sql/plan/plan-select: one SELECT core → FROM, WHERE (pushed into the scan where exact), GROUP BY / aggregates
// (on the cores when pushable, else a hash aggregate), HAVING, window functions, the select list with ORDER BY's
// extra keys, DISTINCT / DISTINCT ON. Aggregate and window calls are replaced by slots of the node computing them.
import { featureNotSupported, groupingError, invalidColumnReference } from '../../src/common/errors.js'
import { bindExpr, toBool, type BindContext } from '../bind/bind-expr.js'
import { exprKey, mapExpr, someExpr, type AggCall, type Expr, type ExprSortKey, type WindowCall } from '../bind/expr.js'
import type { Scope } from '../bind/scope.js'
import { Scope as ScopeClass } from '../bind/scope.js'
import { isAggregate } from '../functions/registry.js'
import type { SqlExpr, SqlOrderItem, SqlQuery, SqlSelectCore, SqlSelectItem } from '../parse/ast.js'
import { outputName } from './output-name.js'
import { planFrom } from './plan-from.js'
import { planColumn, type PlanColumn, type PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'
import { conjuncts, pushAggregate, pushFilter } from './pushdown.js'
import { pgOrder } from './lower-expr.js'
import { planGapfill } from './plan-gapfill.js'
import { planLastpoint } from './plan-lastpoint.js'
import { planGroupingSets } from './plan-grouping-sets.js'
import { planSetReturning } from './plan-srf.js'
import { distinctKeys, GROUPING_SET_KEY, resolveGrouping } from '../bind/bind-grouping.js'

export interface CorePlan {
  readonly plan: PlanNode
  readonly visibleCount: number
  /** Over the plan's columns (visible and resjunk). */
  readonly sortKeys: ReadonlyArray<ExprSortKey>
  /** True when sortKeys were already applied (DISTINCT ON sorts before de-duplicating). */
  readonly sorted: boolean
}

/** Whether the expression holds an aggregate call of this query level (not inside a subquery or window's OVER). */
function hasAggregate(expr: SqlExpr | null): boolean {
  if (expr === null) return false
  switch (expr.kind) {
    case 'ExprCall':
      if (expr.over === null && isAggregate(expr.name)) return true
      return expr.args.some(hasAggregate)
    case 'ExprBinary': return hasAggregate(expr.left) || hasAggregate(expr.right)
    case 'ExprUnary': case 'ExprCast': case 'ExprIsNull': case 'ExprIsBool': return hasAggregate(expr.expr)
    case 'ExprSubscript': return hasAggregate(expr.expr) || hasAggregate(expr.index)
    case 'ExprSlice': return hasAggregate(expr.expr) || hasAggregate(expr.lower) || hasAggregate(expr.upper)
    case 'ExprIn': return hasAggregate(expr.expr) || expr.list.some(hasAggregate)
    case 'ExprBetween': return hasAggregate(expr.expr) || hasAggregate(expr.low) || hasAggregate(expr.high)
    case 'ExprIsDistinct': return hasAggregate(expr.left) || hasAggregate(expr.right)
    case 'ExprLike': return hasAggregate(expr.expr) || hasAggregate(expr.pattern)
    case 'ExprCase': return hasAggregate(expr.operand) || hasAggregate(expr.else) || expr.whens.some((w) => hasAggregate(w.when) || hasAggregate(w.then))
    case 'ExprInSubquery': case 'ExprQuantified': return hasAggregate(expr.expr)
    case 'ExprArray': return expr.elements.some(hasAggregate)
    case 'ExprGrouping': return true
    default: return false
  }
}

export interface SelectItemBound { readonly name: string; readonly expr: Expr; readonly origin: { tableOid: number; columnAttr: number } }

/** A select list (or RETURNING's) bound in ctx's scope: stars expanded, names as PostgreSQL gives them. */
export function expandItems(ctx: BindContext, items: ReadonlyArray<SqlSelectItem>): SelectItemBound[] {
  const out: SelectItemBound[] = []
  for (const item of items) {
    if (item.expr.kind === 'ExprStar') {
      const qualifier = item.expr.qualifier
      if (qualifier !== null && !ctx.scope.hasQualifier(qualifier)) {
        throw featureNotSupported(`missing FROM-clause entry for table "${qualifier}"`, item.expr.pos + 1)
      }
      for (const column of ctx.scope.columns) {
        if (column.hidden === true || column.system === true || (qualifier !== null && column.qualifier !== qualifier)) continue
        out.push({ name: column.name, expr: { kind: 'Slot', slot: column.slot, type: column.type, name: column.name }, origin: column })
      }
      continue
    }
    const expr = bindExpr(ctx, item.expr)
    const column = expr.kind === 'Slot' ? ctx.scope.columns.find((c) => c.slot === expr.slot) : undefined
    const origin = column === undefined ? { tableOid: 0, columnAttr: 0 } : { tableOid: column.tableOid, columnAttr: column.columnAttr }
    out.push({ name: item.alias ?? outputName(item.expr), expr, origin })
  }
  return out
}

/** ORDER BY item → an output ordinal, an output name, or an expression to add as a resjunk column. */
function orderTarget(item: SqlOrderItem, core: SqlSelectCore, items: ReadonlyArray<SelectItemBound>): number | null {
  const e = item.expr
  if (e.kind === 'ExprNumber' && /^\d+$/.test(e.text)) {
    const n = Number(e.text)
    if (n < 1 || n > items.length) throw invalidColumnReference(`ORDER BY position ${n} is not in select list`, e.pos + 1)
    return n - 1
  }
  if (e.kind === 'ExprColumn' && e.names.length === 1) {
    const name = e.names[0]!
    const matches = items.map((it, i) => (it.name === name && (core.items[i]?.alias !== null || core.items.length !== items.length || true) ? i : -1)).filter((i) => i >= 0)
    if (matches.length >= 1) return matches[0]!
  }
  return null
}

/** GROUP BY item: an ordinal or an output alias (when no input column has that name) stands for that select item. */
function groupExpr(ctx: BindContext, key: SqlExpr, core: SqlSelectCore): SqlExpr {
  if (key.kind === 'ExprNumber' && /^\d+$/.test(key.text)) {
    const item = core.items[Number(key.text) - 1]
    if (item === undefined || item.expr.kind === 'ExprStar') throw invalidColumnReference(`GROUP BY position ${key.text} is not in select list`, key.pos + 1)
    return item.expr
  }
  if (key.kind === 'ExprColumn' && key.names.length === 1 && !ctx.scope.columns.some((c) => c.name === key.names[0])) {
    const item = core.items.find((it) => it.alias === key.names[0])
    if (item !== undefined) return item.expr
  }
  return key
}

class AggregateRewriter {
  readonly calls: AggCall[] = []
  private readonly callKeys: string[] = []
  private readonly keyKeys: string[]
  /** `finish` runs over each rewritten expression (window arguments included): GROUPING() resolution. */
  constructor(private readonly keys: ReadonlyArray<Expr>, private readonly finish: (e: Expr) => Expr) { this.keyKeys = keys.map(exprKey) }

  rewrite(expr: Expr): Expr {
    return this.finish(mapExpr(expr, (node) => {
      const k = this.keyKeys.indexOf(exprKey(node))
      if (k >= 0) return { kind: 'Slot', slot: k, type: node.type, name: '' }
      if (node.kind === 'Aggregate') {
        const key = exprKey(node)
        let index = this.callKeys.indexOf(key)
        if (index < 0) { this.calls.push(node.call); this.callKeys.push(key); index = this.calls.length - 1 }
        return { kind: 'Slot', slot: this.keys.length + index, type: node.type, name: node.call.fn.name }
      }
      if (node.kind === 'Window') return { ...node, call: this.rewriteWindow(node.call) }
      if (node.kind === 'Slot') throw groupingError(node.name, node.pos === undefined ? undefined : node.pos + 1)
      if (node.kind === 'Subquery' && node.correlated) throw featureNotSupported('correlated subqueries in a grouped query')
      return undefined
    }))
  }

  private rewriteWindow(call: WindowCall): WindowCall {
    const r = (e: Expr): Expr => this.rewrite(e)
    return {
      ...call, args: call.args.map(r), filter: call.filter === null ? null : r(call.filter), partitionBy: call.partitionBy.map(r),
      orderBy: call.orderBy.map((k) => ({ ...k, expr: r(k.expr) })),
    }
  }
}

function collectWindows(exprs: ReadonlyArray<Expr>, base: number): { calls: WindowCall[]; rewrite: (e: Expr) => Expr } {
  const calls: WindowCall[] = []
  const found = new Map<object, number>()
  const rewrite = (e: Expr): Expr => mapExpr(e, (node) => {
    if (node.kind !== 'Window') return undefined
    let index = found.get(node.call)
    if (index === undefined) { calls.push(node.call); index = calls.length - 1; found.set(node.call, index) }
    return { kind: 'Slot', slot: base + index, type: node.type, name: node.call.fn }
  })
  exprs.forEach(rewrite)
  return { calls, rewrite }
}

export function planSelectCore(planner: Planner, core: SqlSelectCore, query: SqlQuery, outer: Scope | null): CorePlan {
  const from = planFrom(planner, core.from, outer)
  const scope = new ScopeClass(from.columns, outer)
  let plan = from.plan
  if (core.where !== null) {
    const whereCtx = planner.bindContext(scope, 'WHERE')
    const predicate = toBool(whereCtx, bindExpr(whereCtx, core.where), 'WHERE', core.pos)
    plan = applyFilter(planner, plan, predicate)
  }
  const isGrouped = core.groupBy.length > 0 || core.groupingSets !== null || core.having !== null || core.items.some((i) => hasAggregate(i.expr)) ||
    query.orderBy.some((o) => hasAggregate(o.expr))
  const namedWindows = new Map(core.windows.map((w) => [w.name, w.spec]))
  const ctx = { ...planner.bindContext(scope, 'the select list', { allowAggregates: isGrouped, allowWindows: true }), windows: namedWindows, allowSetReturning: true }
  const items = expandItems(ctx, core.items)
  const orderTargets = query.orderBy.map((o) => orderTarget(o, core, items))
  const orderExprs = query.orderBy.map((o, i) => (orderTargets[i] === null ? bindExpr(ctx, o.expr) : null))
  let itemExprs = items.map((i) => i.expr)
  let extra = orderExprs.filter((e): e is Expr => e !== null)
  let distinctOn = core.distinct?.on.map((e) => bindExpr(ctx, groupExpr(ctx, e, core))) ?? []
  if (isGrouped) {
    const groupCtx = planner.bindContext(scope, 'GROUP BY')
    const { keys, sets } = distinctKeys(core.groupBy.map((k) => bindExpr(groupCtx, groupExpr(groupCtx, k, core))), core.groupingSets)
    const havingCtx = { ...ctx, allowWindows: false, allowSetReturning: false, clause: 'HAVING' }
    const boundHaving = core.having === null ? null : toBool(havingCtx, bindExpr(havingCtx, core.having), 'HAVING', core.pos)
    const rewriter = new AggregateRewriter(sets === null ? keys : [...keys, GROUPING_SET_KEY], (e) => resolveGrouping(e, sets, keys.length))
    const rewrite = (e: Expr): Expr => rewriter.rewrite(e)
    itemExprs = itemExprs.map(rewrite)
    extra = extra.map(rewrite)
    distinctOn = distinctOn.map(rewrite)
    const rewrittenHaving = boundHaving === null ? null : rewrite(boundHaving)
    const columns = [...keys.map((k, i) => planColumn(`key${i}`, k.type)), ...rewriter.calls.map((c) => planColumn(c.fn.name, c.type))]
    const aggregate = (input: PlanNode, setKeys: ReadonlyArray<Expr>, calls: ReadonlyArray<AggCall>, setColumns: ReadonlyArray<PlanColumn>): PlanNode =>
      aggregateNode(planner, input, setKeys, calls, setColumns)
    plan = sets === null ? aggregate(plan, keys, rewriter.calls, columns) : planGroupingSets(plan, keys, sets, rewriter.calls, aggregate)
    let having: Expr | null = rewrittenHaving
    const gapfilled = planGapfill(planner, plan, keys, [...itemExprs, ...extra, ...(having === null ? [] : [having])])
    if (gapfilled !== null && sets !== null) throw featureNotSupported('time_bucket_gapfill with GROUPING SETS, ROLLUP or CUBE', core.pos + 1)
    if (gapfilled !== null) {
      plan = gapfilled.plan
      itemExprs = gapfilled.exprs.slice(0, itemExprs.length)
      extra = gapfilled.exprs.slice(itemExprs.length, itemExprs.length + extra.length)
      having = having === null ? null : gapfilled.exprs[gapfilled.exprs.length - 1]!
    }
    if (having !== null) plan = { kind: 'FilterNode', input: plan, predicate: having, columns: plan.columns }
  }
  const windows = collectWindows([...itemExprs, ...extra], plan.columns.length)
  if (windows.calls.length > 0) {
    const columns = [...plan.columns, ...windows.calls.map((c) => planColumn(c.fn, c.type))]
    plan = { kind: 'WindowNode', input: plan, calls: windows.calls, columns }
    itemExprs = itemExprs.map(windows.rewrite)
    extra = extra.map(windows.rewrite)
  }
  const lifted = planSetReturning(plan, [itemExprs, extra, distinctOn])
  if (lifted !== null) [plan, itemExprs, extra, distinctOn] = [lifted.plan, lifted.exprs[0]!, lifted.exprs[1]!, lifted.exprs[2]!]
  if (!isGrouped && windows.calls.length === 0 && lifted === null && core.distinct !== null && core.distinct.on.length > 0 && extra.length === 0 &&
    !planner.disabled.has('lastpoint')) {
    const visible = items.map((item, i) => ({ name: item.name, type: itemExprs[i]!.type, ...item.origin }))
    const lastpoint = planLastpoint(planner, plan, query, itemExprs, orderTargets, distinctOn, visible)
    if (lastpoint !== null) return { plan: lastpoint, visibleCount: items.length, sortKeys: [], sorted: true }
  }
  return finishCore(plan, core, query, items, itemExprs, extra, orderTargets, distinctOn)
}

function applyFilter(planner: Planner, plan: PlanNode, where: Expr): PlanNode {
  // Conjuncts run in PostgreSQL's order (cost, then written order), so one that raises sees the same rows.
  const all = conjuncts(where)
  const predicate: Expr = all.length === 1 ? where : { kind: 'And', args: [...all].sort(pgOrder(all)), type: where.type }
  if (plan.kind === 'ScanNode' && !planner.disabled.has('filter_pushdown')) {
    const table = planner.engine.tables().find((t) => t.id === plan.op.tableId)
    if (table !== undefined) {
      const { scan, residual } = pushFilter(table, plan, predicate, planner.fold)
      return residual === null ? scan : { kind: 'FilterNode', input: scan, predicate: residual, columns: scan.columns }
    }
  }
  return { kind: 'FilterNode', input: plan, predicate, columns: plan.columns }
}

function aggregateNode(planner: Planner, input: PlanNode, keys: ReadonlyArray<Expr>, calls: ReadonlyArray<AggCall>, columns: ReadonlyArray<PlanColumn>): PlanNode {
  if (input.kind === 'ScanNode' && !planner.disabled.has('aggregate_pushdown') && !keys.some((k) => someExpr(k, (n) => n.kind === 'Subquery'))) {
    const table = planner.engine.tables().find((t) => t.id === input.op.tableId)
    const pushed = table === undefined ? null : pushAggregate(table, input, keys, calls, columns, planner.fold, planner.timeZone)
    if (pushed !== null) return pushed
  }
  return { kind: 'AggregateNode', input, keys, aggregates: calls, columns }
}

function finishCore(input: PlanNode, core: SqlSelectCore, query: SqlQuery, items: ReadonlyArray<SelectItemBound>,
  itemExprs: ReadonlyArray<Expr>, extra: ReadonlyArray<Expr>, orderTargets: ReadonlyArray<number | null>, distinctOn: ReadonlyArray<Expr>): CorePlan {
  const visible: PlanColumn[] = items.map((item, i) => ({ name: item.name, type: itemExprs[i]!.type, ...item.origin }))
  const exprs = [...itemExprs, ...extra]
  const columns = [...visible, ...extra.map((e) => planColumn('?resjunk?', e.type))]
  let plan: PlanNode = { kind: 'ProjectNode', input, exprs, columns }
  let extraIndex = items.length
  const sortKeys: ExprSortKey[] = query.orderBy.map((o, i) => {
    const slot = orderTargets[i] ?? extraIndex++
    return { expr: { kind: 'Slot', slot, type: columns[slot]!.type, name: '' }, descending: o.descending, nullsFirst: o.nullsFirst ?? o.descending }
  })
  if (core.distinct === null) return { plan, visibleCount: items.length, sortKeys, sorted: false }
  if (core.distinct.on.length === 0) {
    if (extra.length > 0) throw invalidColumnReference('for SELECT DISTINCT, ORDER BY expressions must appear in select list', core.pos + 1)
    plan = { kind: 'DistinctNode', input: plan, on: null, columns }
    return { plan, visibleCount: items.length, sortKeys, sorted: false }
  }
  // DISTINCT ON keeps the first row of each group in ORDER BY order: sort, then de-duplicate (input expressions are
  // re-evaluated over the projected row, so they are added as resjunk columns of the projection).
  const onExprs = distinctOn
  const onColumns = onExprs.map((e) => planColumn('?distinct?', e.type))
  const withOn: PlanNode = { kind: 'ProjectNode', input, exprs: [...exprs, ...onExprs], columns: [...columns, ...onColumns] }
  const onSlots: Expr[] = onExprs.map((e, i) => ({ kind: 'Slot', slot: exprs.length + i, type: e.type, name: '' }))
  const sorted: PlanNode = sortKeys.length === 0 ? withOn : { kind: 'SortNode', input: withOn, keys: sortKeys, columns: withOn.columns }
  plan = { kind: 'DistinctNode', input: sorted, on: onSlots, columns: withOn.columns }
  return { plan, visibleCount: items.length, sortKeys, sorted: true }
}
