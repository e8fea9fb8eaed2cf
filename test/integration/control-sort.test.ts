// Goal: a control-side ORDER BY of many rows (sql/exec/run-plan.ts sortRows: keys in columns, row indexes sorted in
// runs and merged in slices, sql/exec/slice.ts) answers as PostgreSQL 15 does, and lets other sessions run while it
// works (invariant 5). Method: the real server and a real PostgreSQL (test/helpers/postgres.ts) get the same 40,000
// rows (ties, NULLs, three key types; far more than one sort run); each ORDER BY (mixed ASC/DESC, NULLS FIRST/LAST,
// a unique last key so the order is total on both) is compared row for row as the text PostgreSQL sends. While one
// connection sorts, another sends SELECT 1 back to back: some are answered before the sort's rows (ordering, never
// timing, is asserted). A statement_timeout of 1 ms stops the sort (its scan is read as a stream of core batches)
// with 57014, and the session then sorts again in full.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROW_COUNT = 40_000
const TABLE = 'CREATE TABLE s (time timestamptz NOT NULL, host text, v float8, n bigint)'
const HOSTS = ['alpha', 'beta', 'gamma', 'delta', 'é', 'Z', null]

const QUERIES: ReadonlyArray<string> = [
  'SELECT host, v, n, time FROM s ORDER BY v DESC NULLS LAST, host NULLS FIRST, n',
  'SELECT n, host FROM s ORDER BY host DESC, time, n DESC',
  'SELECT time, v FROM s ORDER BY v NULLS FIRST, time DESC, n',
]

function rowValues(i: number): string {
  const host = HOSTS[(i * 7919) % HOSTS.length] ?? null
  const v = i % 13 === 0 ? 'NULL' : String(((i * 104_729) % 997) / 8)
  const time = new Date(Date.UTC(2024, 0, 1) + ((i * 31) % 5000) * 1000).toISOString()
  return `('${time}', ${host === null ? 'NULL' : `'${host}'`}, ${v}, ${i})`
}

async function connect(port: number, user: string): Promise<pg.Client> {
  // Every value as the text the server sent, so the comparison is of PostgreSQL's output format too.
  const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres', types: { getTypeParser: () => (text: string) => text } })
  await client.connect()
  return client
}

async function rowsOf(client: pg.Client, sql: string): Promise<unknown[][]> {
  return (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][]
}

describe('integration: control-side sort', function () {
  this.timeout(180_000)
  let dataDir = ''
  let server: ServerProcess | null = null
  let postgres: Postgres | null = null
  const clients: pg.Client[] = []

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('control-sort')
    server = await startServerProcess({ dataDir })
    clients.push(await connect(server.pgPort, 'u'), await connect(server.pgPort, 'u'), await connect(postgres.port, 'postgres'))
    for (const client of [clients[0]!, clients[2]!]) {
      await client.query(TABLE)
      for (let from = 0; from < ROW_COUNT; from += 1000) {
        const values = Array.from({ length: Math.min(1000, ROW_COUNT - from) }, (_, k) => rowValues(from + k))
        await client.query(`INSERT INTO s VALUES ${values.join(', ')}`)
      }
    }
  })

  after(async function () {
    for (const client of clients) await client.end()
    await server?.stop()
    postgres?.stop()
    if (dataDir !== '') removeDir(dataDir)
  })

  for (const sql of QUERIES) {
    it(`sorts as PostgreSQL does: ${sql}`, async function () {
      const [nodedb, expected] = await Promise.all([rowsOf(clients[0]!, sql), rowsOf(clients[2]!, sql)])
      assert.equal(nodedb.length, ROW_COUNT)
      assert.deepEqual(nodedb, expected)
    })
  }

  it('statement_timeout stops the sort with 57014; the session and the cores go on', async function () {
    const client = clients[0]!
    await client.query('SET statement_timeout = 1')
    await assert.rejects(rowsOf(client, QUERIES[0]!), (error: unknown) => (error as { code?: string }).code === '57014')
    await client.query('RESET statement_timeout')
    assert.equal((await rowsOf(client, QUERIES[0]!)).length, ROW_COUNT)
  })

  it('invariant 5: another session is answered while the sort works', async function () {
    let isSorted = false
    let pingsBeforeRows = 0
    const sorting = rowsOf(clients[0]!, QUERIES[0]!).then((rows) => { isSorted = true; return rows })
    while (!isSorted) {
      const [{ one }] = (await clients[1]!.query('SELECT 1 AS one')).rows as Array<{ one: string }>
      assert.equal(one, '1')
      if (!isSorted) pingsBeforeRows += 1
    }
    assert.equal((await sorting).length, ROW_COUNT)
    // The sort of 40,000 rows is dozens of slices (a run of 1,024 rows is one); a ping fits between two of them.
    assert.ok(pingsBeforeRows >= 3, `${pingsBeforeRows} SELECT 1 answered while the sort ran`)
  })
})
