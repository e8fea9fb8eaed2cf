// Goal: WAL records survive a write/read round trip across segments; a torn or garbage tail of the last segment is
// truncated (and appends continue after it); corruption in an earlier segment is a 'Corrupt' failure naming the file
// and LSN. Method: WalWriter/readWal on a fresh temp dir, files damaged by hand with fs between runs.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError } from '../../../engine/api.js'
import { nodeFileSystem, type FileHandleLike, type FileSystem } from '../../../engine/io/file-system.js'
import { WAL_RECORD_HEADER_BYTES, decodeWalRecord, encodeWalRecord, walSegmentName, type WalRecord } from '../../../engine/wal/record.js'
import { readWal } from '../../../engine/wal/wal-reader.js'
import { WalWriter } from '../../../engine/wal/wal-writer.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'

function payload(i: number): Uint8Array {
  return Buffer.from(`record number ${i} `.repeat((i % 5) + 1), 'utf8')
}

async function readAll(dir: string): Promise<{ records: WalRecord[]; result: Awaited<ReturnType<typeof readWal>> }> {
  const records: WalRecord[] = []
  const result = await readWal(nodeFileSystem, dir, (record) => { records.push({ ...record, payload: record.payload.slice() }) })
  return { records, result }
}

async function writeRecords(dir: string, count: number, first = 1): Promise<void> {
  const writer = await WalWriter.open({ fs: nodeFileSystem, walDir: dir, fsync: 'always', nextLsn: asLsn(first), lastSegment: undefined })
  const appends = Array.from({ length: count }, (_, i) => writer.append('IngestRecord', asTableId(1 + (i % 3)), payload(first + i)))
  await Promise.all(appends.map((a) => a.durable))
  assert.deepEqual(appends.map((a) => a.lsn), Array.from({ length: count }, (_, i) => first + i))
  await writer.close()
}

/** The Node file system, counting datasyncs and failing the Nth write with `failWith` (a faulty disk). */
function faultyFs(failWriteNumber: number, failWith: string): { fs: FileSystem; syncs: () => number } {
  let writes = 0
  let syncs = 0
  const wrap = (handle: FileHandleLike): FileHandleLike => ({
    write: async (bytes, position) => {
      writes += 1
      if (writes === failWriteNumber) throw Object.assign(new Error(`injected ${failWith}`), { code: failWith })
      return handle.write(bytes, position)
    },
    read: (into, position) => handle.read(into, position),
    size: () => handle.size(),
    truncate: (length) => handle.truncate(length),
    datasync: async () => { syncs += 1; await handle.datasync() },
    close: () => handle.close(),
  })
  return { fs: { ...nodeFileSystem, open: async (file, mode) => wrap(await nodeFileSystem.open(file, mode)) }, syncs: () => syncs }
}

describe('engine/wal/record', () => {
  it('pins the record layout: [u32 length][u32 crc32c][f64 lsn][u8 kind][u32 tableId][payload]', () => {
    const bytes = encodeWalRecord(asLsn(5), 'IngestRecord', asTableId(9), new Uint8Array([0xaa, 0xbb]))
    const view = new DataView(bytes.buffer)
    assert.equal(WAL_RECORD_HEADER_BYTES, 21)
    assert.equal(view.getUint32(0, true), 8 + 1 + 4 + 2)
    assert.equal(view.getFloat64(8, true), 5)
    assert.equal(view.getUint8(16), 1)
    assert.equal(view.getUint32(17, true), 9)
    const outcome = decodeWalRecord(bytes, 0)
    assert.equal(outcome.kind, 'record')
    bytes[bytes.length - 1] ^= 1
    assert.equal(decodeWalRecord(bytes, 0).kind, 'bad')
  })
})

describe('engine/wal records and reader', () => {
  let dir = ''
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-wal-')) })
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }) })

  it('round-trips records through write and read, group-committed concurrently', async () => {
    await writeRecords(dir, 200)
    const { records, result } = await readAll(dir)
    assert.equal(records.length, 200)
    assert.equal(result.recordCount, 200)
    assert.equal(result.nextLsn, 201)
    records.forEach((record, i) => {
      assert.equal(record.lsn, i + 1)
      assert.equal(record.tableId, 1 + (i % 3))
      assert.deepEqual(Buffer.from(record.payload), Buffer.from(payload(i + 1)))
    })
  })

  it('round-trips large payloads (written by themselves) between small ones in the same group', async () => {
    const big = (seed: number): Uint8Array => Uint8Array.from({ length: 300 * 1024 + seed }, (_, i) => (i * 31 + seed) & 0xff)
    const payloads = [payload(1), big(1), big(2), payload(4), big(5), payload(6)]
    const writer = await WalWriter.open({ fs: nodeFileSystem, walDir: dir, fsync: 'always', nextLsn: asLsn(1), lastSegment: undefined })
    await Promise.all(payloads.map((bytes) => writer.append('IngestRecord', asTableId(1), bytes).durable))
    await writer.close()
    const { records } = await readAll(dir)
    assert.deepEqual(records.map((record) => Buffer.from(record.payload)), payloads.map((bytes) => Buffer.from(bytes)))
  })

  it('truncates a torn tail (half a record) of the last segment and appends after it', async () => {
    await writeRecords(dir, 10)
    const file = path.join(dir, walSegmentName(1))
    const goodSize = fs.statSync(file).size
    const extra = encodeWalRecord(asLsn(11), 'IngestRecord', asTableId(1), payload(11))
    fs.appendFileSync(file, extra.subarray(0, extra.length - 3))
    const { records, result } = await readAll(dir)
    assert.equal(records.length, 10)
    assert.equal(fs.statSync(file).size, goodSize)
    assert.deepEqual(result.lastSegment, { sequence: 1, sizeBytes: goodSize })
    const writer = await WalWriter.open({ fs: nodeFileSystem, walDir: dir, fsync: 'always', nextLsn: result.nextLsn, lastSegment: result.lastSegment })
    await writer.append('IngestRecord', asTableId(2), payload(11)).durable
    await writer.close()
    const again = await readAll(dir)
    assert.deepEqual(again.records.map((r) => r.lsn), Array.from({ length: 11 }, (_, i) => i + 1))
  })

  it('truncates garbage appended after the last good record', async () => {
    await writeRecords(dir, 3)
    const file = path.join(dir, walSegmentName(1))
    const goodSize = fs.statSync(file).size
    fs.appendFileSync(file, Buffer.from('this is not a wal record at all, just garbage bytes'))
    const { records } = await readAll(dir)
    assert.equal(records.length, 3)
    assert.equal(fs.statSync(file).size, goodSize)
  })

  it('reports corruption in the middle of an earlier segment as Corrupt, naming the file and LSN', async () => {
    await writeRecords(dir, 5)
    // A second segment makes the first one "earlier": corruption there cannot be a torn tail.
    fs.copyFileSync(path.join(dir, walSegmentName(1)), path.join(dir, walSegmentName(2)))
    const first = path.join(dir, walSegmentName(1))
    const bytes = fs.readFileSync(first)
    const second = decodeWalRecord(bytes, 0)
    assert.equal(second.kind, 'record')
    const offset = second.kind === 'record' ? second.nextOffset : 0
    bytes[offset + WAL_RECORD_HEADER_BYTES] ^= 0xff
    fs.writeFileSync(first, bytes)
    await assert.rejects(readAll(dir), (error: unknown) => {
      assert.ok(isEngineFailureError(error))
      assert.equal(error.failure.kind, 'Corrupt')
      assert.match(error.failure.detail, /000000000001\.wal/)
      assert.match(error.failure.detail, /lsn field 2/)
      return true
    })
  })

})

describe('engine/wal writer', () => {
  let dir = ''
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-wal-')) })
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }) })

  it('reads an empty wal dir as no records', async () => {
    const { records, result } = await readAll(dir)
    assert.equal(records.length, 0)
    assert.equal(result.nextLsn, 1)
    assert.equal(result.lastSegment, undefined)
  })

  for (const mode of ['batch', 'off'] as const) {
    it(`round-trips with fsync=${mode}`, async () => {
      const writer = await WalWriter.open({ fs: nodeFileSystem, walDir: dir, fsync: mode, nextLsn: asLsn(1), lastSegment: undefined })
      await Promise.all([1, 2, 3].map((i) => writer.append('IngestRecord', asTableId(1), payload(i)).durable))
      assert.equal(writer.durableLsn, 3)
      await writer.close()
      assert.equal((await readAll(dir)).records.length, 3)
    })
  }

  it('group-commits: appends arriving during an fsync share the next one (fewer fsyncs than records)', async () => {
    const { fs: counting, syncs } = faultyFs(0, 'EIO')
    const writer = await WalWriter.open({ fs: counting, walDir: dir, fsync: 'always', nextLsn: asLsn(1), lastSegment: undefined })
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.append('IngestRecord', asTableId(1), payload(i)).durable))
    assert.ok(syncs() <= 3, `100 concurrent appends took ${syncs()} fsyncs`)
    assert.equal(writer.durableLsn, 100)
    await writer.close()
  })

  it('fails the appends of a failed write with DiskFull (ENOSPC), and refuses later appends', async () => {
    const { fs: faulty } = faultyFs(2, 'ENOSPC')
    const writer = await WalWriter.open({ fs: faulty, walDir: dir, fsync: 'always', nextLsn: asLsn(1), lastSegment: undefined })
    await writer.append('IngestRecord', asTableId(1), payload(1)).durable
    const failed = writer.append('IngestRecord', asTableId(1), payload(2)).durable
    await assert.rejects(failed, (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'DiskFull')
    await assert.rejects(writer.append('IngestRecord', asTableId(1), payload(3)).durable,
      (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'DiskFull')
    assert.equal(writer.durableLsn, 1)
    await writer.close()
    assert.deepEqual((await readAll(dir)).records.map((r) => r.lsn), [1])
  })

  it('rotates segments at the size bound and reads them back in order, continuing in the last one', async () => {
    const open = (nextLsn: number, lastSegment: { sequence: number; sizeBytes: number } | undefined) =>
      WalWriter.open({ fs: nodeFileSystem, walDir: dir, fsync: 'always', nextLsn: asLsn(nextLsn), lastSegment, segmentBytes: 300 })
    const writer = await open(1, undefined)
    for (let i = 1; i <= 30; i++) await writer.append('IngestRecord', asTableId(1), payload(i)).durable
    await writer.close()
    const segments = fs.readdirSync(dir).filter((name) => name.endsWith('.wal')).sort()
    assert.ok(segments.length >= 5, `${segments.length} segments`)
    assert.equal(segments[0], '000000000001.wal')
    for (const name of segments) assert.ok(fs.statSync(path.join(dir, name)).size <= 300 + 21 + 100, name)
    const { records, result } = await readAll(dir)
    assert.deepEqual(records.map((r) => r.lsn), Array.from({ length: 30 }, (_, i) => i + 1))
    assert.equal(result.lastSegment?.sequence, segments.length)
    const more = await open(result.nextLsn, result.lastSegment)
    await more.append('IngestRecord', asTableId(1), payload(31)).durable
    await more.close()
    assert.equal((await readAll(dir)).records.length, 31)
  })
})
