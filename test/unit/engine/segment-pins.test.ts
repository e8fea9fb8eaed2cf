// Goal: segment files a streaming scan sliced stay open while it runs, and no pin outlives the cores that held it
// (engine/timeseries/segment-files.ts, issue #8): after a DROP TABLE unlinks them, a core crash (the stream's cores
// die: ScanHost restarts) releases them, as cancelling the stream does, so the unlinked files are closed and nothing
// leaks; past the descriptor budget, the cores read pinned segments by name and their unlink waits for the stream.
// Method: the engine in this process (2 cores, small memtables so rows are in segments); which unlinked
// segment files the process still holds open is read from /proc/self/fd.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import type { Engine } from '../../../engine/api.js'
import { crashCoreForTest } from '../../../engine/engine.js'
import type { TableId } from '../../../src/common/ids.js'
import type { RowsPartial } from '../../../engine/batch.js'
import { SEGMENT_FILES_OPEN_MAX_COUNT } from '../../../src/common/limits.js'
import { rowsOf } from './engine-oracle.js'
import { BASE_US, byTsHost, createCpu, makeRows, scanOp, toBatch , useSmallEngine } from './engine-fixture.js'

let dir = ''
let engine: Engine | undefined

/** Unlinked segment files of this test's data dir the process still holds open. */
function heldDeleted(): string[] {
  const fdDir = '/proc/self/fd'
  const held: string[] = []
  for (const fd of fs.readdirSync(fdDir)) {
    const target = (() => { try { return fs.readlinkSync(path.join(fdDir, fd)) } catch { return '' } })()
    if (target.startsWith(path.join(dir, 'data', 'segments')) && target.endsWith(' (deleted)')) held.push(target)
  }
  return held
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A table whose 60,000 rows are mostly in segments, and a stream over it that has delivered one batch. */
async function openStreamOverSegments(): Promise<{ tableId: TableId; stream: AsyncIterator<unknown> }> {
  const tableId = await createCpu(engine!)
  const rows = makeRows(60_000, 7)
  for (let at = 0; at < rows.length; at += 2000) {
    await engine!.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 2000)) })
  }
  assert.ok((engine!.stats().segmentCount ?? 0) > 4, 'rows are in several segments')
  const stream = engine!.scanStream(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))[Symbol.asyncIterator]()
  assert.equal((await stream.next()).done, false)
  return { tableId, stream }
}

describe('engine: segment files pinned by streaming scans (issue #8)', () => {
  useSmallEngine('nodedb-pins-', (opened, at) => { engine = opened; dir = at })

  it('a DROP during a stream leaves the files open until the stream is cancelled, then closes them', async () => {
    const { tableId, stream } = await openStreamOverSegments()
    await engine!.execute({ kind: 'DropTableOp', v: 1, tableId })
    assert.ok(heldDeleted().length > 0, 'the stream holds the dropped segment files open')
    await stream.return?.()
    await waitFor(() => heldDeleted().length === 0, 'the dropped files to be closed once the stream is cancelled')
  })

  it('a stream over more segments than the descriptor budget: the rest are read by name, unlinked after it', async () => {
    const tableId = await createCpu(engine!)
    // 8 hosts over 50 partitions of 20 s: one segment per (vShard, partition), more than the budget, none compacted;
    // 40,000 rows per core, more than the batches a core may send ahead, so the stream still holds its pins.
    const rows = makeRows(80_000, 11).map((row, i) => ({ ...row, ts: BASE_US + i * 12_500 }))
    await engine!.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
    await engine!.flushAll()
    const listed = fs.readdirSync(path.join(dir, 'data', 'segments')).length
    assert.ok(listed > SEGMENT_FILES_OPEN_MAX_COUNT, `${listed} segments`)
    const stream = engine!.scanStream(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))[Symbol.asyncIterator]()
    const batches: RowsPartial[] = []
    const first = await stream.next()
    if (first.done !== true) batches.push(first.value)
    await engine!.execute({ kind: 'DropTableOp', v: 1, tableId })
    assert.ok(heldDeleted().length > 0, 'files with a descriptor are unlinked and held open')
    assert.ok(fs.readdirSync(path.join(dir, 'data', 'segments')).length > 0, 'files read by name wait for the stream')
    for (let item = await stream.next(); item.done !== true; item = await stream.next()) batches.push(item.value)
    assert.deepStrictEqual(rowsOf(batches).sort(byTsHost), [...rows].sort(byTsHost))
    await waitFor(() => heldDeleted().length === 0 && fs.readdirSync(path.join(dir, 'data', 'segments')).length === 0,
      'every dropped file closed and deleted once the stream ended')
  })

  it('the cores of a stream crashing release its pins: the dropped files are closed, the stream fails', async () => {
    const { tableId, stream } = await openStreamOverSegments()
    await engine!.execute({ kind: 'DropTableOp', v: 1, tableId })
    assert.ok(heldDeleted().length > 0, 'the stream holds the dropped segment files open')
    // One after the other, as core-restart.test.ts does: each is rebuilt before the next dies.
    await crashCoreForTest(engine!, 0)
    await crashCoreForTest(engine!, 1)
    await waitFor(() => heldDeleted().length === 0, 'the dropped files to be closed after the cores died')
    await assert.rejects(async () => { for (let item = await stream.next(); item.done !== true; item = await stream.next()); })
  })
})
