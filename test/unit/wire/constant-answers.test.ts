// Goal: a constant statement's kept answer (wire/pg/constant-answers.ts) is what running it would answer — the same
// rows, and after a SET that changes its text (DateStyle, TimeZone, IntervalStyle) the new text, over the simple and
// the extended protocol — and it is really kept: sql runs the statement once per protocol and settings, not per round
// trip. Statements that read the clock or the catalog are never kept, and a failed transaction block still answers
// 25P02. Method: node-postgres against an in-process listener over the real sql facade (a FakeEngine catalog),
// counting sql.execute calls; values read as the text the server sent.
import { strict as assert } from 'node:assert'
import pg from 'pg'
import type { SqlFacade } from '../../../sql/api.js'
import { createSql } from '../../../sql/sql.js'
import { startPgListener, type PgListener } from '../../../wire/pg/listener.js'
import { FakeEngine } from '../sql/fake-engine.js'

const AS_TEXT = { getTypeParser: () => (value: string) => value }
const ROUND_TRIPS = 3

describe('wire/pg/constant-answers: kept answers of constant statements', () => {
  let listener: PgListener
  let client: pg.Client
  let executeCount = 0

  beforeEach(async () => {
    const sql = createSql(new FakeEngine())
    const counting: SqlFacade = { ...sql, execute: (...args) => { executeCount++; return sql.execute(...args) } }
    listener = await startPgListener({ host: '127.0.0.1', port: 0, sql: counting })
    client = new pg.Client({ host: '127.0.0.1', port: listener.port, user: 'alice', database: 'db' })
    await client.connect()
  })
  afterEach(async () => {
    await client.end()
    await listener.close()
  })

  /** The first row's values as sent, `ROUND_TRIPS` times over one protocol (all answers must be equal), and how many ran in sql. */
  async function answers(text: string, queryMode: 'simple' | 'extended'): Promise<{ values: unknown[]; runs: number }> {
    const before = executeCount
    const all: unknown[][] = []
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const result = await client.query({ text, queryMode, types: AS_TEXT, rowMode: 'array' } as pg.QueryConfig)
      assert.equal(result.command, 'SELECT')
      all.push(result.rows[0] as unknown[])
    }
    for (const values of all) assert.deepEqual(values, all[0])
    return { values: all[0]!, runs: executeCount - before }
  }

  for (const queryMode of ['simple', 'extended'] as const) {
    it(`${queryMode}: SELECT 1 and friends run once, then answer from the kept bytes`, async () => {
      assert.deepEqual(await answers('SELECT 1', queryMode), { values: ['1'], runs: 1 })
      assert.deepEqual(await answers("SELECT 1.5::float8, 'a' || 'b', 2 + 3 AS five", queryMode), { values: ['1.5', 'ab', '5'], runs: 1 })
    })

    it(`${queryMode}: a SET that changes the answer's text is followed`, async () => {
      const text = "SELECT date '2020-01-02', timestamptz '2020-01-02 03:04:05+00', interval '1 day 02:03:04'"
      assert.deepEqual(await answers(text, queryMode), { values: ['2020-01-02', '2020-01-02 03:04:05+00', '1 day 02:03:04'], runs: 1 })
      await client.query("SET DateStyle = 'German'")
      assert.deepEqual(await answers(text, queryMode), { values: ['02.01.2020', '02.01.2020 03:04:05 UTC', '1 day 02:03:04'], runs: 1 })
      await client.query("SET TimeZone = 'Asia/Tokyo'")
      await client.query("SET IntervalStyle = 'sql_standard'")
      assert.deepEqual(await answers(text, queryMode), { values: ['02.01.2020', '02.01.2020 12:04:05 JST', '1 2:03:04'], runs: 1 })
      // Back to the first settings inside a block, and ROLLBACK restores the block's: each answer follows.
      await client.query('BEGIN')
      await client.query('RESET ALL')
      assert.deepEqual(await answers(text, queryMode), { values: ['2020-01-02', '2020-01-02 03:04:05+00', '1 day 02:03:04'], runs: 1 })
      await client.query('ROLLBACK')
      assert.deepEqual((await answers(text, queryMode)).values, ['02.01.2020', '02.01.2020 12:04:05 JST', '1 2:03:04'])
    })

    it(`${queryMode}: what reads the clock, the catalog or a parameter runs every time, and so does a large answer`, async () => {
      for (const text of ["SELECT 'now'::timestamptz < '2000-01-01'", 'SELECT now() IS NULL', "SELECT 'pg_class'::regclass", 'SELECT random() < 2',
        "SELECT '12:00'::timetz" /* the session zone's offset on today's date: follows DST */,
        "SELECT repeat('x', 1000)" /* past PG_CONSTANT_ANSWER_BYTES_MAX: not kept */]) {
        assert.equal((await answers(text, queryMode)).runs, ROUND_TRIPS, text)
      }
      const before = executeCount
      for (let i = 0; i < ROUND_TRIPS; i++) assert.deepEqual((await client.query('SELECT $1::int + 1 AS n', [i])).rows, [{ n: i + 1 }])
      assert.equal(executeCount - before, ROUND_TRIPS)
    })

    it(`${queryMode}: EXECUTE of a prepared constant statement runs every time (the name may be prepared anew)`, async () => {
      await client.query('PREPARE p AS SELECT 1')
      assert.deepEqual(await answers('EXECUTE p', queryMode), { values: ['1'], runs: ROUND_TRIPS })
      await client.query('DEALLOCATE p')
      await client.query('PREPARE p AS SELECT 2')
      assert.deepEqual((await answers('EXECUTE p', queryMode)).values, ['2'])
    })

    it(`${queryMode}: a kept answer still gets 25P02 in a failed transaction block`, async () => {
      await answers('SELECT 1', queryMode)
      await client.query('BEGIN')
      await assert.rejects(client.query('SELECT 1/0'), { code: '22012' })
      await assert.rejects(client.query({ text: 'SELECT 1', queryMode } as pg.QueryConfig), { code: '25P02' })
      await client.query('ROLLBACK')
      assert.deepEqual((await answers('SELECT 1', queryMode)).values, ['1'])
    })
  }
})
