// Goal: pg_relation_size, pg_table_size, pg_total_relation_size and pg_database_size report the bytes of a table's
// segment files (issue 9), so psql's `\dt+` and `\l+` show real sizes that grow as flushes write data. Method: the
// server process, node-postgres and the real psql; sizes are compared with what the engine's segment files hold on
// disk (the data directory's segments/ folder), not with typed numbers. PostgreSQL's sizes differ by design (heap
// pages against compressed columns), so no oracle is asked.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const execFileAsync = promisify(execFile)

function segmentFilesBytes(dataDir: string): number {
  const dir = path.join(dataDir, 'segments')
  if (!fs.existsSync(dir)) return 0
  return fs.readdirSync(dir).filter((name) => !name.endsWith('.tmp')).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0)
}

describe('integration: relation sizes from segments (issue 9)', function () {
  this.timeout(120000)
  let server: ServerProcess
  let dataDir: string
  let client: pg.Client

  async function sizes(): Promise<{ relation: number; table: number; total: number; database: number }> {
    const result = await client.query(`SELECT pg_relation_size('rs_cpu') AS relation, pg_table_size('rs_cpu') AS "table",
      pg_total_relation_size('rs_cpu') AS total, pg_database_size(current_database()) AS database`)
    const row = result.rows[0] as Record<string, string>
    return { relation: Number(row.relation), table: Number(row.table), total: Number(row.total), database: Number(row.database) }
  }

  async function psql(command: string): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' }
    delete env.PGUSER
    delete env.PGDATABASE
    const args = ['-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'postgres', '-d', 'postgres', '-X', '-A', '-F', '|', '-c', command]
    return (await execFileAsync('psql', args, { env })).stdout
  }

  before(async function () {
    dataDir = makeTempDir('relation-sizes')
    server = await startServerProcess({ dataDir })
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    await client.connect()
  })

  after(async function () {
    await client?.end()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('grows with each flush and equals the segment files on disk; \\dt+ and \\l+ print it', async function () {
    await client.query('CREATE TABLE rs_cpu (time TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)')
    const insert = (from: number): Promise<unknown> => client.query(`INSERT INTO rs_cpu SELECT '2024-01-01'::timestamptz + g * interval '1 s',
      'h' || (g % 7), g * 0.25 FROM generate_series(${from}, ${from + 49999}) AS g`)
    await insert(0)
    const unflushed = await sizes()
    assert.equal(unflushed.relation, segmentFilesBytes(dataDir), 'rows still in the WAL and memtables are not in segments yet')
    await client.query('CHECKPOINT')
    const first = await sizes()
    assert.ok(first.relation > unflushed.relation, `a flush writes segments: ${JSON.stringify([unflushed, first])}`)
    assert.equal(first.relation, segmentFilesBytes(dataDir))
    assert.deepEqual([first.table, first.total, first.database], [first.relation, first.relation, first.relation])
    await insert(50000)
    await client.query('CHECKPOINT')
    const second = await sizes()
    assert.ok(second.relation > first.relation, `more rows, more bytes: ${JSON.stringify([first, second])}`)
    const pretty = (await client.query('SELECT pg_size_pretty($1::bigint) AS p', [second.table])).rows[0].p as string
    const listed = await psql('\\dt+ rs_cpu')
    assert.ok(listed.split('\n').some((line) => line.startsWith('public|rs_cpu|table|') && line.includes(`|${pretty}|`)), listed)
    const databases = await psql('\\l+')
    assert.ok(databases.includes(`|${pretty}|pg_default|`), databases)
    const missing = await client.query('SELECT pg_relation_size(1) AS s')
    assert.equal(missing.rows[0].s, null, 'an OID that names no relation gives NULL, as in PostgreSQL')
    await assert.rejects(client.query("SELECT pg_database_size('nosuch')"), (error: Error & { code?: string }) => error.code === '3D000')
  })
})
