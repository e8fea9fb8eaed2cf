// Goal: invariant 3 — a WAL record that did not reach its core is applied later by the catch-up path, in LSN order,
// exactly once, and live writes for that core wait behind it. Method: openEngine's test hook `dropDispatch` loses
// chosen dispatches (as a lost ring frame or a restarting core would); counts must be exact, not "at least", and
// stay exact over two restarts. The CatchUp class is also driven directly over a real WAL for its start points.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import { CatchUp, walRecordReader } from '../../../engine/catch-up.js'
import { openEngine, type OpenEngineOptions } from '../../../engine/engine.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import type { TableId } from '../../../src/common/ids.js'
import { mergeAggPartials, rowsOf } from './engine-oracle.js'
import { byTsHost, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

let dir = ''
let config: EngineConfig
const open: Engine[] = []

async function start(options: OpenEngineOptions = {}): Promise<Engine> {
  const engine = await openEngine(config, options)
  open.push(engine)
  return engine
}

async function countRows(engine: Engine, tableId: TableId): Promise<number> {
  const specs = [{ fn: 'count' as const, column: null }]
  const result = await engine.execute(scanOp(tableId, { aggregates: specs }))
  return Number(mergeAggPartials(result.partials, specs).get('')?.[0] ?? 0)
}

describe('engine catch-up (invariant 3)', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-catchup-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 1, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('invariant 3: 5 batches WAL\'d, only 1, 3 and 5 dispatched: catch-up applies 2 and 4, exactly 500 rows', async () => {
    const engine = await start({ dropDispatch: (_core, lsn) => lsn === 2 || lsn === 4 })
    const tableId = await createCpu(engine)
    const batches = Array.from({ length: 5 }, (_, i) => makeRows(100, 50 + i))
    for (const batch of batches) await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(batch) })
    assert.equal(await countRows(engine, tableId), 500)
    assert.equal(engine.stats().catchUpRecordCount, 2)
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), batches.flat().sort(byTsHost))
  })

  it('catch-up started from the current tip finds nothing; from the last flushed LSN it finds every record, in order', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    for (let i = 0; i < 5; i++) await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(100, i)) })
    const tip = engine.stats().lsnDurable
    await engine.close()
    const walDir = path.join(config.dataDir, 'wal')
    const applied: number[] = []
    const catchUp = new CatchUp(1, {
      durableLsn: () => tip,
      applyToCore: async (_core, record) => { applied.push(record.lsn) },
      readRecords: walRecordReader(nodeFileSystem, walDir),
    })
    await catchUp.start(0, tip + 1)
    assert.deepEqual(applied, [])
    // Nothing was flushed (16 MiB budget), so the last flushed LSN is 0: catch-up from 1 finds all five records.
    await catchUp.start(0, 1)
    assert.deepEqual(applied, [1, 2, 3, 4, 5])
    assert.equal(catchUp.recordsApplied, 5)
    engine = await start()
    assert.equal(await countRows(engine, tableId), 500)
  })

  it('10 concurrent batches on 2 cores with 4 dispatches dropped: exactly 2000 rows, and unchanged over two restarts', async () => {
    config = { ...config, coreCount: 2 }
    const dropped = new Set(['0/3', '1/4', '0/7', '1/9'])
    let engine = await start({ dropDispatch: (core, lsn) => dropped.has(`${core}/${lsn}`) })
    const tableId = await createCpu(engine)
    const batches = Array.from({ length: 10 }, (_, i) => makeRows(200, 70 + i))
    await Promise.all(batches.map((batch) => engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(batch) })))
    assert.equal(await countRows(engine, tableId), 2000)
    assert.ok((engine.stats().catchUpRecordCount ?? 0) >= 2, `catch-up applied ${engine.stats().catchUpRecordCount}`)
    const expected = batches.flat().sort(byTsHost)
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), expected)
    for (let restart = 0; restart < 2; restart++) {
      await engine.close()
      engine = await start()
      assert.equal(await countRows(engine, tableId), 2000, `restart ${restart}`)
    }
  })
})
