// engine/sorted-merge: the control side of ORDER BY on the cores (ScanStreamOptions.sort). Each core sends its rows
// sorted, as DataRow bytes with their key columns (engine/core/sort-scan.ts); this k-way merge picks the smallest
// head row across the cores' current batches and copies its bytes into the next output batch, a run of rows from
// one batch at a time. It compares keys only: no row is decoded or encoded here. One output batch is at most
// SCAN_BATCH_ROWS_COUNT rows and CONTROL_MERGE_SLICE_MS (~0.2 ms warm; the cap is for the first batches, before
// V8 optimizes the merge: up to ~3 ms), and the consumer takes one batch per turn (sql charges its slice), so the
// event loop stays free (invariant 5). Memory: at most SCAN_STREAM_BATCHES_AHEAD_COUNT batches per
// core wait here (credit goes back only for a batch used up). Knows nothing of SQL or sockets.
import { CONTROL_MERGE_SLICE_MS, SCAN_BATCH_ROWS_COUNT } from '../src/common/limits.js'
import { EngineFailureError, type ScanSortKey } from './api.js'
import type { ColumnVector, RowsPartial } from './batch.js'
import type { StreamResponse } from './bridge/core-client.js'
import type { EncodedDataRows } from '../src/common/datarow-encoder.js'
import { compareCodePoints } from '../src/common/text-order.js'

/** The merge reads the clock once every this many rows plus one: every 256 (~50 ns a reading; 256 rows ~15 µs warm). */
const MERGE_CLOCK_ROWS_MASK = 255

/** One core's batch being merged and the next row of it. */
interface Head {
  readonly encoded: EncodedDataRows
  readonly keys: ReadonlyArray<ColumnVector>
  row: number
}

export class SortedMerge {
  private readonly queues: RowsPartial[][]
  private readonly heads: Array<Head | null>
  private readonly isLive: boolean[]
  private failure: EngineFailureError | undefined
  private isStopped = false
  private waiter: (() => void) | undefined
  private compares: KeyCompare[] | null = null
  takenCount = 0

  /** `credit(core)`: the core's batch was used up, so it may send one more. */
  constructor(coreCount: number, private readonly keys: ReadonlyArray<ScanSortKey>, private readonly credit: (core: number) => void) {
    this.queues = Array.from({ length: coreCount }, () => [])
    this.heads = new Array<Head | null>(coreCount).fill(null)
    this.isLive = new Array<boolean>(coreCount).fill(true)
  }

  /** Every core sent its last batch and every row went out, or the stream was stopped. */
  get isFinished(): boolean {
    return this.isStopped || (this.isLive.every((live) => !live) && this.heads.every((head) => head === null) && this.queues.every((queue) => queue.length === 0))
  }

  receive(core: number, response: StreamResponse): void {
    if (this.isStopped) return
    if (response.kind === 'FailureResponse') this.failure ??= new EngineFailureError(response.failure)
    else {
      const { partial } = response
      if (partial.rowCount > 0) {
        if (partial.encoded === undefined || partial.sortKeys === undefined) {
          this.failure ??= new EngineFailureError({ kind: 'InvalidBatch', detail: 'a sorted scan\'s batch came without DataRows or keys' })
        } else this.queues[core]!.push(partial)
      }
      if (response.isLast) this.isLive[core] = false
    }
    this.wake()
  }

  stop(): void {
    this.isStopped = true
    this.queues.forEach((queue) => { queue.length = 0 })
    this.heads.fill(null)
    this.wake()
  }

  /** The next merged batch; null once every row went out or the stream was stopped. Rejects with a core's failure. */
  async next(): Promise<RowsPartial | null> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      if (this.isStopped) return null
      if (this.fillHeads()) {
        if (this.heads.every((head) => head === null)) return null
        this.takenCount += 1
        return this.merge()
      }
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }

  /** Gives each core without a current batch its next one; true when every live core has one (the merge may run). */
  private fillHeads(): boolean {
    let isReady = true
    for (let core = 0; core < this.heads.length; core++) {
      const head = this.heads[core]
      if (head !== null && head.row < head.encoded.rowCount) continue
      if (head !== null) {
        this.heads[core] = null
        this.credit(core)
      }
      const partial = this.queues[core]!.shift()
      if (partial !== undefined) this.heads[core] = { encoded: partial.encoded!, keys: partial.sortKeys!, row: 0 }
      else if (this.isLive[core]) isReady = false
    }
    return isReady
  }

  /**
   * Up to SCAN_BATCH_ROWS_COUNT rows, smallest head first (ties: the lower core), until the batch is full, its time
   * is up (CONTROL_MERGE_SLICE_MS; at least 256 rows), or some core's batch is used up while that core may still send
   * (its next batch is waited for by the next call).
   */
  private merge(): RowsPartial {
    const runs: Array<{ readonly encoded: EncodedDataRows; readonly from: number; to: number }> = []
    let last: Head | null = null
    let rowCount = 0
    const deadlineMs = performance.now() + CONTROL_MERGE_SLICE_MS
    while (rowCount < SCAN_BATCH_ROWS_COUNT) {
      if (rowCount > 0 && (rowCount & MERGE_CLOCK_ROWS_MASK) === 0 && performance.now() > deadlineMs) break
      const core = this.smallestHead()
      if (core < 0) break
      const head = this.heads[core]!
      if (head === last) runs[runs.length - 1]!.to += 1
      else runs.push({ encoded: head.encoded, from: head.row, to: head.row + 1 })
      last = head
      head.row += 1
      rowCount += 1
      if (head.row < head.encoded.rowCount) continue
      this.credit(core)
      const partial = this.queues[core]!.shift()
      this.heads[core] = partial === undefined ? null : { encoded: partial.encoded!, keys: partial.sortKeys!, row: 0 }
      if (partial === undefined && this.isLive[core]) break
    }
    return { kind: 'RowsPartial', rowCount, columns: [], encoded: copyRuns(runs, rowCount) }
  }

  /** The core whose head row comes first, or -1 when no core has one. */
  private smallestHead(): number {
    let best = -1
    for (let core = 0; core < this.heads.length; core++) {
      const head = this.heads[core]
      if (head === null) continue
      if (best < 0 || this.compareHeads(head, this.heads[best]!) < 0) best = core
    }
    return best
  }

  private compareHeads(a: Head, b: Head): number {
    // Each key's column has one kind in every batch (its catalog kind): the comparators are made from the first.
    const compares = (this.compares ??= this.keys.map((key, k) => keyComparator(a.keys[k]!.kind, key)))
    for (let k = 0; k < compares.length; k++) {
      const order = compares[k]!(a.keys[k]!, a.row, b.keys[k]!, b.row)
      if (order !== 0) return order
    }
    return 0
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }
}

type KeyCompare = (x: ColumnVector, i: number, y: ColumnVector, j: number) => number

/**
 * One key's order of two rows of two batches, as the cores sorted (ScanSortKey): NULLs placed, NaN above numbers, the
 * direction applied. Specialized once per key by its column's kind (a merge compares millions of times).
 */
function keyComparator(kind: ColumnVector['kind'], key: ScanSortKey): KeyCompare {
  const sign = key.descending ? -1 : 1
  const nullOrder = key.nullsFirst ? -1 : 1
  switch (kind) {
    case 'symbol': return (x, i, y, j) => {
      const a = (x as SymbolVector).ids[i]!
      const b = (y as SymbolVector).ids[j]!
      if (a < 0 || b < 0) return a < 0 === b < 0 ? 0 : a < 0 ? nullOrder : -nullOrder
      return sign * compareCodePoints((x as SymbolVector).dict[a]!, (y as SymbolVector).dict[b]!)
    }
    case 'text': return (x, i, y, j) => {
      const s = (x as TextVector).values[i] ?? null
      const t = (y as TextVector).values[j] ?? null
      if (s === null || t === null) return s === t ? 0 : s === null ? nullOrder : -nullOrder
      return sign * compareCodePoints(s, t)
    }
    default: return (x, i, y, j) => {
      const xs = x as FixedVector
      const ys = y as FixedVector
      const isNullX = xs.nulls !== undefined && xs.nulls[i] === 1
      const isNullY = ys.nulls !== undefined && ys.nulls[j] === 1
      if (isNullX || isNullY) return isNullX === isNullY ? 0 : isNullX ? nullOrder : -nullOrder
      const a = xs.values[i]!
      const b = ys.values[j]!
      if (a < b) return -sign
      if (a > b) return sign
      if (a === b) return 0
      // NaN on one side at least (floats only).
      const isNanA = Number.isNaN(a)
      return isNanA === Number.isNaN(b) ? 0 : isNanA ? sign : -sign
    }
  }
}

type SymbolVector = Extract<ColumnVector, { kind: 'symbol' }>
type TextVector = Extract<ColumnVector, { kind: 'text' }>
type FixedVector = Exclude<ColumnVector, SymbolVector | TextVector>

/** The runs' DataRows, in order, as one batch of `rowCount` rows. */
function copyRuns(runs: ReadonlyArray<{ readonly encoded: EncodedDataRows; readonly from: number; readonly to: number }>, rowCount: number): EncodedDataRows {
  let byteCount = 0
  for (const { encoded, from, to } of runs) byteCount += encoded.rowEnds[to - 1]! - (from === 0 ? 0 : encoded.rowEnds[from - 1]!)
  const bytes = new Uint8Array(byteCount)
  const rowEnds = new Int32Array(rowCount)
  let at = 0
  let row = 0
  for (const { encoded, from, to } of runs) {
    const start = from === 0 ? 0 : encoded.rowEnds[from - 1]!
    const end = encoded.rowEnds[to - 1]!
    bytes.set(encoded.bytes.subarray(start, end), at)
    for (let r = from; r < to; r++) rowEnds[row++] = at + encoded.rowEnds[r]! - start
    at += end - start
  }
  return { bytes, rowEnds, rowCount }
}
