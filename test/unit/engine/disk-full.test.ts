// Goal: issue 12 — out of disk, the engine refuses cleanly, loses nothing and resumes by itself; a failed fsync is
// fatal. Method: openEngine over test/helpers/faulty-fs.ts, which fails ENOSPC/EDQUOT/EIO at the WAL append and
// rotation, segment write and rename (flush and compaction), manifest and catalog writes, fsyncs, and fakes statfs
// for the reserve. After each fault: the coded failure, the status, resumption with no restart and no request (the
// probe runs every 20 ms here; failed flushes and compactions retry on their backoff timers), then a reopen over the
// plain Node fs that must show every acknowledged batch exactly once and nothing half-written. The other cells of the
// fault matrix are in disk-fault-matrix.test.ts.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError, type Engine, type EngineConfig } from '../../../engine/api.js'
import { openEngine, type OpenEngineOptions } from '../../../engine/engine.js'
import { DiskHealth } from '../../../engine/io/disk-health.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import { RetryBackoff, retryPauseMs } from '../../../engine/io/retry-backoff.js'
import { segmentFileName } from '../../../engine/timeseries/manifest.js'
import { readWal } from '../../../engine/wal/wal-reader.js'
import { WalWriter } from '../../../engine/wal/wal-writer.js'
import type { TableId } from '../../../src/common/ids.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'
import { FaultyFileSystem } from '../../helpers/faulty-fs.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { byTsHost, createCpu, expectFailure, makeRows, scanOp, toBatch } from './engine-fixture.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []
const PROBE_MS = 20
// WAL segments small enough that a few thousand rows in the compact WAL layout (~16 bytes a row) close several of
// them (so the WAL's own bound forces flushes, as these scenarios need), and large enough that 500 rows fit the first.
const SMALL: OpenEngineOptions = { memtableBytes: 96 * 1024, partitionWidthUs: 10_000_000, walSegmentBytes: 16 * 1024 }

async function start(options: OpenEngineOptions): Promise<Engine> {
  const engine = await openEngine(config, { diskProbeIntervalMs: PROBE_MS, ...options })
  open.push(engine)
  return engine
}

async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((engine) => engine.close()))
}

/** Ingests `rows` in batches of 250; returns the rows of the batches acknowledged (refused batches are not). */
async function ingestSome(engine: Engine, tableId: TableId, rows: ReadonlyArray<Row>): Promise<{ acked: Row[]; refused: unknown[] }> {
  const acked: Row[] = []
  const refused: unknown[] = []
  for (let at = 0; at < rows.length; at += 250) {
    const part = rows.slice(at, at + 250)
    try {
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(part) })
      acked.push(...part)
    } catch (error) {
      refused.push(error)
    }
  }
  return { acked, refused }
}

async function allRows(engine: Engine, tableId: TableId): Promise<Row[]> {
  const result = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
  return rowsOf(result.partials).sort(byTsHost)
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`timed out waiting for ${what}`)
}

/** Reopens over the plain fs and checks every acknowledged row is there exactly once (and nothing else). */
async function checkAfterReopen(tableId: TableId, acked: ReadonlyArray<Row>): Promise<void> {
  await closeAll()
  const engine = await start({ ...SMALL, fs: nodeFileSystem })
  assert.deepStrictEqual(await allRows(engine, tableId), [...acked].sort(byTsHost))
}

function kindOf(error: unknown): string | undefined {
  return isEngineFailureError(error) ? error.failure.kind : undefined
}

/** makeRows spans 61 s: shifting by whole windows keeps every (ts, host) of different sets apart. */
const shift = (rows: ReadonlyArray<Row>, windows: number): Row[] => rows.map((row) => ({ ...row, ts: row.ts + windows * 61_000_000 }))

describe('issue 12: disk full and failed fsync (engine)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-diskfull-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'always', diskReserveMb: 0 }
  })
  afterEach(async () => {
    await closeAll()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  for (const code of ['ENOSPC', 'EDQUOT'] as const) {
    it(`issue 12: a WAL append hitting ${code} is refused DiskFull, leaves no partial record, and writes resume by themselves`, async () => {
      const faulty = new FaultyFileSystem()
      const engine = await start({ fs: faulty.fs })
      const tableId = await createCpu(engine)
      const before = await ingestSome(engine, tableId, makeRows(1000, 1))
      const walFile = path.join(config.dataDir, 'wal', '000000000001.wal')
      const sizeBefore = fs.statSync(walFile).size
      faulty.full = code
      const during = await ingestSome(engine, tableId, shift(makeRows(1000, 2), 1))
      assert.equal(during.acked.length, 0)
      assert.deepEqual(during.refused.map(kindOf), ['DiskFull', 'DiskFull', 'DiskFull', 'DiskFull'])
      assert.equal(fs.statSync(walFile).size, sizeBefore, 'the short write was truncated away')
      assert.equal(engine.status?.().state, 'DiskFull')
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS * 5))
      assert.equal(engine.status?.().state, 'DiskFull', 'the probe fails while the disk is full')
      faulty.full = null
      await until(() => engine.status?.().state === 'Writable', 'writes to resume')
      assert.equal(engine.status?.().resumeCount, 1)
      const after = await ingestSome(engine, tableId, shift(makeRows(1000, 3), 2))
      assert.equal(after.refused.length, 0)
      const acked = [...before.acked, ...after.acked]
      assert.deepStrictEqual(await allRows(engine, tableId), [...acked].sort(byTsHost))
      await checkAfterReopen(tableId, acked)
    })
  }

  it('issue 12: a WAL rotation that cannot create its next segment is refused DiskFull, stays on its segment, and resumes', async () => {
    const faulty = new FaultyFileSystem()
    const engine = await start({ ...SMALL, fs: faulty.fs })
    const tableId = await createCpu(engine)
    faulty.failNext({ op: 'open', code: 'ENOSPC', file: /^000000000002\.wal$/ })
    const first = await ingestSome(engine, tableId, makeRows(3000, 4))
    assert.deepEqual(faulty.fired, ['open ENOSPC 000000000002.wal'])
    assert.ok(first.refused.length >= 1)
    assert.deepEqual(new Set(first.refused.map(kindOf)), new Set(['DiskFull']))
    await until(() => engine.status?.().state === 'Writable', 'writes to resume')
    const second = await ingestSome(engine, tableId, shift(makeRows(3000, 5), 1))
    assert.equal(second.refused.length, 0)
    await checkAfterReopen(tableId, [...first.acked, ...second.acked])
  })

  for (const target of [/\.seg\.tmp$/, /^manifest\.json\.tmp$/] as const) {
    for (const op of ['write', 'rename'] as const) {
      it(`issue 12: a flush whose ${op} of ${String(target)} hits ENOSPC keeps its rows and retries by itself (growing backoff, in the status) until it commits and the WAL checkpoints past it, with no request sent`, async () => {
        const faulty = new FaultyFileSystem()
        const engine = await start({ ...SMALL, fs: faulty.fs })
        const tableId = await createCpu(engine)
        // Renames go to the final name: match it without ".tmp".
        const file = op === 'rename' ? new RegExp(target.source.replace('\\.tmp', '')) : target
        faulty.failNext({ op, code: 'ENOSPC', file, sticky: true })
        const { acked, refused } = await ingestSome(engine, tableId, makeRows(6000, 6))
        assert.ok(acked.length > 0, 'ingest goes on while flushes fail: the WAL still has room')
        // Memtables over their pause budget whose flush fails push back: DiskFull, not a request left hanging.
        for (const error of refused) await expectFailure(Promise.reject(error), 'DiskFull', /memtables of core \d+ are full/)
        const failing = () => engine.status?.().backgroundFailures.find((failure) => failure.task === 'flush')
        // From here on no request reaches the engine: the retries are the backoff timer's alone.
        await until(() => (failing()?.count ?? 0) >= 2, 'a second attempt, by the timer')
        const shown = failing()!
        assert.match(shown.detail, /ENOSPC/)
        assert.ok(shown.nextRetryMs !== null && shown.nextRetryMs > shown.sinceMs, 'the next attempt is scheduled')
        assert.equal(engine.stats().segmentCount, 0, 'nothing half-written is listed')
        assert.ok((engine.stats().walClosedSegmentCount ?? 0) > 0, 'the WAL keeps what only memory holds')
        faulty.faults.splice(0)
        await until(() => engine.status?.().backgroundFailures.length === 0 && engine.stats().walClosedSegmentCount === 0,
          'the retried flush to commit and the checkpoint after it')
        assert.ok((engine.stats().flushCount ?? 0) >= 1)
        // Failed attempts deleted what they wrote: the files on disk are the listed segments, no orphan left to open().
        const segmentDir = path.join(config.dataDir, 'segments')
        const onDisk = () => fs.readdirSync(segmentDir).filter((name) => name.includes('.seg'))
        await until(() => onDisk().length === engine.stats().segmentCount && onDisk().every((name) => name.endsWith('.seg')),
          'only listed segment files')
        assert.deepStrictEqual(await allRows(engine, tableId), [...acked].sort(byTsHost), 'every acknowledged row, once')
        await checkAfterReopen(tableId, acked)
      })
    }
  }

  it('issue 12: a compaction that hits ENOSPC keeps its inputs, retries by itself (in the status), and completes once space returns, with no request sent', async () => {
    config = { ...config, coreCount: 1 }
    const faulty = new FaultyFileSystem()
    const engine = await start({ fs: faulty.fs, partitionWidthUs: 86_400_000_000, memtableBytes: 64 * 1024 * 1024 })
    const tableId = await createCpu(engine)
    const acked: Row[] = []
    const round = async (n: number) => {
      acked.push(...(await ingestSome(engine, tableId, shift(makeRows(250, 20 + n), n))).acked)
      await engine.flushAll()
    }
    for (let n = 0; n < 3; n++) await round(n)
    // Flushes write one segment per vShard; the compaction after the 4th flush writes the next id: fail from there.
    const perFlush = (engine.stats().segmentCount ?? 0) / 3
    const manifest = JSON.parse(fs.readFileSync(path.join(config.dataDir, 'manifest.json'), 'utf8')) as { nextSegmentId: number }
    const firstCompactionId = manifest.nextSegmentId + perFlush
    const ids = Array.from({ length: 200 }, (_, i) => segmentFileName(firstCompactionId + i).replace('.seg', ''))
    faulty.failNext({ op: 'write', code: 'ENOSPC', file: new RegExp(`^(${ids.join('|')})\\.seg\\.tmp$`), sticky: true })
    await round(3)
    assert.equal(acked.length, 1000)
    const failing = () => engine.status?.().backgroundFailures.find((failure) => failure.task === 'compaction')
    // No request from here on: the backoff timer alone retries.
    await until(() => (failing()?.count ?? 0) >= 2, 'a second compaction attempt, by the timer')
    assert.match(failing()!.detail, /ENOSPC/)
    assert.ok(failing()!.nextRetryMs !== null)
    assert.equal(engine.stats().segmentCount, 4 * perFlush, 'the inputs stay listed')
    assert.equal(engine.stats().compactionCount, 0)
    faulty.faults.splice(0)
    await until(() => failing() === undefined && (engine.stats().compactionCount ?? 0) > 0, 'the compaction to complete by itself')
    assert.ok((engine.stats().segmentCount ?? 0) < 4 * perFlush)
    assert.deepStrictEqual(await allRows(engine, tableId), [...acked].sort(byTsHost))
    await checkAfterReopen(tableId, acked)
  })

  for (const op of ['write', 'rename', 'open'] as const) {
    it(`issue 12: CREATE TABLE and added columns whose catalog ${op} hits ENOSPC fail DiskFull and leave the catalog as it was`, async () => {
      const faulty = new FaultyFileSystem()
      let engine = await start({ fs: faulty.fs })
      const tableId = await createCpu(engine)
      const catalogFile = path.join(config.dataDir, 'catalog.json')
      const bytesBefore = fs.readFileSync(catalogFile, 'utf8')
      const file = op === 'rename' ? /^catalog\.json$/ : /^catalog\.json\.tmp$/
      faulty.failNext({ op, code: 'ENOSPC', file })
      const columns = [{ name: 'ts', kind: 'timestamp' as const, sqlType: 'timestamp', notNull: true }]
      await expectFailure(engine.execute({ kind: 'CreateTableOp', v: 1, name: 'mem', columns, timestampIndex: 0, ifNotExists: false }), 'DiskFull')
      faulty.failNext({ op, code: 'ENOSPC', file })
      const added = [{ name: 'extra', kind: 'f64' as const, sqlType: 'float8', notNull: false }]
      await expectFailure(engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: added }), 'DiskFull')
      assert.deepEqual(engine.tables().map((table) => [table.name, table.columns.length]), [['cpu', 6]])
      assert.equal(fs.readFileSync(catalogFile, 'utf8'), bytesBefore)
      // Space back: the same statements succeed, ids unchanged by the failures.
      const created = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'mem', columns, timestampIndex: 0, ifNotExists: false })
      assert.equal(created.table.id, tableId + 1)
      await closeAll()
      engine = await start({ fs: nodeFileSystem })
      assert.deepEqual(engine.tables().map((table) => table.name), ['cpu', 'mem'])
    })
  }

  for (const file of [/^000000000001\.wal$/, /\.seg\.tmp$/] as const) {
    it(`issue 12: EIO on fdatasync of ${String(file)} is fatal: Io for every write, the fsync never retried, a restart recovers`, async () => {
      const faulty = new FaultyFileSystem()
      const fatal: string[] = []
      const engine = await start({ ...SMALL, fs: faulty.fs, onFatal: (detail) => fatal.push(detail) })
      const tableId = await createCpu(engine)
      const first = await ingestSome(engine, tableId, makeRows(500, 7))
      faulty.failNext({ op: 'datasync', code: 'EIO', file })
      const rest = await ingestSome(engine, tableId, shift(makeRows(8000, 8), 1))
      await until(() => fatal.length === 1, 'the fatal callback')
      assert.match(fatal[0]!, /fdatasync .* failed: EIO/)
      assert.equal(engine.status?.().state, 'Failed')
      const syncsAtFailure = faulty.datasyncs.get('000000000001.wal')
      await new Promise((resolve) => setTimeout(resolve, PROBE_MS * 5))
      await expectFailure(engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(shift(makeRows(10, 9), 2)) }), 'Io')
      assert.equal(faulty.datasyncs.get('000000000001.wal'), syncsAtFailure, 'no fsync of the WAL after the failure')
      if (String(file).includes('wal')) assert.deepEqual(rest.refused.map(kindOf).filter((kind) => kind !== 'Io'), [])
      const acked = [...first.acked, ...rest.acked]
      await closeAll()
      // The restart: replay rebuilds from what is on disk. A refused batch may have reached the disk before the
      // failed fsync (the client was told it failed, as PostgreSQL would); every acknowledged one must be there once.
      const again = await start({ ...SMALL, fs: nodeFileSystem })
      const seen = await allRows(again, tableId)
      const key = (row: Row) => `${row.ts}/${row.host}`
      const counts = new Map<string, number>()
      for (const row of seen) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1)
      for (const row of acked) assert.equal(counts.get(key(row)), 1, `acknowledged row ${key(row)}`)
      assert.ok([...counts.values()].every((count) => count === 1), 'no row twice')
    })
  }

  it('issue 12: below --disk-reserve-mb ingest is refused DiskFull (DDL still runs), and resumes when space returns', async () => {
    const faulty = new FaultyFileSystem()
    config = { ...config, diskReserveMb: 100 }
    faulty.space = { freeBytes: 50 * 1024 * 1024, totalBytes: 1024 * 1024 * 1024 }
    const engine = await start({ fs: faulty.fs })
    const tableId = await createCpu(engine)
    const status = engine.status?.()
    assert.equal(status?.state, 'DiskFull')
    assert.equal(status?.freeBytes, 50 * 1024 * 1024)
    assert.equal(status?.reserveBytes, 100 * 1024 * 1024)
    await expectFailure(engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(10, 10)) }), 'DiskFull', /reserve/)
    faulty.space = { freeBytes: 500 * 1024 * 1024, totalBytes: 1024 * 1024 * 1024 }
    await until(() => engine.status?.().state === 'Writable', 'the reserve to be free again')
    const { acked } = await ingestSome(engine, tableId, makeRows(10, 11))
    assert.equal(acked.length, 10)
  })

  it('issue 12: a failing writer waits 1 s, doubling per failure to 30 s, back to 1 s after a success; its timer runs the retry', async () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 40].map(retryPauseMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
    const nowMs = 5000
    const backoff = new RetryBackoff(() => nowMs)
    let retries = 0
    assert.equal(backoff.failed(() => { retries += 1 }), nowMs + 1000)
    assert.equal(backoff.failed(() => { retries += 1 }), nowMs + 2000, 'one timer, moved')
    assert.equal(backoff.failureCount, 2)
    backoff.succeeded()
    assert.equal(backoff.isWaiting, false)
    assert.equal(backoff.failed(() => { retries += 1 }), nowMs + 1000, 'a success resets the pause')
    await until(() => retries === 1, 'the timer to run the retry')
    assert.equal(backoff.isWaiting, false)
    backoff.stop()
    backoff.failed(() => { retries += 1 })
    assert.equal(backoff.isWaiting, false, 'no retry after stop')
  })

  it('issue 12: the default reserve is min(256 MiB, 5% of the volume)', async () => {
    const small = new DiskHealth({ fs: { ...nodeFileSystem, statfs: async () => ({ freeBytes: 1e6, totalBytes: 8 * 1024 * 1024 }) }, walDir: dir })
    await small.checkNow()
    assert.equal(small.status().reserveBytes, Math.floor(8 * 1024 * 1024 * 0.05))
    const large = new DiskHealth({ fs: { ...nodeFileSystem, statfs: async () => ({ freeBytes: 1e12, totalBytes: 1e13 }) }, walDir: dir })
    await large.checkNow()
    assert.equal(large.status().reserveBytes, 256 * 1024 * 1024)
  })

  it('issue 12: WalWriter alone: a short write is cut back, appends refused until the probe, LSNs skip the refused ones', async () => {
    const faulty = new FaultyFileSystem()
    const walDir = path.join(dir, 'wal')
    const writer = await WalWriter.open({ fs: faulty.fs, walDir, fsync: 'always', nextLsn: asLsn(1), lastSegment: undefined })
    await writer.append('IngestRecord', asTableId(1), new Uint8Array(100)).durable
    faulty.full = 'ENOSPC'
    const refused = [writer.append('IngestRecord', asTableId(1), new Uint8Array(100)), writer.append('IngestRecord', asTableId(1), new Uint8Array(100))]
    for (const append of refused) await expectFailure(append.durable, 'DiskFull')
    await expectFailure(writer.append('IngestRecord', asTableId(1), new Uint8Array(10)).durable, 'DiskFull')
    await writer.health.checkNow()
    assert.equal(writer.health.state, 'DiskFull')
    faulty.full = null
    await writer.health.checkNow()
    assert.equal(writer.health.state, 'Writable')
    const resumed = writer.append('IngestRecord', asTableId(1), new Uint8Array(100))
    await resumed.durable
    await writer.close()
    const lsns: number[] = []
    await readWal(nodeFileSystem, walDir, (record) => { lsns.push(record.lsn) })
    assert.deepEqual(lsns, [1, resumed.lsn])
    assert.ok(!fs.readdirSync(walDir).includes('.probe'), 'the probe file is removed')
  })
})
