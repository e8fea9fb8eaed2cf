// Goal: a memtable's rows packed into a block (engine/timeseries/memtable-block.ts, memtable-pack.ts) read back bit
// for bit: every float shape (short decimals, random doubles, NaN payloads, -0, ±Infinity, huge values), timestamps
// in order, out of order and with jumps, NULLs anywhere, symbol ids of every width, bigints, bools and text; a
// column added after sealing reads NULL; and the line of blocks plus tail (memtable-blocks.ts) gives back every row
// in order through wholeMemtable and through scans, with blocks pruned only when no row could pass.
// Method: seeded random columns of each shape appended to a memtable, sealed, decoded; each cell compared with the
// appended values (the oracle: the batches themselves, compared with Object.is on the float bits).
import assert from 'node:assert/strict'
import type { ColumnBatch, ColumnVector } from '../../../engine/batch.js'
import { OP_VERSION, type ScanOp, type TableSchema } from '../../../engine/ops.js'
import { decodeBlock, sealBlock } from '../../../engine/timeseries/memtable-block.js'
import { scanMemtablesOf, scanSourcesOf, sealIfFull, wholeMemtable, type BlockedRows } from '../../../engine/timeseries/memtable-blocks.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { BLOCK_ROWS } from '../../../engine/timeseries/memtable-blocks.js'
import { asTableId } from '../../../src/common/ids.js'
import { seededRandom } from '../../helpers/random.js'
import { COLUMNS } from './engine-fixture.js'
import { batchCell, memCell } from './memtable-cells.js'

const SCHEMA: TableSchema = { id: asTableId(1), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }
const SHAPES = ['decimal', 'random', 'special', 'huge', 'constant', 'integers'] as const

function floats(random: () => number, shape: typeof SHAPES[number], n: number): Float64Array {
  let x = Math.round(random() * 10000) / 100
  return Float64Array.from({ length: n }, (_, i) => {
    switch (shape) {
      case 'decimal': x = Math.round(Math.min(100, Math.max(0, x + (random() - 0.5) * 2)) * 100) / 100; return x
      case 'random': return random() * 1e6 - 5e5
      case 'special': return [Number.NaN, -0, Number.POSITIVE_INFINITY, 0.1, 1e300, Number.NEGATIVE_INFINITY][i % 6]!
      case 'huge': return (random() < 0.9 ? 3 : 2 ** 52) * Math.round(random() * 1000)
      case 'constant': return 42.5
      default: return Math.round(random() * (random() < 0.05 ? 1e9 : 100))
    }
  })
}

function timestamps(random: () => number, n: number): Float64Array {
  const base = 1_700_000_000_000_000
  const shape = Math.floor(random() * 3)
  return Float64Array.from({ length: n }, (_, i) => shape === 0 ? base + i * 10_000_000
    : shape === 1 ? base + Math.floor(random() * 1e11) : base + (i % 7 === 0 ? 43_200_000_000 : 0) + i * 10_000_000)
}

function randomBatch(random: () => number, n: number): ColumnBatch {
  const nulls = (): Uint8Array | undefined => random() < 0.5 ? undefined : Uint8Array.from({ length: n }, () => (random() < 0.2 ? 1 : 0))
  const dictSize = [1, 3, 200, 40_000][Math.floor(random() * 4)]!
  const dict = Array.from({ length: dictSize }, (_, i) => `h${i}`)
  const columns: ColumnVector[] = [
    { kind: 'timestamp', values: timestamps(random, n) },
    { kind: 'symbol', ids: Int32Array.from({ length: n }, () => (random() < 0.1 ? -1 : Math.floor(random() * dictSize))), dict },
    { kind: 'f64', values: floats(random, SHAPES[Math.floor(random() * SHAPES.length)]!, n), nulls: nulls() },
    { kind: 'i64', values: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(random() * 1e6)) - 500_000n), nulls: nulls() },
    { kind: 'bool', values: Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0)), nulls: nulls() },
    { kind: 'text', values: Array.from({ length: n }, () => (random() < 0.2 ? null : `t${Math.floor(random() * 9)}`)) },
  ]
  return { rowCount: n, columns }
}

function assertRows(actual: Memtable, batches: ReadonlyArray<ColumnBatch>, label: string): void {
  let row = 0
  for (const batch of batches) {
    for (let r = 0; r < batch.rowCount; r++, row++) {
      for (let c = 0; c < SCHEMA.columns.length; c++) {
        const want = batchCell(batch, c, r)
        const got = memCell(actual.columns[c]!, row)
        assert.ok(Object.is(got, want), `${label}: row ${row} column ${c}: ${String(got)} != ${String(want)}`)
      }
    }
  }
  assert.equal(actual.rowCount, row, `${label}: row count`)
}

const identity = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i)

describe('memtable blocks (issue 10: RSS after ingest)', function () {
  it('decodes every packed column bit for bit', function () {
    for (let seed = 1; seed <= 60; seed++) {
      const random = seededRandom(seed)
      const n = 1 + Math.floor(random() * 3000)
      const batch = randomBatch(random, n)
      const memtable = new Memtable(SCHEMA)
      memtable.appendRows(batch, identity(n), n)
      const block = sealBlock(memtable)
      assertRows(decodeBlock(SCHEMA, block), [batch], `seed ${seed}`)
    }
  })

  it('packs TSBS-like rows into far fewer bytes than the arrays', function () {
    const random = seededRandom(7)
    const n = 1024
    const columns: ColumnVector[] = [{ kind: 'timestamp', values: timestamps(() => 0, n) }, { kind: 'symbol', ids: new Int32Array(n), dict: ['host_1'] }]
    for (let c = 0; c < 4; c++) columns.push({ kind: 'f64', values: floats(random, 'decimal', n) })
    const schema: TableSchema = {
      ...SCHEMA, columns: [COLUMNS[0]!, COLUMNS[1]!, ...[0, 1, 2, 3].map((i) => ({ ...COLUMNS[2]!, name: `f${i}` }))],
    }
    const memtable = new Memtable(schema)
    memtable.appendRows({ rowCount: n, columns }, identity(n), n)
    const block = sealBlock(memtable)
    // Four floats of 1-byte deltas, a regular timestamp and one tag: about 4 bytes a row against 40.
    assert.ok(block.bytes.byteLength < 5 * n, `${block.bytes.byteLength} bytes for ${n} rows`)
    assert.ok(memtable.sizeBytes >= 40 * n)
  })

  it('reads NULL in columns added after a block was sealed', function () {
    const random = seededRandom(3)
    const batch = randomBatch(random, 50)
    const short: TableSchema = { ...SCHEMA, columns: COLUMNS.slice(0, 4) }
    const memtable = new Memtable(short)
    memtable.appendRows({ rowCount: 50, columns: batch.columns.slice(0, 4) }, identity(50), 50)
    const decoded = decodeBlock(SCHEMA, sealBlock(memtable))
    assertRows(decoded, [{ rowCount: 50, columns: batch.columns.slice(0, 4) }], 'added columns')
  })

  it('keeps every row in order through seals, wholeMemtable and pruned scans', function () {
    const random = seededRandom(11)
    const rows: BlockedRows = { memtable: new Memtable(SCHEMA), blocks: [], blocksBytes: 0, blocksUnpackedBytes: 0 }
    const batches: ColumnBatch[] = []
    // ~150 rows a batch on average: enough batches for about six blocks, whatever BLOCK_ROWS is.
    for (let i = 0; i < Math.ceil(6 * BLOCK_ROWS / 150); i++) {
      const n = 1 + Math.floor(random() * 300)
      const batch = randomBatch(random, n)
      batches.push(batch)
      sealIfFull(rows, n)
      rows.memtable.appendRows(batch, identity(n), n)
    }
    assert.ok(rows.blocks.length >= 5, `${rows.blocks.length} blocks`)
    for (const block of rows.blocks) assert.ok(block.rowCount <= Math.max(BLOCK_ROWS, 300))
    assertRows(wholeMemtable(SCHEMA, rows), batches, 'whole')
    const scan = (fromUs: number, toUs: number): ScanOp => ({
      kind: 'ScanOp', v: OP_VERSION, tableId: SCHEMA.id, timeRange: { fromUs, toUs }, filters: [],
      projection: [0, 1, 2, 3, 4, 5], groupBy: [], aggregates: [], limit: null, where: null,
    })
    const all = scanMemtablesOf(SCHEMA, rows, scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY))
    assert.equal(all.length, rows.blocks.length + 1)
    // A streaming scan's snapshot of the tail survives later seals (the tail is replaced, not cleared).
    const sources = scanSourcesOf(SCHEMA, rows, scan(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY))
    const snapshot = sources[sources.length - 1]!
    const tail = snapshot.open()
    const before = Float64Array.from(tail.columns[0]!.kind === 'timestamp' ? tail.columns[0]!.values.subarray(0, snapshot.rowCount) : [])
    for (let i = 0; i < 20; i++) {
      const batch = randomBatch(random, 200)
      batches.push(batch)
      sealIfFull(rows, 200)
      rows.memtable.appendRows(batch, identity(200), 200)
    }
    assert.notEqual(rows.memtable, tail)
    assert.deepEqual(tail.columns[0]!.kind === 'timestamp' ? tail.columns[0]!.values.subarray(0, snapshot.rowCount) : [], before)
    assertRows(wholeMemtable(SCHEMA, rows), batches, 'whole after the snapshot')
    // A range no timestamp reaches: every block is pruned, the tail is always offered.
    assert.equal(scanMemtablesOf(SCHEMA, rows, scan(0, 1)).length, 1)
    // A range inside one block's bounds keeps that block.
    const first = rows.blocks[0]!
    const kept = scanMemtablesOf(SCHEMA, rows, scan(first.minUs, first.minUs + 1))
    assert.ok(kept.some((memtable) => memtable.rowCount === first.rowCount))
  })
})
