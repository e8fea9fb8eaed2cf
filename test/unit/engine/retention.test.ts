// Goal: retention (TTL, issue #4) drops whole partitions: once a partition's end is at or before now − retentionUs,
// its segments leave the manifest and the disk and scans stop returning their rows; newer partitions and tables
// without retention keep everything; the setting is persisted in the catalog (older catalogs without it still load).
// Method: a fake clock (openEngine's nowMs) and a tiny memtable budget so days of rows flush to segments; the
// manifest, the segment directory and scans are checked after SetRetentionOp, after a pass at a later clock, and
// after reopening.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { CatalogStore } from '../../../engine/catalog/catalog-store.js'
import { openEngine, runRetentionForTest, type OpenEngineOptions } from '../../../engine/engine.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import type { SegmentEntry } from '../../../engine/timeseries/manifest.js'
import type { TableId } from '../../../src/common/ids.js'
import { PARTITION_WIDTH_US_DEFAULT } from '../../../src/common/limits.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, COLUMNS, expectFailure, scanOp, toBatch } from './engine-fixture.js'

const DAY_US = PARTITION_WIDTH_US_DEFAULT
const DAY0_US = Math.floor(BASE_US / DAY_US) * DAY_US
const HOUR_US = 3_600_000_000
const DAY_COUNT = 6

let dir = ''
let config: EngineConfig
let nowUs = 0
const open: Engine[] = []
const OPTIONS: OpenEngineOptions = { memtableBytes: 64 * 1024, nowMs: () => nowUs / 1000 }

async function start(): Promise<Engine> {
  const engine = await openEngine(config, OPTIONS)
  open.push(engine)
  return engine
}

async function createTable(engine: Engine, name: string): Promise<TableId> {
  return (await engine.execute({ kind: 'CreateTableOp', v: 1, name, columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id
}

/** `count` rows spread over the first 20 hours of day `day`. */
function dayRows(day: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: DAY0_US + day * DAY_US + Math.floor((i * 20 * HOUR_US) / count), host: `h${i % 8}`, usage: i / 4, reqs: BigInt(i),
    ok: i % 2 === 0, note: `n${i % 5}`,
  }))
}

/** Rows per day: the last day gets many more, so every earlier day is pushed out of the memtables into segments. */
function rowsPerDay(day: number): number {
  return day === DAY_COUNT - 1 ? 8000 : 1500
}

async function ingestDays(engine: Engine, tableId: TableId): Promise<void> {
  for (let day = 0; day < DAY_COUNT; day++) {
    const rows = dayRows(day, rowsPerDay(day))
    for (let at = 0; at < rows.length; at += 500) {
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 500)) })
    }
  }
}

/** Waits until the flushes started by the last ingests are committed. */
async function settle(engine: Engine): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const before = engine.stats().flushCount
    await new Promise((resolve) => setTimeout(resolve, 30))
    if (engine.stats().flushCount === before) return
  }
}

function manifestSegments(): SegmentEntry[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(config.dataDir, 'manifest.json'), 'utf8')) as { segments: SegmentEntry[] }
  return manifest.segments
}

function segmentFiles(): Set<string> {
  return new Set(fs.readdirSync(path.join(config.dataDir, 'segments')).filter((name) => name.endsWith('.seg')))
}

/** Days (0-based from DAY0_US) that `tableId` has segments of, per the manifest. */
function segmentDays(tableId: TableId): number[] {
  const days = new Set(manifestSegments().filter((s) => s.tableId === tableId).map((s) => (s.partitionStartUs - DAY0_US) / DAY_US))
  return [...days].sort((a, b) => a - b)
}

/** Rows a scan returns per day. */
async function rowCountsByDay(engine: Engine, tableId: TableId): Promise<number[]> {
  const rows = rowsOf((await engine.execute(scanOp(tableId, { projection: [0] }))).partials)
  const counts = Array.from({ length: DAY_COUNT }, () => 0)
  for (const row of rows) counts[Math.floor((row.ts - DAY0_US) / DAY_US)]! += 1
  return counts
}

const expectedCounts = (fromDay: number) => Array.from({ length: DAY_COUNT }, (_, day) => (day >= fromDay ? rowsPerDay(day) : 0))

describe('engine: retention (TTL) drops whole partitions (issue #4)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-retention-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'off' }
    nowUs = DAY0_US + (DAY_COUNT - 1) * DAY_US + 21 * HOUR_US
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('drops expired partitions from the manifest, the disk and scans; keeps newer ones and other tables; persists', async () => {
    let engine = await start()
    const cpu = await createTable(engine, 'cpu')
    const keep = await createTable(engine, 'keep')
    await ingestDays(engine, cpu)
    await ingestDays(engine, keep)
    await settle(engine)
    assert.deepEqual(segmentDays(cpu).slice(0, DAY_COUNT - 1), [0, 1, 2, 3, 4], 'the old days are in segments')
    const before = manifestSegments().filter((s) => s.tableId === cpu)

    // now is day 5 + 21 h: a 3-day retention cuts at day 2 + 21 h, so days 0 and 1 (ending by day 2) go.
    const result = await engine.execute({ kind: 'SetRetentionOp', v: 1, tableId: cpu, retentionUs: 3 * DAY_US })
    assert.equal(result.table.retentionUs, 3 * DAY_US)
    assert.deepEqual(segmentDays(cpu).filter((day) => day < DAY_COUNT - 1), [2, 3, 4])
    const files = segmentFiles()
    const expired = before.filter((segment) => segment.partitionStartUs < DAY0_US + 2 * DAY_US)
    assert.ok(expired.length >= 2)
    for (const segment of expired) assert.equal(files.has(segment.file), false, `${segment.file} is deleted`)
    assert.deepEqual(await rowCountsByDay(engine, cpu), expectedCounts(2))
    assert.deepEqual(await rowCountsByDay(engine, keep), expectedCounts(0), 'a table without retention keeps everything')
    assert.ok((engine.stats().retentionDropCount ?? 0) >= 2)

    // The clock moves on by a day: the next pass drops day 2 as well (day 2 ends at day 3 ≤ day 5 + 21 h − 3 days).
    nowUs += DAY_US
    await runRetentionForTest(engine)
    assert.deepEqual(segmentDays(cpu).filter((day) => day < DAY_COUNT - 1), [3, 4])
    assert.deepEqual(await rowCountsByDay(engine, cpu), expectedCounts(3))

    await engine.close()
    engine = await start()
    assert.equal(engine.tables().find((table) => table.id === cpu)?.retentionUs, 3 * DAY_US, 'the setting survives reopen')
    assert.deepEqual(await rowCountsByDay(engine, cpu), expectedCounts(3), 'dropped rows do not come back from the WAL')
    assert.deepEqual(await rowCountsByDay(engine, keep), expectedCounts(0))
    await engine.close() // quiescent: no flush or compaction is adding files while the two lists are read
    const listed = new Set(manifestSegments().map((s) => s.file))
    assert.deepEqual([...segmentFiles()].sort(), [...listed].sort(), 'no orphan segment files, none missing')
  })

  it('runs at open with the clock of that moment, and RESET (null) keeps everything from then on', async () => {
    let engine = await start()
    const cpu = await createTable(engine, 'cpu')
    await engine.execute({ kind: 'SetRetentionOp', v: 1, tableId: cpu, retentionUs: 4 * DAY_US })
    await ingestDays(engine, cpu)
    await settle(engine)
    await runRetentionForTest(engine)
    assert.deepEqual((await rowCountsByDay(engine, cpu)).slice(0, 2), [0, rowsPerDay(1)])
    await engine.close()
    nowUs += DAY_US
    engine = await start()
    assert.deepEqual(await rowCountsByDay(engine, cpu), expectedCounts(2), 'the pass at open dropped day 1')
    await engine.execute({ kind: 'SetRetentionOp', v: 1, tableId: cpu, retentionUs: null })
    nowUs += 10 * DAY_US
    await runRetentionForTest(engine)
    assert.deepEqual(await rowCountsByDay(engine, cpu), expectedCounts(2))
    await engine.close()
    engine = await start()
    assert.equal(engine.tables()[0]?.retentionUs ?? null, null, 'RESET is persisted')
  })

  it('refuses unknown tables and retentions that are not positive whole µs', async () => {
    const engine = await start()
    const cpu = await createTable(engine, 'cpu')
    await expectFailure(engine.execute({ kind: 'SetRetentionOp', v: 1, tableId: (cpu + 1) as TableId, retentionUs: DAY_US }), 'NoSuchTable')
    for (const bad of [0, -DAY_US, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectFailure(engine.execute({ kind: 'SetRetentionOp', v: 1, tableId: cpu, retentionUs: bad }), 'InvalidBatch')
    }
    assert.equal(engine.tables()[0]?.retentionUs, undefined, 'a new table keeps everything')
  })

  it('loads a catalog.json written before retention existed', async () => {
    fs.mkdirSync(config.dataDir, { recursive: true })
    const table = { id: 1, name: 'old', columns: COLUMNS, timestampIndex: 0 }
    fs.writeFileSync(path.join(config.dataDir, 'catalog.json'), JSON.stringify({ version: 1, tables: [table] }))
    const catalog = await CatalogStore.open(nodeFileSystem, config.dataDir)
    assert.deepEqual(catalog.tables(), [table])
    assert.equal(catalog.tables()[0]?.retentionUs ?? null, null)
  })
})
