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
import { nodeFileSystem, type FileSystem } from '../../../engine/io/file-system.js'
import { FaultyFileSystem } from '../../helpers/faulty-fs.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, byTsHost, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

/** The Node file system, except that the next WAL fsync after pauseNextWalSync() waits until released. */
function pausingFileSystem(): { fs: FileSystem; pauseNextWalSync: () => { reached: Promise<void>; release: () => void } } {
  let armed: { reach: () => void; released: Promise<void> } | null = null
  const fs: FileSystem = {
    ...nodeFileSystem,
    open: async (file, mode) => {
      const handle = await nodeFileSystem.open(file, mode)
      if (!file.endsWith('.wal')) return handle
      return {
        write: (bytes, position) => handle.write(bytes, position), read: (into, position) => handle.read(into, position),
        size: () => handle.size(), truncate: (length) => handle.truncate(length), close: () => handle.close(),
        datasync: async () => {
          const pause = armed
          armed = null
          if (pause !== null) { pause.reach(); await pause.released }
          return handle.datasync()
        },
      }
    },
  }
  return {
    fs,
    pauseNextWalSync: () => {
      let reach = () => undefined as void
      let release = () => undefined as void
      const reached = new Promise<void>((resolve) => { reach = resolve })
      armed = { reach, released: new Promise<void>((resolve) => { release = resolve }) }
      return { reached, release }
    },
  }
}

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

  it('a core crashing at any point of a DELETE leaves either every picked row or none, never a picked row counted', async () => {
    for (const delayMs of [0, 2, 10, 30, 80]) {
      const engine = await start({ memtableBytes: 48 * 1024 })
      const tableId = await createCpu(engine)
      const [a, b] = [makeRows(3000, 10 + delayMs), makeRows(3000, 20 + delayMs)]
      await ingest(engine, tableId, a)
      await engine.flushAll()
      await ingest(engine, tableId, b)
      const deleting = deleteRows(engine, tableId).then((count) => ({ count }), (error: unknown) => ({ error }))
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      await crashCoreForTest(engine, delayMs % 2)
      const outcome = await deleting
      const all = [...a, ...b]
      const raw = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
      const found = rowsOf(raw.partials).sort(byTsHost)
      const context = `crash after ${delayMs} ms: ${JSON.stringify(outcome, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`
      const without = all.filter((r) => !picks(r)).sort(byTsHost)
      if ('count' in outcome) {
        assert.equal(outcome.count, all.filter(picks).length, context)
        assert.deepStrictEqual(found, without, context)
      } else {
        assert.ok(found.length === without.length || found.length === all.length, `${context}: ${found.length} rows`)
        assert.deepStrictEqual(found, found.length === all.length ? [...all].sort(byTsHost) : without, context)
      }
      await engine.close()
      open.splice(open.indexOf(engine), 1)
      fs.rmSync(config.dataDir, { recursive: true, force: true })
    }
  })

  it('a core restarted between the DeleteRecord and the commit: exact count and rows, live and after replay', async () => {
    const pausing = pausingFileSystem()
    let engine = await start({ fs: pausing.fs, memtableBytes: 48 * 1024 })
    const tableId = await createCpu(engine)
    const [a, b] = [makeRows(3000, 31), makeRows(3000, 32)]
    await ingest(engine, tableId, a)
    await engine.flushAll()
    await ingest(engine, tableId, b)
    const flushesBefore = engine.stats().flushCount ?? 0
    const paused = pausing.pauseNextWalSync()
    const deleting = deleteRows(engine, tableId)
    await paused.reached
    // The record is written, not yet durable: the rebuilt core's catch-up stops below it, flushing b's rows as it goes.
    await crashCoreForTest(engine, 0)
    assert.ok((engine.stats().flushCount ?? 0) > flushesBefore, 'the rebuilt core flushed during its catch-up')
    paused.release()
    const all = [...a, ...b]
    assert.equal(await deleting, all.filter(picks).length)
    await expectRows(engine, tableId, all.filter((r) => !picks(r)), 'live')
    await engine.close()
    engine = await start()
    await expectRows(engine, tableId, all.filter((r) => !picks(r)), 'after replay')
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
