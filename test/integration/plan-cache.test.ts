// Goal: a statement sent again is answered from its kept plan (sql/plan/plan-cache.ts) only while that plan is still
// the one PostgreSQL's answer needs: the same texts, repeated across SET TimeZone and disabled optimizers,
// ALTER/DROP/CREATE of the table they read, and Bind values that change, answer exactly as PostgreSQL 15 does.
// Method: the same steps with pg.Client (simple protocol, and the extended one when a step has values) against the
// nodedb server process and a real PostgreSQL (test/clients/oracle-pair.ts); answers (tag, columns, type OIDs, text
// values, SQLSTATEs) must be equal. Expected values are never typed by hand.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startOraclePair, type OraclePair } from '../clients/oracle-pair.js'

const rawText = { getTypeParser: () => (value: string) => value }

type Step = { readonly text: string; readonly values?: ReadonlyArray<unknown>; readonly name?: string }

async function answer(client: pg.Client, step: Step): Promise<unknown> {
  try {
    const result = await client.query({ text: step.text, values: step.values as unknown[] | undefined, name: step.name, rowMode: 'array', types: rawText })
    return { tag: `${result.command} ${String(result.rowCount)}`, fields: result.fields.map((f) => [f.name, f.dataTypeID, f.format]), rows: result.rows }
  } catch (error) {
    return { code: (error as { code?: string }).code }
  }
}

const CREATE = 'CREATE TABLE pcx (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)'
const FILL = "INSERT INTO pcx SELECT '2024-01-01'::timestamptz + g * interval '17 minutes', 'h' || (g % 3), g * 0.5 FROM generate_series(1, 200) AS g"

// Each text below is sent several times; between the sends, something its plan depends on changes (or does not).
const BY_LITERAL = "SELECT host, count(*) AS n, max(v) AS m FROM pcx WHERE ts >= '2024-01-01 05:00:00' GROUP BY host ORDER BY host"
const BY_HOUR = "SELECT date_trunc('day', ts) AS d, count(*) AS n, avg(v) AS a FROM pcx GROUP BY d ORDER BY d"
const ROWS = 'SELECT * FROM pcx ORDER BY ts LIMIT 3'
const BY_PARAM = 'SELECT count(*) AS n, min(ts) AS first FROM pcx WHERE v > $1'
const BY_NOW = "SELECT count(*) AS n FROM pcx WHERE ts < now() - interval '1 day'"

const STEPS: ReadonlyArray<Step> = [
  { text: BY_LITERAL }, { text: BY_LITERAL }, { text: BY_HOUR },
  { text: "SET TimeZone = 'America/New_York'" },
  { text: BY_LITERAL }, { text: BY_HOUR }, { text: BY_HOUR },
  { text: ROWS }, { text: BY_LITERAL },
  { text: 'RESET TimeZone' },
  { text: BY_LITERAL }, { text: BY_HOUR },
  { text: "SET nodedb.disabled_optimizers = 'all'" },
  { text: BY_HOUR }, { text: BY_LITERAL },
  { text: 'RESET nodedb.disabled_optimizers' },
  { text: BY_HOUR },
  { text: BY_PARAM, values: [10] }, { text: BY_PARAM, values: [90] }, { text: BY_PARAM, values: ['NaN'] },
  { text: BY_PARAM, values: [20], name: 'pcx_p' }, { text: BY_PARAM, values: [50], name: 'pcx_p' },
  { text: BY_NOW }, { text: BY_NOW },
  { text: ROWS }, { text: ROWS },
  { text: 'ALTER TABLE pcx ADD COLUMN w INT' },
  { text: ROWS }, { text: BY_LITERAL },
  { text: 'ALTER TABLE pcx RENAME COLUMN host TO site' },
  { text: ROWS }, { text: BY_LITERAL },
  { text: 'DROP TABLE pcx' },
  { text: ROWS }, { text: BY_HOUR },
  { text: 'CREATE TABLE pcx (ts TIMESTAMPTZ NOT NULL, host INT, v INT)' },
  { text: "INSERT INTO pcx SELECT '2024-01-02'::timestamptz + g * interval '1 hour', g, g * 3 FROM generate_series(1, 30) AS g" },
  { text: ROWS }, { text: BY_LITERAL }, { text: BY_HOUR }, { text: BY_PARAM, values: [30] },
]

describe('integration: kept plans answer as PostgreSQL when settings, the catalog or parameters change (issue 8)', function () {
  this.timeout(120000)
  let pair: OraclePair

  before(async function () {
    pair = await startOraclePair('plan-cache')
  })

  after(async function () {
    await pair.stop()
  })

  it('answers every repeated statement as PostgreSQL does', async function () {
    const answers: unknown[][] = []
    for (const port of [pair.postgres.port, pair.server.pgPort]) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
      await client.connect()
      try {
        await client.query(CREATE)
        await client.query(FILL)
        const got: unknown[] = []
        for (const step of STEPS) got.push([step.text, step.values ?? null, await answer(client, step)])
        answers.push(got)
      } finally {
        await client.end()
      }
    }
    assert.deepEqual(answers[1], answers[0])
  })
})
