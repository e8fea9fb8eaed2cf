// Invariant 5 beside the heaviest statement the cores run for one session: an ORDER BY of a whole table, sorted on
// both cores (engine/core/sort-scan.ts), merged on the main thread and streamed to the client. Method: the real
// server (2 cores) and two real `pg` connections; one sorts 200,000 rows while the other sends SELECT 1 back to back.
// Asserted by order of completion, never by time: SELECT 1s are answered before the sort's last row arrives (a main
// thread held by the merge, or starved by the cores, would answer none until the sort ended), the server's log
// shows that the cores did the sort, and the sort's rows are whole and in order. With --core-nice only the core
// threads run at a lower priority (/proc/PID/task/*/stat).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import pg from 'pg'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROW_COUNT = 200_000
const INSERT_ROWS_COUNT = 25_000
const SORT_SQL = 'SELECT hostname, time, usage_user FROM cpu ORDER BY usage_user DESC, hostname, time'

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'postgres' })
  await client.connect()
  return client
}

/** Fills rows [from, from + count): 100 hosts, one row per host every 10 s, values spread with ties. */
function insertSql(from: number, count: number): string {
  return "INSERT INTO cpu SELECT '2024-01-01'::timestamptz + (g / 100) * interval '10 seconds', 'host_' || (g % 100), " +
    `(g * 7919) % 1000 / 10.0 FROM generate_series(${from}, ${from + count - 1}) AS g`
}

describe('integration: the event loop while the cores sort (invariant 5)', function () {
  this.timeout(180_000)
  let dataDir = ''
  let server: ServerProcess | undefined
  const clients: pg.Client[] = []

  before(async function () {
    dataDir = makeTempDir('loop-stall')
    server = await startServerProcess({ dataDir, env: { NODEDB_LOG_LEVEL: 'debug' } })
    clients.push(await connect(server.pgPort), await connect(server.pgPort))
    await clients[0]!.query('CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, usage_user float8)')
    for (let from = 0; from < ROW_COUNT; from += INSERT_ROWS_COUNT) await clients[0]!.query(insertSql(from, INSERT_ROWS_COUNT))
  })

  after(async function () {
    for (const client of clients) await client.end()
    await server?.stop()
    if (dataDir !== '') removeDir(dataDir)
  })

  it('answers SELECT 1 on another connection before a sort on the cores ends', async function () {
    const [heavy, light] = clients as [pg.Client, pg.Client]
    const sortedOnCores = (): number => (server!.output().match(/core sorts a scan stream/g) ?? []).length
    const coreSortsBefore = sortedOnCores()
    let isSorted = false
    let pingsBeforeEnd = 0
    const sorting = heavy.query({ text: SORT_SQL, rowMode: 'array' }).then((result) => { isSorted = true; return result.rows as Array<[string, Date, number]> })
    while (!isSorted) {
      const { rows } = await light.query('SELECT 1 AS one')
      assert.equal(rows[0].one, 1)
      if (!isSorted) pingsBeforeEnd += 1
    }
    const rows = await sorting
    assert.ok(sortedOnCores() > coreSortsBefore, 'the cores sorted the scan (core_sort)')
    assert.equal(rows.length, ROW_COUNT)
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!]
      const order = b[2] - a[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) || a[1].getTime() - b[1].getTime()
      assert.ok(order < 0, `row ${i} out of order: ${JSON.stringify(a)} then ${JSON.stringify(b)}`)
    }
    // Tens of the sort's steps and merged batches, each a turn of the event loop; a round trip fits between two.
    assert.ok(pingsBeforeEnd >= 3, `${pingsBeforeEnd} SELECT 1 answered while the sort ran`)
  })
})

describe('integration: --core-nice lowers the cores\' priority, not the event loop\'s', function () {
  this.timeout(60_000)
  let dataDir = ''
  let server: ServerProcess | undefined

  before(async function () {
    if (process.platform !== 'linux') this.skip() // per-thread nice and /proc/PID/task are Linux's
    dataDir = makeTempDir('core-nice')
    server = await startServerProcess({ dataDir, args: ['--core-nice', '7'] })
  })

  after(async function () {
    await server?.stop()
    if (dataDir !== '') removeDir(dataDir)
  })

  it('the two core threads run at the server\'s nice + 7; the main thread and the rest keep the server\'s', async function () {
    // A row written and read back went through both cores' loops, so both threads have started.
    const client = await connect(server!.pgPort)
    await client.query('CREATE TABLE t (time timestamptz NOT NULL, v float8)')
    await client.query("INSERT INTO t VALUES ('2024-01-01', 1), ('2024-06-01', 2)")
    assert.equal((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n, 2)
    await client.end()
    const pid = server!.child.pid!
    // /proc/PID/task/TID/stat: nice is field 19 (fields counted after the command's closing parenthesis from 3).
    const niceOf = (tid: string): number => {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1')
      return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19 - 3])
    }
    const base = niceOf(String(pid))
    const nices = fs.readdirSync(`/proc/${pid}/task`).map(niceOf)
    assert.equal(nices.filter((nice) => nice === Math.min(19, base + 7)).length, 2, `threads' nice values: ${nices.join(' ')}`)
    assert.equal(nices.filter((nice) => nice === base).length, nices.length - 2, `threads' nice values: ${nices.join(' ')}`)
  })
})
