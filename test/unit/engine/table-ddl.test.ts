// Goal: DROP TABLE, TRUNCATE and the catalog-only ALTERs are durable and all-or-nothing: a dropped table's rows leave
// cores, manifest and disk and never come back (replay skips its WAL records; a new table of the same name gets a new
// id and none of the old rows); a truncated table keeps its schema and only rows written after; renames keep data;
// a dropped column keeps its index. The crash windows (between DROP's catalog commit and its manifest swap; after
// TRUNCATE's manifest swap, before the cores) are reproduced by running the commit step alone on a closed data dir.
// Method: real engines on a temp dir with rows both in segments (flushAll) and in memtables/WAL, scans compared with
// the rows written, manifest and segment directory read from disk, and reopen after each step.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { CatalogStore } from '../../../engine/catalog/catalog-store.js'
import { crashCoreForTest, openEngine } from '../../../engine/engine.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import type { SegmentEntry } from '../../../engine/timeseries/manifest.js'
import { SegmentStore } from '../../../engine/timeseries/segment-store.js'
import type { TableId } from '../../../src/common/ids.js'
import { COLUMNS, byTsHost, createCpu, expectFailure, makeRows, scanOp, toBatch } from './engine-fixture.js'
import { rowsOf, type Row } from './engine-oracle.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []

async function start(): Promise<Engine> {
  const engine = await openEngine(config)
  open.push(engine)
  return engine
}

async function stopEngine(engine: Engine): Promise<void> {
  open.splice(open.indexOf(engine), 1)
  await engine.close()
}

async function ingest(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>): Promise<void> {
  for (let at = 0; at < rows.length; at += 250) await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 250)) })
}

async function scanRows(engine: Engine, tableId: TableId): Promise<Row[]> {
  return rowsOf((await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))).partials).sort(byTsHost)
}

function manifestSegments(): SegmentEntry[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(config.dataDir, 'manifest.json'), 'utf8')) as { segments: SegmentEntry[] }
  return manifest.segments
}

function segmentFiles(): string[] {
  return fs.readdirSync(path.join(config.dataDir, 'segments')).filter((name) => name.endsWith('.seg')).sort()
}

/** `cpu` with 600 rows in segments and 400 more only in memtables and the WAL. */
async function cpuWithRows(engine: Engine): Promise<{ tableId: TableId; rows: Row[] }> {
  const tableId = await createCpu(engine)
  const rows = makeRows(1000, 7)
  await ingest(engine, tableId, rows.slice(0, 600))
  await engine.flushAll()
  await ingest(engine, tableId, rows.slice(600))
  assert.ok(manifestSegments().some((entry) => entry.tableId === tableId), 'some rows are in segments')
  return { tableId, rows }
}

/** The manifest lists exactly the segment files on disk. */
function assertManifestMatchesDisk(): void {
  assert.deepEqual(manifestSegments().map((entry) => entry.file).sort(), segmentFiles())
}

describe('engine: DROP TABLE, TRUNCATE, renames and DROP COLUMN', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-ddl-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'off' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('DropTableOp removes the table from catalog, cores, manifest and disk; a new table of that name starts empty', async () => {
    let engine = await start()
    const { tableId } = await cpuWithRows(engine)
    const other = (await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'keep', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id
    const kept = makeRows(50, 3)
    await ingest(engine, other, kept)
    await engine.execute({ kind: 'DropTableOp', v: 1, tableId })
    assert.deepEqual(engine.tables().map((t) => t.name), ['keep'])
    await expectFailure(engine.execute(scanOp(tableId, { projection: [0] })), 'NoSuchTable')
    await expectFailure(engine.execute({ kind: 'DropTableOp', v: 1, tableId }), 'NoSuchTable')
    assert.ok(!manifestSegments().some((entry) => entry.tableId === tableId))
    assertManifestMatchesDisk()
    await stopEngine(engine)

    engine = await start()
    assert.deepEqual(engine.tables().map((t) => t.name), ['keep'])
    assert.deepEqual(await scanRows(engine, other), [...kept].sort(byTsHost))
    const again = await createCpu(engine)
    assert.ok(again > other, `a new id (${again}), never a dropped one (${tableId})`)
    assert.deepEqual(await scanRows(engine, again), [])
    const fresh = makeRows(30, 11)
    await ingest(engine, again, fresh)
    await stopEngine(engine)

    engine = await start()
    assert.deepEqual(await scanRows(engine, again), [...fresh].sort(byTsHost), 'the old rows never reach the new table')
    await engine.flushAll()
    await stopEngine(engine)
    engine = await start()
    assert.deepEqual(await scanRows(engine, again), [...fresh].sort(byTsHost))
  })

  it('TruncateTableOp leaves the table empty (segments and memtables), later rows only, across restarts', async () => {
    let engine = await start()
    const { tableId } = await cpuWithRows(engine)
    const filesBefore = segmentFiles().length
    const result = await engine.execute({ kind: 'TruncateTableOp', v: 1, tableId })
    assert.equal(result.table.id, tableId)
    assert.deepEqual(await scanRows(engine, tableId), [])
    assert.ok(segmentFiles().length < filesBefore)
    assertManifestMatchesDisk()
    const later = makeRows(40, 5)
    await ingest(engine, tableId, later)
    assert.deepEqual(await scanRows(engine, tableId), [...later].sort(byTsHost))
    await stopEngine(engine)

    engine = await start()
    assert.deepEqual(await scanRows(engine, tableId), [...later].sort(byTsHost), 'replay skips the truncated records')
    await engine.flushAll()
    await stopEngine(engine)
    engine = await start()
    assert.deepEqual(await scanRows(engine, tableId), [...later].sort(byTsHost))
    await engine.execute({ kind: 'TruncateTableOp', v: 1, tableId })
    await stopEngine(engine)
    engine = await start()
    assert.deepEqual(await scanRows(engine, tableId), [])
  })

  it('renames and DROP COLUMN change only the catalog: rows stay, indices stay, persisted', async () => {
    let engine = await start()
    const { tableId, rows } = await cpuWithRows(engine)
    await engine.execute({ kind: 'RenameTableOp', v: 1, tableId, name: 'cpu2' })
    await engine.execute({ kind: 'RenameColumnOp', v: 1, tableId, column: 2, name: 'load' })
    const dropped = await engine.execute({ kind: 'DropColumnOp', v: 1, tableId, column: 5 })
    assert.equal(dropped.table.columns[5]?.isDropped, true)
    assert.equal(dropped.table.columns[5]?.name, '........pg.dropped.6........')
    await expectFailure(engine.execute({ kind: 'DropColumnOp', v: 1, tableId, column: 0 }), 'InvalidBatch', /designated timestamp/)
    await expectFailure(engine.execute({ kind: 'DropColumnOp', v: 1, tableId, column: 5 }), 'InvalidBatch')
    await expectFailure(engine.execute({ kind: 'RenameColumnOp', v: 1, tableId, column: 1, name: 'load' }), 'InvalidBatch')
    await createCpu(engine)
    await expectFailure(engine.execute({ kind: 'RenameTableOp', v: 1, tableId, name: 'cpu' }), 'TableExists')
    // The dropped column's name is free again: a new column of that name is a new index, NULL for old rows.
    const added = await engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: [{ name: 'note', kind: 'text', sqlType: 'text', notNull: false }] })
    assert.equal(added.addedCount, 1)
    assert.deepEqual(await scanRows(engine, tableId), [...rows].sort(byTsHost))
    await stopEngine(engine)

    engine = await start()
    const table = engine.tables().find((t) => t.id === tableId)
    assert.deepEqual(table?.columns.map((c) => c.name), ['ts', 'host', 'load', 'reqs', 'ok', '........pg.dropped.6........', 'note'])
    assert.equal(table?.name, 'cpu2')
    assert.deepEqual(await scanRows(engine, tableId), [...rows].sort(byTsHost))
    const newest = await engine.execute(scanOp(tableId, { projection: [6] }))
    let count = 0
    for (const partial of newest.partials) {
      assert.equal(partial.kind, 'RowsPartial')
      if (partial.kind !== 'RowsPartial') continue
      const column = partial.columns[0]!
      assert.ok(column.kind === 'text' && column.values.every((value) => value === null), 'the re-added column is NULL for old rows')
      count += partial.rowCount
    }
    assert.equal(count, rows.length)
  })

  it('crash after DROP TABLE\'s catalog commit, before its manifest swap: the next open finishes the drop', async () => {
    let engine = await start()
    const { tableId } = await cpuWithRows(engine)
    await stopEngine(engine)
    // The commit point alone, as if the process died right after it.
    const catalog = await CatalogStore.open(nodeFileSystem, config.dataDir)
    await catalog.dropTable(tableId)
    assert.ok(manifestSegments().some((entry) => entry.tableId === tableId), 'the manifest still lists the segments')

    engine = await start()
    assert.deepEqual(engine.tables(), [])
    assert.ok(!manifestSegments().some((entry) => entry.tableId === tableId))
    assertManifestMatchesDisk()
    const again = await createCpu(engine)
    assert.deepEqual(await scanRows(engine, again), [], 'neither segments nor WAL records of the dropped table reach it')
  })

  it('crash after TRUNCATE\'s manifest swap, before the cores: the next open shows the table empty', async () => {
    let engine = await start()
    const { tableId } = await cpuWithRows(engine)
    const lsn = engine.stats().lsnDurable
    await stopEngine(engine)
    const segments = await SegmentStore.open(nodeFileSystem, config.dataDir)
    await segments.maintain(() => segments.truncateTable(tableId, lsn, () => undefined))

    engine = await start()
    assert.deepEqual(await scanRows(engine, tableId), [])
    const later = makeRows(20, 9)
    await ingest(engine, tableId, later)
    assert.ok(engine.stats().lsnDurable > lsn, 'LSNs continue above the truncation')
    await stopEngine(engine)
    engine = await start()
    assert.deepEqual(await scanRows(engine, tableId), [...later].sort(byTsHost))
  })

  it('TRUNCATE amid concurrent ingests (flushing): each batch wholly kept or gone, ordered by the ingest gate; DROP spares the other table', async () => {
    const engine = await openEngine(config, { memtableBytes: 48 * 1024 })
    open.push(engine)
    const tableId = await createCpu(engine)
    const keep = (await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'keep', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id
    // Batch b holds 50 rows whose `reqs` is b, so a scan tells which batches survived and whether any is partial.
    const batchRows = (b: number): Row[] => makeRows(50, b + 1).map((row, i) => ({ ...row, ts: row.ts + b * 1000 + i, reqs: BigInt(b) }))
    const spans: Array<{ b: number; startMs: number; endMs: number }> = []
    let stop = false
    const writer = async (first: number, target: TableId) => {
      for (let b = first; !stop; b += 2) {
        const startMs = performance.now()
        await engine.execute({ kind: 'IngestOp', v: 1, tableId: target, batch: toBatch(batchRows(b)) })
        if (target === tableId) spans.push({ b, startMs, endMs: performance.now() })
      }
    }
    const writers = [writer(0, tableId), writer(1, keep)]
    await new Promise((resolve) => setTimeout(resolve, 150))
    const truncateStartMs = performance.now()
    await engine.execute({ kind: 'TruncateTableOp', v: 1, tableId })
    const truncateEndMs = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 150))
    stop = true
    await Promise.all(writers)
    const perBatch = new Map<number, number>()
    for (const row of await scanRows(engine, tableId)) perBatch.set(Number(row.reqs), (perBatch.get(Number(row.reqs)) ?? 0) + 1)
    for (const [b, count] of perBatch) assert.equal(count, 50, `batch ${b} is partial`)
    for (const span of spans) {
      if (span.endMs < truncateStartMs) assert.ok(!perBatch.has(span.b), `batch ${span.b}, acknowledged before TRUNCATE, survived`)
      if (span.startMs > truncateEndMs) assert.equal(perBatch.get(span.b), 50, `batch ${span.b}, written after TRUNCATE, is missing`)
    }
    assert.ok(spans.some((span) => span.endMs < truncateStartMs) && spans.some((span) => span.startMs > truncateEndMs))
    const keptBefore = (await scanRows(engine, keep)).length
    assert.ok(keptBefore > 0 && keptBefore % 50 === 0)
    await engine.execute({ kind: 'DropTableOp', v: 1, tableId })
    assert.equal((await scanRows(engine, keep)).length, keptBefore)
    await stopEngine(engine)
    const reopened = await start()
    assert.equal((await scanRows(reopened, keep)).length, keptBefore)
    assert.deepEqual(reopened.tables().map((t) => t.name), ['keep'])
  })

  it('a core restarted after TRUNCATE and DROP TABLE rebuilds from the WAL without the dead records', async () => {
    const engine = await start()
    const { tableId } = await cpuWithRows(engine)
    const other = (await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'other', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id
    const otherRows = makeRows(80, 21)
    await ingest(engine, other, otherRows)
    await engine.execute({ kind: 'TruncateTableOp', v: 1, tableId })
    const later = makeRows(60, 13)
    await ingest(engine, tableId, later)
    for (const core of [0, 1]) await crashCoreForTest(engine, core)
    assert.deepEqual(await scanRows(engine, tableId), [...later].sort(byTsHost))
    await engine.execute({ kind: 'DropTableOp', v: 1, tableId })
    for (const core of [0, 1]) await crashCoreForTest(engine, core)
    assert.deepEqual(await scanRows(engine, other), [...otherRows].sort(byTsHost))
    assert.equal(engine.stats().coreRestartCount, 4)
  })
})
