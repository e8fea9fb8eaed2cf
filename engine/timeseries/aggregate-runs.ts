// engine/timeseries/aggregate-runs: the fused aggregate's kernels (aggregate-fast.ts) over runs — stretches of
// consecutive selected rows that belong to one group. Rows of a segment row group are sorted by (series, time), so a
// tag × time-bucket group is one long run there, and no group key at all is one run per row group; an unsorted
// memtable gives runs of a row or a few. Each kernel keeps a group's state in locals for the length of a run and adds
// the rows in row order, so every float sum is the same sequence of additions as a per-row loop: results are
// identical. A column with no NULL in the selected span skips the per-row null test. Knows nothing of SQL.
import type { Accumulator } from './aggregate.js'
import { floatOrder } from './gather.js'
import type { Selection } from './scan.js'

/** Runs of a selection: run r covers selected positions [ends[r - 1] (0 for r = 0), ends[r]) and is in group groups[r]. */
export interface Runs {
  readonly count: number
  readonly ends: Int32Array
  readonly groups: Int32Array
}

/** Whether any selected row of `nulls` is NULL (selected rows ascend, so the span first..last row covers them all). */
export function hasNullIn(nulls: Uint8Array, selection: Selection): boolean {
  const { rows, count } = selection
  if (count === 0) return false
  return nulls.subarray(rows[0]!, rows[count - 1]! + 1).indexOf(1) !== -1
}

/** Adds the selected rows of memtable m to one accumulator, run by run. `best` holds min/max's chosen values. */
export function addRuns(acc: Accumulator, best: number[], selection: Selection, m: number, runs: Runs,
  times: Float64Array): void {
  const fn = acc.spec.fn
  if (fn === 'first' || fn === 'last') { chooseByTime(acc, selection, m, runs, times, fn === 'first'); return }
  if (acc.spec.column === null) { countAll(acc.counts, runs); return }
  const column = selection.memtable.columns[acc.spec.column]!
  if (column.kind !== 'f64' && column.kind !== 'timestamp') return
  const nulls = hasNullIn(column.nulls, selection) ? column.nulls : null
  if (fn === 'count') {
    if (nulls === null) countAll(acc.counts, runs)
    else countNonNull(acc.counts, nulls, selection.rows, runs)
  } else if (fn === 'sum' || fn === 'avg') {
    if (nulls === null) sumAll(acc.counts, acc.sums, column.values, selection.rows, runs)
    else sumNonNull(acc.counts, acc.sums, column.values, nulls, selection.rows, runs)
  } else {
    chooseExtreme(acc, best, column.values, nulls, selection, m, runs, fn === 'min')
  }
}

function countAll(counts: number[], runs: Runs): void {
  const { ends, groups } = runs
  let from = 0
  for (let r = 0; r < runs.count; r++) {
    const end = ends[r]!
    counts[groups[r]!]! += end - from
    from = end
  }
}

function countNonNull(counts: number[], nulls: Uint8Array, rows: Int32Array, runs: Runs): void {
  const { ends, groups } = runs
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const end = ends[r]!
    let n = 0
    for (; i < end; i++) if (nulls[rows[i]!] !== 1) n++
    counts[groups[r]!]! += n
  }
}

function sumAll(counts: number[], sums: number[], values: Float64Array, rows: Int32Array, runs: Runs): void {
  const { ends, groups } = runs
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    counts[g]! += end - i
    let sum = sums[g]!
    for (; i < end; i++) sum += values[rows[i]!]!
    sums[g] = sum
  }
}

function sumNonNull(counts: number[], sums: number[], values: Float64Array, nulls: Uint8Array, rows: Int32Array,
  runs: Runs): void {
  const { ends, groups } = runs
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    let sum = sums[g]!
    let n = 0
    for (; i < end; i++) {
      const row = rows[i]!
      if (nulls[row] !== 1) { n++; sum += values[row]! }
    }
    counts[g]! += n
    sums[g] = sum
  }
}

/** min/max as PostgreSQL orders float8 (floatOrder: NaN above all, -0 = 0); ties keep the row seen first. */
function chooseExtreme(acc: Accumulator, best: number[], values: Float64Array, nulls: Uint8Array | null,
  selection: Selection, m: number, runs: Runs, isMin: boolean): void {
  const { ends, groups } = runs
  const { rows } = selection
  const sign = isMin ? -1 : 1
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    let isChosen = acc.tables[g] !== -1
    let value = best[g]!
    let chosenRow = -1
    let n = 0
    for (; i < end; i++) {
      const row = rows[i]!
      if (nulls !== null && nulls[row] === 1) continue
      n++
      const candidate = values[row]!
      if (!isChosen || floatOrder(candidate, value) * sign > 0) { isChosen = true; value = candidate; chosenRow = row }
    }
    acc.counts[g]! += n
    if (chosenRow >= 0) { acc.tables[g] = m; acc.rows[g] = chosenRow; best[g] = value }
  }
}

/** first/last: the row at the extreme timestamp, NULL or not; ties keep the row seen first (as aggregate.ts). */
function chooseByTime(acc: Accumulator, selection: Selection, m: number, runs: Runs, times: Float64Array,
  isFirst: boolean): void {
  const { ends, groups } = runs
  const { rows } = selection
  const { timestamps } = acc
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    let time = timestamps[g]!
    let chosenRow = -1
    if (isFirst) {
      for (; i < end; i++) { const row = rows[i]!; const t = times[row]!; if (t < time) { time = t; chosenRow = row } }
    } else {
      for (; i < end; i++) { const row = rows[i]!; const t = times[row]!; if (t > time) { time = t; chosenRow = row } }
    }
    if (chosenRow >= 0) { timestamps[g] = time; acc.tables[g] = m; acc.rows[g] = chosenRow }
  }
}
