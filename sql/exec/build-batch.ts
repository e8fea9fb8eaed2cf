// sql/exec/build-batch: values per column (catalog column order) → the engine's ColumnBatch: typed arrays with null
// bytes, symbol columns dictionary-encoded. Values are already cast to each column's SQL type. Plain loops over the
// values (no per-row arrays or closures): a 1,000-row INSERT builds 21 columns here.
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import type { ColumnSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import type { SqlValue } from '../api.js'

function nullsOf(values: ReadonlyArray<SqlValue>): Uint8Array | undefined {
  let nulls: Uint8Array | undefined
  for (let row = 0; row < values.length; row++) {
    if (values[row] !== null) continue
    nulls ??= new Uint8Array(values.length)
    nulls[row] = 1
  }
  return nulls
}

function symbolVector(values: ReadonlyArray<SqlValue>): ColumnVector {
  const dict: string[] = []
  const index = new Map<string, number>()
  const ids = new Int32Array(values.length)
  let last: string | undefined
  let lastId = -1
  for (let row = 0; row < values.length; row++) {
    const value = values[row]
    if (value === null || value === undefined) {
      ids[row] = -1
      continue
    }
    const text = typeof value === 'string' ? value : String(value)
    if (text !== last) {
      let id = index.get(text)
      if (id === undefined) { id = dict.length; dict.push(text); index.set(text, id) }
      last = text
      lastId = id
    }
    ids[row] = lastId
  }
  return { kind: 'symbol', ids, dict }
}

function float64Of(values: ReadonlyArray<SqlValue>): Float64Array {
  const out = new Float64Array(values.length)
  for (let row = 0; row < values.length; row++) {
    const value = values[row]
    out[row] = value === null || value === undefined ? 0 : typeof value === 'number' ? value : Number(value)
  }
  return out
}

function vectorOf(column: ColumnSchema, values: ReadonlyArray<SqlValue>): ColumnVector {
  const nulls = column.kind === 'symbol' || column.kind === 'text' ? undefined : nullsOf(values)
  const withNulls = <T extends ColumnVector>(vector: T): T => (nulls === undefined ? vector : { ...vector, nulls })
  switch (column.kind) {
    case 'timestamp': return withNulls({ kind: 'timestamp', values: float64Of(values) })
    case 'f64': return withNulls({ kind: 'f64', values: float64Of(values) })
    case 'i64': return withNulls({ kind: 'i64', values: BigInt64Array.from(values, (v) => (v === null || typeof v === 'object' ? 0n : BigInt(v))) })
    case 'bool': return withNulls({ kind: 'bool', values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)) })
    case 'symbol': return symbolVector(values)
    case 'text': return { kind: 'text', values: values.map((v) => (v === null ? null : String(v))) }
    default: return assertNever(column.kind)
  }
}

/** `columnValues[c]` holds column c's value of every row (rowCount of them). */
export function buildBatch(columns: ReadonlyArray<ColumnSchema>, columnValues: ReadonlyArray<ReadonlyArray<SqlValue>>, rowCount: number): ColumnBatch {
  return { rowCount, columns: columns.map((column, index) => vectorOf(column, columnValues[index]!)) }
}

/** Rows of values (catalog column order) as values per column, for buildBatch. */
export function columnsOfRows(columnCount: number, rows: ReadonlyArray<ReadonlyArray<SqlValue>>): SqlValue[][] {
  return Array.from({ length: columnCount }, (_, index) => rows.map((row) => row[index] ?? null))
}
