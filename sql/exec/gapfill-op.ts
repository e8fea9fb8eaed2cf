// sql/exec/gapfill-op: TimescaleDB's gap filling over aggregated rows. Rows are grouped by the non-time keys; each
// group gets a row for every bucket of [start, finish) it lacks (aggregates NULL), in time order; fill columns are
// the row's expression, carried forward from the previous row (locf) or interpolated linearly in time between the
// nearest rows that had data (interpolate).
import type { SqlValue } from '../api.js'
import type { PlanNode } from '../plan/plan-node.js'
import { evaluate } from './evaluate.js'
import { holdRows, type ExecEnv, type Row } from './exec-env.js'
import { rowKey } from './value-ops.js'

type GapFill = Extract<PlanNode, { kind: 'GapFillNode' }>

interface Entry { readonly row: Row; readonly isGap: boolean; readonly at: number }

function bucketStart(us: number, widthUs: number, originUs: number): number {
  return Math.floor((us - originUs) / widthUs) * widthUs + originUs
}

/** Linear interpolation of a numeric value between two (time, value) points, kept in the value's representation. */
function interpolate(at: number, before: Entry, after: Entry, a: SqlValue, b: SqlValue): SqlValue {
  if (a === null || b === null || typeof a === 'boolean' || typeof a === 'object' || typeof b === 'object') return null
  const x = Number(a) + ((Number(b) - Number(a)) * (at - before.at)) / (after.at - before.at)
  if (typeof a === 'bigint') return BigInt(Math.round(x))
  return typeof a === 'string' ? String(x) : x
}

function fillGroup(node: GapFill, entries: Entry[], env: ExecEnv, outer: ReadonlyArray<Row>): Row[] {
  entries.sort((x, y) => x.at - y.at)
  const values = node.fills.map((f) => entries.map((e) => evaluate(f.expr, e.row, outer, env)))
  return entries.map((entry, i) => [...entry.row, ...node.fills.map((fill, f) => {
    const own = values[f]![i] ?? null
    if (!entry.isGap) return own
    if (fill.mode === 'locf') {
      for (let j = i - 1; j >= 0; j--) if (!entries[j]!.isGap) return values[f]![j] ?? null
      return null
    }
    let before = i - 1
    while (before >= 0 && (entries[before]!.isGap || values[f]![before] === null)) before--
    let after = i + 1
    while (after < entries.length && (entries[after]!.isGap || values[f]![after] === null)) after++
    if (before < 0 || after >= entries.length) return null
    return interpolate(entry.at, entries[before]!, entries[after]!, values[f]![before] ?? null, values[f]![after] ?? null)
  })])
}

export function runGapFill(node: GapFill, input: ReadonlyArray<Row>, env: ExecEnv, outer: ReadonlyArray<Row>): Row[] {
  const width = node.input.columns.length
  const keyTypes = node.otherKeys.map((k) => node.input.columns[k]!.type)
  const groups = new Map<string, { keys: SqlValue[]; entries: Entry[] }>()
  for (const row of input) {
    const keys = node.otherKeys.map((k) => row[k] ?? null)
    const id = rowKey(keys, keyTypes)
    let group = groups.get(id)
    if (group === undefined) { group = { keys, entries: [] }; groups.set(id, group) }
    group.entries.push({ row, isGap: false, at: Number(row[node.timeKey]) })
  }
  if (groups.size === 0 && node.otherKeys.length === 0) groups.set('', { keys: [], entries: [] })
  const out: Row[] = []
  for (const group of groups.values()) {
    const present = new Set(group.entries.map((e) => e.at))
    for (let at = bucketStart(node.startUs, node.widthUs, node.originUs); at < node.finishUs; at += node.widthUs) {
      if (present.has(at)) continue
      const row: Row = new Array<SqlValue>(width).fill(null)
      node.otherKeys.forEach((k, i) => { row[k] = group.keys[i] ?? null })
      row[node.timeKey] = at
      group.entries.push({ row, isGap: true, at })
    }
    holdRows(env, group.entries.length, 'time_bucket_gapfill')
    out.push(...fillGroup(node, group.entries, env, outer))
  }
  return out
}
