// sql/exec/copy-columns: the rows of one COPY FROM, appended column by column into growing typed arrays (no row
// objects), and turned into ONE ColumnBatch at CopyDone. Values arrive already cast to each column's SQL type and
// are stored exactly as sql/exec/build-batch.ts stores INSERT's. Every append is charged to the COPY's byte budget
// (COPY_BATCH_BYTES_MAX, 54000) and to the budget all sessions' COPYs share (COPY_BUFFERED_BYTES_TOTAL_MAX, 53200).
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import type { ColumnSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import { outOfMemory, programLimitExceeded } from '../../src/common/errors.js'
import { COPY_BATCH_BYTES_MAX, COPY_BUFFERED_BYTES_TOTAL_MAX } from '../../src/common/limits.js'
import type { SqlValue } from '../api.js'

const INITIAL_ROWS_COUNT = 1024
const TEXT_OVERHEAD_BYTES = 16

/** Bytes charged by every COPY of this thread that has not finished (its memory is freed then). */
let bufferedBytesTotal = 0
/** This thread's share of COPY_BUFFERED_BYTES_TOTAL_MAX (the event loop and each COPY parse worker hold one). */
let bufferedBytesTotalMax = COPY_BUFFERED_BYTES_TOTAL_MAX

/** Sets this thread's share of the COPY buffer budget (copy-parse-pool.ts splits it between the threads). */
export function setCopyBufferedBytesShare(bytes: number): void {
  bufferedBytesTotalMax = bytes
}

type Numbers = Float64Array | BigInt64Array | Uint8Array | Int32Array
type NumbersType<T extends Numbers> = new (length: number) => T

/**
 * Column arrays kept from COPYs whose rows never left their thread (a parse worker's lean COPYs), for the next COPYs'
 * columns: a 50 k-row COPY's ~8 MiB of arrays, and the doublings before them, are then neither allocated (zeroed,
 * page-faulted) nor collected again; each thread's own, at most `bytesMax` kept. A kept array holds old values: every
 * row a builder writes sets its value (NULL rows too), and a batch is a view of its first rows only.
 */
export class ColumnArrayPool {
  private readonly free = new Map<NumbersType<Numbers>, Numbers[]>()
  private keptBytes = 0

  constructor(private readonly bytesMax: number) {}

  /** An array of `type` of at least `length` (the largest kept; a new one if none is that long). */
  take<T extends Numbers>(type: NumbersType<T>, length: number): T {
    const kept = this.free.get(type)
    const array = kept?.pop()
    if (array === undefined) return new type(length)
    this.keptBytes -= array.byteLength
    return array.length >= length ? array as T : new type(length)
  }

  give(array: Numbers): void {
    if (array.length === 0 || this.keptBytes + array.byteLength > this.bytesMax) return
    const type = array.constructor as NumbersType<Numbers>
    const kept = this.free.get(type) ?? []
    // Largest last: take pops it, so a COPY starts with the room of the largest before it.
    kept.push(array)
    kept.sort((a, b) => a.length - b.length)
    this.free.set(type, kept)
    this.keptBytes += array.byteLength
  }
}

/** The pool of threads that keep no arrays (the event loop's inline COPYs: their batch leaves with the IngestOp). */
const NO_POOL = new ColumnArrayPool(0)

function grown<T extends Numbers>(array: T, rowCount: number): T {
  if (rowCount < array.length) return array
  const next = new (array.constructor as new (length: number) => T)(array.length * 2)
  next.set(array as never)
  return next
}

export class ColumnBuilder {
  private f64 = new Float64Array(0)
  private i64 = new BigInt64Array(0)
  private bytes = new Uint8Array(0)
  private ids = new Int32Array(0)
  private texts: Array<string | null> = []
  private nulls: Uint8Array | null = null
  private readonly dict: string[] = []
  private readonly dictIndex = new Map<string, number>()
  readonly fixedBytes: number

  constructor(readonly column: ColumnSchema, pool: ColumnArrayPool) {
    const kind = column.kind
    if (kind === 'timestamp' || kind === 'f64') this.f64 = pool.take(Float64Array, INITIAL_ROWS_COUNT)
    if (kind === 'i64') this.i64 = pool.take(BigInt64Array, INITIAL_ROWS_COUNT)
    if (kind === 'bool') this.bytes = pool.take(Uint8Array, INITIAL_ROWS_COUNT)
    if (kind === 'symbol') this.ids = pool.take(Int32Array, INITIAL_ROWS_COUNT)
    this.fixedBytes = kind === 'bool' ? 1 : kind === 'symbol' ? 4 : kind === 'text' ? 8 : 8
  }

  /** Gives the value arrays to `pool`; the builder and every batch of its views are unused from now on. */
  recycle(pool: ColumnArrayPool): void {
    for (const array of [this.f64, this.i64, this.bytes, this.ids]) pool.give(array)
    this.f64 = new Float64Array(0)
    this.i64 = new BigInt64Array(0)
    this.bytes = new Uint8Array(0)
    this.ids = new Int32Array(0)
  }

  /** Room for row `row` in the fixed-width arrays (the fast path's setters write without checking). */
  ensureRow(row: number): void {
    const kind = this.column.kind
    if (kind === 'timestamp' || kind === 'f64') this.f64 = grown(this.f64, row)
    else if (kind === 'symbol') this.ids = grown(this.ids, row)
  }

  /** Rows the fixed-width array the fast path's setters write can hold (Infinity: this kind is never set directly). */
  get settableRows(): number {
    const kind = this.column.kind
    if (kind === 'timestamp' || kind === 'f64') return this.f64.length
    return kind === 'symbol' ? this.ids.length : Infinity
  }

  /** A timestamp or f64 column's array, for the fast path to store into (rows up to ensureRow's; replaced by growth). */
  get f64Values(): Float64Array {
    return this.f64
  }

  /** Row `row` of a symbol column as an id of this builder's dictionary (from symbolId), after ensureRow. */
  setSymbolId(row: number, id: number): void {
    this.ids[row] = id
  }

  /** The dictionary id of `text` (added if new) and the bytes a new entry costs. */
  symbolId(text: string): { readonly id: number; readonly addedBytes: number } {
    const id = this.dictIndex.get(text)
    if (id !== undefined) return { id, addedBytes: 0 }
    this.dict.push(text)
    this.dictIndex.set(text, this.dict.length - 1)
    return { id: this.dict.length - 1, addedBytes: text.length + TEXT_OVERHEAD_BYTES }
  }

  /** Appends row `row`'s value; returns the bytes it adds beyond the fixed width (new dictionary or text bytes). */
  append(row: number, value: SqlValue): number {
    switch (this.column.kind) {
      case 'timestamp': case 'f64':
        // A NULL row's value is 0, as in a fresh array (a kept one holds old values: ColumnArrayPool).
        this.f64 = grown(this.f64, row)
        if (value === null) this.markNull(row)
        this.f64[row] = value === null ? 0 : Number(value)
        return 0
      case 'i64':
        this.i64 = grown(this.i64, row)
        if (value === null) this.markNull(row)
        this.i64[row] = value === null || typeof value === 'object' ? 0n : BigInt(value)
        return 0
      case 'bool':
        this.bytes = grown(this.bytes, row)
        if (value === null) this.markNull(row)
        this.bytes[row] = value === true ? 1 : 0
        return 0
      case 'symbol': return this.appendSymbol(row, value)
      case 'text': {
        const text = value === null ? null : String(value)
        this.texts.push(text)
        return text === null ? 0 : text.length + TEXT_OVERHEAD_BYTES
      }
      default: return assertNever(this.column.kind)
    }
  }

  private appendSymbol(row: number, value: SqlValue): number {
    this.ids = grown(this.ids, row)
    if (value === null) {
      this.ids[row] = -1
      return 0
    }
    const { id, addedBytes } = this.symbolId(String(value))
    this.ids[row] = id
    return addedBytes
  }

  /** Forgets row `row` (the last, unfinished one): its NULL mark and (text kind) its value, to be written again. */
  discard(row: number): void {
    if (this.nulls !== null && row < this.nulls.length) this.nulls[row] = 0
    if (this.texts.length > row) this.texts.length = row
  }

  private markNull(row: number): void {
    if (this.nulls === null) this.nulls = new Uint8Array(Math.max(INITIAL_ROWS_COUNT, row + 1))
    this.nulls = grown(this.nulls, row)
    this.nulls[row] = 1
  }

  vector(rowCount: number): ColumnVector {
    let nulls: Uint8Array | undefined
    if (this.nulls !== null) {
      nulls = new Uint8Array(rowCount)
      nulls.set(this.nulls.subarray(0, Math.min(rowCount, this.nulls.length)))
    }
    const withNulls = <T extends ColumnVector>(vector: T): T => (nulls === undefined ? vector : { ...vector, nulls })
    // Views of the first rowCount values, not copies (a tenth of a parse worker's time went to those copies): the
    // arrays are the builder's last use of them, the batch is written once and dropped, and the worker transfers
    // their buffers whole (batchTransferables). Held memory is what parsing held: at most twice the rows' bytes.
    switch (this.column.kind) {
      case 'timestamp': return withNulls({ kind: 'timestamp', values: this.f64.subarray(0, rowCount) })
      case 'f64': return withNulls({ kind: 'f64', values: this.f64.subarray(0, rowCount) })
      case 'i64': return withNulls({ kind: 'i64', values: this.i64.subarray(0, rowCount) })
      case 'bool': return withNulls({ kind: 'bool', values: this.bytes.subarray(0, rowCount) })
      case 'symbol': return { kind: 'symbol', ids: this.ids.subarray(0, rowCount), dict: this.dict }
      case 'text': return { kind: 'text', values: this.texts }
      default: return assertNever(this.column.kind)
    }
  }
}

/** A table's columns being filled row by row; `release()` must be called once the COPY ends, however it ends. */
export class CopyColumns {
  private readonly builders: ColumnBuilder[]
  private readonly fixedRowBytes: number
  private rowCountValue = 0
  private chargedBytes = 0
  /** Rows every builder's settable array holds (startRow grows them when a row reaches it). */
  private settableRows = 0

  constructor(columns: ReadonlyArray<ColumnSchema>, private readonly pool = NO_POOL) {
    this.builders = columns.map((column) => new ColumnBuilder(column, pool))
    this.fixedRowBytes = this.builders.reduce((sum, builder) => sum + builder.fixedBytes, 0)
  }

  get rowCount(): number {
    return this.rowCountValue
  }

  /** Appends one row (one value per table column, catalog order). Throws 54000/53200 past a budget. */
  appendRow(values: ReadonlyArray<SqlValue>): void {
    const row = this.rowCountValue
    let bytes = this.fixedRowBytes
    for (let i = 0; i < this.builders.length; i++) bytes += this.builders[i]!.append(row, values[i] ?? null)
    this.rowCountValue = row + 1
    this.charge(bytes)
  }

  /** The fast path (copy-fast.ts): the builder of table column `index`, which writes row `rowCount` directly. */
  builder(index: number): ColumnBuilder {
    return this.builders[index]!
  }

  /** Fast path: room for row `rowCount` in every fixed-width array, before the builders' setters write it. */
  startRow(): number {
    const row = this.rowCountValue
    if (row < this.settableRows) return row
    let settable = Infinity
    for (let i = 0; i < this.builders.length; i++) {
      this.builders[i]!.ensureRow(row)
      settable = Math.min(settable, this.builders[i]!.settableRows)
    }
    this.settableRows = settable
    return row
  }

  /** Fast path: row `rowCount` is written; `addedBytes` are its bytes beyond the fixed widths. Throws as appendRow. */
  finishRow(addedBytes: number): void {
    this.charge(this.fixedRowBytes + addedBytes)
    this.rowCountValue++
  }

  /** Fast path: row `rowCount` was left half-written; undoes what would outlive a rewrite (NULL marks, texts). */
  discardRow(row: number): void {
    for (let i = 0; i < this.builders.length; i++) this.builders[i]!.discard(row)
  }

  private charge(bytes: number): void {
    this.chargedBytes += bytes
    bufferedBytesTotal += bytes
    if (this.chargedBytes > COPY_BATCH_BYTES_MAX) {
      throw programLimitExceeded(`COPY FROM of more than ${COPY_BATCH_BYTES_MAX} bytes of rows is not supported: ` +
        'nodedb writes one COPY as one WAL record so that it is atomic; split the input into several COPY statements')
    }
    if (bufferedBytesTotal > bufferedBytesTotalMax) {
      throw outOfMemory(`COPY FROM buffers of all sessions exceed ${bufferedBytesTotalMax} bytes`)
    }
  }

  batch(): ColumnBatch {
    const rowCount = this.rowCountValue
    return { rowCount, columns: this.builders.map((builder) => builder.vector(rowCount)) }
  }

  /** Gives the COPY's bytes back to the shared budget; idempotent. */
  release(): void {
    bufferedBytesTotal -= this.chargedBytes
    this.chargedBytes = 0
  }

  /** Gives the column arrays to the pool: only when no batch of them left this thread, and nothing uses them any more. */
  recycle(): void {
    for (const builder of this.builders) builder.recycle(this.pool)
  }
}
