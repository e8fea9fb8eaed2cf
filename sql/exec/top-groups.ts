// sql/exec/top-groups: ORDER BY bucket [DESC] LIMIT n over an aggregate scan grouped by one time bucket (TSBS
// groupby-orderby-limit: `max(usage_user) … GROUP BY minute ORDER BY minute DESC LIMIT 5`) asks the cores for the
// last (first) n buckets' time span only, not every bucket of the range. Exact: the narrowed range starts (ends) on
// a clean bucket boundary — a time that is its own bucket start and above every time of the bucket below — so
// every bucket it holds has all its rows there, and when it holds at least n groups no bucket outside it can rank
// among the first n. Fewer groups: once more over a span 16 times wider, then null (the caller runs the plan as
// written), as when the range is open on that side. Only plain shapes: projections of slots, no HAVING, no EXPLAIN ANALYZE.
import { bucketStartOf, doubleBelow, type GroupKey, type TimeRange } from '../../engine/ops.js'
import type { PlanNode } from '../plan/plan-node.js'
import { evaluate } from './evaluate.js'
import type { ExecEnv, Row } from './exec-env.js'
import { runPlan } from './run-plan.js'
import { keysComparator } from './value-ops.js'

type SortPlan = Extract<PlanNode, { kind: 'SortNode' }>
type AggScan = Extract<PlanNode, { kind: 'AggScanNode' }>
type TimeBucket = Extract<GroupKey, { kind: 'timeBucket' }>

/** How much wider each retry's span is than the last, and how many narrowed scans run before the full one. */
const SPAN_GROWTH = 16
const ATTEMPTS_MAX_COUNT = 2

/** The aggregate scan under projections of plain slots whose first sort key is its one time-bucket key, or null. */
function bucketScanOf(sort: SortPlan): { scan: AggScan; key: TimeBucket } | null {
  const first = sort.keys[0]?.expr
  if (first?.kind !== 'Slot') return null
  let slot = first.slot
  let node = sort.input
  while (node.kind === 'ProjectNode') {
    const expr = node.exprs[slot]
    if (expr?.kind !== 'Slot' || !node.exprs.every((e) => e.kind === 'Slot')) return null
    slot = expr.slot
    node = node.input
  }
  if (node.kind !== 'AggScanNode' || slot !== 0 || node.op.groupBy.length !== 1) return null
  const key = node.op.groupBy[0]!
  return key.kind === 'timeBucket' ? { scan: node, key } : null
}

/** The same plan with the aggregate scan's time range replaced. */
function withRange(node: PlanNode, range: TimeRange): PlanNode {
  if (node.kind === 'AggScanNode') return { ...node, op: { ...node.op, timeRange: range } }
  if (node.kind === 'ProjectNode') return { ...node, input: withRange(node.input, range) }
  throw new Error(`top-groups: unexpected ${node.kind}`)
}

/** A bucket start that no earlier time maps to (so [b, …) holds whole buckets only), as bucketStartOf computes. */
function isCleanBoundary(key: TimeBucket, b: number): boolean {
  return Number.isFinite(b) && bucketStartOf(key, b) === b && bucketStartOf(key, doubleBelow(b)) < b
}

/** The narrowed range holding `span` buckets at the end (DESC) or start (ASC) of `range`; null when none narrower is exact. */
function narrowed(key: TimeBucket, range: TimeRange, span: number, descending: boolean): TimeRange | null {
  if (descending) {
    // Open-ended: where the data ends is not known here (a span at the far end of time would hold nothing).
    if (!Number.isFinite(range.toUs)) return null
    const low = bucketStartOf(key, doubleBelow(range.toUs)) - (span - 1) * key.widthUs
    return low > range.fromUs && isCleanBoundary(key, low) ? { fromUs: low, toUs: range.toUs } : null
  }
  if (!Number.isFinite(range.fromUs)) return null
  const high = bucketStartOf(key, range.fromUs) + span * key.widthUs
  return high < range.toUs && isCleanBoundary(key, high) ? { fromUs: range.fromUs, toUs: high } : null
}

/**
 * The first `keep` rows of `sort` (an ORDER BY over an aggregate scan by one time bucket), computed from the fewest
 * buckets that decide them; null when the plan is not of that shape or no narrower range is exact.
 */
export async function runTopGroups(sort: SortPlan, keep: number, env: ExecEnv): Promise<Row[] | null> {
  const found = env.profile === undefined && keep > 0 ? bucketScanOf(sort) : null
  if (found === null) return null
  const { scan, key } = found
  const descending = sort.keys[0]!.descending
  for (let attempt = 0, span = keep; attempt < ATTEMPTS_MAX_COUNT; attempt++, span *= SPAN_GROWTH) {
    const range = narrowed(key, scan.op.timeRange, span, descending)
    if (range === null) return null
    const rows = await runPlan(withRange(sort.input, range), env, [])
    if (rows.length < keep) continue
    const compare = keysComparator(sort.keys)
    const keyed = rows.map((row) => ({ row, keys: sort.keys.map((k) => evaluate(k.expr, row, [], env)) }))
    keyed.sort((a, b) => compare(a.keys, b.keys))
    return keyed.slice(0, keep).map((k) => k.row)
  }
  return null
}
