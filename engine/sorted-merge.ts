// engine/sorted-merge: the control side of ORDER BY on the cores (ScanStreamOptions.sort). Each core sends its rows
// sorted, as DataRow bytes with their key columns (engine/core/sort-scan.ts); this k-way merge picks the smallest
// head row across the cores' current batches and copies its bytes into the next output batch, a run of rows from
// one batch at a time. It compares keys only: no row is decoded or encoded here. One output batch is at most
// SCAN_BATCH_ROWS_COUNT rows (well under a millisecond), and the consumer takes one batch per turn (sql charges its
// slice), so the event loop stays free (invariant 5). Memory: at most SCAN_STREAM_BATCHES_AHEAD_COUNT batches per
// core wait here (credit goes back only for a batch used up). Knows nothing of SQL or sockets.
import { SCAN_BATCH_ROWS_COUNT } from '../src/common/limits.js'
import { EngineFailureError, type ScanSortKey } from './api.js'
import { isNullAt, type ColumnVector, type RowsPartial } from './batch.js'
import type { StreamResponse } from './bridge/core-client.js'
import type { EncodedDataRows } from '../src/common/datarow-encoder.js'

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
   * Up to SCAN_BATCH_ROWS_COUNT rows, smallest head first (ties: the lower core), until the batch is full or some
   * core's batch is used up while that core may still send (its next batch is waited for by the next call).
   */
  private merge(): RowsPartial {
    const runs: Array<{ readonly encoded: EncodedDataRows; readonly from: number; to: number }> = []
    let last: Head | null = null
    let rowCount = 0
    while (rowCount < SCAN_BATCH_ROWS_COUNT) {
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
    for (let k = 0; k < this.keys.length; k++) {
      const order = compareKey(a.keys[k]!, a.row, b.keys[k]!, b.row, this.keys[k]!)
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

/** One key of two rows of two batches, as the cores sorted (ScanSortKey): NULLs placed, NaN above numbers. */
function compareKey(x: ColumnVector, i: number, y: ColumnVector, j: number, key: ScanSortKey): number {
  const isNullX = isNullAt(x, i)
  const isNullY = isNullAt(y, j)
  if (isNullX || isNullY) return isNullX === isNullY ? 0 : isNullX === key.nullsFirst ? -1 : 1
  let a: number | bigint | string
  let b: number | bigint | string
  if (x.kind === 'symbol') {
    a = x.dict[x.ids[i]!]!
    b = y.kind === 'symbol' ? y.dict[y.ids[j]!]! : ''
  } else if (x.kind === 'text') {
    a = x.values[i]!
    b = y.kind === 'text' ? y.values[j]! : ''
  } else {
    a = x.values[i]!
    b = y.kind === x.kind ? y.values[j]! : 0
  }
  let order: number
  if (a < b) order = -1
  else if (a > b) order = 1
  else if (a === b) order = 0
  else {
    const isNanA = Number.isNaN(a)
    order = isNanA === Number.isNaN(b) ? 0 : isNanA ? 1 : -1
  }
  return key.descending ? -order : order
}

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
