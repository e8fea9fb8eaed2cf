// Goal: time_bucket_gapfill with locf() and interpolate() answers as TimescaleDB defines them: a row for every
// bucket of the range per group, NULL aggregates in the gaps, the last value carried forward, and linear
// interpolation between the nearest buckets with data. PostgreSQL has no gapfill, so the oracle is the same
// semantics written in plain SQL (generate_series, LEFT JOIN, correlated subqueries) run on a real PostgreSQL —
// nothing expected is typed by hand. Method: one nodedb process and one PostgreSQL, the same seeded rows in both.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { seededRandom } from '../helpers/random.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const raw = { getTypeParser: () => (value: string) => value }
const RANGE = "ts >= '2024-01-01 00:00:00+00' AND ts < '2024-01-01 02:00:00+00'"

/** The gap-filled answer in plain PostgreSQL: buckets × hosts seen, the aggregate, locf and interpolate by hand. */
const ORACLE = `
WITH agg AS (SELECT date_bin('10 minutes', ts, '2000-01-03') AS t, host, avg(v) AS a FROM m WHERE ${RANGE} GROUP BY 1, 2),
grid AS (SELECT t, host FROM generate_series(timestamptz '2024-01-01 00:00:00+00', timestamptz '2024-01-01 01:50:00+00', interval '10 minutes') t,
         (SELECT DISTINCT host FROM agg) h),
filled AS (SELECT g.t, g.host, agg.a FROM grid g LEFT JOIN agg ON agg.t = g.t AND agg.host = g.host)
SELECT f.t, f.host, f.a,
  COALESCE(f.a, (SELECT p.a FROM agg p WHERE p.host = f.host AND p.t < f.t ORDER BY p.t DESC LIMIT 1)) AS locf,
  COALESCE(f.a, (SELECT p.a + (n.a - p.a) * extract(epoch FROM f.t - p.t) / extract(epoch FROM n.t - p.t)
     FROM (SELECT * FROM agg WHERE host = f.host AND t < f.t ORDER BY t DESC LIMIT 1) p,
          (SELECT * FROM agg WHERE host = f.host AND t > f.t ORDER BY t LIMIT 1) n)) AS interpolate
FROM filled f ORDER BY f.host, f.t`

const GAPFILL = `SELECT time_bucket_gapfill('10 minutes', ts) AS t, host, avg(v) AS a, locf(avg(v)), interpolate(avg(v))
FROM m WHERE ${RANGE} GROUP BY t, host ORDER BY host, t`

describe('integration: time_bucket_gapfill, locf, interpolate (issue #8)', function () {
  this.timeout(120_000)
  let oracle: Postgres
  let server: ServerProcess
  let dataDir: string
  let ours: pg.Client
  let theirs: pg.Client

  before(async function () {
    oracle = await startPostgres()
    dataDir = makeTempDir('gapfill')
    server = await startServerProcess({ dataDir })
    ours = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
    theirs = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
    await ours.connect()
    await theirs.connect()
    const random = seededRandom(8)
    const rows: string[] = []
    // Sparse rows: each host skips most 10-minute buckets, so gaps sit at the start, the middle and the end.
    for (const host of ['a', 'b', 'c']) {
      for (let minute = 0; minute < 120; minute += 7) {
        if (random() < 0.6) continue
        rows.push(`('2024-01-01 00:00:00+00'::timestamptz + interval '${minute} minutes', '${host}', ${Math.round(random() * 10_000) / 100})`)
      }
    }
    for (const client of [ours, theirs]) {
      await client.query('CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)')
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

  async function compare(): Promise<void> {
    const got = await ours.query({ text: GAPFILL, rowMode: 'array', types: raw })
    const want = await theirs.query({ text: ORACLE, rowMode: 'array', types: raw })
    assert.equal(got.rows.length, want.rows.length)
    assert.ok(got.rows.length === 3 * 12, `every host × every bucket: ${got.rows.length}`)
    got.rows.forEach((row: Array<string | null>, i: number) => {
      const expected = want.rows[i] as Array<string | null>
      assert.equal(row[0], expected[0], `bucket of row ${i}`)
      assert.equal(row[1], expected[1], `host of row ${i}`)
      for (const c of [2, 3, 4]) {
        if (expected[c] === null) { assert.equal(row[c], null, `row ${i} column ${c}`); continue }
        assert.ok(Math.abs(Number(row[c]) - Number(expected[c])) <= 1e-9 * Math.max(1, Math.abs(Number(expected[c]))), `row ${i} column ${c}: ${row[c]} vs ${expected[c]}`)
      }
    })
  }

  it('fills every bucket per host with NULLs, locf and interpolation — in memtables and after CHECKPOINT', async function () {
    await compare()
    await ours.query('CHECKPOINT')
    await compare()
  })

  it('takes start and finish from its arguments, and refuses locf() without a gapfill bucket (0A000)', async function () {
    const text = "SELECT time_bucket_gapfill('30 minutes', ts, '2024-01-01 00:00:00+00', '2024-01-01 03:00:00+00') AS t, count(*) FROM m GROUP BY t ORDER BY t"
    const result = await ours.query({ text, rowMode: 'array', types: raw })
    assert.equal(result.rows.length, 6)
    await assert.rejects(ours.query('SELECT locf(avg(v)) FROM m'), (error: Error & { code?: string }) => error.code === '0A000')
    await assert.rejects(ours.query("SELECT time_bucket_gapfill('1 minute', ts), avg(v) FROM m GROUP BY 1"), (error: Error & { code?: string }) => error.code === '0A000')
  })
})
