// bench/micro/ilp-ingest-cost: what ILP ingest costs each system, in figures that do not depend on the core count or on
// the other load of a shared machine: server CPU seconds per million rows (user + system, every thread), RSS after
// ingest, bytes on disk right after ingest and once flushed (nodedb: CHECKPOINT; VictoriaMetrics: force_flush), and the
// CPU that flush took (nodedb: encoding the memtables into segments; VictoriaMetrics' includes a fixed 5 s wait).
// Rows/s is printed too, but on a shared 2-core box only ratios within one run mean anything.
// Run: npx tsc -p . && node dist/bench/micro/ilp-ingest-cost.js [--rows 400000] [--hosts 100] [--writers 2]
//      [--batch 5000] [--transport tcp|http] [--systems nodedb,victoriametrics,influxdb] [--prof DIR] [--warmup ROWS]
//      (--warmup: ROWS ingested untimed into a measurement of their own first, as the bench's warm-up: steady state)
//      (--prof: nodedb under `node --cpu-prof`; summarize with dist/bench/profile-summary.js DIR)
// Each system's RSS right after ingest and once settled is also broken down by kind of mapping (rss-breakdown.ts).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { startInfluxdb, startVictoriaMetrics, type IlpPeer } from '../peers/ilp-peers.js'
import { nodedbEngine, rssOf, startNodedbProcess } from '../peers/query-engines.js'
import { ilpBodies, postAll, sendShare } from '../scenarios/ilp-ingest.js'
import { cpuByThread, cpuSecondsOf, threadShares } from './thread-cpu.js'
import { rssBreakdown } from './rss-breakdown.js'

interface Target {
  readonly name: string
  readonly pid: number
  readonly dataDir: string
  readonly httpPort: number
  readonly httpWritePath: string
  readonly tcpPort: number | null
  countRows(measurement: string): Promise<number>
  /** Makes the system write what it holds in memory (a checkpoint), then resolves. */
  settle(): Promise<void>
  stop(): Promise<void>
}

/** Bytes under `dir`; a file a flush renames away while du walks makes du exit 1 after printing the total anyway. */
function duBytes(dir: string): number {
  let out: string
  try {
    out = execFileSync('du', ['-sb', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch (error: unknown) {
    out = String((error as { stdout?: unknown }).stdout ?? '')
  }
  return Number(out.split('\t')[0])
}

async function nodedbTarget(prof: string | null): Promise<Target> {
  const dataDir = makeTempDir('ingest-cost')
  const server = await startNodedbProcess(dataDir, ['--memtable-mb', process.env.MEMTABLE_MB ?? '64', '--cores', '2'], prof)
  const engine = await nodedbEngine(server)
  return {
    name: 'nodedb', pid: server.child.pid!, dataDir, httpPort: server.httpPort,
    httpWritePath: '/api/v2/write?org=bench&bucket=bench&precision=ns', tcpPort: server.ilpPort,
    countRows: async (m) => Number((await engine.query(`SELECT count(usage_user) FROM ${m}`).catch(() => [[0]]))[0]![0]),
    settle: async () => { await engine.query('CHECKPOINT') },
    stop: async () => { await engine.stop(); removeDir(dataDir) },
  }
}

async function peerTarget(peer: IlpPeer): Promise<Target> {
  const cmdline = (await fs.promises.readFile(`/proc/${peer.pid!}/cmdline`, 'utf8')).split('\0')
  const storage = cmdline.find((arg) => arg.startsWith('-storageDataPath='))?.slice('-storageDataPath='.length)
  const config = cmdline[cmdline.indexOf('-config') + 1] ?? ''
  const dataDir = storage ?? config.replace(/\/influxdb\.conf$/, '')
  return {
    name: peer.name, pid: peer.pid!, dataDir, httpPort: peer.httpPort, httpWritePath: peer.httpWritePath, tcpPort: peer.tcpPort,
    countRows: (m) => peer.countRows(m, 'usage_user'),
    settle: async () => {
      if (peer.name === 'victoriametrics') await fetch(`http://127.0.0.1:${peer.httpPort}/internal/force_flush`)
      await new Promise((resolve) => setTimeout(resolve, 5000))
    },
    stop: () => peer.stop(),
  }
}

async function send(target: Target, bodies: ReadonlyArray<Buffer>, transport: string, writers: number): Promise<void> {
  if (transport === 'tcp') {
    await Promise.all(Array.from({ length: writers }, (_, w) => sendShare(target.tcpPort!, bodies.filter((_, i) => i % writers === w))))
  } else {
    await postAll({ httpPort: target.httpPort, httpWritePath: target.httpWritePath }, bodies, writers)
  }
}

/** `bodies` ingested untimed into a measurement of their own, as the bench warms up each system (JIT, caches). */
async function warmUp(target: Target, bodies: ReadonlyArray<Buffer>, transport: string, writers: number, rows: number): Promise<void> {
  if (rows === 0) return
  await send(target, bodies, transport, writers)
  while (await target.countRows('warm') < rows) await new Promise((resolve) => setTimeout(resolve, 50))
}

async function measure(target: Target, bodies: Buffer[], transport: string, writers: number, rows: number): Promise<string> {
  const measurement = 'cpu'
  if (transport === 'tcp' && target.tcpPort === null) return `${target.name}: no ILP TCP`
  const cpuBefore = await cpuSecondsOf(target.pid)
  const threadsBefore = await cpuByThread(target.pid)
  const started = performance.now()
  await send(target, bodies, transport, writers)
  while (await target.countRows(measurement) < rows) await new Promise((resolve) => setTimeout(resolve, 50))
  const seconds = (performance.now() - started) / 1000
  const cpu = await cpuSecondsOf(target.pid) - cpuBefore
  const threads = threadShares(threadsBefore, await cpuByThread(target.pid), rows)
  const rss = (await rssOf(target.pid))! / 2 ** 20
  const memoryAfter = await rssBreakdown(target.pid)
  const diskAfter = duBytes(target.dataDir) / 2 ** 20
  const cpuBeforeSettle = await cpuSecondsOf(target.pid)
  await target.settle()
  const settleCpu = await cpuSecondsOf(target.pid) - cpuBeforeSettle
  const diskSettled = duBytes(target.dataDir) / 2 ** 20
  const rssSettled = (await rssOf(target.pid))! / 2 ** 20
  const memorySettled = await rssBreakdown(target.pid)
  return `${target.name.padEnd(16)} ${transport} ${(rows / seconds).toFixed(0).padStart(8)} rows/s  ` +
    `cpu ${(cpu / (rows / 1e6)).toFixed(2).padStart(6)} s/Mrow  rss ${rss.toFixed(0).padStart(5)} MiB ` +
    `(settled ${rssSettled.toFixed(0)})  settle cpu ${(settleCpu / (rows / 1e6)).toFixed(2)} s/Mrow  disk ${diskAfter.toFixed(1)} MiB, settled ${diskSettled.toFixed(1)} MiB\n    threads (s/Mrow): ${threads}` +
    `\n    RSS after ingest (MiB): ${memoryAfter}\n    RSS settled (MiB): ${memorySettled}`
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '400000' }, hosts: { type: 'string', default: '100' },
      writers: { type: 'string', default: '2' }, batch: { type: 'string', default: '5000' },
      transport: { type: 'string', default: 'tcp' }, systems: { type: 'string', default: 'nodedb,victoriametrics' },
      prof: { type: 'string', default: '' }, warmup: { type: 'string', default: '0' },
    },
  })
  const rows = Number(values.rows)
  const bodies = ilpBodies('cpu', rows, Number(values.hosts), Number(values.batch))
  const warmRows = Number(values.warmup)
  const warmBodies = warmRows === 0 ? [] : ilpBodies('warm', warmRows, Number(values.hosts), Number(values.batch))
  for (const name of values.systems.split(',')) {
    const target = name === 'nodedb' ? await nodedbTarget(values.prof === '' ? null : values.prof)
      : await peerTarget(name === 'influxdb' ? await startInfluxdb() : await startVictoriaMetrics())
    try {
      await warmUp(target, warmBodies, values.transport, Number(values.writers), warmRows)
      process.stdout.write(`${await measure(target, bodies, values.transport, Number(values.writers), rows)}\n`)
    } finally {
      await target.stop()
    }
  }
}

main().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1 })
