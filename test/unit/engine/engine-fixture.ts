// test/unit/engine/engine-fixture: shared by the engine tests — the `cpu` table, seeded rows, their batches, scan ops
// and checkAnswers(), which compares raw, filtered and grouped scans against engine-oracle.ts's plain-row answers.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError, type Engine } from '../../../engine/api.js'
import { openEngine } from '../../../engine/engine.js'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { ColumnSchema, ScanOp } from '../../../engine/ops.js'
import type { TableId } from '../../../src/common/ids.js'
import { aggregateRowsOf, mergeAggPartials, rowsOf, type Row } from './engine-oracle.js'

export const COLUMNS: ReadonlyArray<ColumnSchema> = [
  { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
  { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
  { name: 'usage', kind: 'f64', sqlType: 'float8', notNull: false },
  { name: 'reqs', kind: 'i64', sqlType: 'int8', notNull: false },
  { name: 'ok', kind: 'bool', sqlType: 'bool', notNull: false },
  { name: 'note', kind: 'text', sqlType: 'text', notNull: false },
]
export const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']
export const BASE_US = 1_700_000_000_000_000

/** One batch of every vector kind with NULLs, NaN, -0, extreme bigints and UTF-8: the WAL payload layouts' round trip. */
export const EVERY_KIND_BATCH: ColumnBatch = {
  rowCount: 3,
  columns: [
    { kind: 'timestamp', values: new Float64Array([1_700_000_000_000_000, -5, 0]) },
    { kind: 'f64', values: new Float64Array([1.5, Number.NaN, -0]), nulls: new Uint8Array([0, 1, 0]) },
    { kind: 'i64', values: new BigInt64Array([1n, -(2n ** 63n), 2n ** 63n - 1n]) },
    { kind: 'bool', values: new Uint8Array([1, 0, 1]), nulls: new Uint8Array([0, 0, 1]) },
    { kind: 'symbol', ids: new Int32Array([0, -1, 1]), dict: ['a', 'béta'] },
    { kind: 'text', values: ['x', null, ''] },
  ],
}

/** Seeded rows, timestamps out of order, unique per row (so first/last have one answer), some NULL fields. */
export function makeRows(count: number, seed: number): Row[] {
  let state = seed
  const next = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
  const rows: Row[] = []
  for (let i = 0; i < count; i++) {
    const h = Math.floor(next() * HOSTS.length)
    rows.push({
      ts: BASE_US + Math.floor(next() * 60) * 1_000_000 + i,
      host: HOSTS[h]!,
      // Quarters are exact in binary, so sums do not depend on the order the engine adds them in.
      usage: next() < 0.1 ? null : Math.floor(next() * 400) / 4,
      reqs: next() < 0.1 ? null : BigInt(Math.floor(next() * 1000) - 100),
      ok: next() < 0.5,
      note: next() < 0.2 ? null : `n${i % 7}`,
    })
  }
  return rows
}

export function toBatch(rows: ReadonlyArray<Row>): ColumnBatch {
  const dict = [...new Set(rows.map((r) => r.host))]
  return {
    rowCount: rows.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(rows, (r) => r.ts) },
      { kind: 'symbol', ids: Int32Array.from(rows, (r) => dict.indexOf(r.host)), dict },
      { kind: 'f64', values: Float64Array.from(rows, (r) => r.usage ?? 0), nulls: Uint8Array.from(rows, (r) => (r.usage === null ? 1 : 0)) },
      { kind: 'i64', values: BigInt64Array.from(rows, (r) => r.reqs ?? 0n), nulls: Uint8Array.from(rows, (r) => (r.reqs === null ? 1 : 0)) },
      { kind: 'bool', values: Uint8Array.from(rows, (r) => (r.ok ? 1 : 0)) },
      { kind: 'text', values: rows.map((r) => r.note) },
    ],
  }
}

export function scanOp(tableId: TableId, fields: Partial<ScanOp>): ScanOp {
  return {
    kind: 'ScanOp', v: 1, tableId, timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY },
    filters: [], projection: [], groupBy: [], aggregates: [], limit: null, ...fields,
  }
}

/** A total order of rows: time, host, then every value (rows of one host may share a timestamp). */
const rowText = (r: Row): string => Object.values(r).map(String).join('|')
export const byTsHost = (a: Row, b: Row) => a.ts - b.ts || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) ||
  (rowText(a) < rowText(b) ? -1 : rowText(a) > rowText(b) ? 1 : 0)
export const ALL_AGGREGATES: ScanOp['aggregates'] = [
  { fn: 'count', column: null }, { fn: 'count', column: 2 }, { fn: 'sum', column: 2 }, { fn: 'avg', column: 2 },
  { fn: 'min', column: 2 }, { fn: 'max', column: 2 }, { fn: 'first', column: 2 }, { fn: 'last', column: 2 },
  { fn: 'min', column: 3 }, { fn: 'max', column: 5 }, { fn: 'sum', column: 3 },
]

export async function expectFailure(promise: Promise<unknown>, kind: string, detail?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEngineFailureError(error), `expected an EngineFailureError, got ${String(error)}`)
    assert.equal(error.failure.kind, kind)
    if (detail !== undefined) assert.match(error.failure.detail, detail)
    return true
  })
}

export async function createCpu(engine: Engine): Promise<TableId> {
  const result = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'cpu', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })
  assert.equal(result.created, true)
  return result.table.id
}

export async function checkAnswers(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>): Promise<void> {
  const raw = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
  assert.equal(raw.partials.length, 2)
  assert.ok(raw.partials.every((p) => p.kind === 'RowsPartial' && p.rowCount > 0), 'both cores own rows')
  assert.deepStrictEqual(rowsOf(raw.partials).sort(byTsHost), [...rows].sort(byTsHost))

  const from = BASE_US + 10_000_000
  const to = BASE_US + 40_000_000
  const filtered = await engine.execute(scanOp(tableId, {
    projection: [0, 1, 2, 3, 4, 5], timeRange: { fromUs: from, toUs: to },
    filters: [{ column: 1, op: 'in', values: ['h1', 'h3', 'h6'] }, { column: 2, op: 'gt', values: [20] }, { column: 3, op: 'isNotNull', values: [] }],
  }))
  const expected = rows.filter((r) => r.ts >= from && r.ts < to && ['h1', 'h3', 'h6'].includes(r.host) &&
    r.usage !== null && r.usage > 20 && r.reqs !== null)
  assert.ok(expected.length > 0)
  assert.deepStrictEqual(rowsOf(filtered.partials).sort(byTsHost), expected.sort(byTsHost))

  const width = 10_000_000
  const origin = BASE_US + 3_000_000
  const grouped = await engine.execute(scanOp(tableId, {
    groupBy: [{ kind: 'timeBucket', column: 0, widthUs: width, originUs: origin }, { kind: 'column', column: 1 }],
    aggregates: ALL_AGGREGATES,
  }))
  assert.deepStrictEqual(mergeAggPartials(grouped.partials, ALL_AGGREGATES),
    aggregateRowsOf(rows, ALL_AGGREGATES, (r) => `${Math.floor((r.ts - origin) / width) * width + origin}|${r.host}`))

  // Latest and earliest row per host (TSBS lastpoint): every first (and every last) shares one choice of row.
  const latest: ScanOp['aggregates'] = [2, 3, 4, 5].flatMap((column) => [{ fn: 'last' as const, column }, { fn: 'first' as const, column }])
  const perHost = await engine.execute(scanOp(tableId, { groupBy: [{ kind: 'column', column: 1 }], aggregates: latest }))
  assert.deepStrictEqual(mergeAggPartials(perHost.partials, latest), aggregateRowsOf(rows, latest, (r) => String(r.host)))

  const total = await engine.execute(scanOp(tableId, { aggregates: ALL_AGGREGATES, filters: [{ column: 5, op: 'neq', values: ['n3'] }] }))
  assert.deepStrictEqual(mergeAggPartials(total.partials, ALL_AGGREGATES),
    aggregateRowsOf(rows.filter((r) => r.note !== null && r.note !== 'n3'), ALL_AGGREGATES, () => ''))
}

/**
 * Before each test, a 2-core engine with small memtables (rows reach segments) in a fresh temp dir; closed and
 * removed after. `set` receives the engine and its dir (undefined and the dir once closed).
 */
export function useSmallEngine(prefix: string, set: (engine: Engine | undefined, dir: string) => void): void {
  let dir = ''
  let engine: Engine | undefined
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    engine = await openEngine({ dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'off' },
      { memtableBytes: 256 * 1024, partitionWidthUs: 20_000_000 })
    set(engine, dir)
  })
  afterEach(async () => {
    await engine?.close()
    engine = undefined
    set(undefined, dir)
    fs.rmSync(dir, { recursive: true, force: true })
  })
}
