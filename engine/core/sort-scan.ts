// engine/core/sort-scan: ORDER BY on a core (StreamScanRequest.sort). The core reads its whole share of the scan,
// joins each needed column into one vector, ranks string keys' distinct values and sorts a permutation of its rows
// by typed key columns (IndexSorter, a step at a time: at most CORE_SORT_STEP_MS per tick, so cancels and ingests
// still get through; the join is one pass over the rows held), then hands out batches of sorted rows as DataRow
// bytes with their key columns, which the control side merges across cores (engine/sorted-merge.ts). The main thread
// never holds, sorts or encodes the rows (invariant 5). Memory: the rows held are bounded by the statement's row
// budget and CORE_SORT_BYTES_MAX (MemoryBudget past either; no spill). Runs inside a worker; knows nothing of files
// or SQL.
import { concatVectorsNow, gatherVector, rowComparator, type ColumnSortKey, type KeyColumn } from '../../src/common/column-order.js'
import type { ColumnDataRowEncoder, DataRowEncoding, EncodedDataRows } from '../../src/common/datarow-encoder.js'
import { isDbError } from '../../src/common/errors.js'
import { IndexSorter } from '../../src/common/index-sort.js'
import { CORE_SORT_BYTES_MAX, QUERY_ROWS_HELD_MAX_COUNT, SCAN_BATCH_ROWS_COUNT } from '../../src/common/limits.js'
import { EngineFailureError, type ScanSort } from '../api.js'
import type { ColumnVector, RowsPartial } from '../batch.js'
import type { ScanCursor } from '../timeseries/scan-cursor.js'
import { compareCodePoints } from '../../src/common/text-order.js'

/** Index units one IndexSorter.step is given between two readings of the clock. */
const SORT_STEP_WORK_COUNT = 4096

export class CoreSort {
  // The cursor's batches of each needed column (scan slot → parts) until the cursor is done.
  private parts: Map<number, ColumnVector[]>
  private heldBytes = 0
  private rowCount = 0
  private columns = new Map<number, ColumnVector>()
  private keys: PendingKey[] | null = null
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

  /** Reads, then ranks string keys, then sorts, until `deadlineMs` (performance.now()). Throws EngineFailureError. */
  work(deadlineMs: number): void {
    while (!this.cursor.isDone && performance.now() < deadlineMs) this.collect(this.cursor.step())
    if (!this.cursor.isDone) return
    if (this.keys === null) this.join()
    const keys = this.keys!
    // A string key's distinct values are ranked by a stepped sort of their own (a tag may have very many).
    for (const key of keys) {
      if (key.ranking === null) continue
      while (!key.ranking.isDone && performance.now() < deadlineMs) key.ranking.step(SORT_STEP_WORK_COUNT)
      if (!key.ranking.isDone) return
      key.column = rankedColumn(key.ranking.sorted, key.strings!, key.ids!)
      key.ranking = null
    }
    this.sorter ??= this.sorterOf(keys)
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
    const encoded = encodedOrFailure(encoder, gathered, to - from, this.encoding)
    if (encoded === null) throw new EngineFailureError({ kind: 'NotSupported', detail: 'a sorted scan\'s column has no DataRow writer' })
    const sortKeys = this.sort.keys.map((key) => compactSymbols(gatheredOf(key.column)))
    if (this.isDone) this.release()
    return { kind: 'RowsPartial', rowCount: to - from, columns: [], encoded, sortKeys }
  }

  /** Drops every row held (a cancel, or the last batch taken). */
  release(): void {
    this.cursor.close()
    this.parts.clear()
    this.columns.clear()
    this.keys = null
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

  /** Joins each needed column's batches into one vector, and starts each key's typed column (strings: their ranking). */
  private join(): void {
    for (const [slot, parts] of this.parts) {
      if (this.rowCount > 0) this.columns.set(slot, concatVectorsNow(parts, this.rowCount))
    }
    this.parts.clear()
    this.keys = this.rowCount === 0 ? [] : this.sort.keys.map((key) => pendingKeyOf(this.columns.get(key.column)!))
  }

  private sorterOf(keys: ReadonlyArray<PendingKey>): IndexSorter {
    const order = new Int32Array(this.rowCount)
    for (let row = 0; row < order.length; row++) order[row] = row
    if (this.rowCount === 0) return new IndexSorter(order, (a, b) => a - b)
    const sortKeys: ColumnSortKey[] = this.sort.keys.map(({ descending, nullsFirst }, k) => ({ column: keys[k]!.column!, descending, nullsFirst }))
    return new IndexSorter(order, rowComparator(sortKeys))
  }
}

/**
 * The rows as DataRows; a value nodedb cannot print exactly (a zone abbreviation it does not know: 0A000) fails the
 * scan with its own message, since a sorted scan's batches must be DataRows (sql/exec/sort-core.ts checked the writers).
 */
function encodedOrFailure(encoder: ColumnDataRowEncoder, columns: ReadonlyArray<ColumnVector>, rowCount: number,
  encoding: DataRowEncoding): EncodedDataRows | null {
  try {
    return encoder.encodeBatch(columns, rowCount, encoding, true)
  } catch (error) {
    if (!isDbError(error)) throw error
    throw new EngineFailureError({ kind: 'NotSupported', detail: error.message })
  }
}

/** A key's typed column, or for strings the stepped sort of their distinct values that gives their ranks. */
interface PendingKey {
  column: KeyColumn | null
  ranking: IndexSorter | null
  readonly strings: ReadonlyArray<string> | null
  /** Per row, its string's index in `strings` (-1: NULL). */
  readonly ids: Int32Array | null
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

/** A key as numbers that order as its values: fixed-width kinds as they are, strings ranked (UTF-16 order) later. */
function pendingKeyOf(vector: ColumnVector): PendingKey {
  switch (vector.kind) {
    case 'symbol': return rankingOf(vector.ids, vector.dict)
    case 'text': {
      const entryOf = new Map<string, number>()
      const distinct: string[] = []
      const ids = new Int32Array(vector.values.length)
      for (let row = 0; row < ids.length; row++) {
        const value = vector.values[row] ?? null
        if (value === null) ids[row] = -1
        else ids[row] = entryOf.get(value) ?? entryOf.set(value, distinct.push(value) - 1).get(value)!
      }
      return rankingOf(ids, distinct)
    }
    default: {
      const { nulls } = vector
      const column: KeyColumn = { values: vector.values, isNull: nulls === undefined || !nulls.includes(1) ? null : (row) => nulls[row] === 1 }
      return { column, ranking: null, strings: null, ids: null }
    }
  }
}

function rankingOf(ids: Int32Array, strings: ReadonlyArray<string>): PendingKey {
  const entries = new Int32Array(strings.length)
  for (let entry = 0; entry < entries.length; entry++) entries[entry] = entry
  const compare = (a: number, b: number): number => compareCodePoints(strings[a]!, strings[b]!) || a - b
  return { column: null, ranking: new IndexSorter(entries, compare), strings, ids }
}

/** ids (-1 NULL) as the rank of their string: `byText` lists the strings' indexes in order; equal strings share a rank. */
function rankedColumn(byText: Int32Array, strings: ReadonlyArray<string>, ids: Int32Array): KeyColumn {
  const ranks = new Int32Array(strings.length)
  let rank = 0
  for (let i = 0; i < byText.length; i++) {
    if (i > 0 && strings[byText[i - 1]!] !== strings[byText[i]!]) rank++
    ranks[byText[i]!] = rank
  }
  const values = new Int32Array(ids.length)
  let hasNull = false
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!
    hasNull ||= id < 0
    values[row] = id < 0 ? -1 : ranks[id]!
  }
  return { values, isNull: hasNull ? (row) => values[row] === -1 : null }
}

/** A tag's rows with a dictionary of only the entries they use (the column's own may be far larger than a batch). */
function compactSymbols(vector: ColumnVector): ColumnVector {
  if (vector.kind !== 'symbol' || vector.dict.length <= vector.ids.length) return vector
  const entryOf = new Map<number, number>()
  const dict: string[] = []
  const ids = new Int32Array(vector.ids.length)
  for (let row = 0; row < ids.length; row++) {
    const id = vector.ids[row]!
    ids[row] = id < 0 ? -1 : entryOf.get(id) ?? entryOf.set(id, dict.push(vector.dict[id]!) - 1).get(id)!
  }
  return { kind: 'symbol', ids, dict }
}
