// Goal: pg_stat_activity shows every session as PostgreSQL 15 shows its client backends — state (active, idle, idle in
// transaction, idle in transaction (aborted)), the current or last query's text, wait events of an idle session,
// who and from where — and pg_cancel_backend / pg_terminate_backend signal another session by its pid as there
// (57014 for the statement; FATAL 57P01 and the connection closed; false for no such pid). Method: each scenario runs
// on the real server process and on a real PostgreSQL (test/helpers/postgres.ts) with node-postgres; answers must be
// equal. Times are compared only by order (backend_start <= now()) or presence, never measured: when another session's
// state changed relative to this statement's now() is a race on PostgreSQL too.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROW_SQL = `SELECT datname, usename, application_name, client_addr, client_hostname, client_port = $2 AS port_matches, state,
  wait_event_type, wait_event, query, backend_type, xact_start IS NULL AS no_xact, query_start IS NOT NULL AS started,
  backend_start <= now() AS born, state_change IS NOT NULL AS changed, leader_pid, backend_xid
  FROM pg_stat_activity WHERE pid = $1`

describe('integration: pg_stat_activity, pg_cancel_backend and pg_terminate_backend against PostgreSQL 15', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: pg.Client[] = []

  async function connect(port: number, name: string): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', application_name: name })
    client.on('error', () => undefined) // a terminated session's error is read through the query that fails
    await client.connect()
    clients.push(client)
    return client
  }

  const pidOf = (client: pg.Client): number => (client as unknown as { processID: number }).processID
  const portOf = (client: pg.Client): number => (client as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort

  /**
   * The target's row. An idle session shows its ClientRead wait once it has sent ReadyForQuery and waits to read: a
   * PostgreSQL backend reports its idle state ('idle', 'idle in transaction', 'idle in transaction (aborted)') a moment
   * before that wait starts, so a row caught in between is read again.
   */
  async function rowOf(observer: pg.Client, target: pg.Client): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const rows = (await observer.query(ROW_SQL, [pidOf(target), portOf(target)])).rows
      const between = String(rows[0]?.state).startsWith('idle') && rows[0]?.wait_event === null
      if (!between || attempt >= 100) return rows
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** The other session's row after each step, and the observer's own row while it runs. */
  async function states(port: number): Promise<unknown[]> {
    const [observer, other] = [await connect(port, 'observer'), await connect(port, 'other')]
    const seen: unknown[] = []
    await other.query('SELECT 1 AS warm')
    seen.push(await rowOf(observer, other))
    await other.query('BEGIN')
    seen.push(await rowOf(observer, other))
    await other.query('SELECT 1/0').catch(() => undefined)
    seen.push(await rowOf(observer, other))
    await other.query('ROLLBACK')
    seen.push(await rowOf(observer, other), await rowOf(observer, observer))
    return seen
  }

  before(async function () {
    dataDir = makeTempDir('stat-activity')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
  })

  after(async function () {
    for (const client of clients) await client.end().catch(() => undefined)
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('shows another session idle, idle in transaction and aborted, with its last query, and itself active', async function () {
    const ours = await states(server.pgPort)
    assert.equal((ours[0] as Array<{ state: string }>)[0]?.state, 'idle')
    assert.deepEqual(ours, await states(postgres.port))
  })

  it('pg_cancel_backend stops another session\'s statement with 57014; pg_terminate_backend ends the session with 57P01', async function () {
    const run = async (port: number): Promise<unknown[]> => {
      const [observer, other] = [await connect(port, 'observer'), await connect(port, 'victim')]
      const sleeping = other.query('SELECT pg_sleep(30)').then(() => 'finished', (e: { code?: string }) => e.code)
      let canceled: unknown = null
      while (canceled !== true) {
        // Until the sleep is seen running: a cancel before it starts would be lost, on both servers alike.
        const active = await observer.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pidOf(other)])
        if (active.rows[0].n === 1) canceled = (await observer.query('SELECT pg_cancel_backend($1) AS ok', [pidOf(other)])).rows[0].ok
      }
      const afterCancel = await sleeping
      const survivor = (await other.query('SELECT 2 AS n')).rows
      const terminated = (await observer.query('SELECT pg_terminate_backend($1) AS ok', [pidOf(other)])).rows
      const gone = await other.query('SELECT 3').then(() => 'answered', (e: { code?: string; message?: string }) => e.code ?? e.message)
      const none = (await observer.query('SELECT pg_cancel_backend(2147483000) AS ok')).rows
      // A terminated PostgreSQL backend leaves pg_stat_activity when its process has exited, a moment after the
      // FATAL: ask again for a while before taking the answer.
      let listed: unknown[] = []
      for (let attempt = 0; attempt < 50; attempt++) {
        listed = (await observer.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pidOf(other)])).rows
        if ((listed[0] as { n: number }).n === 0) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      // The client learns of the FATAL either on its next query or before it (then it is no longer queryable).
      const closedWays = ['57P01', 'Connection terminated unexpectedly', 'Client has encountered a connection error and is not queryable']
      return [afterCancel, survivor, terminated, closedWays.includes(String(gone)) ? 'closed' : gone, none, listed]
    }
    const ours = await run(server.pgPort)
    assert.equal(ours[0], '57014')
    assert.deepEqual(ours, await run(postgres.port))
  })
  it('a repeated query (kept answer, one packet) moves query_start and state_change past an earlier statement', async function () {
    // The messages of one packet share one clock read (activity.ts): a read kept past its packet would show the
    // previous round trip's times. Compared by order only, against an observer's now() taken between the two.
    const run = async (port: number): Promise<unknown[]> => {
      const [observer, other] = [await connect(port, 'observer'), await connect(port, 'repeater')]
      const seen: unknown[] = []
      for (const query of [{ text: 'SELECT 1' }, { text: 'SELECT 1', values: [] }]) {
        for (let i = 0; i < 3; i++) await other.query(query)
        const before = (await observer.query('SELECT now() AS t')).rows[0].t
        await new Promise((resolve) => setTimeout(resolve, 5))
        await other.query(query)
        const sql = 'SELECT query_start >= $2 AS fresh, state_change >= query_start AS ordered FROM pg_stat_activity WHERE pid = $1'
        seen.push((await observer.query(sql, [pidOf(other), before])).rows)
      }
      return seen
    }
    const ours = await run(server.pgPort)
    assert.deepEqual(ours, [[{ fresh: true, ordered: true }], [{ fresh: true, ordered: true }]])
    assert.deepEqual(ours, await run(postgres.port))
  })
})
