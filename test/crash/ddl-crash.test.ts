// Goal: DROP TABLE and TRUNCATE are all-or-nothing under kill -9: after a restart the table `d` is either wholly there
// (every row it had) or wholly gone (DROP: 42P01, and a table created again under its name is empty; TRUNCATE: no
// rows), never half; a DROP or TRUNCATE the client saw complete is never undone; meanwhile acknowledged batches of
// another table, written concurrently, are there exactly once (invariants 1, 2).
// Method: the real server as a child process (--memtable-mb 1, so `d` has rows in segments and in memtables/WAL),
// killed with SIGKILL at a seeded random delay (0–40 ms) after the DDL statement is sent: on this machine that spans
// before the statement arrives, inside it (both sides of its commit point) and after its acknowledgement.
// Rounds: NODEDB_CRASH_ROUNDS (default 3) per statement; the seed is printed on failure (NODEDB_CRASH_SEED replays it).
import assert from 'node:assert/strict'
import { client, countsByBatch, runBatchWriter } from '../helpers/crash-writers.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROUNDS = Number(process.env.NODEDB_CRASH_ROUNDS ?? '3')
const ARGS = ['--memtable-mb', '1']
const ROWS_PER_BATCH = 200
const D_BATCH_COUNT = 40

function batchSql(table: string, batchId: number): string {
  const rows: string[] = []
  for (let i = 0; i < ROWS_PER_BATCH; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + batchId * 1000 + i).toISOString()
    rows.push(`('${ts}', 'h${(batchId + i) % 16}', ${batchId}, ${i * 0.5})`)
  }
  return `INSERT INTO ${table} VALUES ${rows.join(', ')}`
}

const TABLE_DDL = (name: string) => `CREATE TABLE ${name} (ts TIMESTAMPTZ NOT NULL, host TEXT, b BIGINT, v DOUBLE PRECISION)`

/** The row count of `table`, or null when it does not exist (42P01). */
async function countOf(port: number, table: string): Promise<number | null> {
  const c = client(port)
  await c.connect()
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === '42P01') return null
    throw error
  } finally {
    await c.end()
  }
}

async function run(port: number, texts: ReadonlyArray<string>): Promise<void> {
  const c = client(port)
  await c.connect()
  try {
    for (const text of texts) await c.query(text)
  } finally {
    await c.end()
  }
}

describe('crash: DROP TABLE and TRUNCATE under kill -9', function () {
  this.timeout(90_000 * Math.max(1, ROUNDS))
  const seed = Number(process.env.NODEDB_CRASH_SEED ?? Date.now() % 1_000_000)
  let state = seed
  const next = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
  let dataDir = ''
  let server: ServerProcess | null = null
  beforeEach(() => { dataDir = makeTempDir('ddl-crash') })
  afterEach(async () => {
    if (server !== null) await server.kill()
    server = null
    removeDir(dataDir)
  })

  for (const statement of ['DROP TABLE d', 'TRUNCATE d'] as const) {
    it(`${statement}: all or nothing at a random kill point, concurrent acknowledged writes exactly once (seeded)`, async () => {
      const acked = new Set<number>()
      server = await startServerProcess({ dataDir, args: ARGS })
      await run(server.pgPort, [TABLE_DDL('keep')])
      let first = 0
      for (let round = 0; round < ROUNDS; round++) {
        const port: number = server.pgPort
        await run(port, [TABLE_DDL('d'), ...Array.from({ length: D_BATCH_COUNT }, (_, b) => batchSql('d', b))])
        const full = D_BATCH_COUNT * ROWS_PER_BATCH
        assert.equal(await countOf(port, 'd'), full)
        const stop = { value: false }
        const writers = [0, 1].map((w) => runBatchWriter({ port, first: first + w, step: 2, batchSql: (b) => batchSql('keep', b), acked, stop }))
        const done = { value: false }
        const ddl = client(port)
        await ddl.connect()
        const sent = ddl.query(statement).then(() => { done.value = true }, () => undefined)
        await new Promise((resolve) => setTimeout(resolve, next() * 40))
        await server.kill()
        stop.value = true
        await Promise.all([...writers, sent])
        ddl.end().catch(() => undefined)
        first += 1_000_000

        server = await startServerProcess({ dataDir, args: ARGS })
        const count = await countOf(server.pgPort, 'd')
        const gone = statement === 'DROP TABLE d' ? null : 0
        const context = `seed ${seed} round ${round}: ${statement} (${done.value ? 'acknowledged' : 'not acknowledged'})`
        assert.ok(count === full || count === gone, `${context}: d has ${String(count)} rows, want ${full} or ${String(gone)}`)
        if (done.value) assert.equal(count, gone, `${context}: an acknowledged ${statement} was undone`)
        const counts = await countsByBatch(server.pgPort, 'keep')
        for (const batch of acked) assert.equal(counts.get(batch), ROWS_PER_BATCH, `${context}: acked batch ${batch} of keep`)
        for (const [batch, n] of counts) assert.equal(n, ROWS_PER_BATCH, `${context}: batch ${batch} of keep is partial`)
        // Whatever happened, leave no `d` behind; a new one must start empty (old rows never reach a new id).
        await run(server.pgPort, ['DROP TABLE IF EXISTS d', TABLE_DDL('d')])
        assert.equal(await countOf(server.pgPort, 'd'), 0, `${context}: a new d is empty`)
        await run(server.pgPort, ['DROP TABLE d'])
      }
    })
  }
})
