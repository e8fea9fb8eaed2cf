// Goal: a crashed core is reported, restarted and its vShards rebuilt from segments + WAL without reopening the
// engine; acknowledged rows are never lost nor doubled (invariants 2, 3). Method: terminate() a worker (as a crash)
// between and during ingests, with a small memtable budget so segments exist; counts and rows must be exact.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { crashCoreForTest, openEngine } from '../../../engine/engine.js'
import { rowsOf } from './engine-oracle.js'
import { byTsHost, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

describe('engine core restart after a crash (invariants 2, 3)', () => {
  let dir = ''
  let engine: Engine | undefined
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-restart-')) })
  afterEach(async () => {
    await engine?.close()
    engine = undefined
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('rebuilds a crashed core from segments and WAL: every acknowledged row exactly once, before and after reopen', async () => {
    const config: EngineConfig = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 1, fsync: 'always' }
    engine = await openEngine(config, { memtableBytes: 64 * 1024 })
    const tableId = await createCpu(engine)
    const rows = makeRows(8000, 21)
    for (let at = 0; at < 4000; at += 250) await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 250)) })
    await crashCoreForTest(engine, 0)
    assert.equal(engine.stats().coreRestartCount, 1)
    // Ingests racing a second crash: the parts in flight to the dead core are applied by its rebuild.
    const writes = []
    for (let at = 4000; at < 8000; at += 250) writes.push(engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 250)) }))
    const crash = crashCoreForTest(engine, 1)
    await Promise.all([...writes, crash])
    assert.equal(engine.stats().coreRestartCount, 2)
    const expected = [...rows].sort(byTsHost)
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), expected)
    await engine.close()
    engine = await openEngine(config, { memtableBytes: 64 * 1024 })
    const again = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(again.partials).sort(byTsHost), expected)
  })
})
