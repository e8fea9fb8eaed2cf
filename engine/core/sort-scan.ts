// engine/core/sort-scan: ORDER BY on a core (StreamScanRequest.sort). The core reads its whole share of the scan,
// joins each needed column into one vector, sorts a permutation of its rows by typed key columns (IndexSorter, a
// step at a time: at most CORE_SORT_STEP_MS per tick, so cancels and ingests still get through), then hands out
// batches of sorted rows as DataRow bytes with their key columns, which the control side merges across cores
// (engine/sorted-merge.ts). The main thread never holds, sorts or encodes the rows (invariant 5). Memory: the rows
// held are bounded by the statement's row budget and CORE_SORT_BYTES_MAX (MemoryBudget past either; no spill).
// Runs inside a worker; knows nothing of files or SQL.
import { concatVectorsNow, gatherVector, rowComparator, type ColumnSortKey, type KeyColumn } from '../../src/common/column-order.js'
import type { ColumnDataRowEncoder, DataRowEncoding } from '../../src/common/datarow-encoder.js'
import { IndexSorter } from '../../src/common/index-sort.js'
import { CORE_SORT_BYTES_MAX, QUERY_ROWS_HELD_MAX_COUNT, SCAN_BATCH_ROWS_COUNT } from '../../src/common/limits.js'
import { EngineFailureError, type ScanSort } from '../api.js'
import type { ColumnVector, RowsPartial } from '../batch.js'
import type { ScanCursor } from '../timeseries/scan-cursor.js'

/** Index units one IndexSorter.step is given between two readings of the clock. */
const SORT_STEP_WORK_COUNT = 4096

export class CoreSort {
  // The cursor's batches of each needed column (scan slot → parts) until the cursor is done.
  private parts: Map<number, ColumnVector[]>
  private heldBytes = 0
  private rowCount = 0
  private columns = new Map<number, ColumnVector>()
  private sorter: IndexSorter | null = null
  private order: Int32Array | null = null
  private nextRow = 0

  constructor(private readonly cursor: ScanCursor, private readonly sort: ScanSort, private readonly encoding: DataRowEncoding) {
    const slots = new Set([...sort.keys.map((key) => key.column), ...encoding.columns.map((column) => column.slot)])
    this.parts = new Map([...slots].map((slot) => [slot, []]))
  }

  /** Every row is read and sorted: batches may go. */
  get isSorted(): boolean {
    return this.order !== null
  }

  /** Every sorted row was handed out. */
  get isDone(): boolean {
    return this.order !== null && this.nextRow >= this.order.length
  }

  /** Reads, then sorts, until `deadlineMs` (performance.now()). Throws EngineFailureError (MemoryBudget, a scan's). */
  work(deadlineMs: number): void {
    while (!this.cursor.isDone && performance.now() < deadlineMs) this.collect(this.cursor.step())
    if (!this.cursor.isDone) return
    this.sorter ??= this.sorterOf()
    while (!this.sorter.isDone && performance.now() < deadlineMs) this.sorter.step(SORT_STEP_WORK_COUNT)
    if (this.sorter.isDone) this.order = this.sorter.sorted
  }

  /** The next ≤ SCAN_BATCH_ROWS_COUNT sorted rows as DataRows with their key columns (`sortKeys`). */
  take(encoder: ColumnDataRowEncoder): RowsPartial {
    const order = this.order!
    const from = this.nextRow
    const to = Math.min(order.length, from + SCAN_BATCH_ROWS_COUNT)
    this.nextRow = to
    if (to === from) return { kind: 'RowsPartial', rowCount: 0, columns: [], sortKeys: [] }
    const gathered: ColumnVector[] = []
    const gatheredOf = (slot: number): ColumnVector => (gathered[slot] ??= gatherVector(this.columns.get(slot)!, order, from, to))
    for (const { slot } of this.encoding.columns) gatheredOf(slot)
    const encoded = encoder.encodeBatch(gathered, to - from, this.encoding)
    if (encoded === null) throw new EngineFailureError({ kind: 'NotSupported', detail: 'a sorted scan\'s column has no DataRow writer' })
    const sortKeys = this.sort.keys.map((key) => gatheredOf(key.column))
    if (this.isDone) this.release()
    return { kind: 'RowsPartial', rowCount: to - from, columns: [], encoded, sortKeys }
  }

  /** Drops every row held (a cancel, or the last batch taken). */
  release(): void {
    this.cursor.close()
    this.parts.clear()
    this.columns.clear()
    this.sorter = null
    if (this.order !== null) this.order = this.order.subarray(this.order.length)
  }

  private collect(partial: RowsPartial): void {
    if (partial.rowCount === 0) return
    this.rowCount += partial.rowCount
    if (this.rowCount > this.sort.rowsMax) {
      throw memoryBudget(`${this.sort.what} would hold more than ${QUERY_ROWS_HELD_MAX_COUNT} rows of this statement (QUERY_ROWS_HELD_MAX_COUNT)`)
    }
    for (const [slot, parts] of this.parts) {
      const vector = partial.columns[slot]!
      parts.push(vector)
      this.heldBytes += vectorBytes(vector)
    }
    // Joining copies every column once, and the sort adds two permutations and the key columns.
    if (2 * this.heldBytes + 16 * this.rowCount > CORE_SORT_BYTES_MAX) {
      throw memoryBudget(`${this.sort.what} would hold more than ${CORE_SORT_BYTES_MAX / (1024 * 1024)} MiB on one core (CORE_SORT_BYTES_MAX)`)
    }
  }

  /** Joins the batches and builds the comparator; the first sort step follows. */
  private sorterOf(): IndexSorter {
    for (const [slot, parts] of this.parts) {
      if (this.rowCount > 0) this.columns.set(slot, concatVectorsNow(parts, this.rowCount))
    }
    this.parts.clear()
    const order = new Int32Array(this.rowCount)
    for (let row = 0; row < order.length; row++) order[row] = row
    if (this.rowCount === 0) return new IndexSorter(order, (a, b) => a - b)
    const keys: ColumnSortKey[] = this.sort.keys.map(({ column, descending, nullsFirst }) => ({ column: keyColumnOf(this.columns.get(column)!), descending, nullsFirst }))
    return new IndexSorter(order, rowComparator(keys))
  }
}

function memoryBudget(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'MemoryBudget', detail })
}

/** What a batch's vector costs held (strings: two bytes a code unit and a header). */
function vectorBytes(vector: ColumnVector): number {
  switch (vector.kind) {
    case 'symbol': return 4 * vector.ids.length
    case 'text': return vector.values.reduce((sum, value) => sum + 16 + 2 * (value?.length ?? 0), 0)
    default: return vector.values.byteLength + (vector.nulls?.byteLength ?? 0)
  }
}

/** A key as numbers that order as its values: fixed-width kinds as they are, strings as their rank (UTF-16 order). */
function keyColumnOf(vector: ColumnVector): KeyColumn {
  switch (vector.kind) {
    case 'symbol': return rankedKey(vector.ids, vector.dict)
    case 'text': {
      const entryOf = new Map<string, number>()
      const distinct: string[] = []
      const ids = new Int32Array(vector.values.length)
      for (let row = 0; row < ids.length; row++) {
        const value = vector.values[row] ?? null
        if (value === null) ids[row] = -1
        else ids[row] = entryOf.get(value) ?? entryOf.set(value, distinct.push(value) - 1).get(value)!
      }
      return rankedKey(ids, distinct)
    }
    default: {
      const { nulls } = vector
      return { values: vector.values, isNull: nulls === undefined || !nulls.includes(1) ? null : (row) => nulls[row] === 1 }
    }
  }
}

/** ids (-1 NULL) into `strings` as each string's rank among them. */
function rankedKey(ids: Int32Array, strings: ReadonlyArray<string>): KeyColumn {
  const byText = strings.map((_, index) => index).sort((a, b) => (strings[a]! < strings[b]! ? -1 : strings[a]! > strings[b]! ? 1 : 0))
  const ranks = new Int32Array(strings.length)
  byText.forEach((entry, rank) => { ranks[entry] = rank })
  const values = new Int32Array(ids.length)
  let hasNull = false
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!
    hasNull ||= id < 0
    values[row] = id < 0 ? -1 : ranks[id]!
  }
  return { values, isNull: hasNull ? (row) => values[row] === -1 : null }
}
