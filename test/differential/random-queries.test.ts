// Goal: no silently wrong answer from the query engine's rewrites — pushdown of whole WHERE trees into the scans,
// segment and row-group pruning, answers from chunk statistics, partial aggregates, top-N, DISTINCT ON — on query
// shapes nobody wrote by hand. Method: random-query.ts draws seeded SELECTs over the differential corpus's data
// (corpus-data.ts) loaded into a nodedb server process and a real PostgreSQL 15; each is judged as a corpus block
// (runner.ts: column names, type OIDs, text values, floats to 1e-9 relative), with the data in memtables, then after
// CHECKPOINT in segments, in UTC and in Europe/Berlin, and with newer rows in memtables beside the segments.
// NODEDB_RANDOM_SEED replays or varies a run (the seed is in every failure's text).
import assert from 'node:assert/strict'
import type pg from 'pg'
import { seededRandom } from '../helpers/random.js'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { CORPUS_TABLES, corpusInserts, POSTGRES_PREAMBLE } from './corpus-data.js'
import { AVERAGE_BOUND_MAX_ROWS, extraRowInserts, randomQueries, type RandomQuery } from './random-query.js'
import { connectTo, judge, runBlock } from './runner.js'

const SEED = Number(process.env.NODEDB_RANDOM_SEED ?? 20261207)
const QUERY_COUNT = 400

describe(`differential: random queries against PostgreSQL (seed ${SEED})`, function () {
  this.timeout(300_000)
  let oracle: Postgres
  let server: ServerProcess
  let dataDir: string
  const queries = randomQueries(seededRandom(SEED), QUERY_COUNT)
  const connect = async (which: 'nodedb' | 'postgres', zone = 'UTC'): Promise<pg.Client> => {
    const client = await connectTo(which, which === 'nodedb' ? server.pgPort : oracle.port)
    await client.query(`SET TimeZone = '${zone}'`)
    return client
  }

  before(async function () {
    oracle = await startPostgres()
    dataDir = makeTempDir('random-queries')
    server = await startServerProcess({ dataDir })
    const [nodedb, postgres] = [await connect('nodedb'), await connect('postgres')]
    try {
      for (const sql of POSTGRES_PREAMBLE) await postgres.query(sql)
      // Reversed: rows arrive in another order than in the corpus's own run, so memtables sort differently too.
      for (const sql of [...CORPUS_TABLES, ...corpusInserts(true)]) {
        await postgres.query(sql)
        await nodedb.query(sql)
      }
    } finally {
      await Promise.all([nodedb.end(), postgres.end()])
    }
  })

  after(async function () {
    await server?.stop()
    oracle?.stop()
    if (dataDir !== undefined) removeDir(dataDir)
  })

  const runAll = async (pass: string, zone?: string, drawn: ReadonlyArray<RandomQuery> = queries): Promise<void> => {
    const [nodedb, postgres] = [await connect('nodedb', zone), await connect('postgres', zone)]
    const failures: string[] = []
    let answeredWithRows = 0
    const postgresErrors: string[] = []
    try {
      for (const [i, query] of drawn.entries()) {
        const block = { kind: 'query' as const, rowsort: query.rowsort, sql: query.sql, line: i + 1, nodedbOnly: false, gap: null }
        const theirs = await runBlock(postgres, block, query.values)
        const ours = await runBlock(nodedb, block, query.values)
        if (theirs.code === null && theirs.rows.length > 0) answeredWithRows += 1
        if (theirs.code !== null) postgresErrors.push(`#${i + 1} ${query.sql}: ${theirs.code} ${theirs.message}`)
        // Where PostgreSQL raises an error (22003, 22012 drawn on purpose), nodedb must raise the same SQLSTATE.
        const verdict = judge(theirs.code === null ? block : { ...block, kind: 'statementError', code: theirs.code }, ours, theirs)
        const parameters = query.values === undefined ? '' : ` [$1 = '${query.values[0]}']`
        if (verdict.kind !== 'matched') failures.push(`#${i + 1} ${query.sql}${parameters}\n  ${verdict.kind === 'failed' ? verdict.error : 'refused'}`)
      }
      // averageBound keeps comparisons of averages off ties only below this many rows.
      const rowCount = Number((await postgres.query('SELECT count(*) AS n FROM cpu')).rows[0].n)
      assert.ok(rowCount < AVERAGE_BOUND_MAX_ROWS, `cpu has ${rowCount} rows: averageBound's comparisons may tie`)
    } finally {
      await Promise.all([nodedb.end(), postgres.end()])
    }
    assert.equal(failures.length, 0, `${pass}, seed ${SEED}: ${failures.length} of ${drawn.length} differ\n${failures.slice(0, 15).join('\n')}`)
    // The generator must draw valid SQL that selects something, or the comparison proves little (two errors with the
    // same SQLSTATE count as matched).
    assert.ok(postgresErrors.length <= drawn.length / 50, `PostgreSQL refused ${postgresErrors.length}:\n${postgresErrors.slice(0, 5).join('\n')}`)
    assert.ok(answeredWithRows > drawn.length / 2, `only ${answeredWithRows} of ${drawn.length} queries returned rows`)
  }

  it('data in memtables: every query answers as PostgreSQL does', async function () {
    await runAll('memtables')
  })

  it('data in segments (after CHECKPOINT): every query answers as PostgreSQL does', async function () {
    const nodedb = await connect('nodedb')
    try {
      await nodedb.query('CHECKPOINT')
    } finally {
      await nodedb.end()
    }
    await runAll('segments')
  })

  // The corpus crosses Europe/Berlin's switch to summer time: day buckets and extract(hour) in a zone with a DST gap.
  it('data in segments, TimeZone Europe/Berlin: every query answers as PostgreSQL does', async function () {
    await runAll('segments, Europe/Berlin', 'Europe/Berlin')
  })

  it('segments plus newer rows in memtables over the same time range: every query answers as PostgreSQL does', async function () {
    const [nodedb, postgres] = [await connect('nodedb'), await connect('postgres')]
    try {
      for (const sql of extraRowInserts(seededRandom(SEED + 1), 400, 1)) {
        await postgres.query(sql)
        await nodedb.query(sql)
      }
    } finally {
      await Promise.all([nodedb.end(), postgres.end()])
    }
    await runAll('segments + memtables')
  })

  // Segments written before the column existed read it as NULL; their statistics must not prune or answer for it.
  it('after ALTER TABLE ADD COLUMN, with rows that have it in memtables and in segments: every query answers as PostgreSQL does', async function () {
    const [nodedb, postgres] = [await connect('nodedb'), await connect('postgres')]
    try {
      const statements = ['ALTER TABLE cpu ADD COLUMN usage_added DOUBLE PRECISION', ...extraRowInserts(seededRandom(SEED + 2), 300, 3, 'usage_added')]
      for (const [i, sql] of statements.entries()) {
        await postgres.query(sql)
        await nodedb.query(sql)
        if (i === 1) await nodedb.query('CHECKPOINT')
      }
    } finally {
      await Promise.all([nodedb.end(), postgres.end()])
    }
    await runAll('added column', undefined, randomQueries(seededRandom(SEED + 3), 200, 'usage_added'))
  })
})
