// Goal: SQL-level PREPARE/EXECUTE, cursors and savepoints work through node-postgres's extended protocol as on
// PostgreSQL 15 — DECLARE takes Bind parameters (EXECUTE none: 08P01), FETCH is described with the cursor's columns, a named
// protocol portal and a DECLAREd cursor share one namespace, PREPARE and Parse share one — and a cursor over a large
// table answers FETCH without reading the table first. Method: the same steps with pg.Client against the nodedb
// server process and a real PostgreSQL (test/clients/oracle-pair.ts); the answers (columns, type OIDs, text values,
// tags, SQLSTATEs) must be equal. Expected values are never typed by hand.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startOraclePair, type OraclePair } from '../clients/oracle-pair.js'

const rawText = { getTypeParser: () => (value: string) => value }

type Step = { readonly text: string; readonly values?: ReadonlyArray<unknown>; readonly name?: string }

/** What a step answered, as comparable data: the SQLSTATE of an error, else the tag, columns, OIDs and rows. */
async function answer(client: pg.Client, step: Step): Promise<unknown> {
  try {
    const result = await client.query({ text: step.text, values: step.values as unknown[] | undefined, name: step.name, rowMode: 'array', types: rawText })
    return { tag: `${result.command} ${String(result.rowCount)}`, fields: result.fields.map((f) => [f.name, f.dataTypeID, f.format]), rows: result.rows }
  } catch (error) {
    return { code: (error as { code?: string }).code }
  }
}

const SETUP = [
  'CREATE TABLE scx (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)',
  "INSERT INTO scx SELECT '2024-01-01'::timestamptz + g * interval '1 second', 'h' || (g % 3), g * 0.5 FROM generate_series(1, 20) AS g",
]

const STEPS: ReadonlyArray<Step> = [
  { text: 'PREPARE scx_p(text) AS SELECT count(*) AS n, sum(v) AS s FROM scx WHERE host = $1' },
  { text: "EXECUTE scx_p('h1')" },
  { text: "EXECUTE scx_p('h' || 2)", values: [] },
  // A utility statement takes no Bind parameters (08P01), and a $n in its text is 42P02.
  { text: 'EXECUTE scx_p($1)', values: ['h1'] },
  { text: 'EXECUTE scx_p($1)' },
  // Parse of a name PREPARE used (and the reverse) is 42P05: one namespace.
  { text: 'SELECT 1', name: 'scx_p' },
  { text: 'SELECT $1::int AS x', values: [7], name: 'scx_named' },
  { text: 'PREPARE scx_named AS SELECT 2' },
  { text: 'EXECUTE scx_named(5)' },
  { text: 'DEALLOCATE scx_named' },
  { text: 'BEGIN' },
  { text: 'DECLARE scx_c CURSOR FOR SELECT ts, host, v FROM scx WHERE v > $1 ORDER BY ts', values: [3] },
  // FETCH over the extended protocol: Describe P answers the cursor's columns.
  { text: 'FETCH 3 FROM scx_c', values: [] },
  { text: 'MOVE 2 IN scx_c', values: [] },
  { text: 'FETCH ALL FROM scx_c', values: [] },
  { text: 'FETCH scx_c', values: [] },
  { text: 'SAVEPOINT scx_s' },
  { text: 'SELECT * FROM scx_nosuch' },
  { text: 'ROLLBACK TO SAVEPOINT scx_s' },
  { text: "EXECUTE scx_p('h0')" },
  // A BINARY cursor answers a simple-Query FETCH in binary (node-postgres then hands out the raw bytes).
  { text: "DECLARE scx_b BINARY CURSOR FOR SELECT 7::int4 AS i, 'x'::text AS t, 2.5::float8 AS f" },
  { text: 'FETCH ALL scx_b' },
  { text: 'COMMIT' },
]

describe('integration: PREPARE/EXECUTE, cursors and savepoints through node-postgres (issue 9)', function () {
  this.timeout(120000)
  let pair: OraclePair

  before(async function () {
    pair = await startOraclePair('session-commands')
  })

  after(async function () {
    await pair.stop()
  })

  it('answers every step as PostgreSQL does', async function () {
    const answers: unknown[][] = []
    for (const port of [pair.postgres.port, pair.server.pgPort]) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
      await client.connect()
      try {
        for (const text of SETUP) await client.query(text)
        const got: unknown[] = []
        for (const step of STEPS) got.push([step.text, await answer(client, step)])
        answers.push(got)
      } finally {
        await client.end()
      }
    }
    assert.deepEqual(answers[1], answers[0])
  })

  it('a cursor over a large table answers its first FETCH while holding the scan open', async function () {
    const client = new pg.Client({ host: '127.0.0.1', port: pair.server.pgPort, user: 'postgres', database: 'postgres' })
    await client.connect()
    try {
      await client.query('CREATE TABLE scx_big (ts TIMESTAMPTZ NOT NULL, v INT)')
      await client.query("INSERT INTO scx_big SELECT '2024-01-01'::timestamptz + g * interval '1 ms', g FROM generate_series(1, 300000) AS g")
      await client.query('BEGIN')
      await client.query('DECLARE scx_big_c CURSOR FOR SELECT ts, v FROM scx_big')
      const first = await client.query('FETCH 5 FROM scx_big_c')
      assert.equal(first.rowCount, 5)
      const moved = await client.query('MOVE ALL IN scx_big_c')
      assert.equal(moved.rowCount, 300000 - 5)
      await client.query('COMMIT')
    } finally {
      await client.end()
    }
  })
})
