// Goal: the virtual pg_catalog and information_schema tables hold the rows PostgreSQL 15 would for nodedb's own
// catalog, and follow it at once (CREATE, DROP COLUMN, DROP TABLE). Method: the sql facade over a FakeEngine with the
// cpu table of test/unit/sql/helpers.ts; each table's rows read through SQL and directly through VirtualTable.rows().
import assert from 'node:assert/strict'
import { PG_TYPE_NAMES, PG_TYPES } from '../../../../sql/bind/types.js'
import { allVirtualTables, findVirtualTable } from '../../../../sql/catalog/virtual-tables.js'
import { PG_TYPE_ROWS } from '../../../../sql/catalog/pg-type-data.js'
import { dbErrorOf, newHarness, rowsOf, type Harness } from '../helpers.js'

async function rows(h: Harness, text: string): Promise<ReadonlyArray<ReadonlyArray<unknown>>> {
  return rowsOf(await h.one(text))
}

describe('sql/catalog virtual tables', function () {
  it('every table produces rows of its declared width, with pg_catalog found before user tables', async function () {
    const h = await newHarness()
    for (const table of allVirtualTables()) {
      const produced = table.rows({ engine: h.engine, session: h.session })
      for (const row of produced) assert.equal(row.length, table.columns.length, `${table.schema}.${table.name}`)
      assert.equal(findVirtualTable(table.schema, table.name), table)
    }
    assert.equal(findVirtualTable(null, 'pg_class')?.oid, 1259)
    assert.equal(findVirtualTable(null, 'columns'), undefined, 'information_schema is not on the search path')
  })

  it('pg_class lists the user table as an ordinary heap table in public', async function () {
    const h = await newHarness()
    assert.deepEqual(await rows(h, "SELECT oid, relnamespace, relkind, relam, relnatts, relpersistence, relowner FROM pg_class WHERE relname = 'cpu'"),
      [[16384, 2200, 'r', 2, 10, 'p', 10]])
    assert.deepEqual(await rows(h, "SELECT relnamespace, relkind FROM pg_class WHERE relname IN ('pg_class', 'pg_roles') ORDER BY 1, 2"),
      [[11, 'r'], [11, 'v']])
  })

  it('pg_attribute has the system columns and the user columns with PostgreSQL types and modifiers', async function () {
    const h = await newHarness()
    const attributes = await rows(h, "SELECT attname, attnum, atttypid, atttypmod, attnotnull, attisdropped FROM pg_attribute WHERE attrelid = 'cpu'::regclass ORDER BY attnum")
    assert.deepEqual(attributes.slice(0, 6).map((r) => [r[0], r[1]]), [['tableoid', -6], ['cmax', -5], ['xmax', -4], ['cmin', -3], ['xmin', -2], ['ctid', -1]])
    assert.deepEqual(attributes[6], ['ts', 1, 1184, -1, true, false])
    assert.deepEqual(attributes.find((r) => r[0] === 'region'), ['region', 7, 1043, 24, false, false])
  })

  it('catalog relations list their own columns in pg_attribute, counted by relnatts', async function () {
    const h = await newHarness()
    const width = findVirtualTable('pg_catalog', 'pg_namespace')?.columns.length
    assert.deepEqual(await rows(h, "SELECT relnatts FROM pg_class WHERE oid = 'pg_namespace'::regclass"), [[width]])
    assert.deepEqual(await rows(h, "SELECT attname, atttypid, attcollation FROM pg_attribute WHERE attrelid = 'pg_namespace'::regclass AND attnum <= 2 ORDER BY attnum"),
      [['oid', 26, 0], ['nspname', 19, 950]])
  })

  it('a dropped column keeps its attnum as attisdropped and leaves information_schema.columns', async function () {
    const h = await newHarness()
    await h.run('ALTER TABLE cpu DROP COLUMN host')
    assert.deepEqual(await rows(h, "SELECT attname, atttypid, attisdropped FROM pg_attribute WHERE attrelid = 'cpu'::regclass AND attnum = 2"),
      [['........pg.dropped.2........', 0, true]])
    assert.deepEqual(await rows(h, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'cpu' AND column_name = 'host'"), [[0n]])
  })

  it('a dropped table disappears from pg_class and no longer casts to regclass', async function () {
    const h = await newHarness()
    await h.run('DROP TABLE cpu')
    assert.deepEqual(await rows(h, "SELECT count(*) FROM pg_class WHERE relname = 'cpu'"), [[0n]])
    assert.equal((await dbErrorOf(() => h.one("SELECT 'cpu'::regclass"))).code, '42P01')
  })

  it('pg_type has every nodedb type and its array type, linked both ways', async function () {
    for (const name of PG_TYPE_NAMES) {
      const row = PG_TYPE_ROWS.find((r) => r[0] === PG_TYPES[name].oid)
      assert.ok(row !== undefined, `pg_type lacks ${name}`)
      if (row[9] !== 0) assert.equal(PG_TYPE_ROWS.find((r) => r[0] === row[9])?.[8], row[0], `${name}'s array type`)
    }
    const h = await newHarness()
    assert.deepEqual(await rows(h, "SELECT typname, typarray, typinput FROM pg_type WHERE oid = 1184"), [['timestamptz', 1185, 'timestamptz_in']])
  })

  it('information_schema spells data_type as PostgreSQL does', async function () {
    const h = await newHarness()
    assert.deepEqual(await rows(h, "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_name = 'cpu' AND ordinal_position IN (1, 3, 7, 9) ORDER BY ordinal_position"), [
      ['ts', 'timestamp with time zone', 'timestamptz', 'NO'], ['usage_user', 'double precision', 'float8', 'YES'],
      ['region', 'character varying', 'varchar', 'YES'], ['price', 'numeric', 'numeric', 'YES'],
    ])
    assert.deepEqual(await rows(h, "SELECT table_schema, table_type FROM information_schema.tables WHERE table_name = 'cpu'"), [['public', 'BASE TABLE']])
  })

  it('pg_extension is empty (nodedb is not TimescaleDB); pg_roles has the session user as superuser', async function () {
    const h = await newHarness()
    assert.deepEqual(await rows(h, 'SELECT count(*) FROM pg_extension'), [[0n]])
    assert.deepEqual(await rows(h, 'SELECT rolname, rolsuper, oid FROM pg_roles'), [['alice', true, 10]])
    assert.deepEqual(await rows(h, 'SELECT datname, pg_encoding_to_char(encoding) FROM pg_database'), [['db', 'UTF8']])
  })

  it('reg* casts resolve names to OIDs and print OIDs as names', async function () {
    const h = await newHarness()
    assert.deepEqual(await rows(h, "SELECT 'cpu'::regclass::oid, 16384::regclass::text, 'pg_catalog.pg_class'::regclass::oid, 'integer'::regtype::oid, 25::regtype::text"),
      [[16384, 'cpu', 1259, 23, 'text']])
    assert.deepEqual(await rows(h, "SELECT 16384::regclass, 0::regclass"), [['cpu', '-']])
  })

  it('catalog arrays: ARRAY(subquery), ARRAY[…], subscripts, = ANY, unnest, ||, array_to_string', async function () {
    const h = await newHarness()
    assert.deepEqual(await rows(h, "SELECT array(SELECT nspname FROM pg_namespace ORDER BY 1), (ARRAY['a', 'b'])[2], 'public' = ANY (current_schemas(false))"),
      [['{information_schema,pg_catalog,pg_toast,public}', 'b', true]])
    assert.deepEqual(await rows(h, "SELECT array_to_string(ARRAY['x', NULL, 'y c'] || ARRAY['z'], ',', '*'), ARRAY['x', NULL, 'y c']::text"),
      [['x,*,y c,z', '{x,NULL,"y c"}']])
    assert.deepEqual(await rows(h, "SELECT u FROM unnest(ARRAY['b', 'a']) u ORDER BY 1"), [['a'], ['b']])
  })
})
