// Goal: a running statement — pg_sleep, or a scan that sleeps per row — stops with 57014 on a CancelRequest sent
// by a second node-postgres connection and on statement_timeout (SET, startup parameter, `options`, extended
// protocol), and idle sessions are closed by idle_session_timeout / idle_in_transaction_session_timeout, each exactly
// as PostgreSQL 15 does. Method: every scenario runs against the real server process and a real PostgreSQL
// (test/helpers/postgres.ts) with pg.Client, and the outcomes (SQLSTATE, message, severity) must be equal. Cancels
// are re-sent until the statement ends, because a CancelRequest that arrives before the statement starts is
// ignored by both servers (no timed assertions: nothing here measures how long anything took).
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

interface Outcome { readonly code?: string; readonly message?: string; readonly severity?: string; readonly rows?: unknown }

const TABLE_ROWS = 600
// Per row of the scan below: 600 rows × 0.05 s keep it running for 30 s unless it is stopped.
const SLOW_SCAN = "SELECT v FROM slow WHERE pg_sleep(0.05)::text = ''"

function outcomeOf(error: unknown): Outcome {
  const e = error as { code?: string; message?: string; severity?: string }
  return { code: e.code, message: e.message, severity: e.severity }
}

async function settle(promise: Promise<pg.QueryResult>): Promise<Outcome> {
  try {
    const result = await promise
    return { rows: result.rows }
  } catch (error) {
    return outcomeOf(error)
  }
}

describe('integration: sessions — cancel, statement_timeout and idle timeouts against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: pg.Client[] = []

  const configOf = (port: number, extra: pg.ClientConfig = {}): pg.ClientConfig =>
    ({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ...extra })

  async function connect(port: number, extra: pg.ClientConfig = {}): Promise<pg.Client> {
    const client = new pg.Client(configOf(port, extra))
    client.on('error', () => undefined) // idle-timeout tests read the error through their own listener
    await client.connect()
    clients.push(client)
    return client
  }

  /** Runs `scenario` on nodedb and on PostgreSQL; both outcomes must be equal. Returns nodedb's. */
  async function sameOnBoth(scenario: (port: number) => Promise<Outcome>): Promise<Outcome> {
    const ours = await scenario(server.pgPort)
    const theirs = await scenario(postgres.port)
    assert.deepEqual(ours, theirs)
    return ours
  }

  /** Sends `text`, then CancelRequests from fresh pg connections until the statement has ended. */
  async function runAndCancel(port: number, text: string): Promise<Outcome> {
    const target = await connect(port)
    const query = new pg.Query(text)
    const done = new Promise<pg.QueryResult>((resolve, reject) => {
      query.on('end', resolve)
      query.on('error', reject)
    })
    void target.query(query)
    let isDone = false
    const outcome = settle(done).finally(() => { isDone = true })
    while (!isDone) {
      // pg's Client#cancel (missing from @types/pg) connects a fresh socket and sends the target's BackendKeyData.
      const canceller = new pg.Client(configOf(port)) as pg.Client & { cancel(client: pg.Client, query: pg.Query): void }
      canceller.cancel(target, query)
      await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 100))])
    }
    const after = await target.query('SELECT 1 AS one')
    assert.deepEqual(after.rows, [{ one: 1 }], 'the session goes on after the cancel')
    return outcome
  }

  /** Waits for the FATAL an idle session gets when its timeout passes. */
  async function idleFatal(port: number, setup: ReadonlyArray<string>): Promise<Outcome> {
    const client = await connect(port)
    const fatal = new Promise<Outcome>((resolve) => client.on('error', (error) => resolve(outcomeOf(error))))
    for (const text of setup) await client.query(text)
    return fatal
  }

  before(async function () {
    dataDir = makeTempDir('sessions-cancel')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
    const values = Array.from({ length: TABLE_ROWS }, (_, i) => `('2024-01-01T00:00:00Z'::timestamptz + interval '${i} seconds', ${i})`)
    for (const port of [server.pgPort, postgres.port]) {
      const client = await connect(port)
      await client.query('CREATE TABLE slow (ts TIMESTAMPTZ NOT NULL, v DOUBLE PRECISION)')
      await client.query(`INSERT INTO slow VALUES ${values.join(', ')}`)
    }
  })

  after(async function () {
    for (const client of clients) await client.end().catch(() => undefined)
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('pg_sleep returns one void row, printed as an empty string', async function () {
    await sameOnBoth(async (port) => {
      const result = await (await connect(port)).query('SELECT pg_sleep(0.01), pg_sleep_for(\'10 ms\'), pg_sleep(NULL) AS n, pg_sleep(-1) AS negative')
      return { rows: [result.rows, result.fields.map((f) => [f.name, f.dataTypeID])] }
    })
  })

  it('a CancelRequest from a second connection stops pg_sleep with 57014; other sessions answer meanwhile', async function () {
    const outcome = await sameOnBoth(async (port) => {
      const other = await connect(port)
      const cancelled = runAndCancel(port, 'SELECT pg_sleep(60)')
      assert.deepEqual((await other.query('SELECT 2 AS two')).rows, [{ two: 2 }])
      return cancelled
    })
    assert.deepEqual([outcome.code, outcome.message], ['57014', 'canceling statement due to user request'])
  })

  it('a CancelRequest stops a long scan (a pg_sleep per row) with 57014', async function () {
    const outcome = await sameOnBoth((port) => runAndCancel(port, SLOW_SCAN))
    assert.equal(outcome.code, '57014')
  })

  it('statement_timeout (SET with a unit) stops pg_sleep and a long scan; the session goes on', async function () {
    const outcome = await sameOnBoth(async (port) => {
      const client = await connect(port)
      await client.query("SET statement_timeout = '200ms'")
      const sleep = await settle(client.query('SELECT pg_sleep(60)'))
      const scan = await settle(client.query(SLOW_SCAN))
      const quick = await settle(client.query('SELECT pg_sleep(0.01) AS quick'))
      return { rows: [sleep, scan, quick] }
    })
    const [sleep] = outcome.rows as Outcome[]
    assert.deepEqual([sleep?.code, sleep?.message], ['57014', 'canceling statement due to statement timeout'])
  })

  it('statement_timeout from the startup packet, from `options`, and over the extended protocol', async function () {
    await sameOnBoth(async (port) => {
      const fromStartup = await connect(port, { statement_timeout: 200 })
      const fromOptions = await connect(port, { options: '-c statement_timeout=200' })
      return {
        rows: [
          await settle(fromStartup.query('SELECT pg_sleep(60)')),
          await settle(fromOptions.query('SELECT pg_sleep($1)', [60])),
          (await fromOptions.query('SHOW statement_timeout')).rows,
        ],
      }
    })
  })

  it('a timeout inside a transaction block fails the block (25P02 until ROLLBACK), as PostgreSQL', async function () {
    await sameOnBoth(async (port) => {
      const client = await connect(port)
      await client.query('BEGIN')
      await client.query("SET LOCAL statement_timeout = '100ms'")
      const steps = [await settle(client.query('SELECT pg_sleep(60)')), await settle(client.query('SELECT 1'))]
      await client.query('ROLLBACK')
      steps.push(await settle(client.query('SHOW statement_timeout')))
      return { rows: steps }
    })
  })

  it('idle_session_timeout closes an idle session with FATAL 57P05', async function () {
    const outcome = await sameOnBoth((port) => idleFatal(port, ["SET idle_session_timeout = '150ms'"]))
    assert.deepEqual([outcome.code, outcome.severity], ['57P05', 'FATAL'])
  })

  it('idle_in_transaction_session_timeout closes a session idle inside BEGIN with FATAL 25P03', async function () {
    const outcome = await sameOnBoth((port) => idleFatal(port, ["SET idle_in_transaction_session_timeout = '150ms'", 'BEGIN']))
    assert.deepEqual([outcome.code, outcome.severity], ['25P03', 'FATAL'])
  })
})
