// engine/timeseries/aggregate-runs: the fused aggregate's kernels (aggregate-fast.ts) over runs — stretches of
// consecutive selected rows that belong to one group. Rows of a segment row group are sorted by (series, time), so a
// tag × time-bucket group is one long run there, and no group key at all is one run per row group; an unsorted
// memtable gives runs of a row or a few. Each kernel keeps a group's state in locals for the length of a run and adds
// the rows in row order (float sums: into the four lanes of lane-sums.ts, as the per-row loop does), so every result
// is the same sequence of operations as a per-row loop: results are identical. A column with no NULL in the selected
// span skips the per-row null test. Knows nothing of SQL.
import type { Accumulator } from './aggregate.js'
import { addConsecutive, wholeChunkLanes } from './lane-sums.js'
import { isSharedNoNulls } from './memtable.js'
import type { Selection } from './scan.js'
import { sortedTimeRunsOf } from './sorted-spans.js'
import type { TimeRuns } from './time-runs.js'

/** Runs of a selection: run r covers selected positions [ends[r - 1] (0 for r = 0), ends[r]) and is in group groups[r]. */
export interface Runs {
  readonly count: number
  readonly ends: Int32Array
  readonly groups: Int32Array
}

/** Whether any selected row of `nulls` is NULL (selected rows ascend, so the span first..last row covers them all). */
export function hasNullIn(nulls: Uint8Array, selection: Selection): boolean {
  const { rows, count } = selection
  if (count === 0 || isSharedNoNulls(nulls)) return false
  let from = rows[0]!
  const to = rows[count - 1]! + 1
  // Four bytes at a time where aligned: null maps hold only 0 and 1, so a word is 0 exactly when its bytes are.
  for (; from < to && (nulls.byteOffset + from) % 4 !== 0; from++) if (nulls[from] !== 0) return true
  if (from >= to) return false
  const words = new Int32Array(nulls.buffer, nulls.byteOffset + from, (to - from) >> 2)
  for (let w = 0; w < words.length; w++) if (words[w] !== 0) return true
  for (let b = from + words.length * 4; b < to; b++) if (nulls[b] !== 0) return true
  return false
}

/**
 * Whether selected positions [from, end) are consecutive rows (rows ascend, so first + length - 1 = last says so): a
 * run of them is read by row number, without its row vector.
 */
export function isConsecutive(rows: Int32Array, from: number, end: number): boolean {
  return rows[end - 1]! - rows[from]! === end - 1 - from
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
    if (nulls === null) sumAll(acc, column.values, selection.rows, runs)
    else sumNonNull(acc, column.values, nulls, selection.rows, runs)
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

function sumAll(acc: Accumulator, values: Float64Array, rows: Int32Array, runs: Runs): void {
  const { ends, groups } = runs
  const counts = acc.counts
  const sums = acc.lanes!
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    counts[g]! += end - i
    const base = sums.open(g)
    const lanes = sums.lanes
    if (isConsecutive(rows, i, end)) {
      // Plain locals, no destructuring of an array literal (it may allocate per run).
      const first = rows[i]!
      const last = rows[end - 1]!
      // A whole cached row group (the run's lanes start at zero: no other run of this source is in its group).
      const whole = first === 0 && last === values.length - 1 ? wholeChunkLanes(values) : null
      if (whole === null) addConsecutive(lanes, base, values, first, last)
      else for (let lane = 0; lane < 4; lane++) lanes[base + lane]! += whole[lane]!
    } else {
      for (let j = i; j < end; j++) { const row = rows[j]!; lanes[base + (row & 3)]! += values[row]! }
    }
    i = end
  }
}

function sumNonNull(acc: Accumulator, values: Float64Array, nulls: Uint8Array, rows: Int32Array, runs: Runs): void {
  const { ends, groups } = runs
  const sums = acc.lanes!
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    const base = sums.open(g)
    const lanes = sums.lanes
    let n = 0
    for (; i < end; i++) {
      const row = rows[i]!
      if (nulls[row] !== 1) { n++; lanes[base + (row & 3)]! += values[row]! }
    }
    acc.counts[g]! += n
  }
}

/**
 * min/max as PostgreSQL orders float8 (gather.ts floatOrder: NaN above every number, -0 = 0); ties keep the row seen
 * first. A group's first value is taken as it comes, then a candidate replaces it only when strictly better.
 */
function chooseExtreme(acc: Accumulator, best: number[], values: Float64Array, nulls: Uint8Array | null,
  selection: Selection, m: number, runs: Runs, isMin: boolean): void {
  const { ends, groups } = runs
  const { rows } = selection
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    let chosenRow = -1
    let n = 0
    if (acc.tables[g] === -1) {
      // The group's first value: the first non-NULL row of the run.
      for (; i < end && chosenRow < 0; i++) if (nulls === null || nulls[rows[i]!] !== 1) chosenRow = rows[i]!
      if (chosenRow >= 0) n = 1
    }
    let value = chosenRow >= 0 ? values[chosenRow]! : best[g]!
    if (nulls === null) n += end - i
    // One loop per direction, so no row tests which one it is.
    if (isMin) {
      for (; i < end; i++) {
        const row = rows[i]!
        if (nulls !== null) { if (nulls[row] === 1) continue; n++ }
        const candidate = values[row]!
        if (candidate < value || (value !== value && candidate === candidate)) { value = candidate; chosenRow = row }
      }
    } else {
      for (; i < end; i++) {
        const row = rows[i]!
        if (nulls !== null) { if (nulls[row] === 1) continue; n++ }
        const candidate = values[row]!
        if (candidate > value || (candidate !== candidate && value === value)) { value = candidate; chosenRow = row }
      }
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
  const sorted = sortedTimeRunsOf(times)
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    let time = timestamps[g]!
    let chosenRow = -1
    if (sorted !== null && isConsecutive(rows, i, end)) {
      chosenRow = chooseSorted(sorted, times, rows[i]!, rows[end - 1]! + 1, isFirst, time)
      if (chosenRow >= 0) time = times[chosenRow]!
      i = end
    } else if (isConsecutive(rows, i, end)) {
      const last = rows[end - 1]!
      if (isFirst) { for (let row = rows[i]!; row <= last; row++) if (times[row]! < time) { time = times[row]!; chosenRow = row } }
      else for (let row = rows[i]!; row <= last; row++) if (times[row]! > time) { time = times[row]!; chosenRow = row }
      i = end
    } else if (isFirst) {
      for (; i < end; i++) { const row = rows[i]!; const t = times[row]!; if (t < time) { time = t; chosenRow = row } }
    } else {
      for (; i < end; i++) { const row = rows[i]!; const t = times[row]!; if (t > time) { time = t; chosenRow = row } }
    }
    if (chosenRow >= 0) { timestamps[g] = time; acc.tables[g] = m; acc.rows[g] = chosenRow }
  }
}

/**
 * chooseByTime over rows [from, to) of a row group whose time runs are indexed: per sorted stretch, the first row is
 * its earliest and the first row holding its last time is its latest, so a stretch costs a binary search rather than
 * a pass; stretches are taken in row order with the pass's rule (strictly earlier or later replaces), so the row
 * chosen is the one the pass chooses. Returns the chosen row, or -1 when no row beats `time`.
 */
function chooseSorted(sorted: TimeRuns, times: Float64Array, from: number, to: number, isFirst: boolean, time: number): number {
  let chosenRow = -1
  for (let row = from; row < to;) {
    const end = Math.min(to, sorted.runEnd(row))
    if (isFirst) {
      if (times[row]! < time) { time = times[row]!; chosenRow = row }
    } else if (times[end - 1]! > time) {
      time = times[end - 1]!
      chosenRow = firstAtLeast(times, row, end - 1, time)
    }
    row = end
  }
  return chosenRow
}

/** The first row in [from, to] of sorted `times` at or above `time` (times[to] is). */
function firstAtLeast(times: Float64Array, from: number, to: number, time: number): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! >= time) hi = mid
    else lo = mid + 1
  }
  return lo
}
