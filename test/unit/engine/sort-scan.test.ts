// Goal: ORDER BY on the cores (ScanStreamOptions.sort: engine/core/sort-scan.ts, engine/sorted-merge.ts) hands out
// every row once, as DataRows, in the keys' order across both cores — NULLS FIRST/LAST per key, NaN above +Infinity,
// tags by their strings (also a tag with more distinct values than a batch has rows) — over segments and memtables;
// a sort over more rows than its budget fails with MemoryBudget; an abort mid-stream stops the cores' sorts.
// Method: 40,000 seeded rows (some NaN and ±Infinity) in segments and memtables; the DataRows are decoded (text and
// binary columns) and compared with the same rows sorted by a plain comparator written from the keys' definition
// (the last key, the timestamp, is unique, so the order is total).
import assert from 'node:assert/strict'
import type { Engine, ScanSort } from '../../../engine/api.js'
import type { RowsPartial } from '../../../engine/batch.js'
import { DEFAULT_TEXT_SETTINGS, type DataRowEncoding } from '../../../src/common/datarow-encoder.js'
import type { TableId } from '../../../src/common/ids.js'
import { SCAN_BATCH_ROWS_COUNT } from '../../../src/common/limits.js'
import type { Row } from './engine-oracle.js'
import { BASE_US, createCpu, expectFailure, makeRows, scanOp, toBatch , useSmallEngine } from './engine-fixture.js'

let engine: Engine | undefined

// host as text, reqs as int8 text, ts as timestamptz binary (µs since 2000), usage as float8 binary.
const ENCODING: DataRowEncoding = {
  columns: [{ slot: 1, typeOid: 25, format: 0 }, { slot: 3, typeOid: 20, format: 0 }, { slot: 0, typeOid: 1184, format: 1 }, { slot: 2, typeOid: 701, format: 1 }],
  ...DEFAULT_TEXT_SETTINGS,
}
// usage DESC NULLS LAST, host, reqs NULLS FIRST, ts DESC.
const SORT: ScanSort = {
  keys: [{ column: 2, descending: true, nullsFirst: false }, { column: 1, descending: false, nullsFirst: false },
    { column: 3, descending: false, nullsFirst: true }, { column: 0, descending: true, nullsFirst: true }],
  rowsMax: 1_000_000, what: 'the sort of "cpu"',
}
const PG_EPOCH_US = 946_684_800_000_000

type Cells = [string | null, string | null, number, number | null]

/** The DataRows of a batch as [host, reqs, ts µs, usage]. */
function decode(partial: RowsPartial): Cells[] {
  const { bytes, rowCount } = partial.encoded!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const rows: Cells[] = []
  let at = 0
  for (let r = 0; r < rowCount; r++) {
    assert.equal(bytes[at], 0x44)
    const count = view.getInt16(at + 5)
    at += 7
    const cells: Array<Uint8Array | null> = []
    for (let c = 0; c < count; c++) {
      const length = view.getInt32(at)
      at += 4
      cells.push(length < 0 ? null : bytes.subarray(at, at + length))
      at += Math.max(0, length)
    }
    const text = (cell: Uint8Array | null) => (cell === null ? null : Buffer.from(cell).toString('utf8'))
    const binary = (cell: Uint8Array | null) => (cell === null ? null : new DataView(cell.buffer, cell.byteOffset, cell.byteLength))
    rows.push([text(cells[0]!), text(cells[1]!), Number(binary(cells[2]!)!.getBigInt64(0)) + PG_EPOCH_US, binary(cells[3]!)?.getFloat64(0) ?? null])
  }
  assert.equal(at, bytes.length)
  return rows
}

/** PostgreSQL's float8 order: NaN above every number. */
function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

function expectedOrder(rows: ReadonlyArray<Row>): Cells[] {
  const sorted = [...rows].sort((a, b) => {
    if (a.usage === null || b.usage === null) { if (a.usage !== b.usage) return a.usage === null ? 1 : -1 } else if (compareFloat(a.usage, b.usage) !== 0) return -compareFloat(a.usage, b.usage)
    if (a.host !== b.host) return a.host < b.host ? -1 : 1
    if (a.reqs === null || b.reqs === null) { if (a.reqs !== b.reqs) return a.reqs === null ? -1 : 1 } else if (a.reqs !== b.reqs) return a.reqs < b.reqs ? -1 : 1
    return b.ts - a.ts
  })
  return sorted.map((row) => [row.host, row.reqs === null ? null : String(row.reqs), row.ts, row.usage])
}

async function ingestAll(tableId: TableId, rows: ReadonlyArray<Row>): Promise<void> {
  for (let at = 0; at < rows.length; at += 2000) await engine!.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 2000)) })
}

describe('engine sorted scan streams (ORDER BY on the cores)', () => {
  useSmallEngine('nodedb-sort-', (opened) => { engine = opened })

  it('merges both cores\' sorted rows into the keys\' order, every row once, as DataRows', async () => {
    const tableId = await createCpu(engine!)
    const rows = makeRows(40_000, 11).map((row, i) => (i % 997 === 0 ? { ...row, usage: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][i % 3]! } : row))
    await ingestAll(tableId, rows)
    assert.ok((engine!.stats().segmentCount ?? 0) > 0, 'some rows are in segments')
    const got: Cells[] = []
    for await (const batch of engine!.scanStream(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }), { encoding: ENCODING, sort: SORT })) {
      assert.ok(batch.rowCount > 0 && batch.rowCount <= SCAN_BATCH_ROWS_COUNT)
      got.push(...decode(batch))
    }
    assert.equal(got.length, rows.length)
    assert.deepStrictEqual(got, expectedOrder(rows))
    assert.equal(engine!.stats().scanStreamOpenCount, 0)
  })

  it('a tag key with more distinct values than a batch has rows sorts by its strings', async () => {
    const tableId = await createCpu(engine!)
    // 'h10' < 'h9': the strings' order, not the numbers'; many more distinct hosts than rows per batch.
    // (Each core's tag dictionary then outgrows its batches, whose key vectors carry only the entries they use.)
    const rows = makeRows(12_000, 13).map((row, i) => ({ ...row, host: `h${(i * 7919) % 10_000}` }))
    await ingestAll(tableId, rows)
    const got: Cells[] = []
    for await (const batch of engine!.scanStream(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }), { encoding: ENCODING, sort: SORT })) got.push(...decode(batch))
    assert.deepStrictEqual(got, expectedOrder(rows))
  })

  it('a pushed filter and an empty answer sort too', async () => {
    const tableId = await createCpu(engine!)
    const rows = makeRows(9_000, 5)
    await ingestAll(tableId, rows)
    const filtered = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5], filters: [{ column: 1, op: 'in', values: ['h3', 'h5'] }],
      timeRange: { fromUs: BASE_US + 5_000_000, toUs: BASE_US + 50_000_000 } })
    const got: Cells[] = []
    for await (const batch of engine!.scanStream(filtered, { encoding: ENCODING, sort: SORT })) got.push(...decode(batch))
    const kept = rows.filter((row) => (row.host === 'h3' || row.host === 'h5') && row.ts >= BASE_US + 5_000_000 && row.ts < BASE_US + 50_000_000)
    assert.deepStrictEqual(got, expectedOrder(kept))
    const none = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5], filters: [{ column: 1, op: 'eq', values: ['nobody'] }] })
    let count = 0
    for await (const batch of engine!.scanStream(none, { encoding: ENCODING, sort: SORT })) count += batch.rowCount
    assert.equal(count, 0)
  })

  it('more rows on a core than the sort may hold fail with MemoryBudget, and the cores go on', async () => {
    const tableId = await createCpu(engine!)
    await ingestAll(tableId, makeRows(10_000, 3))
    const op = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] })
    const drain = async (sort: ScanSort): Promise<number> => {
      let count = 0
      for await (const batch of engine!.scanStream(op, { encoding: ENCODING, sort })) count += batch.rowCount
      return count
    }
    await expectFailure(drain({ ...SORT, rowsMax: 1000 }), 'MemoryBudget', /the sort of "cpu" would hold more than/)
    assert.equal(await drain(SORT), 10_000)
    assert.equal(engine!.stats().scanStreamOpenCount, 0)
  })

  it('an abort after the first batch stops the cores\' sorts', async () => {
    const tableId = await createCpu(engine!)
    await ingestAll(tableId, makeRows(30_000, 9))
    const controller = new AbortController()
    let batchCount = 0
    for await (const batch of engine!.scanStream(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }), { encoding: ENCODING, sort: SORT, signal: controller.signal })) {
      assert.ok(batch.rowCount > 0)
      batchCount += 1
      controller.abort()
    }
    assert.equal(batchCount, 1)
    assert.equal(engine!.stats().scanStreamCancelledCount, 1)
    assert.equal(engine!.stats().scanStreamOpenCount, 0)
  })
})
