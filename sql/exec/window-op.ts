// sql/exec/window-op: window functions — rows are partitioned, ordered within each partition, and each call's
// value is appended to every row (input order is kept). Ranking uses peers (equal ORDER BY values); aggregates run
// over ROWS frames with offsets or RANGE/GROUPS frames bounded by UNBOUNDED and CURRENT ROW (peers included).
import { featureNotSupported, invalidParameterValue } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { WindowCall, WindowFrameBound } from '../bind/expr.js'
import type { PlanNode } from '../plan/plan-node.js'
import { evaluate } from './evaluate.js'
import { addInterval } from '../functions/time-arith.js'
import { intervalNegate } from '../expr/interval.js'
import { requireSessionZone, type Zone } from '../expr/time-zone.js'
import { intervalLength } from '../functions/aggregate-compare.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { charge, pause, sortSliced } from './slice.js'
import { compareForSort, keysComparator, rowKey } from './value-ops.js'

interface Prepared { readonly row: Row; readonly index: number; readonly part: SqlValue[]; readonly order: SqlValue[]; readonly args: SqlValue[]; readonly filter: SqlValue }

async function prepare(call: WindowCall, rows: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Prepared[][]> {
  const partitions = new Map<string, Prepared[]>()
  for (let index = 0; index < rows.length; index++) {
    if (charge(env)) await pause(env)
    const row = rows[index]!
    const ev = (e: Parameters<typeof evaluate>[0]): SqlValue => evaluate(e, row, outer, env)
    const p: Prepared = {
      row, index, part: call.partitionBy.map(ev), order: call.orderBy.map((k) => ev(k.expr)), args: call.args.map(ev),
      filter: call.filter === null ? true : ev(call.filter),
    }
    const key = rowKey(p.part, call.partitionBy.map((e) => e.type))
    const list = partitions.get(key)
    if (list === undefined) partitions.set(key, [p])
    else list.push(p)
  }
  const compareOrder = keysComparator(call.orderBy)
  const compare = (a: Prepared, b: Prepared): number => compareOrder(a.order, b.order) || a.index - b.index
  const sorted: Prepared[][] = []
  for (const list of partitions.values()) sorted.push(await sortSliced(list, compare, env))
  return sorted
}

function isPeer(call: WindowCall, a: Prepared, b: Prepared): boolean {
  return call.orderBy.every((k, i) => compareForSort(a.order[i] ?? null, b.order[i] ?? null, k.expr.type, false, false) === 0)
}

/** The ORDER BY value `offset` before (preceding) or after (following) `value`, in the key's own direction. */
function shifted(value: SqlValue, offset: SqlValue, toward: 'preceding' | 'following', descending: boolean, zone: Zone | null): SqlValue {
  if (value === null || offset === null) return value
  const sign = (toward === 'following') !== descending ? 1 : -1
  if (typeof offset === 'object') return addInterval(Number(value), sign > 0 ? offset : intervalNegate(offset), zone)
  if (typeof value === 'bigint') return value + BigInt(sign) * BigInt(offset as number | bigint)
  return Number(value) + sign * Number(offset)
}

/** RANGE n PRECEDING/FOLLOWING: the first (start) or last (end) row whose key lies within the offset of row i's. */
function rangeBound(call: WindowCall, rows: ReadonlyArray<Prepared>, i: number, offset: SqlValue, toward: 'preceding' | 'following', isStart: boolean, env: ExecEnv): number {
  const key = call.orderBy[0]!
  const isNegative = offset !== null && (typeof offset === 'object' ? intervalLength(offset) < 0n : Number(offset) < 0)
  if (offset === null || isNegative) throw invalidParameterValue('invalid preceding or following size in window function')
  // in_range for timestamptz adds the interval in the session's TimeZone (a day across a DST change is 23 or 25 h).
  const zone = key.expr.type.name === 'timestamptz' ? requireSessionZone(env.functions.timeZone) : null
  const limit = shifted(rows[i]!.order[0] ?? null, offset, toward, key.descending, zone)
  const cmp = (j: number): number => compareForSort(rows[j]!.order[0] ?? null, limit, key.expr.type, key.descending, key.nullsFirst)
  // The partition is sorted by this key, so cmp is monotonic: binary search for the first row at or past the limit
  // (start) or the last row at or before it (end).
  let low = 0
  let high = rows.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (isStart ? cmp(mid) < 0 : cmp(mid) <= 0) low = mid + 1
    else high = mid
  }
  return isStart ? low : low - 1
}

/** [first, last] positions of the frame of row i (inclusive; first > last for an empty frame). */
function frameOf(call: WindowCall, rows: ReadonlyArray<Prepared>, i: number, env: ExecEnv, outer: ReadonlyArray<Row>): [number, number] {
  const bound = (b: WindowFrameBound, isStart: boolean): number => {
    switch (b.kind) {
      case 'unboundedPreceding': return 0
      case 'unboundedFollowing': return rows.length - 1
      case 'currentRow': {
        if (call.frame.mode === 'rows') return i
        let j = i
        if (isStart) { while (j > 0 && isPeer(call, rows[j - 1]!, rows[i]!)) j-- } else { while (j < rows.length - 1 && isPeer(call, rows[j + 1]!, rows[i]!)) j++ }
        return j
      }
      case 'preceding': case 'following': {
        const offset = evaluate(b.offset, rows[i]!.row, outer, env)
        if (call.frame.mode === 'range') return rangeBound(call, rows, i, offset, b.kind, isStart, env)
        const n = Number(offset)
        if (!(n >= 0)) throw invalidParameterValue('frame starting offset must not be negative')
        return b.kind === 'preceding' ? i - n : i + n
      }
    }
  }
  return [Math.max(0, bound(call.frame.start, true)), Math.min(rows.length - 1, bound(call.frame.end, false))]
}

function aggregateOver(call: WindowCall, rows: ReadonlyArray<Prepared>, from: number, to: number, env: ExecEnv): SqlValue {
  const fn = call.agg!
  let state = fn.create()
  for (let j = from; j <= to; j++) {
    const p = rows[j]!
    if (p.filter !== true) continue
    if (fn.skipsNulls && p.args.some((v) => v === null)) continue
    state = fn.step(state, p.args)
  }
  return fn.finish(state, call.argTypes, env.functions)
}

function rankingValue(call: WindowCall, rows: ReadonlyArray<Prepared>, i: number, ranks: { rank: number; dense: number }): SqlValue {
  switch (call.fn) {
    case 'row_number': return BigInt(i + 1)
    case 'rank': return BigInt(ranks.rank)
    case 'dense_rank': return BigInt(ranks.dense)
    case 'percent_rank': return rows.length <= 1 ? 0 : (ranks.rank - 1) / (rows.length - 1)
    case 'cume_dist': {
      let j = i
      while (j < rows.length - 1 && isPeer(call, rows[j + 1]!, rows[i]!)) j++
      return (j + 1) / rows.length
    }
    case 'ntile': {
      const n = Number(rows[i]!.args[0])
      if (!(n > 0)) throw invalidParameterValue('argument of ntile must be greater than zero')
      const size = Math.floor(rows.length / n)
      const extra = rows.length % n
      const big = extra * (size + 1)
      return i < big ? Math.floor(i / (size + 1)) + 1 : extra + Math.floor((i - big) / Math.max(1, size)) + 1
    }
    default: return null
  }
}

function valueAt(call: WindowCall, rows: ReadonlyArray<Prepared>, i: number, frame: [number, number]): SqlValue {
  const args = rows[i]!.args
  switch (call.fn) {
    case 'lag': case 'lead': {
      const offset = args[1] === undefined ? 1 : Number(args[1])
      const j = call.fn === 'lag' ? i - offset : i + offset
      return j >= 0 && j < rows.length ? rows[j]!.args[0] ?? null : args[2] ?? null
    }
    case 'first_value': return frame[0] <= frame[1] ? rows[frame[0]]!.args[0] ?? null : null
    case 'last_value': return frame[0] <= frame[1] ? rows[frame[1]]!.args[0] ?? null : null
    case 'nth_value': {
      const j = frame[0] + Number(args[1]) - 1
      return j <= frame[1] ? rows[j]!.args[0] ?? null : null
    }
    default: throw featureNotSupported(`window function ${call.fn}`)
  }
}

const RANKING = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile'])

async function computeCall(call: WindowCall, rows: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<SqlValue[]> {
  const out = new Array<SqlValue>(rows.length).fill(null)
  for (const partition of await prepare(call, rows, env, outer)) {
    const ranks = { rank: 1, dense: 1 }
    for (let i = 0; i < partition.length; i++) {
      const p = partition[i]!
      if (i > 0 && !isPeer(call, partition[i - 1]!, p)) { ranks.rank = i + 1; ranks.dense += 1 }
      if (call.agg === null && RANKING.has(call.fn)) {
        out[p.index] = rankingValue(call, partition, i, ranks)
      } else {
        const frame = frameOf(call, partition, i, env, outer)
        out[p.index] = call.agg === null ? valueAt(call, partition, i, frame) : aggregateOver(call, partition, frame[0], frame[1], env)
        charge(env, Math.max(0, frame[1] - frame[0]))
      }
      if (charge(env)) await pause(env)
    }
  }
  return out
}

export async function runWindow(node: Extract<PlanNode, { kind: 'WindowNode' }>, input: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Promise<Row[]> {
  holdRows(env, input.length, 'a window function')
  const columns: SqlValue[][] = []
  for (const call of node.calls) columns.push(await computeCall(call, input, env, outer))
  const rows: Row[] = []
  for (let r = 0; r < input.length; r++) {
    rows.push([...input[r]!, ...columns.map((values) => values[r] ?? null)])
    if (charge(env)) await pause(env)
  }
  return rows
}
