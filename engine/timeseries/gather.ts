// engine/timeseries/gather: builds result ColumnVectors from memtable cells addressed by (memtable, row) pairs,
// and compares cells. Shared by scan.ts and aggregate.ts; knows nothing of rings or SQL.
import { assertNever } from '../../src/common/assert.js'
import type { ColumnKind, ColumnVector } from '../batch.js'
import { isMemNull, type MemColumn } from './memtable.js'
import { compareCodePoints } from '../../src/common/text-order.js'

/** Cell addresses: memtable index and row; memtable -1 means NULL (e.g. a group with no value). */
export interface CellRefs {
  readonly count: number
  readonly tables: Int32Array
  readonly rows: Int32Array
}

/** `columns[m]` is the column in memtable m. The result is a fresh vector the caller owns. */
export function gatherVector(kind: ColumnKind, columns: ReadonlyArray<MemColumn>, refs: CellRefs): ColumnVector {
  const n = refs.count
  switch (kind) {
    case 'timestamp': case 'f64': case 'i64': case 'bool': return gatherFixed(kind, columns, refs)
    case 'symbol': return gatherSymbols(columns, refs)
    case 'text': {
      const values: (string | null)[] = new Array<string | null>(n)
      for (let i = 0; i < n; i++) {
        const column = columns[refs.tables[i]!]
        values[i] = column !== undefined && column.kind === 'text' ? column.values[refs.rows[i]!] ?? null : null
      }
      return { kind, values }
    }
    default: return assertNever(kind)
  }
}

/**
 * Symbol cells under one dictionary, ids numbered by first appearance. Each source column's dictionary ids are
 * translated once (a per-source table of result ids), so a row costs two array reads, not a string hash lookup.
 */
function gatherSymbols(columns: ReadonlyArray<MemColumn>, refs: CellRefs): ColumnVector {
  const n = refs.count
  const ids = new Int32Array(n)
  const dict: string[] = []
  const lookup = new Map<string, number>()
  const translations: Array<Int32Array | undefined> = []
  for (let i = 0; i < n; i++) {
    const table = refs.tables[i]!
    const column = columns[table]
    const local = column !== undefined && column.kind === 'symbol' ? column.ids[refs.rows[i]!]! : -1
    if (column === undefined || column.kind !== 'symbol' || local === -1) { ids[i] = -1; continue }
    const translation = translations[table] ??= new Int32Array(column.dict.length).fill(-1)
    let id = translation[local]!
    if (id < 0) {
      const text = column.dict[local]!
      id = lookup.get(text) ?? -1
      if (id < 0) { id = dict.length; dict.push(text); lookup.set(text, id) }
      translation[local] = id
    }
    ids[i] = id
  }
  return { kind: 'symbol', ids, dict }
}

function gatherFixed(kind: 'timestamp' | 'f64' | 'i64' | 'bool', columns: ReadonlyArray<MemColumn>, refs: CellRefs): ColumnVector {
  const n = refs.count
  const nulls = new Uint8Array(n)
  let hasNull = false
  if (kind === 'timestamp' || kind === 'f64') {
    // The common kinds in a loop of their own, so no row tests which array type it writes.
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const column = columns[refs.tables[i]!]
      const row = refs.rows[i]!
      if (column === undefined || column.kind === 'symbol' || column.kind === 'text' || column.nulls[row] === 1) {
        nulls[i] = 1
        hasNull = true
        continue
      }
      if (column.kind !== 'i64') values[i] = column.values[row]!
    }
    return hasNull ? { kind, values, nulls } : { kind, values }
  }
  const values = kind === 'i64' ? new BigInt64Array(n) : new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const column = columns[refs.tables[i]!]
    const row = refs.rows[i]!
    if (column === undefined || column.kind === 'symbol' || column.kind === 'text' || column.nulls[row] === 1) {
      nulls[i] = 1
      hasNull = true
      continue
    }
    if (values instanceof BigInt64Array) values[i] = column.kind === 'i64' ? column.values[row]! : 0n
    else if (column.kind !== 'i64') values[i] = column.values[row]!
  }
  const withNulls = hasNull ? { nulls } : {}
  if (values instanceof BigInt64Array) return { kind: 'i64' as const, values, ...withNulls }
  return { kind: 'bool', values, ...withNulls }
}

/** Orders two non-null cells of the same kind: negative, zero or positive. */
/**
 * Order of two doubles as PostgreSQL orders float8: NaN equals NaN and sorts above every other value (so
 * `v > 90` keeps NaN rows and max() returns NaN), -0 equals 0.
 */
export function floatOrder(a: number, b: number): number {
  if (a === b) return 0
  const d = a - b
  if (d === d) return d
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1
}

/**
 * Whether an order (< 0, 0, > 0) passes a comparison whose verdict per order was decided once, outside the row loop:
 * a comparison op decoded from a request is a string compared by content, so a switch over it per row costs a
 * string comparison per case (V8's StringEqual showed in high-cpu-all's filter).
 */
export function orderPasses(order: number, less: boolean, equal: boolean, greater: boolean): boolean {
  return order < 0 ? less : order > 0 ? greater : equal
}

export function compareCells(a: MemColumn, rowA: number, b: MemColumn, rowB: number): number {
  if (a.kind === 'symbol' && b.kind === 'symbol') return compareStrings(a.dict[a.ids[rowA]!]!, b.dict[b.ids[rowB]!]!)
  if (a.kind === 'text' && b.kind === 'text') return compareStrings(a.values[rowA] ?? '', b.values[rowB] ?? '')
  if (a.kind === 'i64' && b.kind === 'i64') {
    const x = a.values[rowA]!
    const y = b.values[rowB]!
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (a.kind !== 'symbol' && a.kind !== 'text' && a.kind !== 'i64' && b.kind !== 'symbol' && b.kind !== 'text' &&
    b.kind !== 'i64') {
    return floatOrder(a.values[rowA]!, b.values[rowB]!)
  }
  throw new Error(`compareCells: kinds ${a.kind} and ${b.kind}`)
}

export function compareStrings(x: string, y: string): number {
  return compareCodePoints(x, y)
}

/** The cell as a number (f64, timestamp, i64, bool); NaN for NULL and non-numeric kinds. */
export function numberAt(column: MemColumn, row: number): number {
  if (column.kind === 'symbol' || column.kind === 'text' || isMemNull(column, row)) return Number.NaN
  return Number(column.values[row]!)
}
