// Goal: a DeleteRowsOp with a WHERE expression (ScanExpr) removes exactly the rows the expression is true for —
// NULL keeps a row, as in PostgreSQL — from segments (never dropped whole unless every row matches) and memtables;
// its version-2 DeleteRecord replays to the same rows, and a core rebuilt by catch-up applies it in order; a WHERE
// that may raise on some row is refused before anything is written; version-1 records (no `v`) still decode.
// Method: an in-process engine (2 cores) over seeded rows; the expected rows come from a plain three-valued filter
// over the rows the test wrote (engine-oracle.ts's Row), never from the engine's kernels.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { FrameCodec } from '../../../engine/bridge/frame-codec.js'
import { crashCoreForTest, openEngine } from '../../../engine/engine.js'
import { EXPR_VERSION, type ScanExpr, type ScanWhere, type TimeRange } from '../../../engine/ops.js'
import { decodeDeletePayload, encodeDeletePayload } from '../../../engine/wal/delete-payload.js'
import type { TableId } from '../../../src/common/ids.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, byTsHost, createCpu, expectFailure, makeRows, scanOp, toBatch } from './engine-fixture.js'

const EVERYTHING: TimeRange = { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }
const col = (column: number, type: 'float8' | 'int8' | 'bool' | 'text'): ScanExpr => ({ k: 'column', column, type })

/** (host = 'h1' OR reqs > 500) AND NOT ok AND CASE WHEN note IS NULL THEN usage < 50 ELSE COALESCE(usage, 0) >= 10 END */
const WHERE: ScanExpr = {
  k: 'and', args: [
    { k: 'or', args: [{ k: 'compare', op: '=', left: col(1, 'text'), right: { k: 'const', value: 'h1', type: 'text' } },
      { k: 'compare', op: '>', left: col(3, 'int8'), right: { k: 'const', value: 500n, type: 'int8' } }] },
    { k: 'not', arg: col(4, 'bool') },
    { k: 'case', type: 'bool', whens: [{ when: { k: 'isNull', arg: col(5, 'text'), negated: false },
      then: { k: 'compare', op: '<', left: col(2, 'float8'), right: { k: 'const', value: 50, type: 'float8' } } }],
    else: { k: 'compare', op: '>=', left: { k: 'coalesce', type: 'float8', args: [col(2, 'float8'), { k: 'const', value: 0, type: 'float8' }] }, right: { k: 'const', value: 10, type: 'float8' } } },
  ],
}

/** WHERE, three-valued, row by row: true only when PostgreSQL's AND is true (a NULL anywhere deciding keeps the row). */
function picks(r: Row): boolean {
  const hostOrReqs = r.host === 'h1' || (r.reqs !== null && r.reqs > 500n)
  const branch = r.note === null ? r.usage !== null && r.usage < 50 : (r.usage ?? 0) >= 10
  return hostOrReqs && !r.ok && branch
}

let dir = ''
let config: EngineConfig
const open: Engine[] = []

async function start(): Promise<Engine> {
  const engine = await openEngine(config, {})
  open.push(engine)
  return engine
}

async function ingest(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>): Promise<void> {
  await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
}

async function deleteWhere(engine: Engine, tableId: TableId, expr: ScanExpr, timeRange = EVERYTHING): Promise<number> {
  return (await engine.execute({ kind: 'DeleteRowsOp', v: 1, tableId, timeRange, filters: [], where: { v: EXPR_VERSION, expr } })).rowCount
}

async function expectRows(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>, context: string): Promise<void> {
  const raw = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
  assert.deepStrictEqual(rowsOf(raw.partials).sort(byTsHost), [...rows].sort(byTsHost), context)
}

describe('engine DELETE with a WHERE expression (DeleteRecord version 2)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-delete-expr-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close().catch(() => undefined)))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('deletes exactly the rows the expression is true for, in segments and memtables; replay and catch-up agree', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const [a, b, c] = [makeRows(3000, 41), makeRows(2000, 42), makeRows(1000, 43)]
    await ingest(engine, tableId, a)
    await engine.flushAll()
    await ingest(engine, tableId, b)
    const before = [...a, ...b]
    const picked = before.filter(picks).length
    assert.ok(picked > 100 && picked < before.length / 2, `${picked} rows picked`)
    // The range covers every segment wholly: only the expression decides, so none may be dropped unread.
    assert.equal(await deleteWhere(engine, tableId, WHERE), picked)
    await ingest(engine, tableId, c)
    const expected = [...before.filter((r) => !picks(r)), ...c]
    await expectRows(engine, tableId, expected, 'live')
    await crashCoreForTest(engine, 1)
    await expectRows(engine, tableId, expected, 'after core 1 was rebuilt from the WAL')
    await engine.close()
    engine = await start()
    await expectRows(engine, tableId, expected, 'after replay')
    await engine.flushAll()
    assert.equal(await deleteWhere(engine, tableId, WHERE), c.filter(picks).length, 'the later rows, now in segments')
  })

  it('a WHERE that may raise on some row is refused with nothing written; one provably quiet is taken', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(2000, 44)
    await ingest(engine, tableId, rows)
    const reqs = col(3, 'int8')
    const plusOne: ScanExpr = { k: 'compare', op: '>', left: { k: 'arith', op: '+', left: reqs, right: { k: 'const', value: 1n, type: 'int8' }, type: 'int8' }, right: { k: 'const', value: 0n, type: 'int8' } }
    await expectFailure(deleteWhere(engine, tableId, plusOne), 'InvalidBatch', /may raise an error on some row/)
    const badShape = { k: 'cast', arg: reqs, type: 'text' } as unknown as ScanExpr
    await expectFailure(deleteWhere(engine, tableId, badShape), 'InvalidBatch', /malformed WHERE/)
    await expectRows(engine, tableId, rows, 'nothing deleted')
    await engine.close()
    engine = await start()
    await expectRows(engine, tableId, rows, 'nothing replayed')
    const mod: ScanExpr = { k: 'compare', op: '=', left: { k: 'arith', op: '%', left: reqs, right: { k: 'const', value: 7n, type: 'int8' }, type: 'int8' }, right: { k: 'const', value: 0n, type: 'int8' } }
    const count = await deleteWhere(engine, tableId, mod, { fromUs: BASE_US, toUs: BASE_US + 30_000_000 })
    const isPicked = (r: Row): boolean => r.ts < BASE_US + 30_000_000 && r.reqs !== null && r.reqs % 7n === 0n
    assert.equal(count, rows.filter(isPicked).length)
    await expectRows(engine, tableId, rows.filter((r) => !isPicked(r)), 'reqs % 7 = 0 deleted')
  })

  it('an IN list longer than a kernel chunk (1024) keeps every value: float8 and int8', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(3000, 45)
    await ingest(engine, tableId, rows)
    await engine.flushAll()
    await ingest(engine, tableId, makeRows(1000, 46).map((r) => ({ ...r, ts: r.ts + 60_000_000 })))
    const filler = Array.from({ length: 1100 }, (_, i) => -1 - i)
    const usages = [10, 20.25, 55.5, 99.75]
    const inUsage: ScanExpr = { k: 'in', arg: col(2, 'float8'), values: [...filler, ...usages], negated: false }
    const inReqs: ScanExpr = { k: 'in', arg: col(3, 'int8'), values: [...filler.map((v) => BigInt(v - 10_000)), 7n, 300n, 899n], negated: false }
    const all = [...rows, ...makeRows(1000, 46).map((r) => ({ ...r, ts: r.ts + 60_000_000 }))]
    const byUsage = (r: Row): boolean => r.usage !== null && usages.includes(r.usage)
    const byReqs = (r: Row): boolean => r.reqs !== null && [7n, 300n, 899n].includes(r.reqs)
    assert.equal(await deleteWhere(engine, tableId, inUsage), all.filter(byUsage).length)
    assert.equal(await deleteWhere(engine, tableId, inReqs), all.filter((r) => !byUsage(r) && byReqs(r)).length)
    assert.ok(all.filter(byUsage).length > 0 && all.filter(byReqs).length > 0)
    await expectRows(engine, tableId, all.filter((r) => !byUsage(r) && !byReqs(r)), 'both lists applied whole')
  })

  it('payload: version 1 records still decode; version 2 round-trips its WHERE; a malformed WHERE is no payload', () => {
    const codec = new FrameCodec()
    const timeRange = { fromUs: 1, toUs: 2 }
    const filters = [{ column: 1, op: 'eq' as const, values: ['h1'] }]
    assert.deepStrictEqual(decodeDeletePayload(codec, codec.encode({ timeRange, filters })), { timeRange, filters })
    assert.deepStrictEqual(decodeDeletePayload(codec, encodeDeletePayload(codec, { timeRange, filters, where: null })), { timeRange, filters })
    const where: ScanWhere = { v: EXPR_VERSION, expr: WHERE }
    assert.deepStrictEqual(decodeDeletePayload(codec, encodeDeletePayload(codec, { timeRange, filters, where })), { timeRange, filters, where })
    const bad = (value: unknown): void => assert.equal(decodeDeletePayload(codec, codec.encode(value)), undefined,
      JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
    bad({ v: 2, timeRange, filters })
    bad({ v: 3, timeRange, filters, where })
    bad({ v: 2, timeRange, filters, where: { v: EXPR_VERSION + 1, expr: WHERE } })
    bad({ v: 2, timeRange, filters, where: { v: EXPR_VERSION, expr: { k: 'nosuch' } } })
    bad({ v: 2, timeRange, filters, where: { v: EXPR_VERSION, expr: { k: 'and', args: [] } } })
    bad({ v: 2, timeRange, filters, where: { v: EXPR_VERSION, expr: { k: 'column', column: -1, type: 'bool' } } })
  })
})
