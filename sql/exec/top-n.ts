// sql/exec/top-n: ORDER BY … LIMIT n over a streamable scan keeps only the best OFFSET + LIMIT rows while the cores'
// batches stream past, instead of holding and sorting every row (design invariant 4: memory bounded by the query,
// not the table). Larger limits fall back to the materialized sort. Over an aggregate scan by one time bucket the
// cores are asked for the deciding buckets only (top-groups.ts).
import type { PlanNode } from '../plan/plan-node.js'
import { evaluate } from './evaluate.js'
import type { ExecEnv, Row } from './exec-env.js'
import { streamPlan, streamShapeOf } from './stream-plan.js'
import { keysComparator } from './value-ops.js'
import { runTopGroups } from './top-groups.js'
import type { SqlValue } from '../api.js'

/** Rows a top-N keeps at most; past it the general sort (which charges the statement's row budget) is cheaper. */
const TOP_N_ROWS_MAX_COUNT = 10_000

type SortPlan = Extract<PlanNode, { kind: 'SortNode' }>

interface Ranked { readonly row: Row; readonly keys: ReadonlyArray<SqlValue> }

/**
 * The first `keep` rows of `sort` in its order, streaming its input; null when the input does not stream or `keep`
 * is too large (the caller then sorts materialized rows).
 */
export async function runTopN(sort: SortPlan, keep: number, env: ExecEnv): Promise<Row[] | null> {
  const shape = streamShapeOf(sort.input)
  if (shape === null) return runTopGroups(sort, keep, env)
  if (keep > TOP_N_ROWS_MAX_COUNT) return null
  const best: Ranked[] = []
  if (keep === 0) return []
  const compareKeys = keysComparator(sort.keys)
  const compareRanked = (a: Ranked, b: Ranked): number => compareKeys(a.keys, b.keys)
  for await (const batch of streamPlan(shape, env)) {
    for (const row of batch) {
      const copy: Row = [...row]
      const ranked: Ranked = { row: copy, keys: sort.keys.map((k) => evaluate(k.expr, copy, [], env)) }
      if (best.length === keep && compareRanked(ranked, best[keep - 1]!) >= 0) continue
      let lo = 0
      let hi = best.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (compareRanked(best[mid]!, ranked) <= 0) lo = mid + 1
        else hi = mid
      }
      best.splice(lo, 0, ranked)
      if (best.length > keep) best.pop()
    }
  }
  return best.map((r) => r.row)
}
