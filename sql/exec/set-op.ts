// sql/exec/set-op: UNION, INTERSECT and EXCEPT, with and without ALL, by PostgreSQL's row equality (NULLs equal).
import type { PlanNode } from '../plan/plan-node.js'
import type { Row } from './exec-env.js'
import { charge, pause, type Sliced } from './slice.js'
import { rowKey } from './value-ops.js'

export async function runSetOp(node: Extract<PlanNode, { kind: 'SetOpNode' }>, left: ReadonlyArray<Row>, right: ReadonlyArray<Row>,
  env: Sliced): Promise<Row[]> {
  const types = node.columns.map((c) => c.type)
  const key = (row: Row): string => rowKey(row, types)
  if (node.op === 'union') {
    if (node.all) return [...left, ...right]
    const seen = new Set<string>()
    const kept: Row[] = []
    for (const row of [...left, ...right]) {
      const k = key(row)
      if (!seen.has(k)) { seen.add(k); kept.push(row) }
      if (charge(env)) await pause(env)
    }
    return kept
  }
  const counts = new Map<string, number>()
  for (const row of right) {
    const k = key(row)
    counts.set(k, (counts.get(k) ?? 0) + 1)
    if (charge(env)) await pause(env)
  }
  const out: Row[] = []
  const emitted = new Set<string>()
  for (const row of left) {
    if (charge(env)) await pause(env)
    const k = key(row)
    const inRight = counts.get(k) ?? 0
    if (node.all) {
      if (node.op === 'intersect' && inRight > 0) { out.push(row); counts.set(k, inRight - 1) }
      if (node.op === 'except') { if (inRight > 0) counts.set(k, inRight - 1); else out.push(row) }
      continue
    }
    if (emitted.has(k)) continue
    if ((node.op === 'intersect') === inRight > 0) { out.push(row); emitted.add(k) }
  }
  return out
}
