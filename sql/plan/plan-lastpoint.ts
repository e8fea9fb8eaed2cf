// sql/plan/plan-lastpoint: the latest row per series on the cores. `SELECT DISTINCT ON (tags) cols FROM t [WHERE
// pushed] ORDER BY tags, time DESC` (TSBS lastpoint) keeps, per tag combination, the row with the greatest
// designated timestamp — exactly what the cores' last(col, time) computes for every column at once: each core and
// the merge keep the first row seen at the extreme timestamp for every column alike, so all columns come from one
// row. ASC takes first(). Any other shape goes through the general sort + DISTINCT ON.
import { OP_VERSION, type AggregateSpec, type GroupKey, type ScanOp } from '../../engine/ops.js'
import type { Expr, ExprSortKey } from '../bind/expr.js'
import type { SqlQuery } from '../parse/ast.js'
import type { AggregateOutput } from '../physical/merge.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'

type ScanNode = Extract<PlanNode, { kind: 'ScanNode' }>

/** The ORDER BY as (slot, descending) pairs when every item names a plain column, else null. */
function orderSlots(query: SqlQuery, orderTargets: ReadonlyArray<number | null>, itemExprs: ReadonlyArray<Expr>): Array<{ slot: number; descending: boolean }> | null {
  const out: Array<{ slot: number; descending: boolean }> = []
  for (let i = 0; i < query.orderBy.length; i++) {
    const target = orderTargets[i]
    const expr = target === null || target === undefined ? undefined : itemExprs[target]
    if (expr?.kind !== 'Slot') return null
    out.push({ slot: expr.slot, descending: query.orderBy[i]!.descending })
  }
  return out
}

/**
 * The plan for a lastpoint-shaped DISTINCT ON over a fully pushed scan, or null. Output columns are the select
 * list's, sorted by the DISTINCT ON keys as ORDER BY asks.
 */
export function planLastpoint(planner: Planner, input: PlanNode, query: SqlQuery, itemExprs: ReadonlyArray<Expr>,
  orderTargets: ReadonlyArray<number | null>, distinctOn: ReadonlyArray<Expr>, visible: ReadonlyArray<PlanColumn>): PlanNode | null {
  if (input.kind !== 'ScanNode' || query.orderBy.length !== distinctOn.length + 1) return null
  const scan: ScanNode = input
  const table = planner.engine.tables().find((t) => t.id === scan.op.tableId)
  const order = orderSlots(query, orderTargets, itemExprs)
  if (table === undefined || order === null || itemExprs.some((e) => e.kind !== 'Slot')) return null
  const keySlots = distinctOn.map((e) => (e.kind === 'Slot' ? e.slot : -1))
  const last = order[order.length - 1]!
  const columnOf = (slot: number): number => scan.op.projection[slot] ?? -1
  if (keySlots.some((s) => s < 0) || columnOf(last.slot) !== table.timestampIndex) return null
  if (!order.slice(0, -1).every((o, i) => keySlots.includes(o.slot) && o.slot === order[i]!.slot) || new Set(order.slice(0, -1).map((o) => o.slot)).size !== keySlots.length) return null
  if (keySlots.some((s) => table.columns[columnOf(s)]!.kind === 'text')) return null
  const valueSlots = [...new Set(itemExprs.map((e) => (e.kind === 'Slot' ? e.slot : -1)))].filter((s) => !keySlots.includes(s))
  if (valueSlots.some((s) => table.columns[columnOf(s)]!.kind === 'text')) return null
  const fn = last.descending ? 'last' : 'first'
  const groupBy: GroupKey[] = keySlots.map((s) => ({ kind: 'column', column: columnOf(s) }))
  const aggregates: AggregateSpec[] = valueSlots.map((s) => ({ fn, column: columnOf(s) }))
  const op: ScanOp = { ...scan.op, v: OP_VERSION, projection: [], groupBy, aggregates, limit: null }
  const keyTypes = keySlots.map((s) => scan.columns[s]!.type)
  const outputs: AggregateOutput[] = valueSlots.map((s) => ({ fn, type: scan.columns[s]!.type }))
  const aggColumns = [...keySlots, ...valueSlots].map((s) => scan.columns[s]!)
  const agg: PlanNode = { kind: 'AggScanNode', op, tableName: scan.tableName, keyTypes, outputs, columns: aggColumns }
  const slotOf = (inputSlot: number): number => {
    const k = keySlots.indexOf(inputSlot)
    return k >= 0 ? k : keySlots.length + valueSlots.indexOf(inputSlot)
  }
  const exprs: Expr[] = itemExprs.map((e) => ({ ...e, slot: slotOf(e.kind === 'Slot' ? e.slot : 0) }) as Expr)
  const project: PlanNode = { kind: 'ProjectNode', input: agg, exprs, columns: visible }
  const keys: ExprSortKey[] = order.slice(0, -1).map((o, i) => {
    const position = itemExprs.findIndex((e) => e.kind === 'Slot' && e.slot === o.slot)
    return { expr: { kind: 'Slot', slot: position, type: visible[position]!.type, name: '' }, descending: o.descending, nullsFirst: query.orderBy[i]!.nullsFirst ?? o.descending }
  })
  return { kind: 'SortNode', input: project, keys, columns: visible }
}
