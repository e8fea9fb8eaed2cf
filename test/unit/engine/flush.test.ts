// Goal: issue #4's storage path end to end — memtables flush to segments when their budget fills (invariant 4), scans
// read segments and memtables together with every row exactly once (invariant 2), replay skips what segments hold,
// checkpoints delete WAL segments, time ranges prune segments, a corrupted chunk is 'Corrupt' naming the file and
// offset, and flushAll (CHECKPOINT) empties every memtable. Method: a tiny memtable budget (openEngine's test option)
// and short partitions force many flushes; answers are compared with engine-oracle.ts's plain-row answers; a counting
// FileSystem observes segment reads.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { openEngine, type OpenEngineOptions } from '../../../engine/engine.js'
import { nodeFileSystem, type FileSystem } from '../../../engine/io/file-system.js'
import type { TableId } from '../../../src/common/ids.js'
import { mergeAggPartials, rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, byTsHost, checkAnswers, createCpu, expectFailure, makeRows, scanOp, toBatch } from './engine-fixture.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []
const SMALL: OpenEngineOptions = { memtableBytes: 96 * 1024, partitionWidthUs: 10_000_000, walSegmentBytes: 32 * 1024 }

async function start(options: OpenEngineOptions = SMALL): Promise<Engine> {
  const engine = await openEngine(config, options)
  open.push(engine)
  return engine
}

async function ingestAll(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>, batchRows = 250): Promise<void> {
  for (let at = 0; at < rows.length; at += batchRows) {
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + batchRows)) })
  }
}

/** Waits until the flushes started by the last ingests are committed (they run after the ingest is acknowledged). */
/** Waits until no flush has committed for 10 polls in a row (a loaded machine may start a due flush late). */
async function settle(engine: Engine): Promise<void> {
  let quiet = 0
  for (let i = 0; i < 400 && quiet < 10; i++) {
    const before = engine.stats().flushCount
    await new Promise((resolve) => setTimeout(resolve, 20))
    quiet = engine.stats().flushCount === before ? quiet + 1 : 0
  }
}

function segmentFiles(): string[] {
  return fs.readdirSync(path.join(config.dataDir, 'segments')).filter((name) => name.endsWith('.seg'))
}

function walFiles(): string[] {
  return fs.readdirSync(path.join(config.dataDir, 'wal')).filter((name) => name.endsWith('.wal'))
}

describe('engine flush, segments, scans over both, checkpoint (issue #4)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-flush-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('invariant 4: flushes when the budget fills; scans over segments + memtables answer as the oracle, before and after reopen', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(12_000, 11)
    await ingestAll(engine, tableId, rows)
    await settle(engine)
    assert.ok((engine.stats().flushCount ?? 0) >= 2, `flushes: ${engine.stats().flushCount}`)
    assert.ok((engine.stats().segmentCount ?? 0) <= segmentFiles().length, 'the manifest lists only written files')
    await checkAnswers(engine, tableId, rows)
    await engine.close()
    engine = await start()
    await checkAnswers(engine, tableId, rows)
    await engine.close()
    engine = await start({ ...SMALL, memtableBytes: 64 * 1024 * 1024 })
    await checkAnswers(engine, tableId, rows)
  })

  it('invariant 2: replay skips record parts a segment holds, so a restart (twice) shows every row exactly once', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(6000, 12)
    await ingestAll(engine, tableId, rows, 100)
    await engine.close()
    for (let restart = 0; restart < 2; restart++) {
      engine = await start()
      const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
      assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), [...rows].sort(byTsHost), `restart ${restart}`)
      await engine.close()
    }
  })

  it('flushAll (CHECKPOINT): memtable rows go to committed segments, scans answer the same, restarts show each row once', async () => {
    let engine = await start({ ...SMALL, memtableBytes: 64 * 1024 * 1024 })
    const tableId = await createCpu(engine)
    await engine.flushAll()
    assert.equal(engine.stats().segmentCount, 0, 'nothing held, nothing written')
    const rows = makeRows(3000, 21)
    await ingestAll(engine, tableId, rows)
    // The budget is far above the data: without flushAll every row would stay in memtables.
    assert.equal(engine.stats().flushCount, 0)
    assert.ok((engine.stats().memtableBytes ?? 0) > 0)
    const all = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] })
    const before = rowsOf((await engine.execute(all)).partials).sort(byTsHost)
    await engine.flushAll()
    const stats = engine.stats()
    assert.ok((stats.segmentCount ?? 0) > 0, `segments: ${stats.segmentCount}`)
    assert.equal(stats.memtableBytes, 0, 'memtables empty')
    assert.equal(stats.walClosedSegmentCount, 0, 'the checkpoint deleted every closed WAL segment')
    assert.deepStrictEqual(rowsOf((await engine.execute(all)).partials).sort(byTsHost), before)
    await checkAnswers(engine, tableId, rows)
    await engine.flushAll()
    assert.equal(engine.stats().segmentCount, stats.segmentCount, 'a second flushAll has nothing to write')
    await engine.close()
    for (let restart = 0; restart < 2; restart++) {
      engine = await start({ ...SMALL, memtableBytes: 64 * 1024 * 1024 })
      assert.deepStrictEqual(rowsOf((await engine.execute(all)).partials).sort(byTsHost), before, `restart ${restart}`)
      await engine.close()
    }
  })

  it('flushAll while ingests run: rows acknowledged before it are in segments; every row is seen exactly once', async () => {
    const engine = await start({ ...SMALL, memtableBytes: 64 * 1024 * 1024 })
    const tableId = await createCpu(engine)
    const first = makeRows(2000, 22)
    await ingestAll(engine, tableId, first)
    const later = makeRows(2000, 23).map((row) => ({ ...row, ts: row.ts + 1 }))
    const ingesting = ingestAll(engine, tableId, later, 100)
    await engine.flushAll()
    const flushed = engine.stats().segmentCount ?? 0
    assert.ok(flushed > 0)
    await ingesting
    await engine.flushAll()
    assert.equal(engine.stats().memtableBytes, 0)
    await checkAnswers(engine, tableId, [...first, ...later])
  })

  it('checkpoint: deletes WAL segments wholly below every vShard\'s flushed LSN, and the rest still replays', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(15_000, 13)
    await ingestAll(engine, tableId, rows)
    await settle(engine)
    const walLeft = walFiles().length
    // 15k rows of ~60 WAL bytes each fill ~27 segments of 32 KiB; flushes let checkpoints delete most of them.
    assert.ok(walLeft < 10, `wal segments left: ${walLeft}`)
    assert.ok(walFiles()[0] !== '000000000001.wal', 'the oldest wal segment is gone')
    await engine.close()
    engine = await start()
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), [...rows].sort(byTsHost))
    const more = await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(5, 1)) })
    assert.ok(more.lsn > 15_000 / 250, 'LSNs continue after the checkpointed ones')
  })

  it('a failed segment write (ENOSPC) keeps the rows in memory, is offered again, and nothing is lost or doubled', async () => {
    let failuresLeft = 3
    const faulty: FileSystem = {
      ...nodeFileSystem,
      open: async (file, mode) => {
        const handle = await nodeFileSystem.open(file, mode)
        if (!file.endsWith('.seg.tmp') || failuresLeft <= 0) return handle
        failuresLeft -= 1
        const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
        return { ...handle, write: () => Promise.reject(enospc), close: () => handle.close() }
      },
    }
    const engine = await start({ ...SMALL, fs: faulty })
    const tableId = await createCpu(engine)
    // Memtables over their pause budget while their flush fails refuse ingest with DiskFull (issue 12): those batches
    // were not acknowledged and must not appear.
    const rows: Row[] = []
    const all = makeRows(12_000, 16)
    for (let at = 0; at < all.length; at += 250) {
      const part = all.slice(at, at + 250)
      const done = await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(part) }).then(() => true, async (error: unknown) => {
        await expectFailure(Promise.reject(error), 'DiskFull', /memtables of core \d+ are full/)
        return false
      })
      if (done) rows.push(...part)
    }
    // The backoff timer would retry after 1 s, 2 s, 4 s; CHECKPOINT forces attempts until one commits.
    await engine.flushAll()
    assert.equal(failuresLeft, 0)
    const more = makeRows(2000, 17).map((row) => ({ ...row, ts: row.ts + 1 }))
    await ingestAll(engine, tableId, more)
    await settle(engine)
    assert.ok((engine.stats().flushCount ?? 0) >= 1)
    const scanned = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(scanned.partials).sort(byTsHost), [...rows, ...more].sort(byTsHost))
  })

  it('compacts small segments of one (table, vShard, partition) in the background while scans keep answering exactly', async () => {
    let engine = await start({ ...SMALL, partitionWidthUs: 86_400_000_000 })
    const tableId = await createCpu(engine)
    const rows = makeRows(20_000, 18)
    let stop = false
    let scans = 0
    const reader = (async () => {
      while (!stop) {
        const specs = [{ fn: 'count' as const, column: null }]
        const result = await engine.execute(scanOp(tableId, { aggregates: specs }))
        const count = Number(mergeAggPartials(result.partials, specs).get('')?.[0] ?? 0)
        assert.ok(count % 250 === 0, `a scan saw ${count} rows: a batch was seen partly or twice`)
        scans += 1
      }
    })()
    await ingestAll(engine, tableId, rows)
    await settle(engine)
    stop = true
    await reader
    assert.ok(scans > 0)
    assert.ok((engine.stats().compactionCount ?? 0) > 0, 'compaction ran')
    await checkAnswers(engine, tableId, rows)
    await engine.close()
    const listed = fs.readFileSync(path.join(config.dataDir, 'manifest.json'), 'utf8')
    assert.equal(segmentFiles().length, (listed.match(/"file"/g) ?? []).length, 'merged inputs were deleted')
    engine = await start()
    await checkAnswers(engine, tableId, rows)
  })

  it('prunes by time: a narrow time range opens only the segments whose time range overlaps it', async () => {
    const opened: string[] = []
    const counting: FileSystem = { ...nodeFileSystem, open: (file, mode) => { opened.push(file); return nodeFileSystem.open(file, mode) } }
    const engine = await start({ ...SMALL, fs: counting })
    const tableId = await createCpu(engine)
    const rows = makeRows(12_000, 14)
    await ingestAll(engine, tableId, rows)
    await settle(engine)
    opened.length = 0
    const fromUs = BASE_US + 20_000_000
    const toUs = BASE_US + 30_000_000
    const some = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5], timeRange: { fromUs, toUs } }))
    assert.deepStrictEqual(rowsOf(some.partials).sort(byTsHost), rows.filter((r) => r.ts >= fromUs && r.ts < toUs).sort(byTsHost))
    const segmentOpens = opened.filter((file) => file.endsWith('.seg')).length
    assert.ok(segmentOpens > 0 && segmentOpens < segmentFiles().length, `${segmentOpens} of ${segmentFiles().length} segments opened`)
  })

  it('reports a corrupted chunk on a scan as Corrupt naming the file and offset, and other tables still answer', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    await ingestAll(engine, tableId, makeRows(8000, 15))
    await engine.close()
    const file = path.join(config.dataDir, 'segments', segmentFiles()[0]!)
    const bytes = fs.readFileSync(file)
    bytes[60] = bytes[60]! ^ 0xff
    fs.writeFileSync(file, bytes)
    engine = await start()
    await expectFailure(engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] })), 'Corrupt',
      new RegExp(`${path.basename(file)} at byte \\d+`))
    const other = await createCpuNamed(engine, 'cpu2')
    await ingestAll(engine, other, makeRows(10, 1))
    const rows = await engine.execute(scanOp(other, { projection: [0] }))
    assert.equal(rows.partials.reduce((n, p) => n + (p.kind === 'RowsPartial' ? p.rowCount : 0), 0), 10)
  })
})

async function createCpuNamed(engine: Engine, name: string): Promise<TableId> {
  const { COLUMNS } = await import('./engine-fixture.js')
  const result = await engine.execute({ kind: 'CreateTableOp', v: 1, name, columns: COLUMNS, timestampIndex: 0, ifNotExists: false })
  return result.table.id
}

// NODEDB_REPLAY_ROWS scales the big replay (the issue asks for 1,000,000; the default keeps `npm test` quick).
const REPLAY_ROWS = Number(process.env.NODEDB_REPLAY_ROWS ?? '1000000')

describe('engine replay under a 1 MiB memtable budget (invariant 4)', function () {
  this.timeout(120_000)
  let replayDir = ''
  afterEach(() => fs.rmSync(replayDir, { recursive: true, force: true }))

  it(`replays a WAL of ${REPLAY_ROWS} rows with a 1 MiB budget: flushes as it goes, every row exactly once`, async () => {
    replayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-replay-'))
    const replayConfig: EngineConfig = { dataDir: path.join(replayDir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'off' }
    // Write the WAL with a budget far above the data, so nothing is flushed before the restart.
    let engine = await openEngine(replayConfig, { memtableBytes: 1024 * 1024 * 1024 })
    const tableId = await createCpu(engine)
    const batchRows = 20_000
    for (let at = 0; at < REPLAY_ROWS; at += batchRows) {
      const rows = makeRows(Math.min(batchRows, REPLAY_ROWS - at), at + 1).map((row, i) => ({ ...row, reqs: BigInt(at + i) }))
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
    }
    assert.equal(engine.stats().flushCount, 0)
    await engine.close()
    const started = Date.now()
    engine = await openEngine(replayConfig)
    const replayMs = Date.now() - started
    try {
      assert.ok((engine.stats().flushCount ?? 0) > 2, `replay flushed ${engine.stats().flushCount} times`)
      const specs = [{ fn: 'count' as const, column: null }, { fn: 'sum' as const, column: 3 }, { fn: 'min' as const, column: 3 }, { fn: 'max' as const, column: 3 }]
      const total = await engine.execute(scanOp(tableId, { aggregates: specs }))
      const [count, sum, min, max] = mergeAggPartials(total.partials, specs).get('')!
      assert.deepEqual([count, sum, min, max], [REPLAY_ROWS, (REPLAY_ROWS * (REPLAY_ROWS - 1)) / 2, 0n, BigInt(REPLAY_ROWS - 1)])
      process.stdout.write(`      replay: ${REPLAY_ROWS} rows in ${replayMs} ms (${Math.round(REPLAY_ROWS / (replayMs / 1000))} rows/s), ` +
        `${engine.stats().flushCount} flushes, ${engine.stats().segmentCount} segments\n`)
    } finally {
      await engine.close()
    }
  })
})
