// Goal: an ORDER BY of many rows answers as PostgreSQL 15 does, and lets other sessions run while it works
// (invariant 5): every way of sorting — on the cores and merged on the main thread (sql/exec/sort-core.ts,
// engine/core/sort-scan.ts, engine/sorted-merge.ts), a plain scan sorted as typed columns on the main thread
// (sql/exec/sort-stream.ts, column-sort.ts: core_sort off, and for FETCH) and run-plan.ts sortRows (streaming off:
// keys in columns, row indexes sorted in runs and merged in slices, sql/exec/slice.ts). Method: the real server and a
// real PostgreSQL (test/helpers/postgres.ts) get the same 40,000 rows (ties, NULLs, NaN and -Infinity, text,
// char(3), bool, float and bigint keys; far more than one sort run); each ORDER BY (mixed ASC/DESC, NULLS
// FIRST/LAST, a unique last key so the order is total on both; an OFFSET with no LIMIT) is compared row for row as
// the text PostgreSQL sends, through a cursor's FETCHes too, with streaming off and with core_sort off (the server's
// debug log shows when the cores sorted). While one connection sorts, another sends SELECT 1 back to back: some are
// answered before the sort's rows (ordering, never timing, is asserted). A statement_timeout of 1 ms stops the sort
// (its scan is read as a stream of core batches) with 57014, and the session then sorts again in full.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROW_COUNT = 40_000
const TABLE = 'CREATE TABLE s (time timestamptz NOT NULL, host text, v float8, n bigint, flag boolean, c char(3))'
const HOSTS = ['alpha', 'beta', 'gamma', 'delta', 'é', 'Z', null]
/** char(3): 'ab' and 'ab ' are one value (its trailing blanks do not count), so they sort as one. */
const CHARS = ['ab', 'b', 'ab ', null, 'a']

const QUERIES: ReadonlyArray<string> = [
  'SELECT host, v, n, time FROM s ORDER BY v DESC NULLS LAST, host NULLS FIRST, n',
  'SELECT n, host FROM s ORDER BY host DESC, time, n DESC',
  'SELECT time, v FROM s ORDER BY v NULLS FIRST, time DESC, n',
  'SELECT c, flag, v, n FROM s ORDER BY flag NULLS FIRST, c DESC, v, n',
  'SELECT n, v FROM s ORDER BY v DESC, n OFFSET 39990',
  // Repeated keys, both directions: the later ones never decide, and must not change the order.
  'SELECT time, n, v FROM s ORDER BY time, v DESC, n, time DESC, n DESC, v',
]

function rowValues(i: number): string {
  const host = HOSTS[(i * 7919) % HOSTS.length] ?? null
  const v = i % 13 === 0 ? 'NULL' : i % 101 === 0 ? "'NaN'" : i % 103 === 0 ? "'-Infinity'" : String(((i * 104_729) % 997) / 8)
  const time = new Date(Date.UTC(2024, 0, 1) + ((i * 31) % 5000) * 1000).toISOString()
  const flag = i % 5 === 0 ? 'NULL' : String(i % 3 === 0)
  const c = CHARS[i % CHARS.length] ?? null
  return `('${time}', ${host === null ? 'NULL' : `'${host}'`}, ${v}, ${i}, ${flag}, ${c === null ? 'NULL' : `'${c}'`})`
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
    server = await startServerProcess({ dataDir, env: { NODEDB_LOG_LEVEL: 'debug' } })
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
      assert.equal(nodedb.length, sql.includes('OFFSET') ? 10 : ROW_COUNT)
      assert.deepEqual(nodedb, expected)
    })
  }

  it('sorts a scan with pushed filters, an empty time range and LIMIT ALL as PostgreSQL does', async function () {
    const queries = [
      "SELECT v, host, n FROM s WHERE host IN ('alpha', 'é') AND v > 50 ORDER BY v DESC, n",
      "SELECT n FROM s WHERE time < '2000-01-01' ORDER BY v, n",
      'SELECT n, flag FROM s ORDER BY flag DESC NULLS LAST, n LIMIT ALL OFFSET 100',
    ]
    for (const sql of queries) assert.deepEqual(await rowsOf(clients[0]!, sql), await rowsOf(clients[2]!, sql), sql)
  })

  it('a cursor FETCHes the sorted rows in order, as the rows the columnar sort streams', async function () {
    const client = clients[0]!
    const sql = QUERIES[3]!
    const fetched: unknown[][] = []
    await client.query('BEGIN')
    await client.query(`DECLARE sorted CURSOR FOR ${sql}`)
    for (let rows = await rowsOf(client, 'FETCH 7000 FROM sorted'); rows.length > 0; rows = await rowsOf(client, 'FETCH 7000 FROM sorted')) fetched.push(...rows)
    await client.query('COMMIT')
    assert.deepEqual(fetched, await rowsOf(clients[2]!, sql))
  })

  it('the columnar sort and the row sort (streaming off) give the same rows', async function () {
    const client = clients[1]!
    await client.query("SET nodedb.disabled_optimizers = 'streaming'")
    try {
      for (const sql of QUERIES) assert.deepEqual(await rowsOf(client, sql), await rowsOf(clients[0]!, sql), sql)
    } finally {
      await client.query('RESET nodedb.disabled_optimizers')
    }
  })

  it('the sort on the cores and the columnar sort on the main thread (core_sort off) give the same rows', async function () {
    const client = clients[1]!
    const sortedOnCores = (): number => (server!.output().match(/core sorts a scan stream/g) ?? []).length
    const before = sortedOnCores()
    const onCores = await rowsOf(client, QUERIES[0]!)
    assert.ok(sortedOnCores() > before, 'the cores sorted the scan')
    await client.query("SET nodedb.disabled_optimizers = 'core_sort'")
    try {
      for (const sql of QUERIES) assert.deepEqual(await rowsOf(client, sql), await rowsOf(clients[0]!, sql), sql)
      const after = sortedOnCores()
      assert.deepEqual(await rowsOf(client, QUERIES[0]!), onCores)
      assert.equal(sortedOnCores(), after, 'core_sort off: the main thread sorted')
    } finally {
      await client.query('RESET nodedb.disabled_optimizers')
    }
  })

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
