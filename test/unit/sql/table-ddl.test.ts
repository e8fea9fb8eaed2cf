// Goal: DROP TABLE, TRUNCATE, ALTER TABLE ADD/DROP/RENAME COLUMN, RENAME TO and CREATE TABLE WITH (ttl, partition_by)
// parse into their statements and run as the engine's table ops with PostgreSQL's command tags, SQLSTATEs and
// wording (checked against PostgreSQL 15); a dropped column is hidden from INSERT and name lookups but keeps its index.
// Method: parseSql's AST for each spelling, then the facade over a FakeEngine and the ops it records.
import assert from 'node:assert/strict'
import { visibleColumns } from '../../../sql/bind/catalog.js'
import type { ParsedStatement } from '../../../sql/parse/ast.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import { columnAlreadyExists, undefinedTableToDrop } from '../../../src/common/errors.js'
import { dbErrorOf, newHarness } from './helpers.js'

const TAG = (commandTag: string) => ({ kind: 'CommandResult', commandTag })
const DDL = 'CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, a INT, b TEXT)'

function astOf(text: string): ParsedStatement['ast'] {
  const [slice] = parseSql(text)
  assert.ok(slice !== undefined)
  return slice.parsed.ast
}

async function codeOf(work: () => unknown): Promise<[string, string]> {
  const error = await dbErrorOf(work)
  return [error.code, error.message]
}

describe('sql: DROP TABLE, TRUNCATE, ALTER TABLE columns and renames', () => {
  it('parses each form into its statement', async () => {
    assert.deepEqual(astOf('DROP TABLE IF EXISTS a, public.b CASCADE'),
      { kind: 'SqlDropTable', objectKind: 'table', ifExists: true, cascade: true, tables: [{ name: 'a', pos: 0 }, { name: 'b', pos: 0 }] })
    assert.deepEqual(astOf('DROP VIEW v'), { kind: 'SqlDropTable', objectKind: 'view', ifExists: false, cascade: false, tables: [{ name: 'v', pos: 0 }] })
    assert.deepEqual(astOf('TRUNCATE TABLE ONLY a RESTART IDENTITY'), { kind: 'SqlTruncate', tables: [{ name: 'a', pos: 20 }] })
    assert.deepEqual(astOf('ALTER TABLE t RENAME COLUMN a TO b'),
      { kind: 'SqlRename', table: 't', tablePos: 12, ifExists: false, column: 'a', newName: 'b' })
    assert.deepEqual(astOf('ALTER TABLE IF EXISTS t RENAME TO u'),
      { kind: 'SqlRename', table: 't', tablePos: 22, ifExists: true, column: null, newName: 'u' })
    const alter = astOf('ALTER TABLE t ADD COLUMN IF NOT EXISTS c int, DROP COLUMN IF EXISTS d CASCADE, ADD e text')
    assert.equal(alter.kind, 'SqlAlterTableColumns')
    assert.deepEqual(alter.kind === 'SqlAlterTableColumns' ? alter.actions.map((a) => [a.kind, a.kind === 'AddColumn' ? a.column.name : a.name]) : [],
      [['AddColumn', 'c'], ['DropColumn', 'd'], ['AddColumn', 'e']])
    for (const text of ['DROP INDEX i', 'ALTER TABLE t ADD a int, SET (ttl = 1)', 'ALTER VIEW v RENAME TO w', 'DROP TABLE other.t']) {
      assert.equal((await dbErrorOf(() => parseSql(text))).code, '0A000', text)
    }
  })

  it('DROP TABLE: 42P01 "table … does not exist" before dropping anything; IF EXISTS skips with a NOTICE; CASCADE without views', async () => {
    const h = await newHarness(DDL)
    await h.run('CREATE TABLE n (ts TIMESTAMPTZ NOT NULL)')
    assert.deepEqual(await codeOf(() => h.run('DROP TABLE m, nope')), ['42P01', 'table "nope" does not exist'])
    assert.equal(h.engine.tables().length, 2)
    const skipped = await h.one('DROP TABLE IF EXISTS nope, m CASCADE')
    assert.ok(skipped.kind === 'CommandResult')
    assert.deepEqual([skipped.commandTag, skipped.notices?.map((n) => [n.severity, n.message])],
      ['DROP TABLE', [['NOTICE', 'table "nope" does not exist, skipping']]])
    assert.deepEqual(h.engine.tables().map((t) => t.name), ['n'])
    assert.deepEqual(await h.one('DROP TABLE n, n RESTRICT'), TAG('DROP TABLE'))
    assert.deepEqual(h.engine.ops.filter((op) => op.kind === 'DropTableOp').length, 2)
    await h.run(DDL)
    assert.ok(h.engine.tables()[0]!.id > 2, 'a new id')
  })

  it('TRUNCATE: one op per table, 42P01 for a missing one (nothing truncated)', async () => {
    const h = await newHarness(DDL)
    await h.run("INSERT INTO m VALUES ('2024-01-01', 1, 'x')")
    assert.equal((await codeOf(() => h.run('TRUNCATE m, nope')))[0], '42P01')
    assert.ok(!h.engine.ops.some((op) => op.kind === 'TruncateTableOp'))
    assert.deepEqual(await h.one('TRUNCATE TABLE m'), TAG('TRUNCATE TABLE'))
  })

  it('RENAME TO and RENAME COLUMN with PostgreSQL\'s errors', async () => {
    const h = await newHarness(DDL)
    await h.run('CREATE TABLE n (ts TIMESTAMPTZ NOT NULL)')
    assert.deepEqual(await codeOf(() => h.run('ALTER TABLE m RENAME TO n')), ['42P07', 'relation "n" already exists'])
    assert.deepEqual(await codeOf(() => h.run('ALTER TABLE m RENAME COLUMN zz TO q')), ['42703', 'column "zz" does not exist'])
    assert.deepEqual(await codeOf(() => h.run('ALTER TABLE m RENAME a TO b')), ['42701', 'column "b" of relation "m" already exists'])
    assert.equal((await codeOf(() => h.run('ALTER TABLE nope RENAME TO x')))[0], '42P01')
    assert.deepEqual(await h.one('ALTER TABLE IF EXISTS nope RENAME TO x'), TAG('ALTER TABLE'))
    assert.deepEqual(await h.one('ALTER TABLE m RENAME COLUMN a TO a2'), TAG('ALTER TABLE'))
    assert.deepEqual(await h.one('ALTER TABLE m RENAME TO m2'), TAG('ALTER TABLE'))
    assert.deepEqual(h.engine.tables().map((t) => [t.name, t.columns.map((c) => c.name)]),
      [['m2', ['ts', 'a2', 'b']], ['n', ['ts']]])
  })

  it('ADD and DROP COLUMN: nullable adds, IF [NOT] EXISTS, designated timestamp kept, dropped columns hidden', async () => {
    const h = await newHarness(DDL)
    assert.deepEqual(await codeOf(() => h.run('ALTER TABLE m ADD COLUMN a int')), ['42701', 'column "a" of relation "m" already exists'])
    assert.equal((await codeOf(() => h.run('ALTER TABLE m ADD COLUMN c int NOT NULL')))[0], '0A000')
    assert.deepEqual(await codeOf(() => h.run('ALTER TABLE m DROP COLUMN zz')), ['42703', 'column "zz" of relation "m" does not exist'])
    assert.equal((await codeOf(() => h.run('ALTER TABLE m DROP COLUMN ts')))[0], '0A000')
    assert.deepEqual(await h.one('ALTER TABLE m ADD COLUMN IF NOT EXISTS a int, ADD c float8, ADD d timestamptz, DROP IF EXISTS zz'), TAG('ALTER TABLE'))
    assert.deepEqual(await h.one('ALTER TABLE m DROP COLUMN a'), TAG('ALTER TABLE'))
    const table = h.engine.tables()[0]!
    assert.deepEqual(visibleColumns(table).map((v) => [v.index, v.column.name]), [[0, 'ts'], [2, 'b'], [3, 'c'], [4, 'd']])
    assert.equal((await codeOf(() => h.run('SELECT a FROM m')))[0], '42703')
    // INSERT without a column list fills the visible columns; the dropped one gets NULL.
    await h.run("INSERT INTO m VALUES ('2024-01-01', 'x', 1.5, NULL)")
    assert.equal((await codeOf(() => h.run("INSERT INTO m (a) VALUES (1)")))[0], '42703')
    const batch = h.engine.batches.get(table.id)?.[0]
    assert.equal(batch?.columns.length, 5)
    assert.deepEqual(await h.one('ALTER TABLE m ADD COLUMN a int'), TAG('ALTER TABLE'))
    assert.deepEqual(visibleColumns(h.engine.tables()[0]!).map((v) => v.column.name), ['ts', 'b', 'c', 'd', 'a'])
  })

  it('CREATE TABLE WITH (ttl, partition_by): ttl persisted with the table, only day partitions, unknown options 22023', async () => {
    const h = await newHarness(null)
    assert.deepEqual(await h.one("CREATE TABLE t (ts TIMESTAMPTZ NOT NULL) WITH (ttl = '30 days', partition_by = 'day')"), TAG('CREATE TABLE'))
    assert.equal(h.engine.tables()[0]?.retentionUs, 30 * 86_400_000_000)
    assert.deepEqual(await codeOf(() => h.run('CREATE TABLE u (ts TIMESTAMPTZ NOT NULL) WITH (foo = 1)')), ['22023', 'unrecognized parameter "foo"'])
    assert.equal((await codeOf(() => h.run("CREATE TABLE u (ts TIMESTAMPTZ NOT NULL) WITH (partition_by = 'hour')")))[0], '0A000')
    assert.equal((await codeOf(() => h.run("CREATE TABLE u (ts TIMESTAMPTZ NOT NULL) WITH (partition_by = 'month')")))[0], '0A000')
    assert.equal((await codeOf(() => h.run("CREATE TABLE u (ts TIMESTAMPTZ NOT NULL) WITH (partition_by = 'week')")))[0], '22023')
    assert.equal((await codeOf(() => h.run("CREATE TABLE u (ts TIMESTAMPTZ NOT NULL) WITH (ttl = 'soon')")))[0], '22023')
    assert.equal(h.engine.tables().length, 1)
  })

  it('pins the message formats of the new error factories', () => {
    assert.deepEqual([undefinedTableToDrop('t').code, undefinedTableToDrop('t').message], ['42P01', 'table "t" does not exist'])
    assert.deepEqual([columnAlreadyExists('c', 't').code, columnAlreadyExists('c', 't').message], ['42701', 'column "c" of relation "t" already exists'])
  })
})
