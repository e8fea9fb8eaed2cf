// Goal: a `time` table column and the DateStyle output styles behave as on PostgreSQL 15 through real clients: COPY
// FROM (text, CSV, binary) and COPY TO of a table with time columns, psql's \d of it, and timestamps printed by the
// cores (a plain scan's DataRows are encoded there) in every DateStyle. Method: the real nodedb server process and a
// real PostgreSQL 15 (test/helpers/postgres.ts) get the same statements (node-postgres + pg-copy-streams, and the
// psql binary); outputs must be byte-identical. Nothing expected is hand-typed: PostgreSQL answers.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { connectPostgresUser, copyIn, copyOut, outcome } from '../helpers/copy-client.js'

const execFileAsync = promisify(execFile)
const CREATE = 'CREATE TABLE tc (ts timestamptz NOT NULL, t time, t3 time(3), k text)'
const TEXT_ROWS = [
  '2024-01-01 00:00:00+00\t08:30\t08:30:00.1235\ta',
  '2024-01-01 00:00:01+00\t\\N\t\\N\tb',
  '2024-01-01 00:00:02+00\t24:00:00\t23:59:59.9999\tc',
  '2024-01-01 00:00:03+00\t00:00:00.000001\t1:2:3\td',
  '2024-01-01 00:00:04+00\t12:34:56.789012\t04:05 PM\te',
].map((line) => `${line}\n`).join('')
const STYLES = ['ISO, MDY', 'SQL, DMY', 'SQL, MDY', 'Postgres, MDY', 'Postgres, DMY', 'German']

describe('integration: time columns and DateStyle output against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let ours: pg.Client
  let theirs: pg.Client

  async function same<T>(what: string, run: (client: pg.Client) => Promise<T>): Promise<void> {
    const expected = await outcome(() => run(theirs))
    const actual = await outcome(() => run(ours))
    assert.deepEqual(actual, expected, what)
  }

  async function reset(): Promise<void> {
    for (const client of [ours, theirs]) {
      await client.query('DROP TABLE IF EXISTS tc')
      await client.query(CREATE)
    }
  }

  async function psql(port: number, command: string): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' }
    const { stdout } = await execFileAsync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-c', command], { env })
    return stdout
  }

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('time-column')
    server = await startServerProcess({ dataDir })
    ours = await connectPostgresUser(server.pgPort)
    theirs = await connectPostgresUser(postgres.port)
  })

  after(async function () {
    await ours?.end().catch(() => undefined)
    await theirs?.end().catch(() => undefined)
    postgres?.stop()
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('COPY FROM text and CSV loads time columns (time(p) rounded) and COPY TO prints them in text, CSV and binary', async function () {
    await reset()
    await same('COPY FROM text', (c) => copyIn(c, 'COPY tc FROM STDIN', [Buffer.from(TEXT_ROWS)]))
    const csv = '2024-01-02T00:00:00Z,10:11:12.5,10:11:12.5,"x"\n2024-01-02T00:00:01Z,,,y\n'
    await same('COPY FROM csv', (c) => copyIn(c, 'COPY tc FROM STDIN (FORMAT csv)', [Buffer.from(csv)]))
    await same('bad time', (c) => copyIn(c, 'COPY tc FROM STDIN', [Buffer.from('2024-01-03 00:00:00+00\t25:00\t\\N\tz\n')]))
    for (const format of ['', ' (FORMAT csv)', ' (FORMAT binary)']) {
      const sql = `COPY (SELECT * FROM tc ORDER BY ts) TO STDOUT${format}`
      await same(sql, (c) => copyOut(c, sql))
    }
  })

  it('COPY FROM binary reads time_send\'s int64 µs', async function () {
    await reset()
    await copyIn(theirs, 'COPY tc FROM STDIN', [Buffer.from(TEXT_ROWS)])
    const binary = await copyOut(theirs, 'COPY tc TO STDOUT (FORMAT binary)')
    await copyIn(ours, 'COPY tc FROM STDIN (FORMAT binary)', [binary])
    const sorted = 'COPY (SELECT * FROM tc ORDER BY ts) TO STDOUT'
    assert.deepEqual(await copyOut(ours, sorted), await copyOut(theirs, sorted))
  })

  it("psql's \\d of a table with time columns prints what PostgreSQL prints", async function () {
    await reset()
    assert.equal(await psql(server.pgPort, '\\d tc'), await psql(postgres.port, '\\d tc'))
  })

  it('a plain scan (encoded on the cores) prints timestamptz in every DateStyle as PostgreSQL', async function () {
    await reset()
    for (const client of [ours, theirs]) await copyIn(client, 'COPY tc FROM STDIN', [Buffer.from(TEXT_ROWS)])
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
      for (const style of STYLES) {
        const sql = `SET DateStyle = '${style}'; SET TimeZone = '${zone}'`
        await ours.query(sql)
        await theirs.query(sql)
        const rows = async (c: pg.Client): Promise<string[]> => {
          const result = await c.query({ text: 'SELECT ts, t, t3 FROM tc', rowMode: 'array', types: { getTypeParser: () => (v: string) => v } })
          return (result.rows as string[][]).map((row) => row.join('|')).sort()
        }
        await same(`${style} in ${zone}`, rows)
      }
    }
  })
})
