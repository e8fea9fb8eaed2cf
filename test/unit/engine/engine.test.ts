// Goal: the walking skeleton end to end — openEngine, CREATE, ingest on two cores, raw and grouped scans, close,
// reopen (WAL replay gives the same answers), and the data-dir lock. Method: seeded rows with several tags so both
// cores own series; expected answers are computed here from the plain row list (an oracle independent of the engine's
// kernels), and the per-core partials are merged here too. Every engine is closed so no worker thread outlives a test.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { ScanOp } from '../../../engine/ops.js'
import { openEngine } from '../../../engine/engine.js'
import { asTableId } from '../../../src/common/ids.js'
import { mergeAggPartials, rowsOf } from './engine-oracle.js'
import {
  BASE_US, COLUMNS, byTsHost, checkAnswers, createCpu, expectFailure, makeRows, scanOp, toBatch,
} from './engine-fixture.js'


let dir = ''
let config: EngineConfig
const open: Engine[] = []
const start = async (overrides: Partial<EngineConfig> = {}) => {
  const engine = await openEngine({ ...config, ...overrides })
  open.push(engine)
  return engine
}

/** Each test gets a fresh temp dir; every engine it opened is closed after it, so no worker thread outlives it. */
function useTempEngines(): void {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-engine-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })
}


describe('engine/engine ingest, scan and replay', () => {
  useTempEngines()

  it('ingests on two cores, answers raw and grouped scans, and answers the same after reopen (replay)', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(3000, 42)
    const lsns: number[] = []
    for (let at = 0; at < rows.length; at += 500) {
      const result = await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + 500)) })
      assert.equal(result.rowCount, 500)
      lsns.push(result.lsn)
    }
    assert.deepEqual(lsns, [1, 2, 3, 4, 5, 6])
    assert.equal(engine.stats().lsnDurable, 6)
    await checkAnswers(engine, tableId, rows)
    await engine.close()
    await expectFailure(engine.execute(scanOp(tableId, {})), 'ShuttingDown')

    engine = await start()
    assert.equal(engine.stats().replayedRecordCount, 6)
    assert.deepStrictEqual(engine.tables().map((t) => [t.id, t.name, t.columns]), [[1, 'cpu', COLUMNS]])
    await checkAnswers(engine, tableId, rows)
    const more = await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(10, 7)) })
    assert.equal(more.lsn, 7)
  })

  it('sees concurrent ingests exactly once, each acknowledged batch visible right after its acknowledgement', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const batches = Array.from({ length: 20 }, (_, i) => makeRows(50, 100 + i))
    await Promise.all(batches.map(async (batch) => {
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(batch) })
      const seen = await engine.execute(scanOp(tableId, { aggregates: [{ fn: 'count', column: null }] }))
      const count = mergeAggPartials(seen.partials, [{ fn: 'count', column: null }]).get('')?.[0]
      assert.ok(typeof count === 'number' && count >= 50)
    }))
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), batches.flat().sort(byTsHost))
  })

})

describe('engine/engine scans leave out idle cores', () => {
  useTempEngines()

  // Issue 8: a core with no segment slice for a scan and nothing in its memtables is not asked (its partial would be
  // empty); an ingest sent to it makes it asked again at once, before its answer says what it holds.
  it('asks only cores with a slice or memtable rows, and sees an ingest right after its acknowledgement', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const count: ScanOp['aggregates'] = [{ fn: 'count', column: null }]
    // Grouped by host, so no row group is answered from its statistics (that would be one more partial).
    const countOf = async (filters: ScanOp['filters']) => {
      const result = await engine.execute(scanOp(tableId, { aggregates: count, filters, groupBy: [{ kind: 'column', column: 1 }] }))
      const perHost = [...mergeAggPartials(result.partials, count).values()].map((values) => Number(values[0]))
      return { partials: result.partials.length, count: perHost.reduce((sum, n) => sum + n, 0) }
    }
    // Every core idle: one is asked all the same (a global aggregate's one group over no rows comes from a partial).
    assert.deepStrictEqual(await countOf([]), { partials: 1, count: 0 })
    assert.equal(engine.stats().scanCoreSkippedCount, 1)
    const rows = makeRows(400, 5)
    // Not awaited before the scan is routed: the ingest is queued to both cores first, so both are asked.
    const ingest = engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
    await ingest
    assert.deepStrictEqual(await countOf([]), { partials: 2, count: rows.length })
    await engine.flushAll()
    const h0 = rows.filter((row) => row.host === 'h0').length
    const skipped = engine.stats().scanCoreSkippedCount!
    // In segments now: h0's series lives on one core, whose segment is the only slice.
    assert.deepStrictEqual(await countOf([{ column: 1, op: 'eq', values: ['h0'] }]), { partials: 1, count: h0 })
    assert.equal(engine.stats().scanCoreSkippedCount, skipped + 1)
    for (let i = 0; i < 4; i++) {
      const one = makeRows(8, 50 + i)
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(one) })
      const seen = await countOf([])
      assert.equal(seen.count, rows.length + 8 * (i + 1))
    }
  })
})

describe('engine/engine catalog, data dir and configurations', () => {
  useTempEngines()

  it('stops each core after `limit` rows in raw scans', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(400, 5)) })
    const result = await engine.execute(scanOp(tableId, { projection: [0], limit: 7 }))
    assert.deepEqual(result.partials.map((p) => (p.kind === 'RowsPartial' ? p.rowCount : -1)), [7, 7])
  })

  it('rejects a duplicate table with TableExists, returns it with IF NOT EXISTS, validates schemas', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    await expectFailure(engine.execute({ kind: 'CreateTableOp', v: 1, name: 'cpu', columns: COLUMNS, timestampIndex: 0, ifNotExists: false }), 'TableExists')
    const again = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'cpu', columns: COLUMNS, timestampIndex: 0, ifNotExists: true })
    assert.equal(again.created, false)
    assert.equal(again.table.id, tableId)
    await expectFailure(engine.execute({ kind: 'CreateTableOp', v: 1, name: 'bad', columns: COLUMNS, timestampIndex: 1, ifNotExists: false }), 'InvalidBatch')
    await expectFailure(engine.execute({ kind: 'CreateTableOp', v: 1, name: 'dup', columns: [COLUMNS[0]!, COLUMNS[0]!], timestampIndex: 0, ifNotExists: false }), 'InvalidBatch')
    const second = await engine.execute({ kind: 'CreateTableOp', v: 1, name: 'CPU', columns: COLUMNS.slice(0, 2), timestampIndex: 0, ifNotExists: false })
    assert.equal(second.table.id, 2)
    await expectFailure(engine.execute({ kind: 'IngestOp', v: 1, tableId: asTableId(99), batch: toBatch(makeRows(1, 1)) }), 'NoSuchTable')
    await expectFailure(engine.execute({ kind: 'IngestOp', v: 1, tableId: second.table.id, batch: toBatch(makeRows(1, 1)) }), 'InvalidBatch')
  })

  it('refuses a second open of a locked data dir with Io, and takes over a lock left by a dead process', async () => {
    const engine = await start()
    await expectFailure(openEngine(config), 'Io', new RegExp(`is locked by process ${process.pid}`))
    await engine.close()
    fs.writeFileSync(path.join(config.dataDir, 'LOCK'), '2147483646\n')
    await start()
  })

  it('replays every acknowledged batch after a torn WAL tail, and the torn batch not at all', async () => {
    let engine = await start()
    const tableId = await createCpu(engine)
    const rows = makeRows(300, 9)
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(0, 100)) })
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(100)) })
    await engine.close()
    // A crash mid-write of a third record leaves its first bytes behind.
    fs.appendFileSync(path.join(config.dataDir, 'wal', '000000000001.wal'), Buffer.from([60, 0, 0, 0, 1, 2, 3, 4, 5]))
    engine = await start()
    assert.equal(engine.stats().replayedRecordCount, 2)
    const all = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
    assert.deepStrictEqual(rowsOf(all.partials).sort(byTsHost), [...rows].sort(byTsHost))
  })

  it('reports an unusable data dir as Io', async () => {
    const file = path.join(dir, 'a-file')
    fs.writeFileSync(file, 'x')
    await expectFailure(openEngine({ ...config, dataDir: path.join(file, 'data') }), 'Io', /data directory .* cannot be used|not writable/)
  })

})

describe('engine/engine configurations and large batches', () => {
  useTempEngines()

  it('works with one core and with fsync=batch and off', async () => {
    for (const [coreCount, fsync] of [[1, 'batch'], [3, 'off']] as const) {
      const engine = await start({ coreCount, fsync, dataDir: path.join(dir, `d-${coreCount}`) })
      const tableId = await createCpu(engine)
      const rows = makeRows(200, coreCount)
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows) })
      const result = await engine.execute(scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] }))
      assert.equal(result.partials.length, coreCount)
      assert.deepStrictEqual(rowsOf(result.partials).sort(byTsHost), [...rows].sort(byTsHost))
    }
  })

  it('streams a batch larger than a whole ring to the cores (fragments, control-side queue) and replays it', async () => {
    let engine = await start({ coreCount: 1 })
    const tableId = await createCpu(engine)
    const rowCount = 400_000 // about 13 MB of columns: more than the 8 MiB request ring
    const ts = Float64Array.from({ length: rowCount }, (_, i) => BASE_US + i)
    const batch: ColumnBatch = {
      rowCount,
      columns: [
        { kind: 'timestamp', values: ts },
        { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, (_, i) => i % 3), dict: ['a', 'b', 'c'] },
        { kind: 'f64', values: Float64Array.from({ length: rowCount }, (_, i) => i % 10) },
        { kind: 'i64', values: new BigInt64Array(rowCount) },
        { kind: 'bool', values: new Uint8Array(rowCount) },
        { kind: 'text', values: new Array<string | null>(rowCount).fill(null) },
      ],
    }
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch })
    const spec: ScanOp['aggregates'] = [{ fn: 'count', column: null }, { fn: 'sum', column: 2 }, { fn: 'max', column: 0 }]
    const expected = new Map([['', [rowCount, 4.5 * rowCount, BASE_US + rowCount - 1]]])
    const first = await engine.execute(scanOp(tableId, { aggregates: spec }))
    assert.deepStrictEqual(mergeAggPartials(first.partials, spec), expected)
    await engine.close()
    engine = await start({ coreCount: 1 })
    const again = await engine.execute(scanOp(tableId, { aggregates: spec }))
    assert.deepStrictEqual(mergeAggPartials(again.partials, spec), expected)
  })
})
