// Goal: every catalog relation nodedb emulates (pg_catalog and information_schema, sql/catalog/) has PostgreSQL 15's
// OID, kind and columns — the same names in the same order with the same types — so any client query against it
// that runs on PostgreSQL finds the columns it names. Method: pg_class and pg_attribute read over the wire from the
// real server process and from a throwaway PostgreSQL 15 (test/helpers/postgres.ts), relation by relation. Types
// nodedb does not have are substituted where it stores them as another (each named below).
import assert from 'node:assert/strict'
import pg from 'pg'
import { VIRTUAL_RELATIONS } from '../../sql/catalog/catalog-ids.js'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** PostgreSQL type OID → the OID nodedb uses for it (it has no such type; the value is kept in this one). */
const SUBSTITUTES: ReadonlyMap<number, number> = new Map([
  [1034, 1009], // aclitem[] → text[]
  [3220, 25], // pg_lsn → text
  [194, 25], // pg_node_tree → text
  [22, 1005], // int2vector → int2[]
  [30, 1028], // oidvector → oid[]
  [1033, 25], // aclitem → text
  [28, 26], // xid → oid (both unsigned 32-bit)
  [869, 25], // inet (pg_stat_activity.client_addr) → text
  [3361, 25], [3402, 25], [5017, 25], // pg_ndistinct, pg_dependencies, pg_mcv_list → text
  [2277, 1009], // anyarray (attmissingval) → text[]
  [17, 25], // bytea (tgargs) → text
  // information_schema's domains → their base types
  [13226, 19], [13221, 23], [13224, 1043], [13234, 1043],
])

const COLUMNS_SQL = `SELECT c.oid::int AS oid, c.relkind AS kind, a.attname AS name, a.atttypid::int AS type
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE n.nspname = $1 AND c.relname = $2 ORDER BY a.attnum`

describe('integration: catalog relations have PostgreSQL 15\'s OIDs and columns', function () {
  this.timeout(60000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: pg.Client[] = []

  before(async function () {
    dataDir = makeTempDir('catalog-columns')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
    for (const port of [server.pgPort, postgres.port]) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
      await client.connect()
      clients.push(client)
    }
  })

  after(async function () {
    for (const client of clients) await client.end()
    postgres.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('every emulated relation: same OID, relkind, column names, order and types as PostgreSQL 15', async function () {
    const differences: string[] = []
    // nodedb_sync is nodedb's own (edge-to-cloud sync status), not an emulation of PostgreSQL's catalog.
    for (const [schema, name] of VIRTUAL_RELATIONS.filter(([, relation]) => !relation.startsWith('nodedb_'))) {
      const [ours, theirs] = await Promise.all(clients.map(async (client) => (await client.query(COLUMNS_SQL, [schema, name])).rows))
      const describe = (rows: ReadonlyArray<Record<string, unknown>>, substitute: boolean): string =>
        rows.map((r) => `${String(r.oid)}/${String(r.kind)} ${String(r.name)}:${substitute ? SUBSTITUTES.get(Number(r.type)) ?? String(r.type) : String(r.type)}`).join(', ')
      const expected = describe(theirs!, true)
      assert.notEqual(expected, '', `${schema}.${name} is not in PostgreSQL 15`)
      if (describe(ours!, false) !== expected) differences.push(`${schema}.${name}:\n  nodedb     ${describe(ours!, false)}\n  PostgreSQL ${expected}`)
    }
    assert.deepEqual(differences, [])
  })
})
