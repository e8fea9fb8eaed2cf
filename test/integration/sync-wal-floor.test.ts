// Goal: issue 11's two engine hooks — with a sync WAL floor, a checkpoint keeps every WAL segment the cloud has not
// acknowledged, whatever the flushes, and deletes them once the floor passes; while the sync refusal is set, ingest
// is refused 'DiskFull' and nothing of the batch becomes visible. Method: an in-process engine with tiny WAL
// segments (openEngine's test options) and the engine-fixture rows; the hooks are the ones SyncHooks passes.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EngineFailureError, type Engine } from '../../engine/api.js'
import { openEngine } from '../../engine/engine.js'
import { createCpu, makeRows, scanOp, toBatch } from '../unit/engine/engine-fixture.js'
import { rowsOf } from '../unit/engine/engine-oracle.js'

describe('issue 11: the WAL deletion floor and the ingest refusal of sync (engine hooks)', () => {
  let dir = ''
  let engine: Engine | undefined
  afterEach(async () => {
    await engine?.close()
    engine = undefined
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('keeps unacknowledged WAL segments through flushes, deletes them once acknowledged, refuses ingest past the budget', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-sync-floor-'))
    let floor = 1
    let refusal: EngineFailureError | undefined
    engine = await openEngine({ dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'always' }, {
      memtableBytes: 64 * 1024 * 1024, partitionWidthUs: 10_000_000, walSegmentBytes: 32 * 1024,
      walFloor: () => floor, walRefusal: () => refusal,
    })
    const tableId = await createCpu(engine)
    const rows = makeRows(3000, 11)
    for (let at = 0; at < rows.length; at += 250) {
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 250)) })
    }
    await engine.flushAll()
    const kept = engine.stats().walClosedSegmentCount ?? 0
    assert.ok(kept > 0, 'the flush did not delete WAL segments the cloud has not acknowledged')
    floor = engine.stats().lsnDurable + 1
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(10, 12)) })
    await engine.flushAll()
    assert.equal(engine.stats().walClosedSegmentCount, 0, 'acknowledged and flushed: deleted')
    refusal = new EngineFailureError({ kind: 'DiskFull', detail: 'sync backlog' })
    await assert.rejects(engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(5, 13)) }),
      (error: unknown) => error instanceof EngineFailureError && error.failure.kind === 'DiskFull')
    refusal = undefined
    const all = await engine.execute(scanOp(tableId, { projection: [0] }))
    assert.equal(rowsOf(all.partials).length, 3010, 'nothing of the refused batch is visible')
  })
})
