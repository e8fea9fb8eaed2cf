// sql/exec/join-op: joins on the control side — a hash join on the equi-join keys (NULL keys never match, as in SQL)
// with the residual condition checked per candidate pair, or a nested loop without keys; LEFT/RIGHT/FULL pad the
// unmatched side with NULLs.
import type { SqlValue } from '../api.js'
import type { PlanNode } from '../plan/plan-node.js'
import { evaluate } from './evaluate.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { charge, pause } from './slice.js'
import { rowKey } from './value-ops.js'
import { outerSlots } from '../plan/outer-refs.js'
import { runCorrelated } from './run-plan.js'

type JoinPlan = Extract<PlanNode, { kind: 'JoinNode' }>

function keysOf(exprs: JoinPlan['leftKeys'], row: Row, outer: ReadonlyArray<Row>, env: ExecEnv): SqlValue[] | null {
  const values = exprs.map((e) => evaluate(e, row, outer, env))
  return values.some((v) => v === null) ? null : values
}

/** The hash table of the build (right) side: key → row indexes; rows with a NULL key are never matched. */
async function buildSide(node: JoinPlan, right: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Map<string, number[]>> {
  const types = node.leftKeys.map((e) => e.type)
  const buckets = new Map<string, number[]>()
  if (node.leftKeys.length === 0) return buckets
  for (let index = 0; index < right.length; index++) {
    if (charge(env)) await pause(env)
    const values = keysOf(node.rightKeys, right[index]!, outer, env)
    if (values === null) continue
    const k = rowKey(values, types)
    const list = buckets.get(k)
    if (list === undefined) buckets.set(k, [index])
    else list.push(index)
  }
  return buckets
}

/** LATERAL: the right side run per left row with it as the outer row (memoized on the left slots it reads). */
export async function runLateralJoin(node: Extract<PlanNode, { kind: 'LateralJoinNode' }>, left: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Row[]> {
  const sub = { plan: node.right, slots: outerSlots(node.right), memo: new Map<string, Row[]>() }
  const rightWidth = node.right.columns.length
  const out: Row[] = []
  for (const l of left) {
    const right = await runCorrelated(sub, l, outer, env)
    let matched = false
    for (const r of right) {
      const joined = [...l, ...r]
      if (node.condition !== null && evaluate(node.condition, joined, outer, env) !== true) continue
      matched = true
      out.push(joined)
    }
    if (!matched && node.type === 'left') out.push([...l, ...new Array<SqlValue>(rightWidth).fill(null)])
    if (charge(env, 1 + right.length)) await pause(env)
  }
  holdRows(env, out.length, 'a LATERAL join')
  return out
}

export async function runJoin(node: JoinPlan, left: ReadonlyArray<Row>, right: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Row[]> {
  const types = node.leftKeys.map((e) => e.type)
  const buckets = await buildSide(node, right, env, outer)
  const allRight = right.map((_, i) => i)
  const rightMatched = new Uint8Array(right.length)
  const leftWidth = node.left.columns.length
  const rightWidth = node.right.columns.length
  const out: Row[] = []
  for (const l of left) {
    let candidates: ReadonlyArray<number> = allRight
    if (node.leftKeys.length > 0) {
      const values = keysOf(node.leftKeys, l, outer, env)
      candidates = values === null ? [] : buckets.get(rowKey(values, types)) ?? []
    }
    let matched = false
    if (charge(env, 1 + candidates.length)) await pause(env)
    for (const index of candidates) {
      const r = right[index]!
      const joined = [...l, ...r]
      if (node.condition !== null && evaluate(node.condition, joined, outer, env) !== true) continue
      matched = true
      rightMatched[index] = 1
      if (node.type === 'semi' || node.type === 'anti') break
      out.push(joined)
    }
    if (node.type === 'semi' && matched) out.push(l)
    if (node.type === 'anti' && !matched) out.push(l)
    if (!matched && (node.type === 'left' || node.type === 'full')) out.push([...l, ...new Array<SqlValue>(rightWidth).fill(null)])
  }
  if (node.type === 'right' || node.type === 'full') {
    right.forEach((r, index) => { if (rightMatched[index] === 0) out.push([...new Array<SqlValue>(leftWidth).fill(null), ...r]) })
  }
  holdRows(env, out.length, 'a join')
  return out
}
