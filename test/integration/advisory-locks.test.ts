// Goal: session-level advisory locks behave as PostgreSQL 15's — what migration tools (golang-migrate, Prisma,
// Flyway) rely on: a lock held by one session makes another's pg_try_advisory_lock false and its pg_advisory_lock
// wait until the holder unlocks (or disconnects); holds count; shared holds coexist; the int8 and (int4, int4) key
// spaces are distinct; pg_locks lists holds and waits; a waiting pg_advisory_lock is canceled with 57014. Method: each
// scenario runs on the real server process and on a real PostgreSQL (test/helpers/postgres.ts) with node-postgres,
// and the answers must be equal. Waits are detected through pg_locks (granted = false), never by timing. nodedb-only:
// a wait that closes a cycle is 40P01 at once (PostgreSQL picks a victim after deadlock_timeout, either side). The
// transaction-level variants hold until COMMIT, ROLLBACK, a ROLLBACK TO before them, an error (a failed block holds
// none) or the end of the autocommit statement, as PostgreSQL's (another session probes with pg_try_advisory_xact_lock, which ends with its statement).
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

describe('integration: advisory locks against PostgreSQL 15', function () {
  this.timeout(60_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: pg.Client[] = []

  async function connect(port: number): Promise<pg.Client> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
    client.on('error', () => undefined)
    await client.connect()
    clients.push(client)
    return client
  }

  const value = async (client: pg.Client, sql: string, params: unknown[] = []): Promise<unknown> => {
    try {
      return (await client.query(sql, params)).rows
    } catch (error: unknown) {
      return `error ${(error as { code?: string }).code}`
    }
  }

  async function waitUntilWaiting(observer: pg.Client, pid: number): Promise<void> {
    for (;;) {
      const rows = (await observer.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = $1 AND NOT granted", [pid])).rows
      if (rows[0].n === 1) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  const pidOf = (client: pg.Client): number => (client as unknown as { processID: number }).processID

  before(async function () {
    dataDir = makeTempDir('nodedb-advisory-')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
  })

  after(async function () {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)))
    postgres.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('try, count, share, key spaces and pg_locks as PostgreSQL', async function () {
    const run = async (port: number): Promise<unknown[]> => {
      const [a, b] = [await connect(port), await connect(port)]
      const seen: unknown[] = []
      seen.push(await value(a, 'SELECT pg_advisory_lock(42), pg_try_advisory_lock(42) AS again'))
      seen.push(await value(b, 'SELECT pg_try_advisory_lock(42) AS x, pg_try_advisory_lock_shared(42) AS s, pg_try_advisory_lock(0, 42) AS pair'))
      seen.push(await value(a, `SELECT locktype, classid, objid, objsubid, mode, granted, pid = $1 AS mine FROM pg_locks
        WHERE locktype = 'advisory' ORDER BY objsubid, mode`, [pidOf(a)]))
      seen.push(await value(a, 'SELECT pg_advisory_unlock(42) AS u1, pg_advisory_unlock(42) AS u2'))
      seen.push(await value(b, 'SELECT pg_try_advisory_lock_shared(42) AS s1'))
      seen.push(await value(a, 'SELECT pg_try_advisory_lock_shared(42) AS s2, pg_try_advisory_lock(42) AS x'))
      seen.push(await value(b, 'SELECT pg_advisory_unlock_shared(42) AS u, pg_advisory_unlock(0, 42) AS pair'))
      seen.push(await value(a, 'SELECT pg_advisory_unlock_shared(42) AS u, pg_try_advisory_lock(-1::int8) AS neg'))
      seen.push(await value(a, "SELECT classid, objid, objsubid FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid"))
      seen.push(await value(a, 'SELECT pg_advisory_unlock_all()'))
      seen.push(await value(b, 'SELECT pg_try_advisory_lock(-1::int8) AS after_unlock_all'))
      seen.push(await value(b, 'SELECT pg_advisory_lock(NULL::int8) IS NULL AS strict'))
      await a.end()
      await b.end()
      return seen
    }
    const ours = await run(server.pgPort)
    assert.deepEqual((ours[1] as Array<Record<string, unknown>>)[0], { x: false, s: false, pair: true })
    assert.deepEqual(ours, await run(postgres.port))
  })

  it('pg_advisory_lock waits for the holder to unlock, to disconnect, or for a cancel (57014)', async function () {
    const run = async (port: number): Promise<unknown[]> => {
      const [a, b, observer] = [await connect(port), await connect(port), await connect(port)]
      await a.query('SELECT pg_advisory_lock(7)')
      const waiting = value(b, 'SELECT pg_advisory_lock(7), 1 AS got')
      await waitUntilWaiting(observer, pidOf(b))
      const whileWaiting = await value(observer, "SELECT mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY granted DESC")
      await a.query('SELECT pg_advisory_unlock(7)')
      const granted = await waiting
      const canceled = value(a, 'SELECT pg_advisory_lock(7)')
      await waitUntilWaiting(observer, pidOf(a))
      await observer.query('SELECT pg_cancel_backend($1)', [pidOf(a)])
      const afterCancel = await canceled
      const stillFree = await value(observer, 'SELECT pg_try_advisory_lock(8) AS free8')
      const inherited = value(a, 'SELECT pg_advisory_lock(7), 2 AS got')
      await waitUntilWaiting(observer, pidOf(a))
      await b.end() // the holder disconnects: its locks go with it
      return [whileWaiting, granted, afterCancel, stillFree, await inherited]
    }
    const ours = await run(server.pgPort)
    assert.equal(ours[2], 'error 57014')
    assert.deepEqual(ours, await run(postgres.port))
  })

  it('nodedb: a wait that closes a cycle is 40P01 at once', async function () {
    const [a, b, observer] = [await connect(server.pgPort), await connect(server.pgPort), await connect(server.pgPort)]
    await a.query('SELECT pg_advisory_lock(1)')
    await b.query('SELECT pg_advisory_lock(2)')
    const bWaits = value(b, 'SELECT pg_advisory_lock(1), 1 AS got')
    await waitUntilWaiting(observer, pidOf(b))
    assert.equal(await value(a, 'SELECT pg_advisory_lock(2)'), 'error 40P01')
    await a.query('SELECT pg_advisory_unlock(1)')
    assert.deepEqual(await bWaits, [{ pg_advisory_lock: '', got: 1 }])
  })

  it('transaction-level locks end with their transaction (block, savepoint, failed block, autocommit) as PostgreSQL', async function () {
    const run = async (port: number): Promise<unknown[]> => {
      const [a, b] = [await connect(port), await connect(port)]
      const seen: unknown[] = []
      const probe = async (key: number): Promise<void> => {
        seen.push(await value(b, `SELECT pg_try_advisory_xact_lock(${key}) AS x, pg_try_advisory_xact_lock_shared(${key}) AS s`))
      }
      const steps: Array<string | number> = [
        'SELECT pg_advisory_xact_lock(105)', 105,
        'BEGIN', 'SELECT pg_advisory_xact_lock(105)', 105, 'SELECT pg_advisory_unlock(105) AS session_unlock', 'SELECT pg_advisory_unlock_all()', 105,
        "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND objid = 105", 'COMMIT', 105,
        'BEGIN', 'SAVEPOINT s', 'SELECT pg_try_advisory_xact_lock(105) AS got', 'SELECT pg_advisory_xact_lock(0, 109)', 'ROLLBACK TO s', 105,
        'SELECT pg_advisory_xact_lock_shared(106)', 106, 'SELECT 1/0', 106, 'ROLLBACK', 106,
        'SELECT pg_advisory_xact_lock(107), pg_try_advisory_xact_lock(107) AS again; SELECT pg_try_advisory_xact_lock_shared(107) AS mixed', 107,
        "SELECT pg_advisory_xact_lock($1), 'param' AS p", 108,
        'BEGIN', 'SELECT pg_advisory_xact_lock(110)', 'SAVEPOINT s', 'SELECT pg_advisory_xact_lock(111)', 'SELECT 1/0', 111, 110,
        'ROLLBACK TO s', 110, 'COMMIT', 110,
      ]
      for (const step of steps) {
        if (typeof step === 'number') await probe(step)
        else seen.push(await value(a, step, step.includes('$1') ? [108] : []))
        // node-postgres rejects at the ErrorResponse, before ReadyForQuery; PostgreSQL aborts the (sub)transaction and
        // releases its locks only after sending the error. A statement on the same connection waits for that.
        if (String(seen.at(-1)).startsWith('error')) await a.query('SELECT 1').catch(() => undefined)
      }
      await a.end()
      await b.end()
      return seen
    }
    assert.deepEqual(await run(server.pgPort), await run(postgres.port))
  })
})
