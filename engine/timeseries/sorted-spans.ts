// engine/timeseries/sorted-spans: what a scan may assume about the rows of a cached, decoded segment row group,
// learnt once per chunk and kept with it (WeakMaps keyed by the chunk's typed array, so it goes when the chunk leaves
// the decoded-chunk cache): the runs of non-decreasing timestamps (time-runs.ts) and the runs of equal tag ids. A
// segment row group is sorted by (series, time), so both are few, and a kernel can find where a tag's stretch or a
// time bucket ends by binary search instead of reading every row (aggregate-fast.ts). Live memtables are never
// registered: their arrays change under appends. Knows nothing of files, rings or SQL.
import { TimeRuns } from './time-runs.js'

/** Time index by the values of each cached timestamp chunk (also the memtable's own index for that row group). */
const timeRunsByValues = new WeakMap<Float64Array, TimeRuns>()

/** The ids of every cached symbol chunk (registerCachedIds), and their run index once a kernel asked (idRunsOf). */
const cachedIds = new WeakSet<Int32Array>()
const idRunsByIds = new WeakMap<Int32Array, IdRuns | null>()

/** A stretch of equal ids shorter than this on average is not indexed (rows of many series interleaved). */
const ID_RUN_ROWS_MIN_COUNT = 16

/** Rows where the id differs from the previous row's, in order (row 0 is not listed). */
export class IdRuns {
  constructor(private readonly starts: Int32Array, private readonly rowCount: number) {}

  /** The first row after `row` whose id differs from the one before it (rowCount when none). */
  endAfter(row: number): number {
    const starts = this.starts
    let lo = 0
    let hi = starts.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (starts[mid]! <= row) lo = mid + 1
      else hi = mid
    }
    return lo < starts.length ? starts[lo]! : this.rowCount
  }
}

/** The time index shared by every scan of a cached timestamp chunk (created empty; scans fold the rows in). */
export function cachedTimeRuns(times: Float64Array): TimeRuns {
  let runs = timeRunsByValues.get(times)
  if (runs === undefined) timeRunsByValues.set(times, runs = new TimeRuns())
  return runs
}

/** A cached symbol chunk: its id runs may be indexed when a kernel first asks (idRunsOf). */
export function registerCachedIds(ids: Int32Array): void {
  cachedIds.add(ids)
}

/**
 * The id runs of a registered (cached) symbol chunk, built on first use; null for arrays never registered (a live
 * memtable's, a chunk decoded for one scan only) and for ids that change too often.
 */
export function idRunsOf(ids: Int32Array): IdRuns | null {
  if (!cachedIds.has(ids)) return null
  let runs = idRunsByIds.get(ids)
  if (runs === undefined) idRunsByIds.set(ids, runs = buildIdRuns(ids))
  return runs
}

function buildIdRuns(ids: Int32Array): IdRuns | null {
  const starts: number[] = []
  const startsMax = Math.floor(ids.length / ID_RUN_ROWS_MIN_COUNT)
  for (let row = 1; row < ids.length; row++) {
    if (ids[row] === ids[row - 1]) continue
    if (starts.length >= startsMax) return null
    starts.push(row)
  }
  return new IdRuns(Int32Array.from(starts), ids.length)
}

/**
 * The time index of a cached timestamp chunk, folded over all its rows, when there is one and it did not overflow:
 * rows [row, runEnd(row)) are then sorted (non-decreasing, NaN-free or a single row).
 */
export function sortedTimeRunsOf(times: Float64Array): TimeRuns | null {
  const runs = timeRunsByValues.get(times)
  if (runs === undefined || !runs.extend(times, times.length)) return null
  return runs
}
