// sql/exec/group-order: an ORDER BY over an aggregate scan's group keys (TSBS double-groupby: `WITH cpu_avg AS
// (SELECT hour, hostname, avg(…) … GROUP BY hour, hostname) SELECT … FROM cpu_avg ORDER BY hour, hostname`) asks the
// merge to emit its groups already in key order, so the sort above finds them in order in one pass and moves
// nothing. Only a hint: the sort still checks every adjacent pair with its own comparator and sorts when they are
// not in order, so a wrong guess here costs time, never a wrong answer.
import type { PlanNode } from '../plan/plan-node.js'
import { disabledOptimizers } from '../plan/optimizers.js'
import type { ExecEnv } from './exec-env.js'

type NodeOf<K extends PlanNode['kind']> = Extract<PlanNode, { kind: K }>
type Ctes = NodeOf<'WithNode'>['ctes']

/** The aggregate scans a sort above wants in group-key order (plans are cached, so the mark lasts with the plan). */
const KEY_ORDERED = new WeakSet<NodeOf<'AggScanNode'>>()

/** Whether the merge of `scan` should emit its groups in ascending key order. */
export function wantsKeyOrder(scan: NodeOf<'AggScanNode'>, env: ExecEnv): boolean {
  return KEY_ORDERED.has(scan) && !disabledOptimizers(env.functions.settings).has('group_order')
}

/** The node and slot a column of `node` comes from, through projections that pass it on unchanged. */
function sourceOf(node: PlanNode, slot: number, ctes: Ctes): { node: PlanNode; slot: number } {
  for (;;) {
    if (node.kind === 'ProjectNode') {
      const expr = node.exprs[slot]
      if (expr?.kind !== 'Slot') return { node, slot }
      node = node.input
      slot = expr.slot
    } else if (node.kind === 'CteScanNode') {
      const cteId = node.cteId
      const cte = ctes.find((c) => c.cteId === cteId)
      if (cte === undefined) return { node, slot }
      node = cte.plan
    } else {
      return { node, slot }
    }
  }
}

/**
 * Marks the aggregate scan under `sort` (through column-passing projections and the CTEs of `ctes`) when the sort's
 * first key is the scan's first group key and every key is a plain column, ascending with NULLs last — the order
 * GroupTable.orderedGroups gives.
 */
export function markKeyOrder(sort: PlanNode, ctes: Ctes): void {
  if (sort.kind !== 'SortNode' || sort.keys.length === 0) return
  if (!sort.keys.every((key) => key.expr.kind === 'Slot' && !key.descending && !key.nullsFirst)) return
  const first = sort.keys[0]!.expr
  if (first.kind !== 'Slot') return
  const source = sourceOf(sort.input, first.slot, ctes)
  if (source.node.kind === 'AggScanNode' && source.slot === 0 && source.node.op.groupBy.length > 0) KEY_ORDERED.add(source.node)
}
