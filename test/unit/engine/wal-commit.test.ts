// Goal: the WAL's multi-record commit (engine/wal/commit-record.ts). Its layout is pinned; a read hands on a commit's
// parts as IngestRecords at its reserved LSNs and drops parts with no commit; checkpoints keep a part's segment while
// its transaction is open or its commit needed; the engine's multi-table commit survives restarts all or nothing,
// its parts are caught up when a dispatch is lost, parts of one table replay exactly across flushes between them, and
// the sync tail ships them as IngestRecords.
// Method: WalWriter/readWal over a temp dir, and openEngine with real cores (its dropDispatch hook loses dispatches);
// expected rows come from the seeded batches written, compared as rows.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError, type Engine, type EngineConfig } from '../../../engine/api.js'
import { openEngine, type OpenEngineOptions } from '../../../engine/engine.js'
import { nodeFileSystem, type FileSystem } from '../../../engine/io/file-system.js'
import { WalTail } from '../../../engine/sync/wal-tail.js'
import { encodeIngestPayloads, IngestEncodeBuffers } from '../../../engine/wal/ingest-payload.js'
import { decodeWalRecord, WAL_RECORD_KIND_CODES, walSegmentName, type WalRecord } from '../../../engine/wal/record.js'
import { readWal } from '../../../engine/wal/wal-reader.js'
import { WalWriter } from '../../../engine/wal/wal-writer.js'
import { asLsn, asTableId, type TableId } from '../../../src/common/ids.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { byTsHost, COLUMNS, makeRows, scanOp, toBatch } from './engine-fixture.js'

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8')
const text = (payload: Uint8Array): string => Buffer.from(payload).toString('utf8')

let dir = ''
const engines: Engine[] = []

async function readAll(walDir: string): Promise<{ records: WalRecord[]; result: Awaited<ReturnType<typeof readWal>> }> {
  const records: WalRecord[] = []
  const result = await readWal(nodeFileSystem, walDir, (record) => { records.push({ ...record, payload: record.payload.slice() }) })
  return { records, result }
}

async function openWriter(walDir: string, segmentBytes?: number): Promise<WalWriter> {
  const { result } = await readAll(walDir)
  return WalWriter.open({
    fs: nodeFileSystem, walDir, fsync: 'always', nextLsn: result.nextLsn, lastSegment: result.lastSegment,
    closedSegments: result.closedSegments, commits: result.commits, ...(segmentBytes === undefined ? {} : { segmentBytes }),
  })
}

describe('engine/wal multi-record commit', () => {
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-walcommit-')) })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('pins the layout: kinds 3 and 4, a part is [f64 txn][payload], a commit [u8 1][f64 txn][u32 parts] at its last reserved LSN', async () => {
    assert.equal(WAL_RECORD_KIND_CODES.PartRecord, 3)
    assert.equal(WAL_RECORD_KIND_CODES.CommitRecord, 4)
    const writer = await openWriter(dir)
    const part = writer.appendPart(undefined, asTableId(7), bytes('ab'))
    const commit = writer.appendCommit(part.txn, 3, asTableId(7))
    await Promise.all([part.durable, commit.durable])
    await writer.close()
    assert.deepEqual([part.lsn, part.txn, commit.lsn], [1, 1, 4])
    const file = fs.readFileSync(path.join(dir, walSegmentName(1)))
    const first = decodeWalRecord(file, 0)
    assert.ok(first.kind === 'record')
    assert.deepEqual([...first.record.payload], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x61, 0x62])
    const second = decodeWalRecord(file, first.nextOffset)
    assert.ok(second.kind === 'record' && second.record.kind === 'CommitRecord' && second.record.lsn === 4)
    assert.deepEqual([...second.record.payload], [1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 3, 0, 0, 0])
  })

  it('parts and their commit appended in one tick share one write round and one fdatasync', async () => {
    let syncs = 0
    const counting: FileSystem = {
      ...nodeFileSystem,
      open: async (file, mode) => {
        const handle = await nodeFileSystem.open(file, mode)
        return { ...handle, write: (b, p) => handle.write(b, p), read: (b, p) => handle.read(b, p), size: () => handle.size(),
          truncate: (n) => handle.truncate(n), close: () => handle.close(), datasync: async () => { syncs += 1; await handle.datasync() } }
      },
    }
    const writer = await WalWriter.open({ fs: counting, walDir: dir, fsync: 'always', nextLsn: asLsn(1), lastSegment: undefined })
    const a = writer.appendPart(undefined, asTableId(1), bytes('a'))
    const b = writer.appendPart(a.txn, asTableId(2), bytes('b'))
    const c = writer.appendPart(a.txn, asTableId(3), bytes('c'))
    await Promise.all([a.durable, b.durable, c.durable, writer.appendCommit(a.txn, 3, asTableId(1)).durable])
    assert.equal(syncs, 1)
    await writer.close()
  })

  it('reads a commit\'s parts as IngestRecords at its reserved LSNs, after the records before it; drops parts without one', async () => {
    const writer = await openWriter(dir)
    const a = writer.appendPart(undefined, asTableId(1), bytes('part-a'))
    const plain = writer.append('IngestRecord', asTableId(3), bytes('plain'))
    const b = writer.appendPart(a.txn, asTableId(2), bytes('part-b'))
    const orphan = writer.appendPart(undefined, asTableId(1), bytes('orphan'))
    const commit = writer.appendCommit(a.txn, 2, asTableId(1))
    await Promise.all([a, plain, b, orphan, commit].map((x) => x.durable))
    await writer.close()
    const { records, result } = await readAll(dir)
    assert.deepEqual(records.map((r) => [r.lsn, r.kind, r.tableId, text(r.payload)]), [
      [2, 'IngestRecord', 3, 'plain'], [commit.lsn - 1, 'IngestRecord', 1, 'part-a'], [commit.lsn, 'IngestRecord', 2, 'part-b'],
    ])
    assert.equal(result.droppedPartCount, 1)
    assert.equal(result.nextLsn, commit.lsn + 1)
    assert.deepEqual(result.commits, [{ txn: 1, commitLsn: commit.lsn }])
  })

  it('a checkpoint keeps a part\'s segment while its transaction is open and while its commit is needed', async () => {
    let writer = await openWriter(dir, 1024 * 1024)
    const filler = new Uint8Array(700 * 1024)
    const part = writer.appendPart(undefined, asTableId(1), bytes('kept'))
    await part.durable
    for (let i = 0; i < 4; i++) await writer.append('IngestRecord', asTableId(2), filler).durable
    assert.equal(writer.closedSegmentCount, 3)
    // Every record so far is "flushed": only the open transaction holds the segments from its part on.
    await writer.deleteSegmentsBelow(writer.lastAssignedLsn + 1)
    assert.equal(writer.closedSegmentCount, 3)
    const commit = writer.appendCommit(part.txn, 1, asTableId(1))
    await commit.durable
    for (let i = 0; i < 2; i++) await writer.append('IngestRecord', asTableId(2), filler).durable
    await writer.deleteSegmentsBelow(commit.lsn)
    assert.ok(fs.existsSync(path.join(dir, walSegmentName(1))), 'a vShard still needs the commit: its part stays')
    await writer.close()
    writer = await openWriter(dir, 1024 * 1024) // the pins come back from the replayed commit
    await writer.deleteSegmentsBelow(commit.lsn)
    assert.ok(fs.existsSync(path.join(dir, walSegmentName(1))), 'after a restart the part still stays')
    const { records } = await readAll(dir)
    assert.deepEqual(records.filter((r) => r.tableId === 1).map((r) => [r.lsn, text(r.payload)]), [[commit.lsn, 'kept']])
    await writer.deleteSegmentsBelow(commit.lsn + 1)
    assert.ok(!fs.existsSync(path.join(dir, walSegmentName(1))), 'once the commit is flushed everywhere the part goes')
    await writer.close()
    assert.deepEqual((await readAll(dir)).records.filter((r) => r.tableId === 1), [])
  })

  it('a commit whose first parts a checkpoint deleted is skipped; one missing a part it should have is Corrupt', async () => {
    const writer = await openWriter(dir, 1024 * 1024)
    const first = writer.appendPart(undefined, asTableId(1), bytes('first'))
    await first.durable
    await writer.append('IngestRecord', asTableId(2), new Uint8Array(900 * 1024)).durable
    await writer.append('IngestRecord', asTableId(2), new Uint8Array(900 * 1024)).durable
    const second = writer.appendPart(first.txn, asTableId(1), bytes('second'))
    const commit = writer.appendCommit(first.txn, 2, asTableId(1))
    await Promise.all([second.durable, commit.durable])
    await writer.close()
    assert.ok(fs.existsSync(path.join(dir, walSegmentName(2))))
    // As a checkpoint past the commit would: the first segment, with the first part, is gone.
    fs.rmSync(path.join(dir, walSegmentName(1)))
    const { records } = await readAll(dir)
    assert.deepEqual(records.map((r) => r.tableId), [2])
    // A commit whose transaction starts inside the WAL read but lacks a part is corruption, not a silent skip.
    const other = fs.mkdtempSync(path.join(dir, 'other-'))
    const broken = await openWriter(other)
    const part = broken.appendPart(undefined, asTableId(1), bytes('only'))
    await Promise.all([part.durable, broken.appendCommit(part.txn, 2, asTableId(1)).durable])
    await broken.close()
    await assert.rejects(readAll(other), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'Corrupt')
  })

  it('the sync tail ships committed parts as IngestRecords at the commit\'s LSNs, and never parts without a commit', async () => {
    const writer = await openWriter(dir)
    const a = writer.appendPart(undefined, asTableId(1), bytes('a'))
    const orphan = writer.appendPart(undefined, asTableId(1), bytes('orphan'))
    const b = writer.appendPart(a.txn, asTableId(2), bytes('b'))
    const plain = writer.append('IngestRecord', asTableId(3), bytes('plain'))
    const commit = writer.appendCommit(a.txn, 2, asTableId(1))
    await Promise.all([a, orphan, b, plain, commit].map((x) => x.durable))
    await writer.close()
    const tail = new WalTail(nodeFileSystem, dir)
    const shipped = (await tail.read(commit.lsn, 1 << 20)).map((t) => {
      const decoded = decodeWalRecord(t.bytes, 0)
      assert.ok(decoded.kind === 'record')
      return [t.lsn, decoded.record.lsn, decoded.record.kind, t.tableId, text(decoded.record.payload)]
    })
    assert.deepEqual(shipped, [[4, 4, 'IngestRecord', 3, 'plain'], [5, 5, 'IngestRecord', 1, 'a'], [6, 6, 'IngestRecord', 2, 'b']])
    tail.seek(5)
    assert.deepEqual((await tail.read(commit.lsn, 1 << 20)).map((t) => t.lsn), [6])
  })

  describe('the engine\'s multi-table commit', () => {
    let config: EngineConfig
    beforeEach(() => { config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' } })
    const start = async (options: OpenEngineOptions = {}): Promise<Engine> => {
      const engine = await openEngine(config, options)
      engines.push(engine)
      return engine
    }
    const createTables = async (engine: Engine): Promise<TableId[]> => Promise.all(['ta', 'tb'].map(async (name) =>
      (await engine.execute({ kind: 'CreateTableOp', v: 1, name, columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id))
    const rowsIn = async (engine: Engine, tableId: TableId): Promise<Row[]> =>
      rowsOf((await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))).partials).sort(byTsHost)
    const closeLast = async (): Promise<void> => { await engines.pop()!.close() }

    it('is visible once it resolves and replays whole; parts written without a commit never appear', async () => {
      let engine = await start()
      const [ta, tb] = await createTables(engine)
      const rowsA = makeRows(300, 1)
      const rowsB = makeRows(200, 2)
      const result = await engine.ingestAtomic!([{ tableId: ta!, batch: toBatch(rowsA) }, { tableId: tb!, batch: toBatch(rowsB) }])
      assert.equal(result.rowCount, 500)
      assert.deepStrictEqual(await rowsIn(engine, ta!), [...rowsA].sort(byTsHost))
      assert.deepStrictEqual(await rowsIn(engine, tb!), [...rowsB].sort(byTsHost))
      await closeLast()
      // A crash after the parts of a second commit reached the disk but before its commit record: parts alone.
      const walDir = path.join(config.dataDir, 'wal')
      const writer = await openWriter(walDir)
      const payload = encodeIngestPayloads(toBatch(makeRows(50, 3)), new IngestEncodeBuffers()).wal
      const part = writer.appendPart(undefined, ta!, payload)
      await Promise.all([part.durable, writer.appendPart(part.txn, tb!, payload).durable])
      await writer.close()
      const expectedB = [...rowsB]
      for (let restart = 0; restart < 3; restart++) {
        engine = await start()
        assert.deepStrictEqual(await rowsIn(engine, ta!), [...rowsA].sort(byTsHost), `restart ${restart}`)
        assert.deepStrictEqual(await rowsIn(engine, tb!), [...expectedB].sort(byTsHost), `restart ${restart}`)
        const later = makeRows(10, 10 + restart)
        await engine.execute({ kind: 'IngestOp', v: 1, tableId: tb!, batch: toBatch(later) })
        expectedB.push(...later)
        await closeLast()
      }
    })

    it('commits and single-table ingests sharing a group commit reach the cores in LSN order', async () => {
      // A group already fsyncing lets the next appends pile up: a commit and the ingests after it then share one
      // group, resolved in LSN order; each must dispatch in that order too (the flush coordinator asserts it).
      const engine = await start()
      const [ta, tb] = await createTables(engine)
      const expectedA: Row[] = []
      const expectedB: Row[] = []
      for (let round = 0; round < 20; round++) {
        const [first, a, b, later] = [makeRows(5, 100 + round), makeRows(7, 200 + round), makeRows(9, 300 + round), makeRows(4, 400 + round)]
        await Promise.all([
          engine.execute({ kind: 'IngestOp', v: 1, tableId: ta!, batch: toBatch(first) }),
          engine.ingestAtomic!([{ tableId: ta!, batch: toBatch(a) }, { tableId: tb!, batch: toBatch(b) }]),
          engine.execute({ kind: 'IngestOp', v: 1, tableId: tb!, batch: toBatch(later) }),
        ])
        expectedA.push(...first, ...a)
        expectedB.push(...b, ...later)
      }
      assert.deepStrictEqual(await rowsIn(engine, ta!), expectedA.sort(byTsHost))
      assert.deepStrictEqual(await rowsIn(engine, tb!), expectedB.sort(byTsHost))
    })

    it('two parts of one table with flushes between them replay exactly (each part has an LSN of its own)', async () => {
      // 64 KiB memtables: the first part's apply flushes before the second part arrives, recording only its LSN.
      let engine = await start({ memtableBytes: 64 * 1024 })
      const [ta] = await createTables(engine)
      const parts = [makeRows(3000, 6), makeRows(3000, 7), makeRows(500, 8)]
      await engine.ingestAtomic!(parts.map((rows) => ({ tableId: ta!, batch: toBatch(rows) })))
      const expected = parts.flat().sort(byTsHost)
      assert.deepStrictEqual(await rowsIn(engine, ta!), expected)
      for (let restart = 0; restart < 2; restart++) {
        await closeLast()
        engine = await start({ memtableBytes: 64 * 1024 })
        assert.ok((engine.stats().segmentCount ?? 0) > 0, 'some parts were flushed before the close')
        assert.deepStrictEqual(await rowsIn(engine, ta!), expected, `restart ${restart}`)
      }
    })

    it('a part whose dispatch was lost is applied by catch-up, exactly once, and after restarts', async () => {
      let lost: number[] = []
      let engine = await start({ dropDispatch: (core, lsn) => lost.includes(lsn) && core === 1 })
      const [ta, tb] = await createTables(engine)
      const lsnBefore = engine.stats().lsnDurable
      // The parts are the next two LSNs after the commit reserves them: lsnBefore + 2 (part records) + 1 and + 2.
      lost = [lsnBefore + 3, lsnBefore + 4]
      const rowsA = makeRows(400, 4)
      const rowsB = makeRows(400, 5)
      const result = await engine.ingestAtomic!([{ tableId: ta!, batch: toBatch(rowsA) }, { tableId: tb!, batch: toBatch(rowsB) }])
      assert.equal(result.lsn, lsnBefore + 4)
      assert.ok((engine.stats().catchUpRecordCount ?? 0) >= 1, `catch-up applied ${engine.stats().catchUpRecordCount}`)
      assert.deepStrictEqual(await rowsIn(engine, ta!), [...rowsA].sort(byTsHost))
      assert.deepStrictEqual(await rowsIn(engine, tb!), [...rowsB].sort(byTsHost))
      await engine.flushAll()
      await closeLast()
      engine = await start()
      assert.deepStrictEqual(await rowsIn(engine, ta!), [...rowsA].sort(byTsHost))
      assert.deepStrictEqual(await rowsIn(engine, tb!), [...rowsB].sort(byTsHost))
    })
  })
})
