// Goal: the walking skeleton's session works end to end with node-postgres over a real socket to the real server
// process: create/insert/select round trips, PostgreSQL-shaped answers, every error code of issue 3, and a second
// connection unaffected by the first one's errors. Method: one server child process on a temp data dir, pg.Client.
import assert from 'node:assert/strict'
import pg from 'pg'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

describe('integration: pg session (issue 3)', function () {
  let server: ServerProcess
  let dataDir: string
  const clients: pg.Client[] = []

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'anyone', database: 'whatever' })
    await client.connect()
    clients.push(client)
    return client
  }

  async function expectCode(client: pg.Client, text: string, code: string): Promise<void> {
    await assert.rejects(client.query(text), (error: unknown) => {
      assert.ok(error instanceof Error)
      assert.equal((error as Error & { code?: string }).code, code, `${text} → ${error.message}`)
      return true
    })
  }

  before(async function () {
    dataDir = makeTempDir('pg-session')
    server = await startServerProcess({ dataDir })
  })

  after(async function () {
    for (const client of clients) await client.end().catch(() => undefined)
    const code = await server.stop()
    assert.equal(code, 0, server.output())
    removeDir(dataDir)
  })

  it('creates, inserts and groups by time bucket and tag', async function () {
    const client = await connect()
    const created = await client.query('CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage_user DOUBLE PRECISION)')
    assert.equal(created.command, 'CREATE')
    const inserted = await client.query(
      "INSERT INTO cpu VALUES ('2024-01-01T00:00:00Z','a',10.5), ('2024-01-01T00:00:30Z','a',20), ('2024-01-01T00:01:10Z','b',30)")
    assert.equal(inserted.command, 'INSERT')
    assert.equal(inserted.rowCount, 3)
    const result = await client.query({
      text: "SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu " +
        "WHERE ts >= '2024-01-01' GROUP BY minute, host ORDER BY minute, host",
      rowMode: 'array',
    })
    assert.deepEqual(result.fields.map((f) => f.name), ['minute', 'host', 'count', 'avg'])
    assert.deepEqual(result.fields.map((f) => f.dataTypeID), [1184, 25, 20, 701])
    const rows = result.rows.map((r: unknown[]) => [(r[0] as Date).toISOString(), r[1], r[2], r[3]])
    assert.deepEqual(rows, [
      ['2024-01-01T00:00:00.000Z', 'a', '2', 15.25],
      ['2024-01-01T00:01:00.000Z', 'b', '1', 30],
    ])
  })

  it('returns raw rows with a time range and tag filter', async function () {
    const client = await connect()
    await client.query('CREATE TABLE mem (ts TIMESTAMPTZ NOT NULL, host TEXT, used DOUBLE PRECISION)')
    const values: string[] = []
    for (let i = 0; i < 50; i++) values.push(`('2024-02-01T00:00:${String(i).padStart(2, '0')}Z', 'h${i % 5}', ${i})`)
    await client.query(`INSERT INTO mem VALUES ${values.join(', ')}`)
    const result = await client.query(
      "SELECT ts, used FROM mem WHERE host = 'h3' AND ts >= '2024-02-01T00:00:10Z' AND ts < '2024-02-01T00:00:40Z' ORDER BY ts")
    assert.deepEqual(result.rows.map((r: { used: number }) => r.used), [13, 18, 23, 28, 33, 38])
    const all = await client.query('SELECT count(*) AS n, sum(used) AS s, min(used), max(used) FROM mem')
    assert.deepEqual(all.rows[0], { n: '50', s: 1225, min: 0, max: 49 })
  })

  it('runs parameterised statements over the extended protocol', async function () {
    const client = await connect()
    const result = await client.query('SELECT count(*) AS n FROM mem WHERE host = $1 AND ts >= $2', ['h1', '2024-02-01T00:00:20Z'])
    assert.equal(result.rows[0].n, '6')
  })

  it('pg_backend_pid() is the pid BackendKeyData gave the session (node-postgres\' processID), one per session', async function () {
    const [a, b] = [await connect(), await connect()]
    const pidOf = async (client: pg.Client): Promise<number> => (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
    const keyOf = (client: pg.Client): number => (client as unknown as { processID: number }).processID
    assert.equal(await pidOf(a), keyOf(a))
    assert.equal(await pidOf(b), keyOf(b))
    assert.notEqual(keyOf(a), keyOf(b))
  })

  it('answers an empty or comment-only query with EmptyQueryResponse', async function () {
    const client = await connect()
    const result = await client.query('-- ping')
    assert.equal(result.command, null)
    assert.deepEqual(result.rows, [])
  })

  it('reports 42P01, 42703 and 42601 and keeps every session usable', async function () {
    const first = await connect()
    const second = await connect()
    await expectCode(first, 'SELECT * FROM nosuch', '42P01')
    await expectCode(first, 'SELECT nosuchcolumn FROM cpu', '42703')
    await expectCode(first, 'SELEC 1', '42601')
    await expectCode(first, "INSERT INTO nosuch VALUES ('2024-01-01', 'a', 1)", '42P01')
    const again = await first.query('SELECT count(*) AS n FROM cpu')
    assert.equal(again.rows[0].n, '3')
    const other = await second.query('SELECT 1 AS one')
    assert.deepEqual(other.rows, [{ one: 1 }])
  })

  it('runs several statements of one Query in order', async function () {
    const client = await connect()
    const results = await client.query('SELECT 1 AS a; SELECT 2 AS b') as unknown as pg.QueryResult[]
    assert.equal(results.length, 2)
    assert.deepEqual(results.map((r) => r.rows[0]), [{ a: 1 }, { b: 2 }])
  })
})
