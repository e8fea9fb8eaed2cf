// bench/micro/line-sender-cost: what the bench's own line-protocol sender costs, by client: the global fetch (undici,
// the bench's sender until session 14), node:http with a kept-alive Agent (one socket per sender), and
// bench/line-sender's socket client; `main` is fetch without reading ahead, the bench's sender before. tsbs/load's shape: bodies of 5,000 lines read from a file written before, two
// senders, each POST acknowledged before the sender's next. Per load: rows/s, the bench process's CPU per M rows
// (process.cpuUsage around the load), the server's (its process tree), and the client gap per body (the sender's
// answer → its next body handed to its client). Clients alternate within each round, each load into a measurement
// of its own.
// Run: npx tsc -p . && node dist/bench/micro/line-sender-cost.js [--rows 400000] [--hosts 100] [--batch 5000]
//      [--rounds 3] [--senders 2] [--clients main,fetch,http,socket] [--systems nodedb,victoriametrics,influxdb]
import http from 'node:http'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { newStats, noteSent, postBodies, type Poster, type PosterOf, type SendStats } from '../line-sender.js'
import { startInfluxdb, startVictoriaMetrics } from '../peers/ilp-peers.js'
import { treeCpuSeconds } from '../peers/process-stats.js'
import { startNodedbProcess } from '../peers/query-engines.js'
import { INTERVAL_MS, cpuRows } from '../tsbs.js'
import { sendLineFile, writeLoadFiles, type LineFile, type NextBody } from '../tsbs-files.js'

const failed = async (status: number, text: string): Promise<never> => {
  throw new Error(`line-protocol write answered ${status}: ${text.slice(0, 300)}`)
}

const fetchPoster: PosterOf = (url, stats) => {
  let answeredAt = -1
  return {
    async post(body) {
      noteSent(stats, answeredAt)
      const response = await fetch(url, { method: 'POST', body })
      answeredAt = performance.now()
      if (response.status !== 204) await failed(response.status, await response.text())
    },
    close() {},
  }
}

const httpPoster: PosterOf = (url, stats) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  let answeredAt = -1
  const post = (body: Buffer | string): Promise<void> => new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        answeredAt = performance.now()
        if (response.statusCode === 204) resolve()
        else failed(response.statusCode ?? 0, Buffer.concat(chunks).toString()).catch(reject)
      })
    })
    request.on('error', reject)
    noteSent(stats, answeredAt)
    request.end(body)
  })
  return { post, close: () => agent.destroy() } satisfies Poster
}

const CLIENTS: Record<string, PosterOf | undefined> = { fetch: fetchPoster, http: httpPoster }

/** The bench's sender before session 14 (client `main`): fetch, and each body read only once the last is answered. */
async function mainPostBodies(url: string, next: NextBody, senders: number): Promise<SendStats> {
  const stats = newStats()
  await Promise.all(Array.from({ length: senders }, async () => {
    const poster = fetchPoster(new URL(url), stats)
    for (let body = await next(); body !== undefined; body = await next()) await poster.post(body)
  }))
  return stats
}

interface Target { readonly name: string; readonly pid: number | undefined; readonly url: string; stop(): Promise<void> }

async function startTarget(name: string): Promise<Target> {
  if (name === 'nodedb') {
    const dataDir = makeTempDir('line-sender-cost')
    const server = await startNodedbProcess(dataDir, ['--memtable-mb', '4096'], null)
    return {
      name, pid: server.child.pid, url: `http://127.0.0.1:${server.httpPort}/api/v2/write?org=bench&bucket=bench&precision=ns`,
      stop: async () => { await server.stop(); removeDir(dataDir) },
    }
  }
  const peer = name === 'influxdb' ? await startInfluxdb() : await startVictoriaMetrics()
  return { name, pid: peer.pid, url: `http://127.0.0.1:${peer.httpPort}${peer.httpWritePath}`, stop: () => peer.stop() }
}

const gapText = (stats: SendStats): string =>
  `${(stats.gapMsTotal / Math.max(1, stats.bodies - 2)).toFixed(2)} ms mean, ${stats.gapMsMax.toFixed(1)} max`

/** One load of `file` by `client`: its line of figures. */
async function load(target: Target, file: LineFile, rows: number, client: string, senders: number): Promise<string> {
  const serverBefore = await treeCpuSeconds(target.pid)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const stats = await sendLineFile(file, (next) => client === 'main' ? mainPostBodies(target.url, next, senders)
    : postBodies(target.url, next, senders, CLIENTS[client]))
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const server = (await treeCpuSeconds(target.pid) ?? 0) - (serverBefore ?? 0)
  const perM = (s: number): string => (s / (rows / 1e6)).toFixed(2).padStart(5)
  return `${target.name.padEnd(15)} ${client.padEnd(6)} ${(rows / seconds).toFixed(0).padStart(7)} rows/s  client ${perM((cpu.user + cpu.system) / 1e6)} ` +
    `CPU s/M rows  server ${perM(server)}  gap ${gapText(stats)}`
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '400000' }, hosts: { type: 'string', default: '100' }, batch: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' }, senders: { type: 'string', default: '2' },
      clients: { type: 'string', default: 'main,fetch,http,socket' }, systems: { type: 'string', default: 'nodedb,victoriametrics,influxdb' },
    },
  })
  const [rows, hosts, batch, rounds, senders] = [values.rows, values.hosts, values.batch, values.rounds, values.senders].map(Number) as [number, number, number, number, number]
  const clients = values.clients.split(',')
  const dir = makeTempDir('line-sender-cost-files')
  try {
    const startMs = Date.now() - Math.ceil(rows / hosts) * INTERVAL_MS * (rounds * clients.length + 1) - 60_000
    const fileOf = (name: string, seed: number, count: number): Promise<LineFile> =>
      writeLoadFiles(cpuRows(count, hosts, seed, startMs), '/dev/null', path.join(dir, `${name}.lp`), batch, name)
    const warm = await fileOf('warm', 99, Math.max(batch, rows / 4))
    const files = new Map<string, LineFile>()
    for (let r = 0; r < rounds; r++) for (const client of clients) files.set(`${client}${r}`, await fileOf(`cpu_${client}${r}`, r + 1, rows))
    for (const system of values.systems.split(',')) {
      const target = await startTarget(system)
      try {
        await sendLineFile(warm, (next) => postBodies(target.url, next, senders))
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? clients : [...clients].reverse()
          for (const client of order) process.stdout.write(`${await load(target, files.get(`${client}${r}`)!, rows, client, senders)}\n`)
        }
      } finally {
        await target.stop()
      }
    }
  } finally {
    removeDir(dir)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
