// src/common/index-sort: a stable sort of row indexes (an Int32Array permutation) that runs in bounded steps, so its
// caller decides when to stop and let other work run: the event loop between two steps (sql/exec/slice.ts, the
// columnar ORDER BY) or a core's requests between two ticks (engine/core/sort-scan.ts, the sort on the cores).
// Runs of SORT_RUN_ROWS_COUNT are sorted in place by TypedArray.prototype.sort, then merged bottom-up between two
// buffers. In src/common because both sides run it.
import { assert } from './assert.js'

/** Rows sorted by one TypedArray.prototype.sort call (~10k comparisons) before runs are merged. */
export const SORT_RUN_ROWS_COUNT = 1024

/** Comparisons one sort of a run is counted as (n·log2 n) when a step's budget is charged. */
export const SORT_RUN_WORK_COUNT = SORT_RUN_ROWS_COUNT * Math.log2(SORT_RUN_ROWS_COUNT)

/**
 * Sorts `order` by `compare`, a step at a time. `compare` must be total (break ties by the indexes) for the result to
 * be the one a stable sort gives. `step(budget)` does about `budget` units (a run sort counts SORT_RUN_WORK_COUNT, a
 * merged index one) and returns the units it did; once `isDone`, `sorted` is the permutation.
 */
export class IndexSorter {
  private runFrom = 0
  private source: Int32Array
  private target: Int32Array | null = null
  private width = SORT_RUN_ROWS_COUNT
  private left = 0
  // The merge of [l, lEnd) and [r, rEnd) of source into target from o, in progress when l < lEnd or r < rEnd.
  private l = 0
  private lEnd = 0
  private r = 0
  private rEnd = 0
  private o = 0

  constructor(order: Int32Array, private readonly compare: (a: number, b: number) => number) {
    this.source = order
  }

  get isDone(): boolean {
    return this.runFrom >= this.source.length && this.width >= this.source.length && !this.isMerging
  }

  /** The sorted permutation (valid once isDone). */
  get sorted(): Int32Array {
    assert(this.isDone, 'the sort is not done')
    return this.source
  }

  private get isMerging(): boolean {
    return this.l < this.lEnd || this.r < this.rEnd
  }

  /** About `budget` units of work (at least one run sort or one merged index); the units done. */
  step(budget: number): number {
    const count = this.source.length
    let spent = 0
    while (spent < budget && this.runFrom < count) {
      this.source.subarray(this.runFrom, Math.min(count, this.runFrom + SORT_RUN_ROWS_COUNT)).sort(this.compare)
      this.runFrom += SORT_RUN_ROWS_COUNT
      spent += SORT_RUN_WORK_COUNT
    }
    while (spent < budget && !this.isDone) {
      if (!this.isMerging && !this.nextMerge()) continue
      spent += this.mergeSome(budget - spent)
    }
    return spent
  }

  /** Starts the next pair's merge of this pass (or the next pass); false when a pass just ended. */
  private nextMerge(): boolean {
    const count = this.source.length
    this.target ??= new Int32Array(count)
    if (this.left >= count) {
      // The pass is over: what was written becomes what is read.
      const used = this.source
      this.source = this.target
      this.target = used
      this.width *= 2
      this.left = 0
      return false
    }
    const { left, width } = this
    this.l = left
    this.lEnd = Math.min(count, left + width)
    this.r = this.lEnd
    this.rEnd = Math.min(count, left + 2 * width)
    this.o = left
    this.left += 2 * width
    return true
  }

  /** Merges up to `budget` indexes of the current pair; how many it merged. */
  private mergeSome(budget: number): number {
    const { source, compare, lEnd, rEnd } = this
    const target = this.target!
    let { l, r, o } = this
    const start = o
    const end = Math.min(rEnd, o + Math.max(1, budget))
    while (o < end && l < lEnd && r < rEnd) target[o++] = compare(source[r]!, source[l]!) < 0 ? source[r++]! : source[l++]!
    while (o < end && l < lEnd) target[o++] = source[l++]!
    while (o < end && r < rEnd) target[o++] = source[r++]!
    this.l = l
    this.r = r
    this.o = o
    return o - start
  }
}
