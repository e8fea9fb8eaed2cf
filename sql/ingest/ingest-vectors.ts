// sql/ingest/ingest-vectors: an IngestBatch's kept rows → the engine's ColumnBatch in catalog order, converting each
// column as its plan says; table columns the batch lacks are NULL. Pure. When every row is kept, arrays that need
// no conversion are passed through without copying.
import type { ColumnBatch, ColumnKind, ColumnVector } from '../../engine/batch.js'
import type { TableSchema } from '../../engine/ops.js'
import { assert, assertNever } from '../../src/common/assert.js'
import type { IngestBatch, IngestColumn } from '../api.js'
import type { ColumnPlan, Conversion } from './ingest-plan.js'

type Typed = Float64Array | BigInt64Array | BigUint64Array | Uint8Array | Int32Array

function pick<T extends Typed>(from: T, rows: Int32Array | null, make: (length: number) => T): T {
  if (rows === null) return from
  const into = make(rows.length)
  for (let i = 0; i < rows.length; i++) into[i] = from[rows[i]!]!
  return into
}

function rowCountOf(batch: IngestBatch, rows: Int32Array | null): number {
  return rows === null ? batch.rowCount : rows.length
}

function nullVector(kind: ColumnKind, n: number): ColumnVector {
  const nulls = new Uint8Array(n).fill(1)
  switch (kind) {
    case 'timestamp': case 'f64': return { kind, values: new Float64Array(n), nulls }
    case 'i64': return { kind, values: new BigInt64Array(n), nulls }
    case 'bool': return { kind, values: new Uint8Array(n), nulls }
    case 'symbol': return { kind, ids: new Int32Array(n).fill(-1), dict: [] }
    case 'text': return { kind, values: new Array<string | null>(n).fill(null) }
    default: return assertNever(kind)
  }
}

function encodeSymbols(values: ReadonlyArray<string | null>): ColumnVector {
  const dict: string[] = []
  const index = new Map<string, number>()
  const ids = Int32Array.from(values, (value) => {
    if (value === null) return -1
    let id = index.get(value)
    if (id === undefined) {
      id = dict.length
      dict.push(value)
      index.set(value, id)
    }
    return id
  })
  return { kind: 'symbol', ids, dict }
}

function stringsOf(column: IngestColumn, rows: Int32Array | null): Array<string | null> {
  const n = rows === null ? (column.kind === 'string' ? column.values.length : 0) : rows.length
  const at = (i: number): number => (rows === null ? i : rows[i]!)
  if (column.kind === 'string') return rows === null ? [...column.values] : Array.from(rows, (row) => column.values[row] ?? null)
  assert(column.kind === 'tag', 'strings come from string or tag columns')
  const count = rows === null ? column.ids.length : n
  return Array.from({ length: count }, (_, i) => {
    const id = column.ids[at(i)]!
    return id < 0 ? null : column.dict[id]!
  })
}

/** Reinterprets unsigned values already checked to be ≤ 2^63-1 as int64 (same bits). */
function asSigned(values: BigUint64Array): BigInt64Array {
  return new BigInt64Array(values.buffer, values.byteOffset, values.length)
}

function convert(column: IngestColumn, conversion: Conversion, rows: Int32Array | null): ColumnVector {
  const f64 = (n: number) => new Float64Array(n)
  const u8 = (n: number) => new Uint8Array(n)
  switch (conversion) {
    case 'tagToSymbol':
      assert(column.kind === 'tag', conversion)
      return { kind: 'symbol', ids: pick(column.ids, rows, (n) => new Int32Array(n)), dict: column.dict }
    case 'tagToText': case 'stringToText': return { kind: 'text', values: stringsOf(column, rows) }
    case 'stringToSymbol': return encodeSymbols(stringsOf(column, rows))
    case 'float':
      assert(column.kind === 'float', conversion)
      return { kind: 'f64', values: pick(column.values, rows, f64), nulls: pick(column.nulls, rows, u8) }
    case 'integer':
      assert(column.kind === 'integer', conversion)
      return { kind: 'i64', values: pick(column.values, rows, (n) => new BigInt64Array(n)), nulls: pick(column.nulls, rows, u8) }
    case 'unsigned':
      assert(column.kind === 'unsigned', conversion)
      return { kind: 'i64', values: asSigned(pick(column.values, rows, (n) => new BigUint64Array(n))), nulls: pick(column.nulls, rows, u8) }
    case 'boolean':
      assert(column.kind === 'boolean', conversion)
      return { kind: 'bool', values: pick(column.values, rows, u8), nulls: pick(column.nulls, rows, u8) }
    default: return assertNever(conversion)
  }
}

/**
 * The ColumnBatch of `batch`'s rows `rows` (null = all) for `table`: one vector per table column, in catalog order.
 * `plans[i]` is the plan of batch column i; only 'map' plans contribute (refused columns' rows were dropped).
 */
export function buildIngestColumns(table: TableSchema, batch: IngestBatch, plans: ReadonlyArray<ColumnPlan>,
  rows: Int32Array | null): ColumnBatch {
  const n = rowCountOf(batch, rows)
  const sources = new Array<number>(table.columns.length).fill(-1)
  plans.forEach((plan, source) => {
    if (plan.kind === 'map') sources[plan.column] = source
  })
  const columns = table.columns.map((schema, index): ColumnVector => {
    if (index === table.timestampIndex) {
      return { kind: 'timestamp', values: pick(batch.timestampsUs, rows, (length) => new Float64Array(length)) }
    }
    const source = sources[index]!
    const plan = plans[source]
    const column = batch.columns[source]
    if (plan === undefined || plan.kind !== 'map' || column === undefined) return nullVector(schema.kind, n)
    return convert(column, plan.conversion, rows)
  })
  return { rowCount: n, columns }
}
