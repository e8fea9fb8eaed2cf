// Goal: AddColumnsOp (issue 5) appends nullable columns to a table: the catalog persists them, every core re-registers
// the schema, rows already in memtables (and in WAL records written before the op) read NULL in them, batches built
// before the op (a prefix of the columns) are still accepted, and a reopen replays all of it the same way.
// Method: a real engine on a temp dir with two cores; raw scans read back as plain values.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine, EngineConfig } from '../../../engine/api.js'
import type { ColumnBatch, ScanPartial } from '../../../engine/batch.js'
import { openEngine } from '../../../engine/engine.js'
import type { TableId } from '../../../src/common/ids.js'
import { valueAt, type Value } from './engine-oracle.js'
import { expectFailure, scanOp } from './engine-fixture.js'

function rowsOf(partials: ReadonlyArray<ScanPartial>): Value[][] {
  const rows: Value[][] = []
  for (const partial of partials) {
    if (partial.kind !== 'RowsPartial') throw new Error('expected RowsPartial')
    for (let i = 0; i < partial.rowCount; i++) rows.push(partial.columns.map((column) => valueAt(column, i)))
  }
  return rows.sort((a, b) => Number(a[0]) - Number(b[0]))
}

function narrow(ts: number[], hosts: string[]): ColumnBatch {
  return {
    rowCount: ts.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(ts) },
      { kind: 'symbol', ids: Int32Array.from(hosts, (_, i) => i), dict: hosts },
    ],
  }
}

describe('engine: AddColumnsOp (issue 5)', () => {
  let dir = ''
  let config: EngineConfig
  const engines: Engine[] = []
  const start = async (): Promise<Engine> => {
    const engine = await openEngine(config)
    engines.push(engine)
    return engine
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-addcols-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  async function scanAll(engine: Engine, tableId: TableId, width: number): Promise<Value[][]> {
    const result = await engine.execute(scanOp(tableId, { projection: Array.from({ length: width }, (_, i) => i) }))
    return rowsOf(result.partials)
  }

  it('old rows read NULL, prefix batches are accepted, and a reopen replays the same rows', async () => {
    let engine = await start()
    const created = await engine.execute({
      kind: 'CreateTableOp', v: 1, name: 'm', ifNotExists: false, timestampIndex: 0,
      columns: [{ name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }, { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false }],
    })
    const tableId = created.table.id
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: narrow([1, 2, 3, 4], ['a', 'b', 'c', 'd']) })
    const added = await engine.execute({
      kind: 'AddColumnsOp', v: 1, tableId, columns: [
        { name: 'n', kind: 'i64', sqlType: 'int8', notNull: false }, { name: 's', kind: 'text', sqlType: 'text', notNull: false },
        { name: 'host', kind: 'f64', sqlType: 'float8', notNull: false }, // already there: skipped
      ],
    })
    assert.equal(added.addedCount, 2)
    assert.deepEqual(added.table.columns.map((c) => c.name), ['time', 'host', 'n', 's'])
    assert.deepEqual(engine.tables()[0]?.columns.map((c) => c.name), ['time', 'host', 'n', 's'])
    await engine.execute({
      kind: 'IngestOp', v: 1, tableId, batch: {
        rowCount: 2, columns: [
          { kind: 'timestamp', values: Float64Array.from([5, 6]) }, { kind: 'symbol', ids: Int32Array.from([0, 1]), dict: ['e', 'f'] },
          { kind: 'i64', values: BigInt64Array.from([5n, 6n]) }, { kind: 'text', values: ['five', null] },
        ],
      },
    })
    await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: narrow([7], ['g']) }) // built before the op
    const expected: Value[][] = [
      [1, 'a', null, null], [2, 'b', null, null], [3, 'c', null, null], [4, 'd', null, null],
      [5, 'e', 5n, 'five'], [6, 'f', 6n, null], [7, 'g', null, null],
    ]
    assert.deepEqual(await scanAll(engine, tableId, 4), expected)
    await engine.close()
    engine = await start()
    assert.deepEqual(engine.tables()[0]?.columns.map((c) => c.name), ['time', 'host', 'n', 's'])
    assert.deepEqual(await scanAll(engine, tableId, 4), expected)
  })

  it('refuses NOT NULL columns and unknown tables, adds nullable timestamps (ALTER TABLE ADD COLUMN), nothing twice', async () => {
    const engine = await start()
    const created = await engine.execute({
      kind: 'CreateTableOp', v: 1, name: 'm', ifNotExists: false, timestampIndex: 0,
      columns: [{ name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }],
    })
    const tableId = created.table.id
    await expectFailure(engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: [{ name: 'x', kind: 'f64', sqlType: 'float8', notNull: true }] }), 'InvalidBatch')
    const t2 = await engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: [{ name: 't2', kind: 'timestamp', sqlType: 'timestamptz', notNull: false }] })
    assert.equal(t2.addedCount, 1)
    await expectFailure(engine.execute({ kind: 'AddColumnsOp', v: 1, tableId: (tableId + 1) as TableId, columns: [] }), 'NoSuchTable')
    const column = { name: 'x', kind: 'f64', sqlType: 'float8', notNull: false } as const
    assert.equal((await engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: [column] })).addedCount, 1)
    assert.equal((await engine.execute({ kind: 'AddColumnsOp', v: 1, tableId, columns: [column] })).addedCount, 0)
  })
})
