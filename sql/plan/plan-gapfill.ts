// sql/plan/plan-gapfill: a query grouped by time_bucket_gapfill() gets a GapFillNode above its aggregate. The
// bucket range comes from the call's start/finish arguments or, as TimescaleDB infers it, from the designated
// timestamp's range in WHERE; locf()/interpolate() calls in the select list become the node's fill columns.
import { featureNotSupported } from '../../src/common/errors.js'
import { mapExpr, someExpr, type Expr } from '../bind/expr.js'
import { GAPFILL_MARKERS } from '../functions/gapfill-functions.js'
import { planColumn, type PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'
import { TIME_BUCKET_ORIGIN_US } from './pushdown.js'

function scanRange(plan: PlanNode): { fromUs: number; toUs: number } | null {
  if (plan.kind === 'ScanNode' || plan.kind === 'AggScanNode') return plan.op.timeRange
  return 'input' in plan ? scanRange(plan.input) : null
}

export interface Gapfilled {
  readonly plan: PlanNode
  /** `postExprs` with their locf()/interpolate() calls replaced by the node's fill columns, in the same order. */
  readonly exprs: ReadonlyArray<Expr>
}

const isMarker = (node: Expr): boolean => node.kind === 'Call' && GAPFILL_MARKERS.has(node.fn.name)

/** The GapFillNode for an aggregate whose keys include time_bucket_gapfill(), or null when none does. */
export function planGapfill(planner: Planner, aggregate: PlanNode, keys: ReadonlyArray<Expr>, postExprs: ReadonlyArray<Expr>): Gapfilled | null {
  const timeKey = keys.findIndex((k) => k.kind === 'Call' && k.fn.name === 'time_bucket_gapfill')
  const hasMarkers = postExprs.some((e) => someExpr(e, isMarker))
  if (timeKey < 0) {
    if (hasMarkers) throw featureNotSupported('locf() and interpolate() without GROUP BY time_bucket_gapfill()')
    return null
  }
  const call = keys[timeKey]!
  if (call.kind !== 'Call') return null
  const width = planner.fold(call.args[0]!)?.value
  if (!planner.isDescribing && (width === undefined || width === null || typeof width !== 'object' || width.months !== 0)) {
    throw featureNotSupported('time_bucket_gapfill with a width that is not a constant interval of days or less')
  }
  const widthUs = typeof width === 'object' && width !== null ? width.days * 86_400_000_000 + width.us : 1
  const range = scanRange(aggregate)
  let start = call.args.length === 4 ? planner.fold(call.args[2]!)?.value : range?.fromUs
  let finish = call.args.length === 4 ? planner.fold(call.args[3]!)?.value : range?.toUs
  if (planner.isDescribing) { start = 0; finish = 0 }
  if (typeof start !== 'number' || !Number.isFinite(start)) throw featureNotSupported('time_bucket_gapfill without a start: give one, or bound the time column from below in WHERE')
  if (typeof finish !== 'number' || !Number.isFinite(finish)) throw featureNotSupported('time_bucket_gapfill without a finish: give one, or bound the time column from above in WHERE')
  const fills: Array<{ mode: 'locf' | 'interpolate'; expr: Expr }> = []
  const base = aggregate.columns.length
  const rewrite = (expr: Expr): Expr => mapExpr(expr, (node) => {
    if (node.kind !== 'Call' || !GAPFILL_MARKERS.has(node.fn.name)) return undefined
    fills.push({ mode: node.fn.name === 'locf' ? 'locf' : 'interpolate', expr: node.args[0]! })
    return { kind: 'Slot', slot: base + fills.length - 1, type: node.type, name: node.fn.name }
  })
  const exprs = postExprs.map(rewrite)
  const otherKeys = keys.map((_, i) => i).filter((i) => i !== timeKey)
  const columns = [...aggregate.columns, ...fills.map((f) => planColumn(f.mode, f.expr.type))]
  const plan: PlanNode = { kind: 'GapFillNode', input: aggregate, timeKey, otherKeys, widthUs, originUs: TIME_BUCKET_ORIGIN_US, startUs: start, finishUs: finish, fills, columns }
  return { plan, exprs }
}
