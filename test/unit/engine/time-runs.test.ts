// Goal: the memtable's time index (engine/timeseries/time-runs.ts) and the scan paths that use it pick exactly the
// rows a row-by-row test picks — in order, with limits and resumption — whatever the arrival order (sorted, late
// rows, duplicates, NaN-free random, more runs than the index keeps), with NULLs, rows appended between scans (the
// index is folded in lazily), after a DELETE and across a flush taken while a cursor is open. Method: memtables and
// CoreStorage driven directly (no workers); every expected row list comes from a plain predicate over the input rows.
// Decoded segment row groups too: their index is kept with the cached timestamp chunk and shared by later scans, so a
// segment written as the flush writes it (sorted by series, then time; small row groups, the last one partial, some
// cut by each time range) is scanned repeatedly through one chunk cache and checked the same way.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ApplyIngestRequest } from '../../../engine/bridge/messages.js'
import { vShardsOf } from '../../../engine/bridge/dispatcher.js'
import { CoreStorage } from '../../../engine/core/core-storage.js'
import type { ColumnFilter, ScanOp, TableSchema } from '../../../engine/ops.js'
import { DecodedChunkCache } from '../../../engine/timeseries/chunk-cache.js'
import { memtableWithout } from '../../../engine/timeseries/delete-rows.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { ScanCursor } from '../../../engine/timeseries/scan-cursor.js'
import { selectRowRange } from '../../../engine/timeseries/scan.js'
import { decodeRowGroup } from '../../../engine/timeseries/segment-decode.js'
import { SEGMENT_TRAILER_BYTES } from '../../../engine/timeseries/segment-format.js'
import { rowGroupsOf, segmentSlice } from '../../../engine/timeseries/segment-slice-layout.js'
import { decodeSegmentFooter, decodeSegmentTrailer } from '../../../engine/timeseries/segment-reader.js'
import { encodeSegment } from '../../../engine/timeseries/segment-writer.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'
import { MEMTABLE_TIME_RUNS_MAX_COUNT } from '../../../src/common/limits.js'
import { BASE_US, COLUMNS, HOSTS, scanOp, toBatch } from './engine-fixture.js'
import type { Row } from './engine-oracle.js'

const SCHEMA: TableSchema = { id: asTableId(1), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }
const SECOND_US = 1_000_000

type Order = 'sorted' | 'late rows' | 'duplicates' | 'random' | 'too many runs'

function random(seed: number): () => number {
  let state = seed
  return () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
}

/** Rows in one arrival order; hosts h0..h3 only (h7 never occurs), some NULL fields. */
function rowsIn(order: Order, count: number, seed: number): Row[] {
  const next = random(seed)
  const seconds = (i: number): number => {
    switch (order) {
      case 'sorted': return i
      case 'late rows': return next() < 0.05 ? Math.max(0, i - Math.floor(next() * 50)) : i
      case 'duplicates': return Math.floor(i / 7)
      case 'random': return Math.floor(next() * count)
      case 'too many runs': return i % 2 === 0 ? i : i - 1 - (i % 3)
    }
  }
  return Array.from({ length: count }, (_, i) => ({
    ts: BASE_US + seconds(i) * SECOND_US,
    host: HOSTS[Math.floor(next() * 4)]!,
    usage: next() < 0.1 ? null : Math.floor(next() * 400) / 4,
    reqs: next() < 0.1 ? null : BigInt(Math.floor(next() * 1000)),
    ok: next() < 0.5,
    note: next() < 0.2 ? null : `n${i % 5}`,
  }))
}

function memtableOf(rows: ReadonlyArray<Row>): Memtable {
  const memtable = new Memtable(SCHEMA)
  append(memtable, rows)
  return memtable
}

function append(memtable: Memtable, rows: ReadonlyArray<Row>): void {
  memtable.appendRows(toBatch(rows), Int32Array.from(rows, (_, i) => i), rows.length)
}

function passesFilter(row: Row, filter: ColumnFilter): boolean {
  if (filter.column !== 1) throw new Error('the test filters by host only')
  if (filter.op === 'eq') return row.host === filter.values[0]
  if (filter.op === 'in') return filter.values.includes(row.host)
  if (filter.op === 'neq') return row.host !== filter.values[0]
  throw new Error(`test oracle lacks ${filter.op}`)
}

/** WHERE usage > 50 (an expression: evaluated on windows of candidates after they are taken). */
const USAGE_OVER_50: NonNullable<ScanOp['where']> = {
  v: 1, expr: { k: 'compare', op: '>', left: { k: 'column', column: 2, type: 'float8' }, right: { k: 'const', value: 50, type: 'float8' } },
}

/** The rows of [fromRow, toRow) a row-by-row test picks, in row order. */
function expectedRows(rows: ReadonlyArray<Row>, op: ScanOp, fromRow: number, toRow: number): number[] {
  const { fromUs, toUs } = op.timeRange
  const picked: number[] = []
  for (let r = fromRow; r < toRow; r++) {
    const row = rows[r]!
    if (row.ts < fromUs || row.ts >= toUs) continue
    if (op.where === USAGE_OVER_50 && !(row.usage !== null && row.usage > 50)) continue
    if (op.filters.every((filter) => passesFilter(row, filter))) picked.push(r)
  }
  return picked
}

const FILTERS: ColumnFilter[][] = [
  [], [{ column: 1, op: 'eq', values: ['h2'] }], [{ column: 1, op: 'eq', values: ['h7'] }],
  [{ column: 1, op: 'in', values: ['h0', 'h3'] }], [{ column: 1, op: 'neq', values: ['h1'] }],
]

/** Time ranges in seconds from BASE_US: empty, before all, inside, covering, open-ended. */
function timeRanges(count: number): ScanOp['timeRange'][] {
  const at = (s: number) => BASE_US + s * SECOND_US
  return [
    { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }, { fromUs: at(-10), toUs: at(0) },
    { fromUs: at(count / 4), toUs: at(count / 2) }, { fromUs: at(count / 3) + 1, toUs: at(count / 3 + 1) },
    { fromUs: at(-1), toUs: at(count + 1) }, { fromUs: at(count / 2), toUs: Number.POSITIVE_INFINITY },
    { fromUs: at(5), toUs: at(5) },
  ]
}

/** Every (range, limit) of a few: the selection is a prefix of the expected rows and nextRow is a sound resume point. */
function checkRanges(memtable: Memtable, rows: ReadonlyArray<Row>, op: ScanOp, label: string): void {
  const n = rows.length
  for (const [fromRow, toRow] of [[0, n], [0, Math.floor(n / 3)], [Math.floor(n / 5), n], [7, 7], [n - 1, n]] as const) {
    const expected = expectedRows(rows, op, fromRow, toRow)
    for (const limit of [0, 1, 5, expected.length, n]) {
      const { selection, nextRow } = selectRowRange(memtable, op, { fromRow, toRow, limit })
      const got = Array.from(selection.rows.subarray(0, selection.count))
      const where = `${label} rows [${fromRow}, ${toRow}) limit ${limit}`
      assert.deepEqual(got, expected.slice(0, Math.min(limit, expected.length)), where)
      assert.ok(nextRow >= fromRow && nextRow <= Math.max(fromRow, toRow), `${where}: nextRow ${nextRow}`)
      // Resuming at nextRow loses nothing: every expected row before it was taken.
      assert.deepEqual(expected.filter((r) => r < nextRow), got, `${where}: nothing skipped before nextRow`)
      if (got.length < limit) assert.equal(nextRow, Math.max(fromRow, toRow), `${where}: examined to the end`)
    }
  }
}

describe('engine/timeseries/time-runs (the memtable time index)', () => {
  const orders: Order[] = ['sorted', 'late rows', 'duplicates', 'random', 'too many runs']
  for (const order of orders) {
    it(`selects exactly the row-by-row rows, with limits and resume points, for ${order} arrival`, () => {
      const rows = rowsIn(order, order === 'too many runs' ? 3 * MEMTABLE_TIME_RUNS_MAX_COUNT : 600, 11)
      const memtable = memtableOf(rows)
      const isIndexed = memtable.timeRanges({ fromRow: 0, toRow: rows.length, fromUs: 0, toUs: 1 }) !== null
      assert.equal(isIndexed, order !== 'too many runs', 'the index answers unless it overflowed')
      for (const timeRange of timeRanges(rows.length)) {
        for (const filters of FILTERS) {
          checkRanges(memtable, rows, scanOp(SCHEMA.id, { timeRange, filters }), `${order} ${JSON.stringify(filters)}`)
          checkRanges(memtable, rows, scanOp(SCHEMA.id, { timeRange, filters, where: USAGE_OVER_50 }), `${order} where ${JSON.stringify(filters)}`)
        }
      }
    })
  }

  it('folds rows appended between scans into the index (late rows included)', () => {
    const rows = rowsIn('late rows', 300, 5)
    const memtable = memtableOf(rows.slice(0, 100))
    const op = scanOp(SCHEMA.id, { timeRange: { fromUs: BASE_US + 50 * SECOND_US, toUs: BASE_US + 250 * SECOND_US } })
    checkRanges(memtable, rows.slice(0, 100), op, 'first 100')
    // A row far in the past then the rest: the index gains a run for it.
    const late: Row = { ...rows[0]!, ts: BASE_US + 60 * SECOND_US }
    const all = [...rows.slice(0, 100), late, ...rows.slice(100)]
    append(memtable, all.slice(100))
    checkRanges(memtable, all, op, 'after appends')
  })

  it('drops the index past MEMTABLE_TIME_RUNS_MAX_COUNT runs and still answers by testing each row', () => {
    const rows = rowsIn('too many runs', 3 * MEMTABLE_TIME_RUNS_MAX_COUNT, 3)
    const memtable = memtableOf(rows)
    const op = scanOp(SCHEMA.id, { timeRange: { fromUs: BASE_US, toUs: BASE_US + 100 * SECOND_US } })
    assert.equal(memtable.timeRanges({ fromRow: 0, toRow: rows.length, ...op.timeRange }), null)
    checkRanges(memtable, rows, op, 'overflowed')
  })

  it('answers a DELETE and the scan after it as the row-by-row test does', () => {
    const rows = rowsIn('late rows', 500, 9)
    const memtable = memtableOf(rows)
    const timeRange = { fromUs: BASE_US + 100 * SECOND_US, toUs: BASE_US + 200 * SECOND_US }
    const predicate = { timeRange, filters: [{ column: 1, op: 'eq' as const, values: ['h1'] }] }
    const deleted = expectedRows(rows, scanOp(SCHEMA.id, predicate), 0, rows.length)
    const { memtable: kept, deletedCount } = memtableWithout(memtable, predicate)
    assert.equal(deletedCount, deleted.length)
    const remaining = rows.filter((_, r) => !deleted.includes(r))
    for (const filters of FILTERS) checkRanges(kept, remaining, scanOp(SCHEMA.id, { timeRange, filters }), 'after delete')
  })

  it('streams through ScanCursor steps the rows of its snapshot, in order, with a limit', () => {
    const rows = rowsIn('late rows', 5000, 4)
    const memtable = memtableOf(rows)
    const timeRange = { fromUs: BASE_US + 1000 * SECOND_US, toUs: BASE_US + 4000 * SECOND_US }
    for (const limit of [null, 17]) {
      const op = scanOp(SCHEMA.id, { timeRange, filters: [{ column: 1, op: 'in', values: ['h0', 'h2'] }], projection: [0, 2], limit })
      const cursor = new ScanCursor(SCHEMA, op, [{ rowCount: memtable.rowCount, open: () => memtable }])
      const got: number[] = []
      while (!cursor.isDone) {
        const partial = cursor.step()
        const ts = partial.columns[0]!
        if (ts.kind !== 'timestamp') throw new Error('projected timestamp')
        got.push(...ts.values.subarray(0, partial.rowCount))
      }
      const expected = expectedRows(rows, op, 0, rows.length).map((r) => rows[r]!.ts)
      assert.deepEqual(got, limit === null ? expected : expected.slice(0, limit))
    }
  })

  it('a cursor opened before more rows and a flush commit reads exactly its snapshot (invariant 2)', () => {
    const storage = new CoreStorage({ coreId: 0, memtableBudgetBytes: 64 << 20, partitionWidthUs: 86_400_000_000 })
    storage.registerTable(SCHEMA)
    const rows = rowsIn('late rows', 2000, 8)
    const ingest = (lsn: number, part: ReadonlyArray<Row>): void => {
      const batch = toBatch(part)
      const request: ApplyIngestRequest = { kind: 'ApplyIngestRequest', id: lsn, tableId: SCHEMA.id, lsn: asLsn(lsn), batch, vShards: vShardsOf(SCHEMA, batch) }
      storage.apply(request)
    }
    ingest(1, rows.slice(0, 1500))
    const timeRange = { fromUs: BASE_US + 200 * SECOND_US, toUs: BASE_US + 1800 * SECOND_US }
    const op = scanOp(SCHEMA.id, { timeRange, filters: [{ column: 1, op: 'eq', values: ['h3'] }], projection: [0] })
    const cursor = storage.openScanCursor(op, [])!
    const first = cursor.step()
    ingest(2, rows.slice(1500))
    const flush = storage.maybeFlush(true)!
    storage.commitFlush(flush.flushId, true)
    const got: number[] = []
    for (let partial = first; ; partial = cursor.step()) {
      const ts = partial.columns[0]!
      if (ts.kind !== 'timestamp') throw new Error('projected timestamp')
      got.push(...ts.values.subarray(0, partial.rowCount))
      if (cursor.isDone) break
    }
    const expected = expectedRows(rows.slice(0, 1500), op, 0, 1500).map((r) => rows[r]!.ts)
    assert.deepEqual(got.sort((a, b) => a - b), expected.sort((a, b) => a - b))
  })

  it('decoded row groups share their cached index across scans and answer as the row-by-row test', () => {
    // Sorted as the flush sorts (series, then time; ties kept): each row group holds a few sorted runs.
    const rows = rowsIn('late rows', 1000, 21).map((row, i) => ({ row, i }))
      .sort((a, b) => a.row.host.localeCompare(b.row.host) || a.row.ts - b.row.ts || a.i - b.i).map(({ row }) => row)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-timeruns-'))
    try {
      const file = path.join(dir, 'a.seg')
      const batch = toBatch(rows)
      const { bytes } = encodeSegment({ tableId: SCHEMA.id, vShard: 0, partitionStartUs: 0, timestampIndex: 0, columns: batch.columns, rowGroupRows: 97 })
      fs.writeFileSync(file, bytes)
      const { length, crc } = decodeSegmentTrailer(file, bytes.subarray(bytes.length - SEGMENT_TRAILER_BYTES), bytes.length)
      const footerAt = bytes.length - SEGMENT_TRAILER_BYTES - length
      const footer = decodeSegmentFooter(file, bytes.subarray(footerAt, footerAt + length), crc, COLUMNS.length, bytes.length)
      const slice = segmentSlice(file, null, COLUMNS.length, COLUMNS.map((_, column) => column), footer.rowGroups)
      const groups = rowGroupsOf(slice)
      const cache = new DecodedChunkCache(64 << 20)
      // Every range twice through one cache: the second pass (and every range after the first) reuses the index.
      for (const pass of [1, 2]) {
        for (const timeRange of timeRanges(rows.length)) {
          for (const filters of FILTERS) {
            const op = scanOp(SCHEMA.id, { timeRange, filters, projection: [0, 2] })
            cache.beginScan()
            let first = 0
            for (const group of groups) {
              const memtable = decodeRowGroup(SCHEMA, slice, group, op, cache)
              checkRanges(memtable, rows.slice(first, first + group.rowCount), op, `pass ${pass} group at ${first} ${JSON.stringify(filters)}`)
              first += group.rowCount
            }
          }
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
