// Goal: the scan kernel's filters, time range, projection and limit on every column kind, NULLs included, on
// memtables filled out of order. Method: memtables built directly (no workers); each filter's expected rows come from
// a plain predicate written in the test over the same input rows.
import assert from 'node:assert/strict'
import type { ColumnBatch, RowsPartial } from '../../../engine/batch.js'
import type { ColumnFilter, ScanOp, TableSchema } from '../../../engine/ops.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { scanMemtables } from '../../../engine/timeseries/scan.js'
import { asTableId } from '../../../src/common/ids.js'
import { valueAt, type Value } from './engine-oracle.js'

const SCHEMA: TableSchema = {
  id: asTableId(1), name: 't', timestampIndex: 0,
  columns: [
    { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    { name: 'tag', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'f', kind: 'f64', sqlType: 'float8', notNull: false },
    { name: 'i', kind: 'i64', sqlType: 'int8', notNull: false },
    { name: 'b', kind: 'bool', sqlType: 'bool', notNull: false },
    { name: 's', kind: 'text', sqlType: 'text', notNull: false },
  ],
}

type TestRow = [number, string | null, number | null, bigint | null, boolean | null, string | null]
const ROWS: TestRow[] = [
  [50, 'b', 1.5, 10n, true, 'x'],
  [10, 'a', null, -3n, false, 'y'],
  [30, null, 7, null, null, null],
  [20, 'c', -2, 10n, true, 'x'],
  [40, 'a', 7, 99n, false, 'z'],
]

function toBatch(rows: ReadonlyArray<TestRow>): ColumnBatch {
  const dict = ['c', 'b', 'a']
  const nulls = (c: number) => Uint8Array.from(rows, (r) => (r[c] === null ? 1 : 0))
  return {
    rowCount: rows.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(rows, (r) => r[0]) },
      { kind: 'symbol', ids: Int32Array.from(rows, (r) => (r[1] === null ? -1 : dict.indexOf(r[1]))), dict },
      { kind: 'f64', values: Float64Array.from(rows, (r) => r[2] ?? 0), nulls: nulls(2) },
      { kind: 'i64', values: BigInt64Array.from(rows, (r) => r[3] ?? 0n), nulls: nulls(3) },
      { kind: 'bool', values: Uint8Array.from(rows, (r) => (r[4] === true ? 1 : 0)), nulls: nulls(4) },
      { kind: 'text', values: rows.map((r) => r[5]) },
    ],
  }
}

function memtables(): Memtable[] {
  // Two memtables (as two vShards on one core), rows appended out of time order.
  const a = new Memtable(SCHEMA)
  const b = new Memtable(SCHEMA)
  const batch = toBatch(ROWS)
  a.appendRows(batch, Int32Array.from([0, 1, 2]), 3)
  b.appendRows(batch, Int32Array.from([3, 4]), 2)
  return [a, b]
}

function scan(fields: Partial<ScanOp>): RowsPartial {
  const op: ScanOp = {
    kind: 'ScanOp', v: 1, tableId: SCHEMA.id, timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY },
    filters: [], projection: [0], groupBy: [], aggregates: [], limit: null, ...fields,
  }
  const partial = scanMemtables(SCHEMA, memtables(), op)
  assert.equal(partial.kind, 'RowsPartial')
  return partial
}

function tsOf(partial: RowsPartial): number[] {
  const column = partial.columns[0]!
  return Array.from({ length: partial.rowCount }, (_, i) => Number(valueAt(column, i))).sort((x, y) => x - y)
}

function compare(a: Value, b: Value): number {
  return a! < b! ? -1 : a! > b! ? 1 : 0
}

/** The reference semantics: NULL fails every comparison; only isNull/isNotNull look at NULL. */
function expected(filter: ColumnFilter): number[] {
  return ROWS.filter((row) => {
    const cell = row[filter.column] as Value
    if (filter.op === 'isNull') return cell === null
    if (filter.op === 'isNotNull') return cell !== null
    if (cell === null) return false
    const v = filter.values.map((x) => (typeof x === 'number' && typeof cell === 'bigint' ? BigInt(x) : x) as Value)
    switch (filter.op) {
      case 'eq': return compare(cell, v[0]!) === 0
      case 'neq': return compare(cell, v[0]!) !== 0
      case 'lt': return compare(cell, v[0]!) < 0
      case 'lte': return compare(cell, v[0]!) <= 0
      case 'gt': return compare(cell, v[0]!) > 0
      case 'gte': return compare(cell, v[0]!) >= 0
      case 'in': return v.some((x) => compare(cell, x) === 0)
      case 'notIn': return v.every((x) => compare(cell, x) !== 0)
      default: return false
    }
  }).map((row) => row[0]).sort((x, y) => x - y)
}

const VALUES: ReadonlyArray<[number, ColumnFilter['values'], ColumnFilter['values']]> = [
  [1, ['b'], ['a', 'c', 'zz']],
  [2, [7], [1.5, -2]],
  [3, [10n], [10n, 99n]],
  [4, [true], [false]],
  [5, ['x'], ['y', 'z']],
  [0, [30], [10, 50]],
]
const OPS: ReadonlyArray<ColumnFilter['op']> = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'isNotNull']

describe('engine/timeseries/scan', () => {
  for (const [column, one, many] of VALUES) {
    for (const op of OPS) {
      const values = op === 'in' || op === 'notIn' ? many : op === 'isNull' || op === 'isNotNull' ? [] : one
      it(`filters ${SCHEMA.columns[column]!.name} (${SCHEMA.columns[column]!.kind}) ${op} ${values.map(String).join(',')}`, () => {
        const filter: ColumnFilter = { column, op, values }
        assert.deepEqual(tsOf(scan({ filters: [filter] })), expected(filter))
      })
    }
  }

  it('takes i64 filter values given as numbers', () => {
    assert.deepEqual(tsOf(scan({ filters: [{ column: 3, op: 'gte', values: [10] }] })), [20, 40, 50])
  })

  it('ANDs filters and applies the half-open time range [from, to)', () => {
    const partial = scan({ timeRange: { fromUs: 20, toUs: 50 }, filters: [{ column: 5, op: 'isNotNull', values: [] }, { column: 2, op: 'lt', values: [7] }] })
    assert.deepEqual(tsOf(partial), [20])
  })

  it('projects columns in projection order, NULLs kept', () => {
    const partial = scan({ projection: [5, 1, 0], timeRange: { fromUs: 25, toUs: 35 } })
    assert.equal(partial.rowCount, 1)
    assert.deepEqual(partial.columns.map((c) => valueAt(c, 0)), [null, null, 30])
  })

  it('stops at limit across memtables', () => {
    assert.equal(scan({ limit: 4 }).rowCount, 4)
    assert.equal(scan({ limit: 0 }).rowCount, 0)
  })

  it('rejects a filter on a column outside the table with InvalidBatch', () => {
    assert.throws(() => scan({ filters: [{ column: 9, op: 'isNull', values: [] }] }), /InvalidBatch/)
  })

  // A float column without NULLs takes the comparison's own loop for > and >= (column-filter.ts aboveRefine); the
  // order must stay PostgreSQL's: NaN above every number, -0 equal to 0, infinities at the ends.
  it('filters a float column without NULLs by > and >= in PostgreSQL\'s order (NaN above every number)', () => {
    const floats = [Number.NaN, -0, 0, 90, 90.5, 89.99, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -5]
    const rows = floats.map((value, i): TestRow => [i, 'a', value, 0n, true, 'x'])
    const memtable = new Memtable(SCHEMA)
    memtable.appendRows(toBatch(rows), Int32Array.from(rows, (_, i) => i), rows.length)
    for (const op of ['gt', 'gte'] as const) {
      for (const target of [90, 0, -0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1e308]) {
        const partial = scanMemtables(SCHEMA, [memtable], { kind: 'ScanOp', v: 1, tableId: SCHEMA.id,
          timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }, filters: [{ column: 2, op, values: [target] }],
          projection: [0], groupBy: [], aggregates: [], limit: null })
        assert.equal(partial.kind, 'RowsPartial')
        // floatOrder's order, written out: NaN equals NaN and is above every number.
        const order = (value: number): number => (Number.isNaN(value) ? 1 : value === target ? 0 : value < target ? -1 : 1)
        const passing = floats.flatMap((value, i) => (op === 'gt' ? order(value) > 0 : order(value) >= 0) ? [i] : [])
        assert.deepEqual(tsOf(partial), passing, `${op} ${target}`)
      }
    }
  })
})
