// Goal: transactions under kill -9 (invariants 1, 2): rows of a transaction that was not committed (open, or rolled
// back) never appear after a restart; a COMMIT the client saw complete is there in full, exactly once; a COMMIT killed
// part-way leaves all of its rows in every table or none in any (one WAL commit: parts per table, one commit record).
// Method: the real server as a child process (--memtable-mb 1, so COMMIT's rows also reach segments), killed with
// SIGKILL; a seeded random delay (0–30 ms) after COMMIT is sent spans before, inside and after its commit point; and
// a kill as soon as another session sees the first table's rows of the COMMIT (while it is not acknowledged): a
// COMMIT applied table by table (main before the multi-record commit) is then between its tables.
// Rounds: NODEDB_CRASH_ROUNDS (default 3); the seed is printed on failure (NODEDB_CRASH_SEED replays it).
import assert from 'node:assert/strict'
import type pg from 'pg'
import { client } from '../helpers/crash-writers.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROUNDS = Number(process.env.NODEDB_CRASH_ROUNDS ?? '3')
const ARGS = ['--memtable-mb', '1']
const ROWS_PER_STATEMENT = 500
const STATEMENT_COUNT = 6

/** One INSERT of ROWS_PER_STATEMENT rows into `table`, tagged with the round and statement. */
function insertSql(table: string, round: number, statement: number): string {
  const rows: string[] = []
  for (let i = 0; i < ROWS_PER_STATEMENT; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + round * 10_000_000 + statement * 10_000 + i).toISOString()
    rows.push(`('${ts}', ${round}, ${statement}, ${i * 0.5})`)
  }
  return `INSERT INTO ${table} VALUES ${rows.join(', ')}`
}

async function countOf(port: number, table: string, round: number): Promise<number> {
  const c = client(port)
  await c.connect()
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${table} WHERE r = ${round}`)).rows[0].n)
  } finally {
    await c.end()
  }
}

/** BEGIN and every INSERT of the round into both tables, on an open client (not committed). */
async function openTransaction(c: pg.Client, round: number): Promise<void> {
  await c.query('BEGIN')
  for (let s = 0; s < STATEMENT_COUNT; s++) {
    await c.query(insertSql('ta', round, s))
    await c.query(insertSql('tb', round, s))
  }
}

describe('crash: transactions under kill -9', function () {
  this.timeout(60_000 * Math.max(1, ROUNDS))
  const seed = Number(process.env.NODEDB_CRASH_SEED ?? Date.now() % 1_000_000)
  let state = seed
  const next = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
  const full = ROWS_PER_STATEMENT * STATEMENT_COUNT
  let dataDir = ''
  let server: ServerProcess | null = null
  beforeEach(async () => {
    dataDir = makeTempDir('transaction-crash')
    server = await startServerProcess({ dataDir, args: ARGS })
    const c = client(server.pgPort)
    await c.connect()
    for (const table of ['ta', 'tb']) await c.query(`CREATE TABLE ${table} (ts TIMESTAMPTZ NOT NULL, r INT, s INT, v DOUBLE PRECISION)`)
    await c.end()
  })
  afterEach(async () => {
    if (server !== null) await server.kill()
    server = null
    removeDir(dataDir)
  })

  it('an open transaction and a rolled-back one leave nothing after kill -9 and after a clean restart', async () => {
    const port = server!.pgPort
    const rolledBack = client(port)
    await rolledBack.connect()
    await openTransaction(rolledBack, 1)
    await rolledBack.query('ROLLBACK')
    await rolledBack.end()
    const open = client(port)
    await open.connect()
    await openTransaction(open, 2)
    await server!.kill()
    await open.end().catch(() => undefined)
    server = await startServerProcess({ dataDir, args: ARGS })
    for (const round of [1, 2]) for (const table of ['ta', 'tb']) assert.equal(await countOf(server.pgPort, table, round), 0, `${table} round ${round}`)
    assert.equal(await server.stop(), 0, server.output())
    server = await startServerProcess({ dataDir, args: ARGS })
    for (const round of [1, 2]) for (const table of ['ta', 'tb']) assert.equal(await countOf(server.pgPort, table, round), 0, `${table} round ${round}`)
  })

  it('COMMIT killed at a random point: each table all or nothing; an acknowledged COMMIT wholly there, once (seeded)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const c = client(server!.pgPort)
      await c.connect()
      await openTransaction(c, round)
      const done = { value: false }
      const committing = c.query('COMMIT').then(() => { done.value = true }, () => undefined)
      // Half the rounds kill only after the reply: the acknowledged COMMIT must survive whole.
      if (round % 2 === 1) await committing
      else await new Promise((resolve) => setTimeout(resolve, next() * 30))
      await server!.kill()
      await committing
      await c.end().catch(() => undefined)
      server = await startServerProcess({ dataDir, args: ARGS })
      const context = `seed ${seed} round ${round} (${done.value ? 'acknowledged' : 'not acknowledged'})`
      const counts = [await countOf(server.pgPort, 'ta', round), await countOf(server.pgPort, 'tb', round)]
      assert.ok(counts.every((count) => count === counts[0]) && (counts[0] === 0 || counts[0] === full),
        `${context}: ta and tb have ${counts.join(' and ')} rows of the round, want both 0 or both ${full}`)
      if (done.value) assert.equal(counts[0], full, `${context}: an acknowledged COMMIT lost rows`)
    }
  })

  it('COMMIT killed once another session sees its first table\'s rows: the second table\'s rows survive too', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const c = client(server!.pgPort)
      const watcher = client(server!.pgPort)
      await Promise.all([c.connect(), watcher.connect()])
      await openTransaction(c, round)
      const done = { value: false }
      const committing = c.query('COMMIT').then(() => { done.value = true }, () => undefined)
      let seen = 0
      while (!done.value && seen === 0) seen = Number((await watcher.query(`SELECT count(*) AS n FROM ta WHERE r = ${round}`)).rows[0].n)
      await server!.kill()
      await committing
      await Promise.all([c.end(), watcher.end()].map((ending) => ending.catch(() => undefined)))
      server = await startServerProcess({ dataDir, args: ARGS })
      const context = `round ${round} (${done.value ? 'acknowledged' : `not acknowledged, ${seen} rows of ta seen`})`
      // Rows another session saw belong to a COMMIT that is durable: every table's rows of it are there.
      for (const table of ['ta', 'tb']) assert.equal(await countOf(server.pgPort, table, round), full, `${context}: ${table}`)
    }
  })
})
