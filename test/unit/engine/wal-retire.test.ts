// Goal: a checkpoint that finds every row flushed retires the active WAL segment too (rotation, then deletion), so a
// CHECKPOINT (or the idle flush of cores that stopped receiving rows) leaves no WAL bytes — yet LSNs never go back: a restart takes the next LSN from the manifest,
// every row is there exactly once, and when the manifest cannot prove the last LSN (the last records were a dropped
// table's) the segment stays. Method: a real engine on a temp dir; WAL bytes read from the directory; scans compared
// with the rows written (engine-fixture's oracle answers).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { openEngine } from '../../../engine/engine.js'
import { rowsOf } from './engine-oracle.js'
import { COLUMNS, byTsHost, checkAnswers, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []
const OPTIONS = { memtableBytes: 64 * 1024 * 1024 }

async function start(): Promise<Engine> {
  const engine = await openEngine(config, OPTIONS)
  open.push(engine)
  return engine
}

function walBytes(): number {
  const walDir = path.join(config.dataDir, 'wal')
  return fs.readdirSync(walDir).reduce((sum, name) => sum + fs.statSync(path.join(walDir, name)).size, 0)
}

describe('engine: CHECKPOINT retires the active WAL segment once everything is flushed', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-wal-retire-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 64, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('leaves no WAL bytes after flushAll; restarts keep every row once and LSNs above the old ones', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(2000, 31)
    let lastLsn = 0
    for (let at = 0; at < rows.length; at += 200) {
      lastLsn = (await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 200)) })).lsn
    }
    assert.ok(walBytes() > 0, 'the records are in the WAL before the checkpoint')
    await engine.flushAll()
    assert.equal(walBytes(), 0, 'every record was flushed: the WAL holds nothing')
    await engine.close()
    engine = await start()
    const all = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] })
    assert.deepStrictEqual(rowsOf((await engine.execute(all)).partials).sort(byTsHost), [...rows].sort(byTsHost))
    const more = makeRows(50, 32).map((row) => ({ ...row, ts: row.ts + 1 }))
    const next = await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(more) })
    assert.ok(next.lsn > lastLsn, `LSN ${next.lsn} after ${lastLsn}`)
    await engine.close()
    engine = await start()
    await checkAnswers(engine, tableId, [...rows, ...more])
  })

  it('flushes the memtables of cores that stopped receiving ingests, and retires the WAL, with no CHECKPOINT', async () => {
    const engine = await openEngine(config, { ...OPTIONS, idleFlushMs: 300 })
    open.push(engine)
    const tableId = await createCpu(engine)
    const rows = makeRows(1000, 36)
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
    // Nothing but the idle timer flushes here (the budget is far above the rows); waited for, not timed.
    while ((engine.stats().memtableBytes ?? 0) > 0 || walBytes() > 0) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok((engine.stats().segmentCount ?? 0) > 0, 'the rows went to segments')
    await checkAnswers(engine, tableId, rows)
  })

  it('keeps the segment when its last records belong to a dropped table (the manifest does not record their LSNs)', async () => {
    let engine = await start()
    const kept = await createCpu(engine)
    await engine.execute({ kind: 'IngestOp', v: 1, tableId: kept, batch: toBatch(makeRows(300, 33)) })
    const dropped = (await engine.execute({
      kind: 'CreateTableOp', v: 1, name: 'gone', columns: COLUMNS,
      timestampIndex: 0, ifNotExists: false,
    })).table.id
    const last = await engine.execute({ kind: 'IngestOp', v: 1, tableId: dropped, batch: toBatch(makeRows(100, 34)) })
    await engine.execute({ kind: 'DropTableOp', v: 1, tableId: dropped })
    await engine.flushAll()
    assert.ok(walBytes() > 0, 'the segment holding the dropped table\'s records stays')
    await engine.close()
    engine = await start()
    const next = await engine.execute({ kind: 'IngestOp', v: 1, tableId: kept, batch: toBatch(makeRows(10, 35)) })
    assert.ok(next.lsn > last.lsn, `LSN ${next.lsn} after the dropped table's ${last.lsn}`)
  })
})
