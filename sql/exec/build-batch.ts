// sql/exec/build-batch: rows of SqlValues (catalog column order) → the engine's ColumnBatch: typed arrays with null
// bytes, symbol columns dictionary-encoded. Values are already cast to each column's SQL type.
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import type { ColumnSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import type { SqlValue } from '../api.js'

function nullsOf(values: ReadonlyArray<SqlValue>): Uint8Array | undefined {
  if (!values.some((value) => value === null)) return undefined
  return Uint8Array.from(values, (value) => (value === null ? 1 : 0))
}

function symbolVector(values: ReadonlyArray<SqlValue>): ColumnVector {
  const dict: string[] = []
  const index = new Map<string, number>()
  const ids = Int32Array.from(values, (value) => {
    if (value === null) return -1
    const text = String(value)
    let id = index.get(text)
    if (id === undefined) { id = dict.length; dict.push(text); index.set(text, id) }
    return id
  })
  return { kind: 'symbol', ids, dict }
}

function vectorOf(column: ColumnSchema, values: ReadonlyArray<SqlValue>): ColumnVector {
  const nulls = nullsOf(values)
  const withNulls = <T extends ColumnVector>(vector: T): T => (nulls === undefined ? vector : { ...vector, nulls })
  switch (column.kind) {
    case 'timestamp': return withNulls({ kind: 'timestamp', values: Float64Array.from(values, (v) => (v === null ? 0 : Number(v))) })
    case 'f64': return withNulls({ kind: 'f64', values: Float64Array.from(values, (v) => (v === null ? 0 : Number(v))) })
    case 'i64': return withNulls({ kind: 'i64', values: BigInt64Array.from(values, (v) => (v === null || typeof v === 'object' ? 0n : BigInt(v))) })
    case 'bool': return withNulls({ kind: 'bool', values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)) })
    case 'symbol': return symbolVector(values)
    case 'text': return { kind: 'text', values: values.map((v) => (v === null ? null : String(v))) }
    default: return assertNever(column.kind)
  }
}

export function buildBatch(columns: ReadonlyArray<ColumnSchema>, rows: ReadonlyArray<ReadonlyArray<SqlValue>>): ColumnBatch {
  return {
    rowCount: rows.length,
    columns: columns.map((column, index) => vectorOf(column, rows.map((row) => row[index] ?? null))),
  }
}
