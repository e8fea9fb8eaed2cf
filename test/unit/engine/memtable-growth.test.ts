// Goal: a memtable that outgrows its arrays gives the outgrown ones back at once (engine/timeseries/memtable.ts,
// issue 10: dead arrays left to a late mark-compact grew the cores' malloc arenas by ~60 MiB after a bulk load), and
// only the ones it allocated itself: a decoded row group's vectors (which the chunk cache keeps) and the shared zero
// maps stay intact, and every value reads back bit for bit (NaN payloads, -0, bigints at their limits).
// Method: appends that force growth, with a reference kept to each array before; an outgrown array of the memtable's
// own is detached (byteLength 0: what main's memtable never did), the others keep their bytes; the values are
// compared as raw bytes against the appended batches (the oracle: the batches themselves).
import assert from 'node:assert/strict'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { TableSchema } from '../../../engine/ops.js'
import { isSharedNoNulls, Memtable, noNulls } from '../../../engine/timeseries/memtable.js'
import { asTableId } from '../../../src/common/ids.js'
import { COLUMNS } from './engine-fixture.js'

const SCHEMA: TableSchema = { id: asTableId(1), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }

/** Doubles whose bits a careless copy would change: a NaN with a payload, -0, the extremes. */
function awkwardFloat(i: number): number {
  const bits = new DataView(new ArrayBuffer(8))
  bits.setBigUint64(0, 0x7ff8_0000_dead_0000n + BigInt(i))
  return [bits.getFloat64(0), -0, Number.MAX_VALUE, Number.MIN_VALUE, -Infinity, i / 7][i % 6]!
}

/** `rowCount` rows from `from` on, every kind; NULLs where `withNulls` says (the memtable then owns null maps). */
function batchOf(from: number, rowCount: number, withNulls: boolean): ColumnBatch {
  const rows = Array.from({ length: rowCount }, (_, r) => from + r)
  return { rowCount, columns: [
    { kind: 'timestamp', values: Float64Array.from(rows, (i) => i * 10) },
    { kind: 'symbol', ids: Int32Array.from(rows, (i) => i % 3), dict: ['h0', 'h1', 'h2'] },
    { kind: 'f64', values: Float64Array.from(rows, awkwardFloat), nulls: withNulls ? Uint8Array.from(rows, (i) => (i % 5 === 0 ? 1 : 0)) : undefined },
    { kind: 'i64', values: BigInt64Array.from(rows, (i) => (i % 2 === 0 ? -(2n ** 63n) : 2n ** 63n - 1n) + BigInt(i % 2 === 0 ? i : -i)) },
    { kind: 'bool', values: Uint8Array.from(rows, (i) => i % 2) },
    { kind: 'text', values: rows.map((i) => `t${i}`) },
  ] }
}

function append(memtable: Memtable, batch: ColumnBatch): void {
  memtable.appendRows(batch, Int32Array.from({ length: batch.rowCount }, (_, r) => r), batch.rowCount)
}

/** The arrays of every column that are not views of shared zeros. */
function ownArrays(memtable: Memtable): ArrayBufferView[] {
  return memtable.columns.flatMap((column): ArrayBufferView[] => {
    switch (column.kind) {
      case 'text': return []
      case 'symbol': return column.isIdsShared === true ? [] : [column.ids]
      default: return column.isNullsShared === true ? [column.values] : [column.values, column.nulls]
    }
  })
}

const bytesOf = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength)

/** Column `c` of rows [0, rowCount) as raw bytes (value arrays; symbols and text through their dictionaries). */
function columnBytes(memtable: Memtable, c: number): string {
  const column = memtable.columns[c]!
  switch (column.kind) {
    case 'text': return JSON.stringify(column.values.slice(0, memtable.rowCount))
    case 'symbol': return JSON.stringify(Array.from(column.ids.subarray(0, memtable.rowCount), (id) => column.dict[id]))
    default: return Buffer.from(bytesOf(column.values.subarray(0, memtable.rowCount))).toString('hex') +
      Buffer.from(column.nulls.subarray(0, memtable.rowCount)).toString('hex')
  }
}

describe('engine/timeseries/memtable growth', () => {
  it('frees each array it outgrows and reads every value back bit for bit', () => {
    for (const withNulls of [false, true]) {
      const memtable = new Memtable(SCHEMA)
      let rows = 0
      for (const count of [3, 1, 40, 7, 500, 2, 3000]) {
        const before = ownArrays(memtable)
        const batch = batchOf(rows, count, withNulls)
        append(memtable, batch)
        rows += count
        const after = new Set<ArrayBufferView>(ownArrays(memtable))
        for (const array of before) {
          if (after.has(array)) continue
          assert.equal(array.byteLength, 0, `an outgrown array of ${withNulls ? 'a memtable with NULLs' : 'a memtable'} is freed`)
        }
        // The oracle: one memtable that took all rows so far in one batch (sized exactly, never grown).
        const whole = new Memtable(SCHEMA)
        append(whole, batchOf(0, rows, withNulls))
        COLUMNS.forEach((_, c) => assert.equal(columnBytes(memtable, c), columnBytes(whole, c), `column ${c} after ${rows} rows`))
      }
      assert.equal(memtable.rowCount, rows)
    }
  })

  it('leaves a decoded row group\'s vectors and the shared zero maps intact when appended to', () => {
    const source = batchOf(0, 50, false)
    const vectors = source.columns.map((vector) => vector)
    const kept = vectors.flatMap((vector): ArrayBufferView[] => ('values' in vector && ArrayBuffer.isView(vector.values) ? [vector.values] : 'ids' in vector ? [vector.ids] : []))
    const copies = kept.map((view) => Buffer.from(bytesOf(view)).toString('hex'))
    const decoded = Memtable.fromVectors(SCHEMA, 50, vectors)
    const sharedNulls = noNulls(50)
    append(decoded, batchOf(50, 20, false))
    kept.forEach((view, i) => assert.equal(Buffer.from(bytesOf(view)).toString('hex'), copies[i], `decoded vector ${i} untouched`))
    assert.equal(sharedNulls.byteLength, 50)
    assert.ok(isSharedNoNulls(noNulls(10)))
    const whole = new Memtable(SCHEMA)
    append(whole, batchOf(0, 70, false))
    COLUMNS.forEach((_, c) => assert.equal(columnBytes(decoded, c), columnBytes(whole, c), `column ${c}`))
    // Grown once, the decoded memtable's arrays are its own: the next growth frees them.
    const own = ownArrays(decoded)
    append(decoded, batchOf(70, 200, false))
    for (const array of own) assert.equal(array.byteLength, 0)
  })
})
