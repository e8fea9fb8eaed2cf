// engine/timeseries/memtable: columnar append buffers for one (table, vShard) on one core; out-of-order rows are
// accepted as they come. Knows nothing of WAL, rings or SQL; segments (flush) come in issue #4.
import { assert } from '../../src/common/assert.js'
import type { ColumnBatch, ColumnVector } from '../batch.js'
import { MEMTABLE_INITIAL_ROWS_COUNT } from '../../src/common/limits.js'
import type { TableSchema } from '../ops.js'

/** One column's storage. Numeric kinds keep a null byte per row (1 = NULL); symbols keep a per-memtable dictionary. */
export type MemColumn =
  | { readonly kind: 'timestamp' | 'f64'; values: Float64Array; nulls: Uint8Array }
  | { readonly kind: 'i64'; values: BigInt64Array; nulls: Uint8Array }
  | { readonly kind: 'bool'; values: Uint8Array; nulls: Uint8Array }
  | { readonly kind: 'symbol'; ids: Int32Array; readonly dict: string[]; readonly lookup: Map<string, number> }
  | { readonly kind: 'text'; readonly values: (string | null)[] }

function newColumn(kind: MemColumn['kind'], capacity: number): MemColumn {
  switch (kind) {
    case 'timestamp': case 'f64':
      return { kind, values: new Float64Array(capacity), nulls: new Uint8Array(capacity) }
    case 'i64': return { kind, values: new BigInt64Array(capacity), nulls: new Uint8Array(capacity) }
    case 'bool': return { kind, values: new Uint8Array(capacity), nulls: new Uint8Array(capacity) }
    case 'symbol': return { kind, ids: new Int32Array(capacity), dict: [], lookup: new Map() }
    case 'text': return { kind, values: [] }
    default: return assertNeverKind(kind)
  }
}

function assertNeverKind(kind: never): never {
  throw new Error(`unexpected column kind ${String(kind)}`)
}

function grown<T extends Float64Array | BigInt64Array | Uint8Array | Int32Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity)
  next.set(array as never)
  return next
}

/** Bytes one row costs in a column, for the memtable budget (text counts 2 bytes per UTF-16 unit plus a slot). */
function fixedRowBytes(kind: MemColumn['kind']): number {
  switch (kind) {
    case 'timestamp': case 'f64': case 'i64': return 9
    case 'bool': return 2
    case 'symbol': return 4
    case 'text': return 8
    default: return assertNeverKind(kind)
  }
}

export class Memtable {
  readonly columns: MemColumn[]
  private rows = 0
  private capacity = MEMTABLE_INITIAL_ROWS_COUNT
  private variableBytes = 0

  constructor(readonly schema: TableSchema) {
    this.columns = schema.columns.map((column) => newColumn(column.kind, this.capacity))
  }

  get rowCount(): number {
    return this.rows
  }

  /** Approximate bytes held (allocated capacity plus strings), for the per-core budget. */
  get sizeBytes(): number {
    let perRow = 0
    for (const column of this.columns) perRow += fixedRowBytes(column.kind)
    return perRow * this.capacity + this.variableBytes
  }

  /** Appends rows `rows[0..count)` of `batch` (row indices into the batch), whose columns match the schema. */
  appendRows(batch: ColumnBatch, rows: Int32Array, count: number): void {
    assert(batch.columns.length === this.columns.length, 'batch columns match the memtable schema')
    this.ensureCapacity(this.rows + count)
    for (let c = 0; c < this.columns.length; c++) this.appendColumn(this.columns[c]!, batch.columns[c]!, rows, count)
    this.rows += count
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return
    let capacity = this.capacity
    while (capacity < needed) capacity *= 2
    for (const column of this.columns) {
      switch (column.kind) {
        case 'timestamp': case 'f64': case 'i64': case 'bool':
          column.values = grown(column.values, capacity)
          column.nulls = grown(column.nulls, capacity)
          break
        case 'symbol': column.ids = grown(column.ids, capacity); break
        case 'text': break
        default: assertNeverKind(column)
      }
    }
    this.capacity = capacity
  }

  private appendColumn(column: MemColumn, vector: ColumnVector, rows: Int32Array, count: number): void {
    assert(column.kind === vector.kind, `column kind ${column.kind} receives ${vector.kind}`)
    const at = this.rows
    if (column.kind === 'symbol' && vector.kind === 'symbol') {
      this.appendSymbols(column, vector, rows, count)
    } else if (column.kind === 'text' && vector.kind === 'text') {
      for (let i = 0; i < count; i++) {
        const value = vector.values[rows[i]!] ?? null
        column.values.push(value)
        if (value !== null) this.variableBytes += value.length * 2
      }
    } else if (column.kind !== 'symbol' && column.kind !== 'text' && vector.kind !== 'symbol' && vector.kind !== 'text') {
      const values: Float64Array | BigInt64Array | Uint8Array = column.values
      const source: Float64Array | BigInt64Array | Uint8Array = vector.values
      const nulls = vector.nulls
      for (let i = 0; i < count; i++) {
        const row = rows[i]!
        values[at + i] = source[row]!
        column.nulls[at + i] = nulls === undefined ? 0 : nulls[row]!
      }
    }
  }

  private appendSymbols(
    column: Extract<MemColumn, { kind: 'symbol' }>, vector: Extract<ColumnVector, { kind: 'symbol' }>,
    rows: Int32Array, count: number,
  ): void {
    // The batch's dictionary ids are remapped to this memtable's, once per distinct id (-2 = not yet resolved).
    const remap = new Int32Array(vector.dict.length).fill(-2)
    const at = this.rows
    for (let i = 0; i < count; i++) {
      const id = vector.ids[rows[i]!]!
      if (id === -1) {
        column.ids[at + i] = -1
        continue
      }
      let local = remap[id]!
      if (local === -2) {
        const text = vector.dict[id]!
        local = column.lookup.get(text) ?? -1
        if (local === -1) {
          local = column.dict.length
          column.dict.push(text)
          column.lookup.set(text, local)
          this.variableBytes += text.length * 2 + 32
        }
        remap[id] = local
      }
      column.ids[at + i] = local
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
