// sql/exec/slice: keeps the event loop free while a control-side operator works through many rows (invariant 5).
// Every operator loop charges its work (rows evaluated, keys compared, pairs joined) to the statement; once a slice
// has run EVENT_LOOP_SLICE_MS (or SLICE_WORK_COUNT units, whichever comes first) the operator awaits one macrotask turn,
// so other sessions, socket reads and ring replies run in between. A time budget, not a count: the same count of
// rows costs 10× more on a loaded machine or with wide keys (a count of 8,192 held the loop 15–70 ms in
// bench/micro/loop-stall-cost.ts). A long sort is split the same way: short runs sorted one at a time, then merged
// pairwise in chunks. A turn is also where a canceled statement (CancelRequest, statement_timeout) stops: env.signal
// aborted → 57014.
import { queryCanceled } from '../../src/common/errors.js'
import { IndexSorter, SORT_RUN_ROWS_COUNT, SORT_RUN_WORK_COUNT } from '../../src/common/index-sort.js'
import { EVENT_LOOP_SLICE_MS } from '../../src/common/limits.js'

/** Work units (rows, comparisons) an operator may do between two turns of the event loop, whatever the clock says. */
export const SLICE_WORK_COUNT = 8192

/** Work units between two readings of the clock (~25–500 µs of work: a reading costs ~50 ns). */
const CLOCK_CHECK_WORK_COUNT = 256

/** Rows a chunked loop (rows appended from a scan, items merged) handles between two charges. */
export const SLICE_CHUNK_COUNT = 256


export interface Sliced {
  /** Work done since the event loop last had a turn. */
  sliceWork: number
  /** performance.now() when the slice began (set at the first pause; until then at the first clock reading). */
  sliceStartedMs?: number
  /** sliceWork at which charge next reads the clock. */
  sliceClockAt?: number
  /** Aborted when the statement is canceled; checked at every pause. */
  readonly signal?: AbortSignal
}

/** Charges `count` units of work; true when the caller should `await pause(env)` before going on. */
export function charge(env: Sliced, count = 1): boolean {
  const work = (env.sliceWork += count)
  if (work >= SLICE_WORK_COUNT) return true
  if (work < (env.sliceClockAt ?? CLOCK_CHECK_WORK_COUNT)) return false
  env.sliceClockAt = work + CLOCK_CHECK_WORK_COUNT
  const now = performance.now()
  env.sliceStartedMs ??= now
  return now - env.sliceStartedMs >= EVENT_LOOP_SLICE_MS
}

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/** Gives the event loop a turn; rejects with 57014 when the statement was canceled meanwhile. */
export async function pause(env: Sliced): Promise<void> {
  env.sliceWork = 0
  env.sliceClockAt = CLOCK_CHECK_WORK_COUNT
  await nextTurn()
  env.sliceStartedMs = performance.now()
  if (env.signal?.aborted === true) throw queryCanceled()
}

/** Calls `each(from, to)` over [0, count) in chunks of SLICE_CHUNK_COUNT, pausing when a slice is used up. */
export async function forChunks(count: number, env: Sliced, each: (from: number, to: number) => void): Promise<void> {
  for (let from = 0; from < count; from += SLICE_CHUNK_COUNT) {
    const to = Math.min(count, from + SLICE_CHUNK_COUNT)
    each(from, to)
    if (charge(env, to - from)) await pause(env)
  }
}

/** Array.prototype.map with pauses. */
export async function mapSliced<T, U>(items: ReadonlyArray<T>, env: Sliced, fn: (item: T, index: number) => U): Promise<U[]> {
  const out = new Array<U>(items.length)
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!, i)
    if (charge(env)) await pause(env)
  }
  return out
}

/**
 * A stable sort that never holds the event loop for more than a slice: runs of SORT_RUN_ROWS_COUNT are sorted by
 * Array.prototype.sort (stable), then merged pairwise (ties keep the earlier run first, so the result equals one
 * stable sort of the whole array). Each run is charged n·log2(n) comparisons, each merge chunk its items.
 */
export async function sortSliced<T>(items: T[], compare: (a: T, b: T) => number, env: Sliced): Promise<T[]> {
  if (items.length <= SORT_RUN_ROWS_COUNT) {
    charge(env, items.length)
    return items.sort(compare)
  }
  let runs: T[][] = []
  for (let from = 0; from < items.length; from += SORT_RUN_ROWS_COUNT) {
    runs.push(items.slice(from, from + SORT_RUN_ROWS_COUNT).sort(compare))
    if (charge(env, SORT_RUN_WORK_COUNT)) await pause(env)
  }
  while (runs.length > 1) {
    const merged: T[][] = []
    for (let i = 0; i < runs.length; i += 2) merged.push(i + 1 < runs.length ? await mergeRuns(runs[i]!, runs[i + 1]!, compare, env) : runs[i]!)
    runs = merged
  }
  return runs[0] ?? []
}

interface Merge<T> { readonly left: T[]; readonly right: T[]; readonly out: T[]; l: number; r: number; o: number }

/** Merges up to `budget` items; true when both runs are used up. Synchronous, so V8 optimizes the hot loop. */
function mergeSome<T>(m: Merge<T>, compare: (a: T, b: T) => number, budget: number): boolean {
  const { left, right, out } = m
  let { l, r, o } = m
  const end = Math.min(out.length, o + budget)
  while (o < end && l < left.length && r < right.length) out[o++] = compare(right[r]!, left[l]!) < 0 ? right[r++]! : left[l++]!
  while (o < end && l < left.length) out[o++] = left[l++]!
  while (o < end && r < right.length) out[o++] = right[r++]!
  m.l = l
  m.r = r
  m.o = o
  return o === out.length
}

async function mergeRuns<T>(left: T[], right: T[], compare: (a: T, b: T) => number, env: Sliced): Promise<T[]> {
  const m: Merge<T> = { left, right, out: new Array<T>(left.length + right.length), l: 0, r: 0, o: 0 }
  while (!mergeSome(m, compare, SLICE_CHUNK_COUNT)) {
    if (charge(env, SLICE_CHUNK_COUNT)) await pause(env)
  }
  return m.out
}

/**
 * sortSliced for a permutation of row indexes held in an Int32Array (columnar ORDER BY, sort-stream.ts): the shared
 * IndexSorter (runs sorted in place, then merged bottom-up between two buffers), stepped SLICE_CHUNK_COUNT units at a
 * time. No array of boxed items and no array per run. `compare` must be total (break ties by the indexes) for the
 * result to be the one stable sort gives.
 */
export async function sortIndexesSliced(order: Int32Array, compare: (a: number, b: number) => number, env: Sliced): Promise<Int32Array> {
  const sorter = new IndexSorter(order, compare)
  while (!sorter.isDone) {
    if (charge(env, sorter.step(SLICE_CHUNK_COUNT))) await pause(env)
  }
  return sorter.sorted
}
