// Goal: a memtable's outgrown arrays do not wait for a late mark-compact (engine/timeseries/memtable.ts,
// src/common/release-buffer.ts, issue 10): once OUTGROWN_GC_BYTES of them have died in a thread, a full GC runs
// (node's `gc`, which bin/nodedb exposes), and not before; without `gc` nothing happens. Main's memtable never asked.
// Method: a stand-in `gc` that counts its calls; one memtable grown by appends whose outgrown bytes are summed from
// the arrays it held before each append (the oracle), so the expected number of collections is known.
import assert from 'node:assert/strict'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { TableSchema } from '../../../engine/ops.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { asTableId } from '../../../src/common/ids.js'
import { OUTGROWN_GC_BYTES } from '../../../src/common/release-buffer.js'
import { COLUMNS } from './engine-fixture.js'

const NUMERIC = COLUMNS.filter((column) => column.kind === 'timestamp' || column.kind === 'f64')
const SCHEMA: TableSchema = { id: asTableId(1), name: 'cpu', columns: NUMERIC, timestampIndex: 0 }

function batchOf(rowCount: number): ColumnBatch {
  return { rowCount, columns: [
    { kind: 'timestamp', values: Float64Array.from({ length: rowCount }, (_, i) => i) },
    { kind: 'f64', values: Float64Array.from({ length: rowCount }, (_, i) => i / 3) },
  ] }
}

/** Bytes of the arrays the memtable holds (values only: no NULL, so its null maps are shared zeros). */
function arrayBytes(memtable: Memtable): number {
  return memtable.columns.reduce((sum, column) => sum + (column.kind === 'f64' || column.kind === 'timestamp' ? column.values.byteLength : 0), 0)
}

describe('engine/timeseries/memtable outgrown arrays', () => {
  const global = globalThis as { gc?: () => void }
  const saved = global.gc
  afterEach(() => { global.gc = saved })

  it(`runs a full GC per ${OUTGROWN_GC_BYTES / 2 ** 20} MiB of outgrown arrays, not sooner`, () => {
    let calls = 0
    global.gc = () => { calls++ }
    // Flush whatever earlier tests in this process counted: grow until a first collection, then start from zero.
    const warm = new Memtable(SCHEMA)
    while (calls === 0) warm.appendRows(batchOf(4096), Int32Array.from({ length: 4096 }, (_, i) => i), 4096)
    calls = 0
    const memtable = new Memtable(SCHEMA)
    const batch = batchOf(1000)
    const rows = Int32Array.from({ length: 1000 }, (_, i) => i)
    let outgrown = 0
    while (outgrown < 5 * OUTGROWN_GC_BYTES) {
      const before = arrayBytes(memtable)
      memtable.appendRows(batch, rows, 1000)
      if (arrayBytes(memtable) !== before) outgrown += before
      // Counted from the rows held (what they filled), so within a growth step of the oracle's sum.
      assert.ok(calls <= Math.floor(outgrown / OUTGROWN_GC_BYTES), `${calls} collections after ${outgrown} bytes outgrown`)
    }
    assert.ok(calls >= 3, `${calls} collections after ${outgrown} bytes outgrown`)
  })

  it('does nothing where node exposes no gc', () => {
    global.gc = undefined
    const memtable = new Memtable(SCHEMA)
    const batch = batchOf(50_000)
    const rows = Int32Array.from({ length: 50_000 }, (_, i) => i)
    for (let i = 0; i < 40; i++) memtable.appendRows(batch, rows, 50_000)
    assert.equal(memtable.rowCount, 2_000_000)
  })
})
