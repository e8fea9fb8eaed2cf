// test/unit/engine/engine-oracle: the independent side of engine.test.ts — plain-row aggregation written without the
// engine's kernels, and the merge of per-core partials (what sql will do) into final values.
import { assertNever } from '../../../src/common/assert.js'
import type { AggregateState, ColumnVector, ScanPartial } from '../../../engine/batch.js'
import type { AggregateSpec } from '../../../engine/ops.js'

export interface Row {
  readonly ts: number
  readonly host: string
  readonly usage: number | null
  readonly reqs: bigint | null
  readonly ok: boolean
  readonly note: string | null
}

export type Value = number | bigint | string | boolean | null

export function valueAt(vector: ColumnVector, i: number): Value {
  switch (vector.kind) {
    case 'symbol': return vector.ids[i] === -1 ? null : vector.dict[vector.ids[i]!]!
    case 'text': return vector.values[i] ?? null
    case 'bool': return vector.nulls?.[i] === 1 ? null : vector.values[i] === 1
    case 'timestamp': case 'f64': case 'i64': return vector.nulls?.[i] === 1 ? null : vector.values[i]!
    default: return assertNever(vector)
  }
}

/** Rows of RowsPartials projected as [ts, host, usage, reqs, ok, note]. */
export function rowsOf(partials: ReadonlyArray<ScanPartial>): Row[] {
  const rows: Row[] = []
  for (const partial of partials) {
    if (partial.kind !== 'RowsPartial') throw new Error('expected RowsPartial')
    for (let i = 0; i < partial.rowCount; i++) {
      const [ts, host, usage, reqs, ok, note] = partial.columns.map((column) => valueAt(column, i))
      rows.push({ ts: Number(ts), host: String(host), usage: usage as number | null, reqs: reqs as bigint | null, ok: ok === true, note: note as string | null })
    }
  }
  return rows
}

function cellOf(row: Row, column: number): Value {
  return [row.ts, row.host, row.usage, row.reqs, row.ok, row.note][column] ?? null
}

function less(a: Value, b: Value): boolean {
  return (a as number) < (b as number)
}

/** Final values per group key, computed from plain rows. */
export function aggregateRowsOf(rows: ReadonlyArray<Row>, specs: ReadonlyArray<AggregateSpec>, keyOf: (row: Row) => string): Map<string, Value[]> {
  const groups = new Map<string, Row[]>()
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row])
  const result = new Map<string, Value[]>()
  for (const [key, members] of groups) {
    result.set(key, specs.map((spec) => {
      if (spec.column === null) return members.length
      const values = members.map((r) => cellOf(r, spec.column!)).filter((v) => v !== null)
      const sum = values.reduce((s: number, v) => s + Number(v), 0)
      const byTs = [...members].sort((a, b) => a.ts - b.ts)
      switch (spec.fn) {
        case 'count': return values.length
        case 'sum': return values.length === 0 ? null : sum
        case 'avg': return values.length === 0 ? null : sum / values.length
        case 'min': return values.length === 0 ? null : values.reduce((m, v) => (less(v, m) ? v : m))
        case 'max': return values.length === 0 ? null : values.reduce((m, v) => (less(m, v) ? v : m))
        case 'first': return byTs.length === 0 ? null : cellOf(byTs[0]!, spec.column)
        case 'last': return byTs.length === 0 ? null : cellOf(byTs[byTs.length - 1]!, spec.column)
        default: return assertNever(spec.fn)
      }
    }))
  }
  return result
}

interface Merged { count: number; sum: number; value: Value; ts: number }

function mergeState(into: Merged, state: AggregateState, g: number): void {
  switch (state.kind) {
    case 'count': into.count += state.counts[g]!; return
    case 'sum': case 'avg': into.count += state.counts[g]!; into.sum += state.sums[g]!; return
    case 'min': case 'max': {
      const v = valueAt(state.values, g)
      if (v !== null && (into.value === null || (state.kind === 'min' ? less(v, into.value) : less(into.value, v)))) into.value = v
      return
    }
    case 'first': case 'last': {
      const ts = state.timestampsUs[g]!
      if (state.kind === 'first' ? ts < into.ts : ts > into.ts) { into.ts = ts; into.value = valueAt(state.values, g) }
      return
    }
    default: assertNever(state)
  }
}

function finish(spec: AggregateSpec, merged: Merged): Value {
  switch (spec.fn) {
    case 'count': return merged.count
    case 'sum': return merged.count === 0 ? null : merged.sum
    case 'avg': return merged.count === 0 ? null : merged.sum / merged.count
    default: return merged.value
  }
}

/** Merges AggPartials of every core; key = group key values joined with '|' ('' without group keys). */
export function mergeAggPartials(partials: ReadonlyArray<ScanPartial>, specs: ReadonlyArray<AggregateSpec>): Map<string, Value[]> {
  const merged = new Map<string, Merged[]>()
  for (const partial of partials) {
    if (partial.kind !== 'AggPartial') throw new Error('expected AggPartial')
    for (let g = 0; g < partial.groupCount; g++) {
      const key = partial.keys.map((k) => String(valueAt(k, g))).join('|')
      let states = merged.get(key)
      if (states === undefined) {
        states = specs.map((spec) => ({ count: 0, sum: 0, value: null, ts: spec.fn === 'last' ? -Infinity : Infinity }))
        merged.set(key, states)
      }
      partial.states.forEach((state, a) => mergeState(states![a]!, state, g))
    }
  }
  const result = new Map<string, Value[]>()
  for (const [key, states] of merged) result.set(key, specs.map((spec, a) => finish(spec, states[a]!)))
  return result
}
