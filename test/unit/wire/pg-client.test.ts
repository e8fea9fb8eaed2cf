// test/unit/wire/pg-client: node-postgres (pg 8.23) against the listener, the way applications use it. Method: a
// real pg.Client on port 0 with FakeSql behind; asserts the values pg parses and the errors it raises.
import { strict as assert } from 'node:assert'
import pg from 'pg'
import { startPgListener, type PgListener } from '../../../wire/pg/listener.js'
import { FakeSql } from './fake-sql.js'

describe('wire/pg with a real pg.Client', () => {
  let sql: FakeSql
  let listener: PgListener
  let client: pg.Client

  beforeEach(async () => {
    sql = new FakeSql()
    listener = await startPgListener({ host: '127.0.0.1', port: 0, sql })
    client = new pg.Client({ host: '127.0.0.1', port: listener.port, user: 'alice', database: 'db' })
    await client.connect()
  })
  afterEach(async () => {
    await client.end()
    await listener.close()
  })

  it('runs a simple query and a parameterized (extended) one', async () => {
    const simple = await client.query('SELECT 1')
    assert.deepEqual(simple.rows, [{ '?column?': 1 }])
    const extended = await client.query('SELECT $1::int + $2 AS s, $3::text AS t', [1, 2, 'x'])
    assert.deepEqual(extended.rows, [{ s: 3, t: 'x' }])
    assert.equal(extended.command, 'SELECT')
    assert.equal(extended.rowCount, 1)
  })

  it('reuses a named statement without a second Parse', async () => {
    const first = await client.query({ name: 'byhost', text: 'SELECT $1::text AS v', values: ['a'] })
    const second = await client.query({ name: 'byhost', text: 'SELECT $1::text AS v', values: ['b'] })
    assert.deepEqual([first.rows[0]?.v, second.rows[0]?.v], ['a', 'b'])
    assert.deepEqual(sql.parsed, ['SELECT $1::text AS v'], 'pg sends Parse only the first time')
  })

  it('rejects with the SQLSTATE and stays usable, in both protocols and inside a transaction', async () => {
    await assert.rejects(client.query('SELECT 1/0'), { code: '22012' })
    await assert.rejects(client.query('SELECT $1::text AS v FROM nowhere', ['x']), { code: '42P01' })
    await client.query('BEGIN')
    await assert.rejects(client.query('SELECT 1/0'), { code: '22012' })
    await assert.rejects(client.query('SELECT 1'), { code: '25P02' })
    await client.query('ROLLBACK')
    assert.deepEqual((await client.query('SELECT 1')).rows, [{ '?column?': 1 }])
  })

  it('returns an array of results for several statements, and an empty query is fine', async () => {
    const results = (await client.query('SELECT 1; SELECT 2 AS b')) as unknown as pg.QueryResult[]
    assert.deepEqual(results.map((result) => result.rows), [[{ '?column?': 1 }], [{ b: 2 }]])
    await client.query('')
  })
})
