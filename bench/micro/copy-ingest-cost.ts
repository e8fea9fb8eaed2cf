// bench/micro/copy-ingest-cost: what COPY FROM costs nodedb, per thread: server CPU seconds per million rows (user +
// system, from /proc) for the bench's copy-ingest load (TSBS cpu rows in COPY text, `writers` concurrent COPYs of
// 64 KiB CopyData), RSS after, and rows/s (only meaningful as a ratio within one run on a shared box).
// Run: npx tsc -p . && node dist/bench/micro/copy-ingest-cost.js [--rows 200000] [--hosts 100] [--writers 4]
//      [--runs 1] [--prof DIR] [--idle-s 0] [--warmup-rows 0] (--prof: the server under `node --cpu-prof`; summarize with
//      dist/bench/profile-summary.js; --idle-s: RSS again after that many idle seconds, past the parse worker's idle exit;
//      --warmup-rows: first an untimed load of that many rows into a table of its own, as the bench's copy-ingest warms up)
import { parseArgs } from 'node:util'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { copyIn } from '../../test/helpers/copy-client.js'
import { pgClient, rssOf, startNodedbProcess } from '../peers/query-engines.js'
import { copyTextChunks } from '../scenarios/copy-ingest.js'
import { CREATE_CPU_SQL, cpuRows } from '../tsbs.js'
import { rssBreakdown } from './rss-breakdown.js'
import { cpuByThread, cpuSecondsOf, threadShares } from './thread-cpu.js'

/** Loads `shares` into a new table `table` untimed, one COPY per share at once. */
async function load(port: number, table: string, shares: ReadonlyArray<Buffer[]>): Promise<void> {
  const setup = await pgClient(port, 'bench')
  await setup.query(CREATE_CPU_SQL.replace('CREATE TABLE cpu ', `CREATE TABLE ${table} `))
  const clients = await Promise.all(shares.map(() => pgClient(port, 'bench')))
  await Promise.all(shares.map((chunks, w) => copyIn(clients[w]!, `COPY ${table} FROM STDIN`, chunks)))
  await Promise.all([setup, ...clients].map((client) => client.end()))
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' },
      writers: { type: 'string', default: '4' }, runs: { type: 'string', default: '1' }, prof: { type: 'string', default: '' },
      'idle-s': { type: 'string', default: '0' }, 'warmup-rows': { type: 'string', default: '0' },
    },
  })
  const rows = [...cpuRows(Number(values.rows), Number(values.hosts))]
  const writers = Number(values.writers)
  const per = Math.ceil(rows.length / writers)
  const shares = Array.from({ length: writers }, (_, w) => copyTextChunks(rows.slice(w * per, (w + 1) * per)))
  const warmupRows = rows.slice(0, Number(values['warmup-rows']))
  const warmupPer = Math.ceil(warmupRows.length / writers)
  const warmupShares = Array.from({ length: writers }, (_, w) => copyTextChunks(warmupRows.slice(w * warmupPer, (w + 1) * warmupPer)))
  const dataDir = makeTempDir('copy-cost')
  const server = await startNodedbProcess(dataDir, [], values.prof === '' ? null : values.prof)
  const pid = server.child.pid!
  try {
    if (warmupRows.length > 0) await load(server.pgPort, 'cpu_copy_warmup', warmupShares)
    for (let run = 0; run < Number(values.runs); run++) {
      const setup = await pgClient(server.pgPort, 'bench')
      const table = `cpu_copy_${run}`
      await setup.query(CREATE_CPU_SQL.replace('CREATE TABLE cpu ', `CREATE TABLE ${table} `))
      const clients = await Promise.all(shares.map(() => pgClient(server.pgPort, 'bench')))
      const cpuBefore = await cpuSecondsOf(pid)
      const threadsBefore = await cpuByThread(pid)
      const started = performance.now()
      await Promise.all(shares.map((chunks, w) => copyIn(clients[w]!, `COPY ${table} FROM STDIN`, chunks)))
      const seconds = (performance.now() - started) / 1000
      const cpu = await cpuSecondsOf(pid) - cpuBefore
      const threads = threadShares(threadsBefore, await cpuByThread(pid), rows.length)
      await Promise.all(clients.map((client) => client.end()))
      const visible = Number((await setup.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
      await setup.end()
      const rss = (await rssOf(pid))! / 2 ** 20
      process.stdout.write(`run ${run}: ${(rows.length / seconds).toFixed(0)} rows/s  cpu ${(cpu / (rows.length / 1e6)).toFixed(2)} s/Mrow  ` +
        `rss ${rss.toFixed(0)} MiB  visible ${visible}\n    threads (s/Mrow): ${threads}\n    RSS (MiB): ${await rssBreakdown(pid)}\n`)
    }
    const idleSeconds = Number(values['idle-s'])
    if (idleSeconds > 0) {
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
      const rss = (await rssOf(pid))! / 2 ** 20
      process.stdout.write(`after ${idleSeconds} s idle: rss ${rss.toFixed(0)} MiB\n    RSS (MiB): ${await rssBreakdown(pid)}\n`)
    }
  } finally {
    await server.stop()
    removeDir(dataDir)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1 })
