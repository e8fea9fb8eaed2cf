// Goal: ORDER BY a time bucket [DESC] LIMIT n over an aggregate scan by that bucket (sql/exec/top-groups.ts: the
// cores asked for a narrowed span, retried once wider, else the whole range) answers exactly as the whole range
// sorted: dense and sparse rows (gaps wider than the first and the second span), bounds on and off bucket
// boundaries, origins, OFFSET, limits past the groups there are, ASC and DESC, from memtables and from segments.
// Method: the real server and a real PostgreSQL with the same seeded rows; date_trunc keys are compared with
// PostgreSQL, time_bucket keys (PostgreSQL has none) with nodedb's own general path — the same query with the
// top_n optimizer off, which sorts every group of the whole range.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { seededRandom } from '../helpers/random.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const raw = { getTypeParser: () => (value: string) => value }
const START_MS = Date.UTC(2024, 0, 1)
const MINUTE_MS = 60_000

function time(ms: number): string {
  return `'${new Date(ms).toISOString()}'`
}

/** Seeded queries: a bucket key, a bound on the ordered side, a direction, LIMIT and OFFSET. */
function queries(): Array<{ text: string; hasOracle: boolean }> {
  const random = seededRandom(11)
  const keys = ["date_trunc('minute', ts)", "date_trunc('hour', ts)", "time_bucket('7 minutes', ts)",
    "time_bucket('10 seconds', ts)", "time_bucket('1 hour', ts, timestamptz '2024-01-01 00:30:00+00')"]
  return Array.from({ length: 60 }, (_, q) => {
    const key = keys[q % keys.length]!
    const bound = START_MS + Math.floor(random() * 48 * 60) * MINUTE_MS + (random() < 0.5 ? 0 : Math.floor(random() * 59) * 1000)
    const descending = random() < 0.6
    const limit = [1, 3, 5, 20, 200][Math.floor(random() * 5)]!
    const offset = random() < 0.3 ? Math.floor(random() * 4) : 0
    const text = `SELECT ${key} AS b, count(*), max(v), sum(v) FROM m WHERE ts ${descending ? '<' : '>='} ${time(bound)} ` +
      `GROUP BY b ORDER BY b ${descending ? 'DESC' : 'ASC'} LIMIT ${limit} OFFSET ${offset}`
    return { text, hasOracle: key.startsWith('date_trunc') }
  })
}

describe('integration: ORDER BY bucket LIMIT n over an aggregate scan (top groups, issue #8)', function () {
  this.timeout(180_000)
  let oracle: Postgres
  let server: ServerProcess
  let dataDir: string
  let ours: pg.Client
  let theirs: pg.Client

  before(async function () {
    oracle = await startPostgres()
    dataDir = makeTempDir('top-groups')
    server = await startServerProcess({ dataDir })
    ours = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
    theirs = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
    await ours.connect()
    await theirs.connect()
    const random = seededRandom(5)
    const rows: string[] = []
    // Clusters of rows seconds apart, separated by gaps of minutes to hours; sums of values with 3 bits of fraction
    // are exact, so they do not depend on the order rows are added in.
    for (let at = START_MS, i = 0; i < 600; i++) {
      at += random() < 0.1 ? Math.floor(random() * 300) * MINUTE_MS : Math.floor(random() * 40) * 1000
      rows.push(`(${time(at)}, ${random() < 0.1 ? 'NULL' : Math.round(random() * 8000) / 8})`)
    }
    for (const client of [ours, theirs]) {
      await client.query("SET TimeZone = 'UTC'")
      await client.query('CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, v DOUBLE PRECISION)')
      await client.query(`INSERT INTO m VALUES ${rows.join(', ')}`)
    }
  })

  after(async function () {
    await ours?.end()
    await theirs?.end()
    await server?.stop()
    oracle?.stop()
    if (dataDir !== undefined) removeDir(dataDir)
  })

  async function rowsOf(client: pg.Client, text: string): Promise<unknown[][]> {
    return (await client.query({ text, rowMode: 'array', types: raw })).rows as unknown[][]
  }

  async function compareAll(): Promise<void> {
    for (const { text, hasOracle } of queries()) {
      await ours.query("SET nodedb.disabled_optimizers = ''")
      const fast = await rowsOf(ours, text)
      await ours.query("SET nodedb.disabled_optimizers = 'top_n'")
      assert.deepEqual(fast, await rowsOf(ours, text), `general path: ${text}`)
      if (hasOracle) assert.deepEqual(fast, await rowsOf(theirs, text), `PostgreSQL: ${text}`)
    }
    await ours.query("SET nodedb.disabled_optimizers = ''")
  }

  it('answers from memtables as the whole range sorted does', async function () {
    await compareAll()
  })

  it('answers from segments as the whole range sorted does', async function () {
    await ours.query('CHECKPOINT')
    await compareAll()
  })
})
