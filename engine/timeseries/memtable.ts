// engine/timeseries/memtable: columnar append buffers for one (table, vShard) on one core; out-of-order rows are
// accepted as they come. Also wraps decoded segment row groups (fromVectors) so scans run one kernel over both.
// Knows nothing of WAL, rings, files or SQL.
import { assert } from '../../src/common/assert.js'
import { collectOutgrown } from '../../src/common/release-buffer.js'
import { vectorLength, type ColumnBatch, type ColumnVector } from '../batch.js'
import { SEGMENT_ROW_GROUP_ROWS_COUNT } from '../../src/common/limits.js'
import { isZeroNulls, zeroIds, zeroNulls } from './memtable-zeros.js'
import type { TableSchema } from '../ops.js'
import { TimeRuns, type RowRanges } from './time-runs.js'
import { anyNull, gatherF64, gatherI64, gatherNulls, isOneSeriesRun, nextRemapStamp, REMAP } from './memtable-append.js'

/**
 * One column's storage. Numeric kinds keep a null byte per row (1 = NULL); symbols keep a per-memtable dictionary.
 * Appended columns start with views of shared zeros instead of arrays of their own (issue 10: bytes per row held):
 * a null map until a row is NULL (`isNullsShared`), a symbol's ids until a row holds another id than 0 (`isIdsShared`:
 * a TSBS memtable holds one series, so each tag one value). Readers see ordinary arrays; nothing but the memtable's
 * append writes them, and it gives a column an array of its own before its first write that is not a zero.
 */
export type MemColumn =
  | { readonly kind: 'timestamp' | 'f64'; values: Float64Array; nulls: Uint8Array; isNullsShared?: boolean }
  | { readonly kind: 'i64'; values: BigInt64Array; nulls: Uint8Array; isNullsShared?: boolean }
  | { readonly kind: 'bool'; values: Uint8Array; nulls: Uint8Array; isNullsShared?: boolean }
  | { readonly kind: 'symbol'; ids: Int32Array; readonly dict: string[]; readonly lookup: Map<string, number>; isIdsShared?: boolean }
  | { readonly kind: 'text'; readonly values: (string | null)[] }

/** An appendable column of `capacity` rows, all NULL when `isNull`; else its null map or ids are shared zeros. */
function newColumn(kind: MemColumn['kind'], capacity: number, isNull = false): MemColumn {
  const nulls = () => isNull ? new Uint8Array(capacity).fill(1) : zeroNulls(capacity)
  const isNullsShared = !isNull
  switch (kind) {
    case 'timestamp': case 'f64':
      return { kind, values: new Float64Array(capacity), nulls: nulls(), isNullsShared }
    case 'i64': return { kind, values: new BigInt64Array(capacity), nulls: nulls(), isNullsShared }
    case 'bool': return { kind, values: new Uint8Array(capacity), nulls: nulls(), isNullsShared }
    case 'symbol':
      return isNull
        ? { kind, ids: new Int32Array(capacity).fill(-1), dict: [], lookup: new Map() }
        : { kind, ids: zeroIds(capacity), dict: [], lookup: new Map(), isIdsShared: true }
    case 'text': return { kind, values: isNull ? new Array<string | null>(capacity).fill(null) : [] }
    default: return assertNeverKind(kind)
  }
}

/**
 * Zero bytes shared by every decoded column without NULLs (a view of its first rowCount bytes): no null map is
 * allocated per column per row group and scan, and a kernel knows such a column has no NULL without reading it
 * (isSharedNoNulls). Never written: a decoded memtable is read-only, and appending to one grows (copies) it first.
 */
// Sized for a whole segment row group from the start, so the views cached chunks keep (chunk-cache.ts) stay
// recognisable; only a memtable larger than a row group grows it.
let sharedNoNulls = new Uint8Array(SEGMENT_ROW_GROUP_ROWS_COUNT)

export function noNulls(rowCount: number): Uint8Array {
  if (sharedNoNulls.length < rowCount) sharedNoNulls = new Uint8Array(Math.max(rowCount, 2 * sharedNoNulls.length))
  return sharedNoNulls.subarray(0, rowCount)
}

/** The null map is (a view of) the shared all-zero one: the column has no NULL. */
export function isSharedNoNulls(nulls: Uint8Array): boolean {
  return nulls.buffer === sharedNoNulls.buffer || isZeroNulls(nulls)
}

/** A decoded vector as a memtable column (shares the typed arrays; symbol lookups are not needed for reading). */
function memColumnOf(vector: ColumnVector, rowCount: number): MemColumn {
  switch (vector.kind) {
    case 'timestamp': case 'f64': return { kind: vector.kind, values: vector.values, nulls: vector.nulls ?? noNulls(rowCount) }
    case 'i64': return { kind: vector.kind, values: vector.values, nulls: vector.nulls ?? noNulls(rowCount) }
    case 'bool': return { kind: vector.kind, values: vector.values, nulls: vector.nulls ?? noNulls(rowCount) }
    // Read-only (nothing appends to a decoded memtable): the dictionary and strings are shared, not copied.
    case 'symbol': return { kind: vector.kind, ids: vector.ids, dict: vector.dict as string[], lookup: noLookup }
    case 'text': return { kind: vector.kind, values: vector.values as (string | null)[] }
    default: return assertNeverKind(vector)
  }
}

/** The lookup of every decoded symbol column (never used: lookups serve appends only). */
const noLookup = new Map<string, number>()

/**
 * A column a scan does not read, one per kind, shared by every decoded row group: no row of it is ever looked at, so
 * it is empty, and building a row group allocates nothing for the table's other columns.
 */
const unreadColumns = new Map<MemColumn['kind'], MemColumn>()

function unreadColumn(kind: MemColumn['kind']): MemColumn {
  let column = unreadColumns.get(kind)
  if (column === undefined) unreadColumns.set(kind, column = newColumn(kind, 0))
  return column
}

function assertNeverKind(kind: never): never {
  throw new Error(`unexpected column kind ${String(kind)}`)
}

/**
 * How much a memtable's arrays grow when an append does not fit (at least to the rows it needs). Growth allocates
 * f/(f−1) times the rows held and copies 1/(f−1) times them: at 1.5 (session 9, for RSS) that was 3× and 2×, and the
 * ArrayBuffers it drops drove most of a core's GCs under ingest (~13% of its CPU, `core-ingest`); at 2, 2× and 1×, for
 * arrays at least half full (issue 10; ARCHITECTURE.md "ILP ingest cost").
 */
export const MEMTABLE_GROWTH_FACTOR = 2

function grown<T extends Float64Array | BigInt64Array | Uint8Array | Int32Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity)
  next.set(array as never)
  return next
}

/**
 * Bytes one row costs in a column, for the memtable budget (text counts 2 bytes per UTF-16 unit plus a slot; shared
 * null maps and ids cost nothing per row).
 */
function rowBytesOf(column: MemColumn): number {
  switch (column.kind) {
    case 'timestamp': case 'f64': case 'i64': return column.isNullsShared === true ? 8 : 9
    case 'bool': return column.isNullsShared === true ? 1 : 2
    case 'symbol': return column.isIdsShared === true ? 0 : 4
    case 'text': return 8
    default: return assertNeverKind(column)
  }
}

function isSharingZeros(column: MemColumn): boolean {
  return (column.kind === 'symbol' ? column.isIdsShared : column.kind === 'text' ? false : column.isNullsShared) === true
}

type NullsColumn = { nulls: Uint8Array; isNullsShared?: boolean }

/** A column's null map of its own (zeros), of `capacity` rows, before its first NULL is written. */
function ownNulls(column: NullsColumn, capacity: number): Uint8Array {
  if (column.isNullsShared === true) {
    column.nulls = new Uint8Array(capacity)
    column.isNullsShared = false
  }
  return column.nulls
}

/** A symbol column's ids of its own (zeros), of `capacity` rows, before its first id other than 0 is written. */
function ownIds(column: { ids: Int32Array; isIdsShared?: boolean }, capacity: number): Int32Array {
  if (column.isIdsShared === true) {
    column.ids = new Int32Array(capacity)
    column.isIdsShared = false
  }
  return column.ids
}

export class Memtable {
  readonly columns: MemColumn[]
  private rows = 0
  /** Rows the columns' arrays hold room for: none until the first append, which sizes them to its rows. */
  private capacity = 0
  private variableBytes = 0
  /** Bytes a row costs over every column (rowBytesOf); -1 until computed, again when a column stops sharing zeros. */
  private rowBytes = -1
  /** The time index, built by the first scan that asks (appends do not pay for it). */
  private timeRuns: TimeRuns | undefined

  constructor(public schema: TableSchema, decoded?: { columns: MemColumn[]; rowCount: number; timeRuns?: TimeRuns }) {
    if (decoded === undefined) {
      this.columns = schema.columns.map((column) => newColumn(column.kind, this.capacity))
      return
    }
    this.columns = decoded.columns
    this.rows = decoded.rowCount
    this.capacity = decoded.rowCount
    this.timeRuns = decoded.timeRuns
  }

  /**
   * A read-only memtable over decoded vectors (a segment row group). `vectors[c]` undefined means the column was not
   * read (not needed by the scan): it gets an empty column that no kernel of that scan touches. Columns the segment
   * predates (added to the table later) are passed as undefined too and read as NULL via `nullColumns`.
   */
  static fromVectors(schema: TableSchema, rowCount: number, vectors: ReadonlyArray<ColumnVector | undefined>,
    nullColumns: ReadonlySet<number> = new Set(), timeRuns?: TimeRuns): Memtable {
    const columns = schema.columns.map((column, c) => {
      const vector = vectors[c]
      if (vector === undefined) return nullColumns.has(c) ? newColumn(column.kind, rowCount, true) : unreadColumn(column.kind)
      assert(vectorLength(vector) === rowCount, 'decoded vectors have the row group length')
      return memColumnOf(vector, rowCount)
    })
    return new Memtable(schema, { columns, rowCount, timeRuns })
  }

  get rowCount(): number {
    return this.rows
  }

  /**
   * The rows of [fromRow, toRow) whose timestamp passes the scan's time test, from the time index (folded in up to
   * the current row count first); null when the index cannot answer (rows far out of order, or a decoded row group
   * whose timestamps were not read) and every row must be tested.
   */
  timeRanges(range: { fromRow: number; toRow: number; fromUs: number; toUs: number }): RowRanges | null {
    const ts = this.columns[this.schema.timestampIndex]
    if (ts?.kind !== 'timestamp' || ts.values.length < this.rows) return null
    // No time bound: every row passes the time test (NaN too), so no index is needed (a scan of decoded row groups
    // builds none).
    if (range.fromUs === Number.NEGATIVE_INFINITY && range.toUs === Number.POSITIVE_INFINITY) {
      return range.fromRow < range.toRow ? [range.fromRow, range.toRow] : []
    }
    this.timeRuns ??= new TimeRuns()
    if (!this.timeRuns.extend(ts.values, this.rows)) return null
    return this.timeRuns.ranges(ts.values, range)
  }

  /**
   * Approximate bytes of the rows held (plus strings), for the per-core budget. The arrays hold at most
   * MEMTABLE_GROWTH_FACTOR times this (the first append sizes them exactly, each growth takes at most that factor),
   * so the budget bounds the memory really held too (issue 10).
   */
  get sizeBytes(): number {
    if (this.rowBytes < 0) {
      // Cached: a core adds up every memtable's size for every request it answers (issue 10).
      this.rowBytes = 0
      for (const column of this.columns) this.rowBytes += rowBytesOf(column)
    }
    return this.rowBytes * this.rows + this.variableBytes
  }

  /**
   * Appends rows `rows[0..count)` of `batch` (row indices into the batch), whose columns are the schema's or a prefix
   * of them (a batch built before AddColumnsOp): the columns it lacks get NULL.
   */
  appendRows(batch: ColumnBatch, rows: Int32Array, count: number): void {
    this.reserveRows(batch, count)
    for (let c = 0; c < this.columns.length; c++) this.appendColumnRows(c, batch, rows, count)
    this.commitRows(count)
  }

  /**
   * appendRows in three steps, so a caller filling many memtables from one batch can go column by column across them
   * (core-storage.ts: each source column is then read while it is in cache): reserveRows, appendColumnRows for every
   * column index below `columnCount`, commitRows. Nothing reads the rows before commitRows.
   */
  reserveRows(batch: ColumnBatch, count: number): void {
    assert(batch.columns.length <= this.columns.length, 'batch columns are a prefix of the memtable schema')
    this.ensureCapacity(this.rows + count)
  }

  /** Room for `rows` rows in every column's arrays from now on (an append then allocates nothing up to them). */
  reserveCapacity(rows: number): void {
    this.ensureCapacity(rows)
  }

  /**
   * Empties it to take rows again with the arrays it has (no allocation; what they held is overwritten by appends):
   * after a seal, when no scan cursor holds it. Dictionaries and strings start anew (the sealed block keeps the old).
   */
  clearRows(): void {
    this.columns.forEach((column, c) => {
      if (column.kind === 'symbol') this.columns[c] = { kind: 'symbol', ids: column.ids, dict: [], lookup: new Map(), isIdsShared: column.isIdsShared }
      else if (column.kind === 'text') this.columns[c] = { kind: 'text', values: [] }
    })
    this.rows = 0
    this.variableBytes = 0
    this.rowBytes = -1
    this.timeRuns = undefined
  }

  get columnCount(): number {
    return this.columns.length
  }

  /** Column `c` of rows `rows[0..count)` of `batch` (NULL where the batch lacks the column), after reserveRows. */
  appendColumnRows(c: number, batch: ColumnBatch, rows: Int32Array, count: number): void {
    const vector = batch.columns[c]
    const column = this.columns[c]!
    const wasShared = isSharingZeros(column)
    if (vector === undefined) this.appendNulls(column, count)
    else this.appendColumn(column, vector, rows, count)
    if (wasShared && !isSharingZeros(column)) this.rowBytes = -1
  }

  commitRows(count: number): void {
    this.rows += count
  }

  /**
   * The table gained columns (AddColumnsOp appends them): rows already held read NULL in them. Only a schema that
   * extends the current one is accepted.
   */
  addColumns(schema: TableSchema): void {
    assert(schema.columns.length >= this.columns.length, 'a schema only gains columns')
    for (let c = this.columns.length; c < schema.columns.length; c++) {
      const column = newColumn(schema.columns[c]!.kind, this.capacity, true)
      if (column.kind === 'text') column.values.length = this.rows
      this.columns.push(column)
    }
    this.rowBytes = -1
    this.schema = schema
  }

  private appendNulls(column: MemColumn, count: number): void {
    const at = this.rows
    switch (column.kind) {
      case 'symbol': ownIds(column, this.capacity).fill(-1, at, at + count); break
      case 'text': for (let i = 0; i < count; i++) column.values.push(null); break
      default: ownNulls(column, this.capacity).fill(1, at, at + count)
    }
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return
    const capacity = Math.max(needed, Math.ceil(this.capacity * MEMTABLE_GROWTH_FACTOR))
    for (const column of this.columns) {
      switch (column.kind) {
        case 'timestamp': case 'f64': case 'i64': case 'bool':
          column.values = grown(column.values, capacity)
          column.nulls = column.isNullsShared === true ? zeroNulls(capacity) : grown(column.nulls, capacity)
          break
        case 'symbol': column.ids = column.isIdsShared === true ? zeroIds(capacity) : grown(column.ids, capacity); break
        case 'text': break
        default: assertNeverKind(column)
      }
    }
    this.capacity = capacity
    collectOutgrown(this.sizeBytes - this.variableBytes) // the arrays just replaced (their rows filled them)
  }

  private appendColumn(column: MemColumn, vector: ColumnVector, rows: Int32Array, count: number): void {
    if (column.kind !== vector.kind) assert(false, `column kind ${column.kind} receives ${vector.kind}`)
    const at = this.rows
    if (column.kind === 'symbol' && vector.kind === 'symbol') {
      this.appendSymbols(column, vector, rows, count)
    } else if (column.kind === 'text' && vector.kind === 'text') {
      for (let i = 0; i < count; i++) {
        const value = vector.values[rows[i]!] ?? null
        column.values.push(value)
        if (value !== null) this.variableBytes += value.length * 2
      }
    } else if ((column.kind === 'timestamp' || column.kind === 'f64') && (vector.kind === 'timestamp' || vector.kind === 'f64')) {
      gatherF64(column.values, vector.values, rows, count, at)
      this.appendNullMap(column, vector.nulls, rows, count)
    } else if (column.kind === 'i64' && vector.kind === 'i64') {
      gatherI64(column.values, vector.values, rows, count, at)
      this.appendNullMap(column, vector.nulls, rows, count)
    } else if (column.kind === 'bool' && vector.kind === 'bool') {
      gatherNulls(column.values, vector.values, rows, count, at)
      this.appendNullMap(column, vector.nulls, rows, count)
    }
  }

  /** The rows' null flags; a shared map stays shared while none of them is NULL (its zeros already say so). */
  private appendNullMap(column: NullsColumn, from: Uint8Array | undefined, rows: Int32Array, count: number): void {
    if (column.isNullsShared === true && (from === undefined || !anyNull(from, rows, count))) return
    gatherNulls(ownNulls(column, this.capacity), from, rows, count, this.rows)
  }

  private appendSymbols(
    column: Extract<MemColumn, { kind: 'symbol' }>, vector: Extract<ColumnVector, { kind: 'symbol' }>,
    rows: Int32Array, count: number,
  ): void {
    if (isOneSeriesRun(column, vector, rows, count)) return
    // The batch's dictionary ids are remapped to this memtable's, once per distinct id per call: REMAP's entry for
    // an id holds when its stamp is this call's (no array allocated and filled per call: a record's symbol columns
    // reach every memtable it touches, issue 10).
    const stamp = nextRemapStamp(vector.dict.length)
    const at = this.rows
    for (let i = 0; i < count; i++) {
      const id = vector.ids[rows[i]!]!
      if (id === -1) {
        ownIds(column, this.capacity)[at + i] = -1
        continue
      }
      let local: number
      if (REMAP.stamps[id] === stamp) {
        local = REMAP.locals[id]!
      } else {
        const text = vector.dict[id]!
        local = column.lookup.get(text) ?? -1
        if (local === -1) {
          local = column.dict.length
          column.dict.push(text)
          column.lookup.set(text, local)
          this.variableBytes += text.length * 2 + 32
        }
        REMAP.stamps[id] = stamp
        REMAP.locals[id] = local
      }
      if (local !== 0 || column.isIdsShared !== true) ownIds(column, this.capacity)[at + i] = local
    }
  }
}

/** True when the cell is NULL. */
export function isMemNull(column: MemColumn, row: number): boolean {
  switch (column.kind) {
    case 'symbol': return column.ids[row] === -1
    case 'text': return column.values[row] === null
    default: return column.nulls[row] === 1
  }
}
