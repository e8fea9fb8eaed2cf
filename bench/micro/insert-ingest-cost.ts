// bench/micro/insert-ingest-cost: what a multi-row INSERT costs nodedb, per thread: server CPU seconds per million rows
// (user + system, from /proc) for the bench's sql-insert-ingest load (TSBS cpu rows as `INSERT INTO cpu VALUES (…),…`
// of `batch` rows, `writers` connections), RSS after, and rows/s (only meaningful as a ratio within one run).
// Run: npx tsc -p . && node dist/bench/micro/insert-ingest-cost.js [--rows 200000] [--hosts 100] [--writers 4]
//      [--batch 1000] [--runs 1] [--prof DIR] (--prof: the server under `node --cpu-prof`; dist/bench/profile-summary.js)
import { parseArgs } from 'node:util'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { pgClient, rssOf, startNodedbProcess } from '../peers/query-engines.js'
import { CREATE_CPU_SQL, cpuRows, insertStatements } from '../tsbs.js'
import { cpuByThread, cpuSecondsOf, threadShares } from './thread-cpu.js'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' }, batch: { type: 'string', default: '1000' },
      writers: { type: 'string', default: '4' }, runs: { type: 'string', default: '1' }, prof: { type: 'string', default: '' },
    },
  })
  const rowCount = Number(values.rows)
  const dataDir = makeTempDir('insert-cost')
  const server = await startNodedbProcess(dataDir, [], values.prof === '' ? null : values.prof)
  const pid = server.child.pid!
  try {
    for (let run = 0; run < Number(values.runs); run++) {
      const table = `cpu_insert_${run}`
      const statements = insertStatements(cpuRows(rowCount, Number(values.hosts)), Number(values.batch))
        .map((text) => text.replace('INSERT INTO cpu ', `INSERT INTO ${table} `))
      const setup = await pgClient(server.pgPort, 'bench')
      await setup.query(CREATE_CPU_SQL.replace('CREATE TABLE cpu ', `CREATE TABLE ${table} `))
      const clients = await Promise.all(Array.from({ length: Number(values.writers) }, () => pgClient(server.pgPort, 'bench')))
      const cpuBefore = await cpuSecondsOf(pid)
      const threadsBefore = await cpuByThread(pid)
      const started = performance.now()
      let next = 0
      await Promise.all(clients.map(async (client) => {
        for (let i = next++; i < statements.length; i = next++) await client.query(statements[i]!)
      }))
      const seconds = (performance.now() - started) / 1000
      const cpu = await cpuSecondsOf(pid) - cpuBefore
      const threads = threadShares(threadsBefore, await cpuByThread(pid), rowCount)
      await Promise.all(clients.map((client) => client.end()))
      const visible = Number((await setup.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
      await setup.end()
      const rss = (await rssOf(pid))! / 2 ** 20
      process.stdout.write(`run ${run}: ${(rowCount / seconds).toFixed(0)} rows/s  cpu ${(cpu / (rowCount / 1e6)).toFixed(2)} s/Mrow  ` +
        `rss ${rss.toFixed(0)} MiB  visible ${visible}\n    threads (s/Mrow): ${threads}\n`)
    }
  } finally {
    await server.stop()
    removeDir(dataDir)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1 })
