// sql/exec/run-plan: runs a PlanNode to its rows. Leaves call the engine (the cores scan, filter and aggregate next
// to the data); every other operator runs here over the rows of its inputs, charging what it holds to the
// statement's row budget. Subqueries are run before the expressions that read them (once, or per row when correlated).
import { assertNever } from '../../src/common/assert.js'
import { invalidRowCount } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { someExpr, type Expr } from '../bind/expr.js'
import { withEngineErrors } from '../errors.js'
import { GroupTable, appendGroupRows, appendRows, finishGroups, mergePartial, passesThrough } from '../physical/merge.js'
import type { ScanPartial } from '../../engine/batch.js'
import { assert } from '../../src/common/assert.js'
import { charge, mapSliced, pause, SLICE_CHUNK_COUNT, sortSliced } from './slice.js'
import type { PlanNode } from '../plan/plan-node.js'
import { runAggregate } from './aggregate-op.js'
import { evaluate } from './evaluate.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { runJoin, runLateralJoin } from './join-op.js'
import { runSetOp } from './set-op.js'
import { columnsComparator, keyOrderOf, keysComparator, rowKey, valueKey } from './value-ops.js'
import { markKeyOrder, wantsKeyOrder } from './group-order.js'
import { outerSlots } from '../plan/outer-refs.js'
import { SUBQUERY_MEMO_ENTRIES_MAX_COUNT } from '../../src/common/limits.js'
import { runWindow } from './window-op.js'
import { optionRows, runProjectSet, setReturningRows, zipRowsFrom } from './function-scan.js'
import { runGapFill } from './gapfill-op.js'
import { runTopN } from './top-n.js'
import { SORT_RUN_ROWS_COUNT } from '../../src/common/index-sort.js'
import { disabledOptimizers } from '../plan/optimizers.js'

type Outer = ReadonlyArray<Row>

function subqueriesOf(exprs: ReadonlyArray<Expr>): Array<Extract<Expr, { kind: 'Subquery' }>> {
  const found: Array<Extract<Expr, { kind: 'Subquery' }>> = []
  for (const expr of exprs) someExpr(expr, (node) => { if (node.kind === 'Subquery') found.push(node); return false })
  return found
}

/**
 * Evaluates `exprs` over every row, running their subqueries first: uncorrelated ones once per statement,
 * correlated ones again for each row (their plans see the row as their nearest outer row).
 */
export async function evaluateAll(exprs: ReadonlyArray<Expr>, rows: ReadonlyArray<Row>, outer: Outer, env: ExecEnv,
  each: (values: SqlValue[], row: Row) => void): Promise<void> {
  const subqueries = subqueriesOf(exprs)
  for (const sub of subqueries) {
    if (!sub.correlated && !env.subqueryRows.has(sub.plan)) env.subqueryRows.set(sub.plan, await runPlan(sub.plan, env, outer))
  }
  const correlated = subqueries.filter((sub) => sub.correlated).map((sub) => ({ plan: sub.plan, slots: outerSlots(sub.plan), memo: new Map<string, Row[]>() }))
  for (const row of rows) {
    for (const sub of correlated) env.subqueryRows.set(sub.plan, await runCorrelated(sub, row, outer, env))
    each(exprs.map((expr) => evaluate(expr, row, outer, env)), row)
    if (charge(env)) await pause(env)
  }
}

/**
 * A correlated subquery's rows for one outer row. Results are memoized by the outer values the subquery reads
 * (at most SUBQUERY_MEMO_ENTRIES_MAX_COUNT of them), so it runs once per distinct correlation key, not per row.
 */
export async function runCorrelated(sub: { plan: PlanNode; slots: ReadonlyArray<number>; memo: Map<string, Row[]> }, row: Row, outer: Outer, env: ExecEnv): Promise<Row[]> {
  const key = sub.slots.map((slot) => valueKey(row[slot] ?? null, { name: 'text', typmod: -1 })).join('\u0000')
  const cached = sub.memo.get(key)
  if (cached !== undefined) return cached
  const rows = await runPlan(sub.plan, env, [row, ...outer])
  if (sub.memo.size < SUBQUERY_MEMO_ENTRIES_MAX_COUNT) sub.memo.set(key, rows)
  return rows
}

async function runScan(node: Extract<PlanNode, { kind: 'ScanNode' | 'AggScanNode' }>, env: ExecEnv): Promise<Row[]> {
  const partials = node.op.timeRange.fromUs >= node.op.timeRange.toUs ? [] : (await withEngineErrors(() => env.engine.execute(node.op))).partials
  const rows = node.kind === 'ScanNode' ? await mergeRowsSliced(partials, node, env) : await mergeAggregatesSliced(partials, node, env)
  holdRows(env, rows.length, `the scan of "${node.tableName}"`)
  return rows
}

/** The slots `exprs` read when each is a plain column of the input row (evaluate()'s Slot), else null. */
function slotsOf(exprs: ReadonlyArray<Expr>): number[] | null {
  const slots: number[] = []
  for (const expr of exprs) {
    if (expr.kind !== 'Slot') return null
    slots.push(expr.slot)
  }
  return slots
}

/** The cores' raw partials as rows, a slice at a time (a big scan result is converted without holding the loop). */
async function mergeRowsSliced(partials: ReadonlyArray<ScanPartial>, node: Extract<PlanNode, { kind: 'ScanNode' }>, env: ExecEnv): Promise<Row[]> {
  const types = node.columns.map((c) => c.type)
  const rows: Row[] = []
  for (const partial of partials) {
    if (partial.kind !== 'RowsPartial') assert(false, `raw scan returned ${partial.kind}`)
    for (let from = 0; from < partial.rowCount; from += SLICE_CHUNK_COUNT) {
      appendRows(partial, types, rows, from, Math.min(partial.rowCount, from + SLICE_CHUNK_COUNT))
      if (charge(env, SLICE_CHUNK_COUNT)) await pause(env)
    }
  }
  return rows
}

/** The cores' AggPartials merged group by group, a slice at a time. */
async function mergeAggregatesSliced(partials: ReadonlyArray<ScanPartial>, node: Extract<PlanNode, { kind: 'AggScanNode' }>, env: ExecEnv): Promise<Row[]> {
  const isOrdered = wantsKeyOrder(node, env)
  const only = partials.length === 1 ? partials[0]! : null
  if (only?.kind === 'AggPartial' && passesThrough(only, isOrdered)) {
    const rows = new Array<Row>(only.groupCount)
    for (let from = 0; from < only.groupCount; from += SLICE_CHUNK_COUNT) {
      appendGroupRows(only, node.keyTypes, node.outputs, rows, from, Math.min(only.groupCount, from + SLICE_CHUNK_COUNT))
      if (charge(env, SLICE_CHUNK_COUNT)) await pause(env)
    }
    return rows
  }
  const groups = new GroupTable()
  for (const partial of partials) {
    if (partial.kind !== 'AggPartial') assert(false, `aggregate scan returned ${partial.kind}`)
    for (let from = 0; from < partial.groupCount; from += SLICE_CHUNK_COUNT) {
      mergePartial(partial, node.keyTypes, node.outputs, groups, from, Math.min(partial.groupCount, from + SLICE_CHUNK_COUNT))
      if (charge(env, SLICE_CHUNK_COUNT)) await pause(env)
    }
  }
  const order = isOrdered ? groups.orderedGroups(node.keyTypes.map(keyOrderOf)) : null
  return finishGroups(groups, node.keyTypes, node.outputs, order)
}

async function countOf(expr: Expr | null, clause: 'LIMIT' | 'OFFSET', env: ExecEnv, outer: Outer): Promise<number | null> {
  if (expr === null) return null
  let value: SqlValue = null
  await evaluateAll([expr], [[]], outer, env, (values) => { value = values[0] ?? null })
  if (value === null) return null
  const count = Number(value)
  if (count < 0) throw invalidRowCount(clause)
  return count
}

/**
 * ORDER BY: each key evaluated once per row into a column of its own, then the rows' indexes sorted (stable) by
 * those columns. No object per row: a sort of 200k rows used to allocate 400k (a { row, keys } pair and its keys
 * array), whose garbage collection held the event loop for tens of ms at a time (invariant 5).
 */
/**
 * A sort's input when it is a raw scan (or a projection of one, as `SELECT a, b FROM t ORDER BY …` plans): the scan
 * is read through the engine's batched stream (core batches of SCAN_BATCH_ROWS_COUNT rows, with credit) rather than
 * execute(), whose one ring message per core holding the whole result was reassembled and msgpack-decoded in one turn
 * of the event loop (16–45 ms of CPU for 200k rows: the longest stall left during a sort, invariant 5). The rows are
 * the ones execute() returns (the engine's contract); only their order across cores differs, which the sort does not
 * keep (PostgreSQL leaves the order of ties open too). EXPLAIN ANALYZE keeps runPlan, which times each node.
 */
async function sortInput(node: Extract<PlanNode, { kind: 'SortNode' }>, env: ExecEnv, outer: Outer): Promise<Row[]> {
  const input = node.input
  if (env.profile !== undefined) return runPlan(input, env, outer)
  if (input.kind === 'ScanNode') return streamedScanRows(input, env, input.columns.map((_, slot) => slot))
  if (input.kind !== 'ProjectNode' || input.input.kind !== 'ScanNode') return runPlan(input, env, outer)
  // A projection of plain columns picks them as the rows are built: one array per row, not a scan row and a copy.
  const slots = slotsOf(input.exprs)
  if (slots !== null) return streamedScanRows(input.input, env, slots)
  const rows: Row[] = []
  const scanned = await streamedScanRows(input.input, env, input.input.columns.map((_, slot) => slot))
  await evaluateAll(input.exprs, scanned, outer, env, (values) => rows.push(values))
  return rows
}

/** Columns `slots` of a raw scan's rows, from the engine's batched stream, converted a chunk at a time. */
async function streamedScanRows(scan: Extract<PlanNode, { kind: 'ScanNode' }>, env: ExecEnv, slots: ReadonlyArray<number>): Promise<Row[]> {
  const rows: Row[] = []
  if (scan.op.timeRange.fromUs >= scan.op.timeRange.toUs) return rows
  const types = slots.map((slot) => scan.columns[slot]!.type)
  const batches = env.engine.scanStream(scan.op, env.signal === undefined ? {} : { signal: env.signal })[Symbol.asyncIterator]()
  try {
    for (let next = await withEngineErrors(() => batches.next()); next.done !== true; next = await withEngineErrors(() => batches.next())) {
      holdRows(env, next.value.rowCount, `the scan of "${scan.tableName}"`)
      const batch = { ...next.value, columns: slots.map((slot) => next.value.columns[slot]!) }
      for (let from = 0; from < batch.rowCount; from += SLICE_CHUNK_COUNT) {
        appendRows(batch, types, rows, from, Math.min(batch.rowCount, from + SLICE_CHUNK_COUNT))
        if (charge(env, SLICE_CHUNK_COUNT)) await pause(env)
      }
    }
  } finally {
    await batches.return?.() // cancels the cores' scans when the sort stops early (57014, 53200)
  }
  return rows
}

async function sortRows(rows: Row[], node: Extract<PlanNode, { kind: 'SortNode' }>, env: ExecEnv, outer: Outer): Promise<Row[]> {
  const slots = slotsOf(node.keys.map((key) => key.expr))
  // Plain-column keys over rows already in order are checked on the rows themselves: key columns of numbers copied
  // out and read back by the comparator box every value again (~45 KB a query of 720 buckets: issue 10).
  if (slots !== null && rows.length <= SORT_RUN_ROWS_COUNT && isOrdered(rows, keysComparator(node.keys, slots))) return rows
  const columns = node.keys.map(() => new Array<SqlValue>(rows.length))
  const order = new Array<number>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (slots !== null) for (let k = 0; k < columns.length; k++) columns[k]![i] = row[slots[k]!] ?? null
    else for (let k = 0; k < columns.length; k++) columns[k]![i] = evaluate(node.keys[k]!.expr, row, outer, env)
    order[i] = i
    if (charge(env)) await pause(env)
  }
  const compare = columnsComparator(node.keys, columns)
  // Rows already in order (a merge that emitted its groups in key order, group-order.ts) are the stable sort's answer;
  // checked up to one run's size, which sortSliced sorts in one turn too (plain-column keys were, above).
  if (slots === null && rows.length <= SORT_RUN_ROWS_COUNT) {
    let ordered = 1
    while (ordered < rows.length && compare(ordered - 1, ordered) <= 0) ordered++
    if (ordered === rows.length) return rows
  }
  const sorted = await sortSliced(order, compare, env)
  return mapSliced(sorted, env, (i) => rows[i]!)
}

function isOrdered(rows: ReadonlyArray<Row>, compare: (a: Row, b: Row) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1]!, rows[i]!) > 0) return false
  return true
}

async function runProject(node: Extract<PlanNode, { kind: 'ProjectNode' }>, env: ExecEnv, outer: Outer): Promise<Row[]> {
  const input = await runPlan(node.input, env, outer)
  const slots = slotsOf(node.exprs)
  // Every column in its place (a CTE's columns selected as they are): the input rows themselves, not a copy.
  if (slots !== null && slots.length === node.input.columns.length && slots.every((slot, i) => slot === i)) return input
  // Plain columns (a CTE's or subquery's output, re-ordered or trimmed): picked, no evaluate() per value.
  if (slots !== null) return mapSliced(input, env, (row) => slots.map((slot) => row[slot] ?? null))
  const rows: Row[] = []
  await evaluateAll(node.exprs, input, outer, env, (values) => rows.push(values))
  return rows
}

async function distinctRows(rows: Row[], node: Extract<PlanNode, { kind: 'DistinctNode' }>, env: ExecEnv, outer: Outer): Promise<Row[]> {
  const seen = new Set<string>()
  const types = node.on === null ? node.columns.map((c) => c.type) : node.on.map((e) => e.type)
  const kept: Row[] = []
  for (const row of rows) {
    const values = node.on === null ? row : node.on.map((e) => evaluate(e, row, outer, env))
    const key = rowKey(values, types)
    if (!seen.has(key)) { seen.add(key); kept.push(row) }
    if (charge(env)) await pause(env)
  }
  return kept
}

/**
 * WITH RECURSIVE: the non-recursive term's rows, then the recursive term over the rows the previous round added
 * (its CteScanNode reads them) until a round adds none. UNION keeps only rows not produced before (and none twice
 * within the non-recursive term); every row kept is charged to the statement, so a recursion that never ends stops at
 * the row budget (53200), or at a cancel or statement_timeout.
 */
async function runRecursiveUnion(node: Extract<PlanNode, { kind: 'RecursiveUnionNode' }>, env: ExecEnv, outer: Outer): Promise<Row[]> {
  const types = node.columns.map((c) => c.type)
  const seen = node.all ? null : new Set<string>()
  const fresh = async (rows: ReadonlyArray<Row>): Promise<Row[]> => {
    const kept: Row[] = []
    for (const row of rows) {
      const key = seen === null ? '' : rowKey(row, types)
      if (seen === null || !seen.has(key)) { seen?.add(key); kept.push(row) }
      if (charge(env)) await pause(env)
    }
    holdRows(env, kept.length, `the recursive query "${node.name}"`)
    return kept
  }
  const result = await fresh(await runPlan(node.anchor, env, outer))
  for (let working = [...result]; working.length > 0;) {
    env.cteRows.set(node.cteId, working)
    working = await fresh(await runPlan(node.step, env, outer))
    for (const row of working) result.push(row)
    await pause(env)
  }
  return result
}

/** Runs a plan node to its rows; with env.profile (EXPLAIN ANALYZE) each node's rows and time are recorded too. */
export async function runPlan(node: PlanNode, env: ExecEnv, outer: Outer): Promise<Row[]> {
  if (env.profile === undefined) return runNode(node, env, outer)
  const started = performance.now()
  const rows = await runNode(node, env, outer)
  const entry = env.profile.get(node) ?? { rowCount: 0, elapsedMs: 0, loopCount: 0 }
  env.profile.set(node, { rowCount: entry.rowCount + rows.length, elapsedMs: entry.elapsedMs + performance.now() - started, loopCount: entry.loopCount + 1 })
  return rows
}

async function runNode(node: PlanNode, env: ExecEnv, outer: Outer): Promise<Row[]> {
  switch (node.kind) {
    case 'ScanNode': case 'AggScanNode': return runScan(node, env)
    case 'ValuesNode': {
      const rows: Row[] = []
      for (const exprs of node.rows) await evaluateAll(exprs, [[]], outer, env, (values) => rows.push(values))
      return rows
    }
    case 'CteScanNode': return env.cteRows.get(node.cteId) ?? []
    case 'VirtualScanNode': {
      const withTableoid = node.columns.length > node.table.columns.length
      return node.table.rows({ engine: env.engine, session: env.session }).map((row) => (withTableoid ? [...row, node.table.oid] : [...row]))
    }
    case 'FunctionScanNode': {
      let args: ReadonlyArray<SqlValue> = []
      await evaluateAll(node.args, [[]], outer, env, (values) => { args = values })
      const type = node.columns[0]!.type
      if (node.fn === 'pg_options_to_table') return optionRows(args[0] ?? null, env)
      return setReturningRows(node.fn, args, type, env)
    }
    case 'RowsFromNode': {
      const partRows: Row[][] = []
      for (const part of node.parts) partRows.push(await runPlan(part, env, outer))
      return zipRowsFrom(node, partRows, env)
    }
    case 'FilterNode': {
      const input = await runPlan(node.input, env, outer)
      const kept: Row[] = []
      await evaluateAll([node.predicate], input, outer, env, (values, row) => { if (values[0] === true) kept.push(row) })
      return kept
    }
    case 'ProjectNode': return runProject(node, env, outer)
    case 'AggregateNode': return runAggregate(node, await runPlan(node.input, env, outer), env, outer)
    case 'WindowNode': return runWindow(node, await runPlan(node.input, env, outer), env, outer)
    case 'LateralJoinNode': return runLateralJoin(node, await runPlan(node.left, env, outer), env, outer)
    case 'ProjectSetNode': return runProjectSet(node, await runPlan(node.input, env, outer), env, outer)
    case 'GapFillNode': return runGapFill(node, await runPlan(node.input, env, outer), env, outer)
    case 'SortNode': markKeyOrder(node, []); return sortRows(await sortInput(node, env, outer), node, env, outer)
    case 'LimitNode': {
      const offset = (await countOf(node.offset, 'OFFSET', env, outer)) ?? 0
      const limit = await countOf(node.limit, 'LIMIT', env, outer)
      const useTopN = node.input.kind === 'SortNode' && limit !== null && outer.length === 0 && !disabledOptimizers(env.functions.settings).has('top_n')
      const top = useTopN && node.input.kind === 'SortNode' ? await runTopN(node.input, offset + (limit ?? 0), env) : null
      const input = top ?? await runPlan(node.input, env, outer)
      return input.slice(offset, limit === null ? undefined : offset + limit)
    }
    case 'DistinctNode': return distinctRows(await runPlan(node.input, env, outer), node, env, outer)
    case 'TrimNode': return mapSliced(await runPlan(node.input, env, outer), env, (row) => row.slice(0, node.count))
    case 'JoinNode': return runJoin(node, await runPlan(node.left, env, outer), await runPlan(node.right, env, outer), env, outer)
    case 'SetOpNode': return runSetOp(node, await runPlan(node.left, env, outer), await runPlan(node.right, env, outer), env)
    case 'RecursiveUnionNode': return runRecursiveUnion(node, env, outer)
    case 'WithNode': {
      markKeyOrder(node.input, node.ctes)
      for (const cte of node.ctes) {
        const rows = await runPlan(cte.plan, env, outer)
        holdRows(env, rows.length, 'a WITH query')
        env.cteRows.set(cte.cteId, rows)
      }
      return runPlan(node.input, env, outer)
    }
    default: return assertNever(node)
  }
}
