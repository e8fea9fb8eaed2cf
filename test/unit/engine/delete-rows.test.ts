// Goal: DeleteRowsOp removes exactly the rows its predicate picks — from segments (rewritten, or dropped whole) and
// from memtables — and its DeleteRecord is applied in LSN order with the ingests by startup replay, by a core's
// catch-up after a crash, and by replay after a manifest write that failed behind a durable record (the engine stops
// then, as after a failed fsync). Rows ingested after a DELETE are never deleted by any of these.
// Method: an in-process engine (2 cores) over seeded rows; the expected rows and counts come from a plain filter over
// the rows the test wrote (engine-oracle.ts's Row), never from the engine's kernels; faults from faulty-fs.ts.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { crashCoreForTest, openEngine, type OpenEngineOptions } from '../../../engine/engine.js'
import type { ColumnFilter, TimeRange } from '../../../engine/ops.js'
import type { TableId } from '../../../src/common/ids.js'
import { FaultyFileSystem } from '../../helpers/faulty-fs.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, byTsHost, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []

async function start(options: OpenEngineOptions = {}): Promise<Engine> {
  const engine = await openEngine(config, options)
  open.push(engine)
  return engine
}

/** The DELETE of every test: 20 s of the minute, hosts h1/h3/h6, usage above 20 (NULL usage is not picked). */
const RANGE: TimeRange = { fromUs: BASE_US + 10_000_000, toUs: BASE_US + 30_000_000 }
const FILTERS: ColumnFilter[] = [{ column: 1, op: 'in', values: ['h1', 'h3', 'h6'] }, { column: 2, op: 'gt', values: [20] }]
const picks = (r: Row): boolean => r.ts >= RANGE.fromUs && r.ts < RANGE.toUs && ['h1', 'h3', 'h6'].includes(r.host) && r.usage !== null && r.usage > 20

async function ingest(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>): Promise<void> {
  await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
}

async function deleteRows(engine: Engine, tableId: TableId, filters = FILTERS, timeRange = RANGE): Promise<number> {
  return (await engine.execute({ kind: 'DeleteRowsOp', v: 1, tableId, timeRange, filters })).rowCount
}

async function expectRows(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>, context: string): Promise<void> {
  const raw = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
  assert.deepStrictEqual(rowsOf(raw.partials).sort(byTsHost), [...rows].sort(byTsHost), context)
}

describe('engine DELETE (DeleteRowsOp, DeleteRecord)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-delete-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close().catch(() => undefined)))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('deletes exactly the picked rows of segments and memtables; replay keeps them deleted and later rows kept', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const [a, b, c] = [makeRows(3000, 1), makeRows(2000, 2), makeRows(1000, 3)]
    await ingest(engine, tableId, a)
    await engine.flushAll()
    await ingest(engine, tableId, b)
    const before = [...a, ...b]
    assert.equal(await deleteRows(engine, tableId), before.filter(picks).length)
    await ingest(engine, tableId, c)
    const expected = [...before.filter((r) => !picks(r)), ...c]
    await expectRows(engine, tableId, expected, 'live')
    await engine.close()
    engine = await start()
    await expectRows(engine, tableId, expected, 'after replay')
    await engine.flushAll()
    await engine.close()
    engine = await start()
    await expectRows(engine, tableId, expected, 'after a flush and a second replay')
    assert.equal(await deleteRows(engine, tableId), c.filter(picks).length, 'the second DELETE finds the later rows')
  })

  it('rewrites segments partly inside the range, drops those wholly inside, counts both; no predicate empties the table', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(4000, 4)
    await ingest(engine, tableId, rows)
    await engine.flushAll()
    const segmentsBefore = engine.stats().segmentCount ?? 0
    assert.ok(segmentsBefore > 0)
    const everything = { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }
    assert.equal(await deleteRows(engine, tableId, [], { fromUs: BASE_US + 30_000_000, toUs: everything.toUs }), rows.filter((r) => r.ts >= BASE_US + 30_000_000).length)
    await expectRows(engine, tableId, rows.filter((r) => r.ts < BASE_US + 30_000_000), 'half the minute')
    assert.equal(await deleteRows(engine, tableId, [], everything), rows.filter((r) => r.ts < BASE_US + 30_000_000).length)
    assert.equal(engine.stats().segmentCount, 0)
    await expectRows(engine, tableId, [], 'empty')
  })

  it('a core rebuilt by catch-up applies the DeleteRecord between the ingests around it', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const [a, c] = [makeRows(3000, 5), makeRows(1000, 6)]
    await ingest(engine, tableId, a)
    await deleteRows(engine, tableId)
    await ingest(engine, tableId, c)
    const expected = [...a.filter((r) => !picks(r)), ...c]
    await crashCoreForTest(engine, 0)
    await crashCoreForTest(engine, 1)
    await expectRows(engine, tableId, expected, 'after both cores were rebuilt from the WAL')
  })

  it('a failed manifest write behind a durable DeleteRecord stops the engine; the next open finishes the DELETE', async () => {
    const faulty = new FaultyFileSystem()
    const fatal: string[] = []
    let engine = await start({ fs: faulty.fs, onFatal: (detail) => fatal.push(detail) })
    const tableId = await createCpu(engine)
    const a = makeRows(3000, 7)
    await ingest(engine, tableId, a)
    await engine.flushAll()
    faulty.failNext({ op: 'rename', code: 'EIO', file: /^manifest\.json$/ })
    await assert.rejects(deleteRows(engine, tableId))
    assert.equal(fatal.length, 1, 'the engine stopped')
    await engine.close().catch(() => undefined)
    engine = await start()
    await expectRows(engine, tableId, a.filter((r) => !picks(r)), 'replay rewrote the segments')
    assert.equal(await deleteRows(engine, tableId), 0, 'nothing left to pick')
  })
})
