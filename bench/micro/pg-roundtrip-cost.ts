// bench/micro/pg-roundtrip-cost: `SELECT 1` round trips against nodedb alone (the pg-roundtrip scenario's four cases:
// simple and extended protocol, 1 and 16 connections), with the server's CPU time per round trip — the figure that
// does not depend on how many cores the machine lends the single event loop. With --prof the server runs under
// `node --cpu-prof` (summarize the directory with profile-summary.js).
// Run: npx tsc -p . && node dist/bench/micro/pg-roundtrip-cost.js [--round-trips 20000] [--prof PROFILE_DIR]
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { startNodedbProcess } from '../peers/query-engines.js'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'

const CONNECTION_COUNTS = [1, 16] as const
const PROTOCOLS = ['simple', 'extended'] as const
const WARM_UP_PER_CONNECTION = 200

type Protocol = (typeof PROTOCOLS)[number]

function selectOne(client: pg.Client, protocol: Protocol): Promise<unknown> {
  return protocol === 'simple' ? client.query('SELECT 1') : client.query({ text: 'SELECT 1', queryMode: 'extended' } as pg.QueryConfig)
}

/** User+system CPU milliseconds of a process so far, from /proc (Linux). */
async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

async function roundTrips(clients: ReadonlyArray<pg.Client>, protocol: Protocol, total: number): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(clients.map(async (client) => {
    while (next++ < total) await selectOne(client, protocol)
  }))
  return total / ((performance.now() - started) / 1000)
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'round-trips': { type: 'string', default: '20000' }, prof: { type: 'string', default: '' } } })
  const total = Number(values['round-trips'])
  const dataDir = makeTempDir('roundtrip')
  const server = await startNodedbProcess(dataDir, ['--cores', '1'], values.prof === '' ? null : values.prof)
  const pid = server.child.pid!
  const clients = await Promise.all(Array.from({ length: Math.max(...CONNECTION_COUNTS) }, async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'bench', database: 'bench' })
    await client.connect()
    return client
  }))
  try {
    for (const protocol of PROTOCOLS) {
      await Promise.all(clients.map(async (client) => {
        for (let i = 0; i < WARM_UP_PER_CONNECTION; i++) await selectOne(client, protocol)
      }))
      for (const connections of CONNECTION_COUNTS) {
        const cpuBefore = await cpuMsOf(pid)
        const rate = await roundTrips(clients.slice(0, connections), protocol, total)
        const cpuUs = ((await cpuMsOf(pid)) - cpuBefore) * 1000 / total
        process.stdout.write(`select1-${protocol}-${connections}conn`.padEnd(26) +
          `${Math.round(rate).toString().padStart(7)} round trips/s  server CPU ${cpuUs.toFixed(1).padStart(6)} µs/round trip\n`)
      }
    }
  } finally {
    await Promise.all(clients.map((client) => client.end()))
    await server.stop()
    removeDir(dataDir)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
