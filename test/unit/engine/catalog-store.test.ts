// Goal: catalog.json keeps table ids unique forever (nextTableId survives DROP TABLE and restarts; catalogs written
// before it existed load with one past the highest id), the dropped-column flag round-trips, renames and drops are
// persisted atomically, column defaults round-trip (absent in old catalogs), and a damaged nextTableId is 'Corrupt'.
// Method: CatalogStore over a temp dir, reopened.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError } from '../../../engine/api.js'
import { CatalogStore } from '../../../engine/catalog/catalog-store.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import type { CreateTableOp } from '../../../engine/ops.js'
import { asTableId } from '../../../src/common/ids.js'

const create = (name: string): CreateTableOp => ({
  kind: 'CreateTableOp', v: 1, name, ifNotExists: false, timestampIndex: 0,
  columns: [{ name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }, { name: 'v', kind: 'f64', sqlType: 'float8', notNull: true }],
})

describe('engine/catalog/catalog-store: ids, drops and renames', () => {
  let dir = ''
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-catalog-')) })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = () => path.join(dir, 'catalog.json')

  it('never reuses an id: nextTableId is persisted and dropped ids stay dropped across reopen', async () => {
    let catalog = await CatalogStore.open(nodeFileSystem, dir)
    const a = (await catalog.createTable(create('a'))).table
    const b = (await catalog.createTable(create('b'))).table
    await catalog.dropTable(b.id)
    assert.equal(catalog.isDropped(b.id), true)
    assert.equal(catalog.isDropped(a.id), false)
    assert.equal(catalog.isDropped(asTableId(3)), false, 'an id never handed out is not "dropped"')
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    const again = (await catalog.createTable(create('b'))).table
    assert.equal(again.id, 3)
    assert.equal((JSON.parse(fs.readFileSync(file(), 'utf8')) as { nextTableId: number }).nextTableId, 4)
  })

  it('loads catalogs without nextTableId (one past the highest id) and refuses a nextTableId below it', async () => {
    const table = { id: 5, name: 'old', timestampIndex: 0, columns: [{ name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }] }
    fs.writeFileSync(file(), JSON.stringify({ version: 1, tables: [table] }))
    const catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.equal((await catalog.createTable(create('new'))).table.id, 6)
    fs.writeFileSync(file(), JSON.stringify({ version: 1, nextTableId: 3, tables: [table] }))
    await assert.rejects(CatalogStore.open(nodeFileSystem, dir), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'Corrupt')
  })

  it('persists renames and dropped columns (hidden, renamed, nullable, index kept)', async () => {
    let catalog = await CatalogStore.open(nodeFileSystem, dir)
    const { table } = await catalog.createTable(create('a'))
    await catalog.renameTable({ kind: 'RenameTableOp', v: 1, tableId: table.id, name: 'a2' })
    await catalog.dropColumn({ kind: 'DropColumnOp', v: 1, tableId: table.id, column: 1 })
    await catalog.addColumns({ kind: 'AddColumnsOp', v: 1, tableId: table.id, columns: [{ name: 'v', kind: 'i64', sqlType: 'int8', notNull: false }] })
    await catalog.renameColumn({ kind: 'RenameColumnOp', v: 1, tableId: table.id, column: 2, name: 'w' })
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.tables(), [{
      id: table.id, name: 'a2', timestampIndex: 0, columns: [
        { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
        { name: '........pg.dropped.2........', kind: 'f64', sqlType: 'float8', notNull: false, isDropped: true },
        { name: 'w', kind: 'i64', sqlType: 'int8', notNull: false },
      ],
    }])
  })

  it('persists column defaults as given (sql\'s value), sets and clears them, drops them with their column; an old catalog loads unchanged', async () => {
    const old = { id: 1, name: 'old', timestampIndex: 0, columns: [{ name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }] }
    fs.writeFileSync(file(), JSON.stringify({ version: 1, nextTableId: 2, tables: [old] }))
    let catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.tables(), [old])
    const stored = { v: 1, expr: 'now()', pretty: 'now()' }
    const op = create('d')
    const { table } = await catalog.createTable({ ...op, columns: op.columns.map((c, i) => (i === 0 ? { ...c, default: stored } : c)) })
    await catalog.setColumnDefault({ kind: 'SetColumnDefaultOp', v: 1, tableId: table.id, column: 1, default: { ...stored, expr: '(1 + 2)' } })
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.tables()[1]?.columns.map((c) => c.default), [stored, { ...stored, expr: '(1 + 2)' }])
    await catalog.setColumnDefault({ kind: 'SetColumnDefaultOp', v: 1, tableId: table.id, column: 0, default: null })
    await catalog.dropColumn({ kind: 'DropColumnOp', v: 1, tableId: table.id, column: 1 })
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.tables()[1]?.columns.map((c) => 'default' in c), [false, false])
    assert.deepEqual(catalog.tables()[0], old)
  })

  it('keeps views in the tables\' namespace and id sequence, persisted; replaced in place, dropped for good', async () => {
    let catalog = await CatalogStore.open(nodeFileSystem, dir)
    const a = (await catalog.createTable(create('a'))).table
    const view = await catalog.createView('v', { query: 'SELECT 1', n: [1] }, false)
    assert.equal(view.id, a.id + 1)
    const taken = (error: unknown): boolean => isEngineFailureError(error) && error.failure.kind === 'TableExists'
    await assert.rejects(catalog.createView('a', {}, true), taken)
    await assert.rejects(catalog.createView('v', {}, false), taken)
    await assert.rejects(catalog.createTable(create('v')), taken)
    await assert.rejects(catalog.renameTable({ kind: 'RenameTableOp', v: 1, tableId: a.id, name: 'v' }), taken)
    const replaced = await catalog.createView('v', { query: 'SELECT 2' }, true)
    assert.equal(replaced.id, view.id)
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.views(), [{ id: view.id, name: 'v', definition: { query: 'SELECT 2' } }])
    await catalog.dropView('v')
    await assert.rejects(catalog.dropView('v'), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'NoSuchTable')
    catalog = await CatalogStore.open(nodeFileSystem, dir)
    assert.deepEqual(catalog.views(), [])
    assert.equal((await catalog.createTable(create('b'))).table.id, view.id + 1, 'a view\'s id is never reused')
  })
})
