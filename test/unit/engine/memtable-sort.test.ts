// Goal: the flush order of a memtable's rows (engine/timeseries/memtable-sort.ts) is (partition, series = symbol
// columns in catalog order with NULL first, time, arrival) whichever path computes it: rows already in order (no sort),
// series as one mixed-radix key, and dictionaries too large for one key (the column-by-column comparator).
// Method: fast-check memtables of random rows (several symbol columns, NULLs, equal times, many partitions, sometimes
// arriving in order); the oracle sorts plain row objects by the definition, with string comparison of the tag values.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { ColumnSchema } from '../../../engine/ops.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { sortMemtableByPartition } from '../../../engine/timeseries/memtable-sort.js'
import { asTableId } from '../../../src/common/ids.js'

const TAG_COUNT = 3
const COLUMNS: ReadonlyArray<ColumnSchema> = [
  { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
  ...Array.from({ length: TAG_COUNT }, (_, t): ColumnSchema => ({ name: `tag${t}`, kind: 'symbol', sqlType: 'text', notNull: false })),
  { name: 'arrival', kind: 'f64', sqlType: 'float8', notNull: false },
]
const SCHEMA = { id: asTableId(9), name: 'sorted', columns: COLUMNS, timestampIndex: 0 }
const WIDTH_US = 1_000

interface Row { readonly ts: number; readonly tags: ReadonlyArray<string | null> }

function memtableOf(rows: ReadonlyArray<Row>): Memtable {
  const columns: ColumnBatch['columns'] = [
    { kind: 'timestamp', values: Float64Array.from(rows, (row) => row.ts) },
    ...Array.from({ length: TAG_COUNT }, (_, t) => {
      const idOf = new Map<string, number>()
      for (const row of rows) if (row.tags[t] !== null && !idOf.has(row.tags[t]!)) idOf.set(row.tags[t]!, idOf.size)
      return { kind: 'symbol' as const, ids: Int32Array.from(rows, (row) => (row.tags[t] === null ? -1 : idOf.get(row.tags[t]!)!)), dict: [...idOf.keys()] }
    }),
    { kind: 'f64', values: Float64Array.from(rows, (_, i) => i) },
  ]
  const memtable = new Memtable(SCHEMA)
  memtable.appendRows({ rowCount: rows.length, columns }, Int32Array.from(rows, (_, i) => i), rows.length)
  return memtable
}

/** Arrival indices in the order the definition gives. */
function referenceOrder(rows: ReadonlyArray<Row>): number[] {
  const partitionOf = (ts: number): number => Math.floor(ts / WIDTH_US) * WIDTH_US
  const byTag = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1)
  return rows.map((_, i) => i).sort((a, b) => {
    const x = rows[a]!
    const y = rows[b]!
    const byPartition = partitionOf(x.ts) - partitionOf(y.ts)
    if (byPartition !== 0) return byPartition
    for (let t = 0; t < TAG_COUNT; t++) {
      const order = byTag(x.tags[t]!, y.tags[t]!)
      if (order !== 0) return order
    }
    return x.ts - y.ts || a - b
  })
}

function flushedOrder(rows: ReadonlyArray<Row>): number[] {
  return sortMemtableByPartition(memtableOf(rows), WIDTH_US).flatMap((part) => {
    const arrival = part.columns[COLUMNS.length - 1]!
    assert.equal(arrival.kind, 'f64')
    return [...(arrival.kind === 'f64' ? arrival.values : [])]
  })
}

const tagValue = (distinct: number) => fc.option(fc.integer({ min: 0, max: distinct - 1 }).map((v) => `v${v}`), { freq: 5 })

function rowsArbitrary(distinct: number) {
  return fc.array(fc.record({ ts: fc.integer({ min: 0, max: 5_000 }), tags: fc.tuple(tagValue(distinct), tagValue(distinct), tagValue(distinct)) }),
    { maxLength: 300 })
}

describe('engine/timeseries/memtable-sort flush order', () => {
  it('orders rows by (partition, series, time, arrival) with small dictionaries (one key per series)', () => {
    fc.assert(fc.property(rowsArbitrary(6), (rows) => {
      assert.deepEqual(flushedOrder(rows), referenceOrder(rows))
    }), { numRuns: 300 })
  })

  it('keeps rows that arrive in order as they are, and sorts them when one pair is out of order', () => {
    fc.assert(fc.property(rowsArbitrary(4), (rows) => {
      const inOrder = referenceOrder(rows).map((i) => rows[i]!)
      assert.deepEqual(flushedOrder(inOrder), inOrder.map((_, i) => i))
      if (inOrder.length < 2) return
      const swapped = [inOrder[inOrder.length - 1]!, ...inOrder.slice(1, -1), inOrder[0]!]
      assert.deepEqual(flushedOrder(swapped), referenceOrder(swapped))
    }), { numRuns: 200 })
  })

  it('orders rows column by column when the dictionaries are too large for one key (> 2^53 series)', () => {
    // Three tags of 300,000 distinct values each: (300,001)^3 > 2^53.
    const distinct = 300_000
    const rows: Row[] = Array.from({ length: distinct }, (_, i) => ({
      ts: (i * 7919) % 5_000,
      tags: [`v${(i * 104_729) % distinct}`, i % 97 === 0 ? null : `v${(i * 15_485_863) % distinct}`, `v${i}`],
    }))
    assert.deepEqual(flushedOrder(rows), referenceOrder(rows))
  })
})
