// bench/micro/ilp-ingest-passes: ILP ingest CPU per row of a fresh server's first pass against its later ones, by
// thread. ilp-ingest-cost times one load on a fresh server, so its figures include the JIT warm-up of four isolates
// (TurboFan compiling on V8's platform threads); the later passes show the steady state. Each pass writes its own
// measurement (cpu0, cpu1, ...), the same TSBS-like rows, and ends when every row is queryable. The server starts
// through bin/nodedb, so node and V8 flags to try go in NODEDB_NODE_FLAGS and malloc's in MALLOC_*.
// Run: npx tsc -p . && [NODEDB_NODE_FLAGS=...] node dist/bench/micro/ilp-ingest-passes.js [--passes 3]
//      [--rows 400000] [--writers 2] [--batch 5000] [--transport http|tcp]
import { parseArgs } from 'node:util'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { nodedbEngine, rssOf, startNodedbProcess } from '../peers/query-engines.js'
import { ilpBodies, postAll, sendShare } from '../scenarios/ilp-ingest.js'
import { cpuByThread } from './thread-cpu.js'

const WRITE_PATH = '/api/v2/write?org=bench&bucket=bench&precision=ns'

/** CPU s per M rows by part: the event loop, the parse worker (the unnamed thread that grew most), the cores, the rest (V8's platform threads, libuv's). */
function parts(before: Map<string, number>, after: Map<string, number>, rows: number): Record<string, number> {
  const spent = new Map([...after].map(([name, s]) => [name, (s - (before.get(name) ?? 0)) / (rows / 1e6)]))
  const unnamed = [...spent].filter(([name]) => name.startsWith('thread ')).sort((a, b) => b[1] - a[1])
  const parse = unnamed[0]?.[0]
  const sum = { main: 0, parse: 0, cores: 0, rest: 0 }
  for (const [name, s] of spent) {
    if (name === 'main') sum.main += s
    else if (name === parse) sum.parse += s
    else if (name.startsWith('nodedb-core')) sum.cores += s
    else sum.rest += s
  }
  return sum
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      passes: { type: 'string', default: '3' }, rows: { type: 'string', default: '400000' },
      writers: { type: 'string', default: '2' }, batch: { type: 'string', default: '5000' },
      transport: { type: 'string', default: 'http' },
    },
  })
  const rows = Number(values.rows)
  const writers = Number(values.writers)
  const dataDir = makeTempDir('ingest-passes')
  const server = await startNodedbProcess(dataDir, ['--memtable-mb', '64', '--cores', '2'], null)
  const engine = await nodedbEngine(server)
  const pid = server.child.pid!
  try {
    for (let pass = 0; pass < Number(values.passes); pass++) {
      const measurement = `cpu${pass}`
      const bodies = ilpBodies(measurement, rows, 100, Number(values.batch))
      const before = await cpuByThread(pid)
      if (values.transport === 'tcp') {
        await Promise.all(Array.from({ length: writers }, (_, w) => sendShare(server.ilpPort, bodies.filter((_, i) => i % writers === w))))
      } else {
        await postAll({ httpPort: server.httpPort, httpWritePath: WRITE_PATH }, bodies, writers)
      }
      const count = async (): Promise<number> => Number((await engine.query(`SELECT count(usage_user) FROM ${measurement}`))[0]![0])
      while (await count() < rows) await new Promise((resolve) => setTimeout(resolve, 50))
      const byPart = parts(before, await cpuByThread(pid), rows)
      const total = Object.values(byPart).reduce((a, b) => a + b, 0)
      const shown = Object.entries(byPart).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(', ')
      process.stdout.write(`pass ${pass} ${values.transport}: cpu ${total.toFixed(2)} s/Mrow (${shown})  rss ${((await rssOf(pid))! / 2 ** 20).toFixed(0)} MiB\n`)
    }
  } finally {
    await engine.stop()
    removeDir(dataDir)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1 })
