// engine/timeseries/time-runs: a memtable's time index — its rows cut into maximal runs of non-decreasing timestamps,
// kept up to date lazily by the read side (each scan folds in the rows appended since the last one), so a time range
// is found by binary search in each run instead of testing every row. Knows nothing of rings, files or SQL.
import { MEMTABLE_TIME_RUNS_MAX_COUNT } from '../../src/common/limits.js'

/**
 * Candidate row ranges as flat pairs [from0, to0, from1, to1, …] in row order: exactly the rows r of the asked range
 * whose timestamp t passes the scan's test `!(t < fromUs || t >= toUs)` (NaN passes it, as in the linear test).
 */
export type RowRanges = number[]

export class TimeRuns {
  /** First row of each run; a run ends where the next begins (the last one at `indexedRows`). */
  private readonly starts: number[] = []
  /** Rows folded into the runs so far (a live memtable grows past it between scans). */
  private indexedRows = 0
  /** Too many runs (rows far out of order): the index is dropped and scans test every row. */
  private isOverflowed = false

  /**
   * Folds rows [indexedRows, rowCount) of `times` in; false when the index is not usable (overflowed). A run breaks
   * where a timestamp is below its predecessor, and around a NaN (which then forms a run of its own), so every run
   * is sorted and NaN-free or a single row.
   */
  extend(times: Float64Array, rowCount: number): boolean {
    if (this.isOverflowed) return false
    const starts = this.starts
    let previous = this.indexedRows === 0 ? Number.NaN : times[this.indexedRows - 1]!
    for (let row = this.indexedRows; row < rowCount; row++) {
      const t = times[row]!
      if (!(t >= previous)) {
        if (starts.length >= MEMTABLE_TIME_RUNS_MAX_COUNT) {
          this.isOverflowed = true
          starts.length = 0
          return false
        }
        starts.push(row)
      }
      previous = t
    }
    this.indexedRows = Math.max(this.indexedRows, rowCount)
    return true
  }

  /** The end (exclusive) of the run holding `row`, a row folded in: rows [row, runEnd(row)) are sorted. */
  runEnd(row: number): number {
    const next = upperRun(this.starts, row) + 1
    return next < this.starts.length ? this.starts[next]! : this.indexedRows
  }

  /** Runs folded in so far (tests). */
  get runCount(): number {
    return this.starts.length
  }

  /**
   * The rows of [fromRow, toRow) in [fromUs, toUs), as row ranges; toRow must not pass the rows folded in. Each run
   * costs two binary searches, so a memtable whose rows came in time order answers in O(log rows).
   */
  ranges(times: Float64Array, range: { fromRow: number; toRow: number; fromUs: number; toUs: number }): RowRanges {
    const { fromRow, toRow, fromUs, toUs } = range
    const out: RowRanges = []
    const starts = this.starts
    for (let i = upperRun(starts, fromRow); i < starts.length; i++) {
      const runFrom = Math.max(starts[i]!, fromRow)
      if (runFrom >= toRow) break
      const runTo = Math.min(i + 1 < starts.length ? starts[i + 1]! : this.indexedRows, toRow)
      // First row not below fromUs, then first row at or past toUs: both predicates are monotone in a sorted run.
      const from = firstRow(times, runFrom, runTo, (t) => !(t < fromUs))
      const to = firstRow(times, from, runTo, (t) => t >= toUs)
      if (from >= to) continue
      const last = out.length - 1
      if (last > 0 && out[last] === from) out[last] = to
      else out.push(from, to)
    }
    return out
  }
}

/** Index of the run holding `row` (the last start at or before it); 0 when none. */
function upperRun(starts: ReadonlyArray<number>, row: number): number {
  let lo = 0
  let hi = starts.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (starts[mid]! <= row) lo = mid + 1
    else hi = mid
  }
  return Math.max(0, lo - 1)
}

/** First row in [from, to) whose timestamp satisfies a predicate monotone over the (sorted) rows; `to` when none. */
function firstRow(times: Float64Array, from: number, to: number, isAtOrPast: (t: number) => boolean): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (isAtOrPast(times[mid]!)) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** Rows in a set of ranges. */
export function rangesRowCount(ranges: RowRanges): number {
  let count = 0
  for (let i = 0; i < ranges.length; i += 2) count += ranges[i + 1]! - ranges[i]!
  return count
}
