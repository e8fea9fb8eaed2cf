// Goal: a memtable's columns start with shared zeros for their null maps and symbol ids (engine/timeseries/memtable.ts,
// issue 10) and read exactly what was appended anyway: a column gets an array of its own before its first NULL or its
// first id other than 0 (also after growing, and for rows appended as NULL by a batch that lacks the column), one
// memtable taking its own array never changes what another reads, and the budget counts only the arrays a column owns.
// Method: seeded batches appended in random slices to several memtables side by side; every cell read back and
// compared with the appended rows (the oracle: the batches themselves); the sharing observed through the columns.
import assert from 'node:assert/strict'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { TableSchema } from '../../../engine/ops.js'
import { Memtable, MEMTABLE_GROWTH_FACTOR, type MemColumn } from '../../../engine/timeseries/memtable.js'
import { asTableId } from '../../../src/common/ids.js'
import { seededRandom } from '../../helpers/random.js'
import { COLUMNS } from './engine-fixture.js'
import { batchCell, memCell, type Cell } from './memtable-cells.js'

const SCHEMA: TableSchema = { id: asTableId(1), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }

/** A batch of `rowCount` rows with `hostCount` hosts, NULLs in each field with probability `nullShare`. */
function randomBatch(random: () => number, rowCount: number, hostCount: number, nullShare: number, columnCount = COLUMNS.length): ColumnBatch {
  const nulls = () => Uint8Array.from({ length: rowCount }, () => (random() < nullShare ? 1 : 0))
  const columns: ColumnBatch['columns'] = [
    { kind: 'timestamp', values: Float64Array.from({ length: rowCount }, () => Math.floor(random() * 1e9)) },
    { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, () => (random() < nullShare ? -1 : Math.floor(random() * hostCount))), dict: ['h0', 'h1', 'h2'].slice(0, Math.max(1, hostCount)) },
    { kind: 'f64', values: Float64Array.from({ length: rowCount }, () => random()), nulls: random() < 0.5 ? undefined : nulls() },
    { kind: 'i64', values: BigInt64Array.from({ length: rowCount }, () => BigInt(Math.floor(random() * 1000))), nulls: random() < 0.5 ? undefined : nulls() },
    { kind: 'bool', values: Uint8Array.from({ length: rowCount }, () => (random() < 0.5 ? 1 : 0)), nulls: random() < 0.5 ? undefined : nulls() },
    { kind: 'text', values: Array.from({ length: rowCount }, () => (random() < nullShare ? null : 'x')) },
  ]
  return { rowCount, columns: columns.slice(0, columnCount) }
}

function append(memtable: Memtable, batch: ColumnBatch, rows: number[]): void {
  memtable.appendRows(batch, Int32Array.from(rows), rows.length)
}

describe('engine/timeseries/memtable shared zeros', () => {
  it('reads back every appended cell while memtables side by side take arrays of their own at random points', () => {
    const random = seededRandom(42)
    for (let round = 0; round < 40; round++) {
      const memtables = Array.from({ length: 3 }, () => new Memtable(SCHEMA))
      const expected: Cell[][][] = memtables.map(() => COLUMNS.map(() => []))
      for (let step = 0; step < 12; step++) {
        // Mostly one host and no NULLs (shared zeros kept), sometimes a second host, NULLs or a prefix batch.
        const rowCount = 1 + Math.floor(random() * 700)
        const hostCount = random() < 0.8 ? 1 : 3
        const nullShare = random() < 0.8 ? 0 : 0.1
        const batch = randomBatch(random, rowCount, hostCount, nullShare, random() < 0.1 ? 2 : COLUMNS.length)
        const m = Math.floor(random() * memtables.length)
        const rows = Array.from({ length: rowCount }, (_, r) => r).filter(() => random() < 0.9)
        append(memtables[m]!, batch, rows)
        COLUMNS.forEach((_, c) => { for (const row of rows) expected[m]![c]!.push(batchCell(batch, c, row)) })
        memtables.forEach((memtable, i) => {
          assert.equal(memtable.rowCount, expected[i]![0]!.length)
          memtable.columns.forEach((column, c) => {
            const cells = Array.from({ length: memtable.rowCount }, (_, row) => memCell(column, row))
            assert.deepStrictEqual(cells, expected[i]![c], `round ${round} step ${step} memtable ${i} column ${c}`)
          })
        })
      }
    }
  })

  it('keeps one-series columns without NULLs on shared zeros past growth, and counts only owned arrays', () => {
    const random = seededRandom(7)
    const memtable = new Memtable(SCHEMA)
    const batch = randomBatch(random, 5000, 1, 0)
    for (const vector of batch.columns) if (vector.kind !== 'symbol' && vector.kind !== 'text') delete (vector as { nulls?: Uint8Array }).nulls
    append(memtable, batch, Array.from({ length: 5000 }, (_, r) => r))
    const [ts, host, usage, reqs, ok] = memtable.columns
    assert.ok(ts?.kind === 'timestamp' && ts.isNullsShared === true, 'timestamp null map shared')
    assert.ok(host?.kind === 'symbol' && host.isIdsShared === true, 'host ids shared')
    assert.ok(usage?.kind === 'f64' && usage.isNullsShared === true)
    assert.ok(reqs?.kind === 'i64' && reqs.isNullsShared === true)
    assert.ok(ok?.kind === 'bool' && ok.isNullsShared === true)
    const textBytes = 5000 * (8 + 2) + 'h0'.length * 2 + 32
    // 8 bytes per timestamp, f64 and i64 value, 1 per bool, nothing for null maps and host ids.
    assert.equal(memtable.sizeBytes, 5000 * (8 + 8 + 8 + 1) + textBytes)
    // A second host and a NULL usage: those columns own arrays from then on, the earlier rows still read 0 / not NULL.
    const other: ColumnBatch = { rowCount: 2, columns: [
      { kind: 'timestamp', values: new Float64Array([1, 2]) },
      { kind: 'symbol', ids: new Int32Array([0, 0]), dict: ['h2'] },
      { kind: 'f64', values: new Float64Array([0, 0.5]), nulls: new Uint8Array([1, 0]) },
      { kind: 'i64', values: new BigInt64Array([1n, 2n]) },
      { kind: 'bool', values: new Uint8Array([1, 0]) },
      { kind: 'text', values: ['y', 'y'] },
    ] }
    append(memtable, other, [0, 1])
    const owns = (column: MemColumn): boolean => !('isNullsShared' in column ? column.isNullsShared === true : 'isIdsShared' in column && column.isIdsShared === true)
    assert.deepStrictEqual(memtable.columns.map(owns), [false, true, true, false, false, true])
    assert.equal(memCell(host, 0), batchCell(batch, 1, 0))
    assert.equal(memCell(host, 5000), 'h2')
    assert.equal(memCell(usage, 4999), batchCell(batch, 2, 4999))
    assert.equal(memCell(usage, 5000), null)
    assert.equal(memtable.sizeBytes, 5002 * (8 + 4 + 9 + 8 + 1) + textBytes + 2 * (8 + 2) + 'h2'.length * 2 + 32)
  })

  // Issue 10: the budget counts rows held (sizeBytes); the arrays must not hold much more than that, or the budget
  // stops bounding the memory. The first append sizes the arrays exactly, each growth takes at most
  // MEMTABLE_GROWTH_FACTOR (2).
  it('holds arrays of at most MEMTABLE_GROWTH_FACTOR times the rows it counts (plus a row), the first append sized exactly', () => {
    const random = seededRandom(11)
    const ownedBytes = (memtable: Memtable): number => memtable.columns.reduce((sum, column) => {
      switch (column.kind) {
        case 'text': return sum
        case 'symbol': return sum + (column.isIdsShared === true ? 0 : column.ids.byteLength)
        default: return sum + column.values.byteLength + (column.isNullsShared === true ? 0 : column.nulls.byteLength)
      }
    }, 0)
    for (let round = 0; round < 20; round++) {
      const memtable = new Memtable(SCHEMA)
      const nullShare = round % 2 === 0 ? 0 : 0.1
      for (let step = 0; step < 30; step++) {
        const rowCount = 1 + Math.floor(random() * (random() < 0.5 ? 20 : 2000))
        append(memtable, randomBatch(random, rowCount, round % 3 === 0 ? 3 : 1, nullShare), Array.from({ length: rowCount }, (_, r) => r))
        const rowBytes = memtable.sizeBytes / memtable.rowCount
        if (step === 0) assert.equal(memtable.columns[0]!.kind === 'timestamp' && memtable.columns[0]!.values.length, rowCount)
        assert.ok(ownedBytes(memtable) <= MEMTABLE_GROWTH_FACTOR * memtable.sizeBytes + rowBytes, `round ${round} step ${step}: ${ownedBytes(memtable)} bytes held for ${memtable.sizeBytes} counted`)
      }
    }
  })
})
