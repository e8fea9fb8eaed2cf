// sql/exec/aggregate-op: the control-side hash aggregate — groups by key values (PostgreSQL's equality: 1.0 = 1 in
// numeric, NULLs group together), applies FILTER, DISTINCT and in-call ORDER BY, and steps/finishes each
// aggregate's registry definition. Without keys there is exactly one group, even over no rows.
import type { SqlValue } from '../api.js'
import type { AggCall } from '../bind/expr.js'
import type { FunctionContext } from '../functions/function-def.js'
import type { PlanNode } from '../plan/plan-node.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { evaluateAll } from './run-plan.js'
import { charge, pause } from './slice.js'
import { keysComparator, rowKey } from './value-ops.js'

interface AggSlot {
  state: unknown
  readonly seen: Set<string> | null
  /** In-call ORDER BY: the inputs wait here, with their sort values, until the group is finished. */
  readonly buffered: Array<{ readonly args: SqlValue[]; readonly keys: SqlValue[] }> | null
}

interface Group { readonly keys: SqlValue[]; readonly slots: AggSlot[] }

function newSlots(calls: ReadonlyArray<AggCall>): AggSlot[] {
  return calls.map((call) => ({
    state: call.fn.create(), seen: call.distinct ? new Set<string>() : null, buffered: call.orderBy.length > 0 ? [] : null,
  }))
}

/** Positions of each call's args, filter and order keys within the flat expression list evaluated per row. */
interface Layout { readonly args: number; readonly filter: number; readonly order: number }

function step(call: AggCall, slot: AggSlot, values: ReadonlyArray<SqlValue>, at: Layout): void {
  if (at.filter >= 0 && values[at.filter] !== true) return
  const args = values.slice(at.args, at.args + call.args.length)
  if (call.fn.skipsNulls && args.some((v) => v === null)) return
  if (slot.seen !== null) {
    const key = rowKey(args, call.argTypes)
    if (slot.seen.has(key)) return
    slot.seen.add(key)
  }
  if (slot.buffered !== null) {
    slot.buffered.push({ args, keys: values.slice(at.order, at.order + call.orderBy.length) })
    return
  }
  slot.state = call.fn.step(slot.state, args)
}

function finish(call: AggCall, slot: AggSlot, ctx: FunctionContext): SqlValue {
  if (slot.buffered !== null) {
    const compare = keysComparator(call.orderBy)
    slot.buffered.sort((a, b) => compare(a.keys, b.keys))
    for (const input of slot.buffered) slot.state = call.fn.step(slot.state, input.args)
  }
  return call.fn.finish(slot.state, call.argTypes, ctx)
}

export async function runAggregate(node: Extract<PlanNode, { kind: 'AggregateNode' }>, input: ReadonlyArray<Row>, env: ExecEnv,
  outer: ReadonlyArray<Row>): Promise<Row[]> {
  const exprs = [...node.keys]
  const layouts: Layout[] = node.aggregates.map((call) => {
    const args = exprs.length
    exprs.push(...call.args)
    const filter = call.filter === null ? -1 : exprs.push(call.filter) - 1
    const order = exprs.length
    exprs.push(...call.orderBy.map((k) => k.expr))
    return { args, filter, order }
  })
  const keyTypes = node.keys.map((k) => k.type)
  const groups = new Map<string, Group>()
  await evaluateAll(exprs, input, outer, env, (values) => {
    const keys = values.slice(0, node.keys.length)
    const id = rowKey(keys, keyTypes)
    let group = groups.get(id)
    if (group === undefined) {
      group = { keys, slots: newSlots(node.aggregates) }
      groups.set(id, group)
      holdRows(env, 1, 'a hash aggregate')
    }
    node.aggregates.forEach((call, i) => step(call, group!.slots[i]!, values, layouts[i]!))
  })
  if (groups.size === 0 && node.keys.length === 0) groups.set('', { keys: [], slots: newSlots(node.aggregates) })
  const rows: Row[] = []
  for (const group of groups.values()) {
    rows.push([...group.keys, ...node.aggregates.map((call, i) => finish(call, group.slots[i]!, env.functions))])
    if (charge(env, 1 + group.slots.reduce((n, slot) => n + (slot.buffered?.length ?? 0), 0))) await pause(env)
  }
  return rows
}
