// bench/micro/pg-roundtrip-cost: `SELECT 1` round trips against nodedb alone (the pg-roundtrip scenario's four cases:
// simple and extended protocol, 1 and 16 connections), with the server's CPU time per round trip — the figure that
// does not depend on how many cores the machine lends the single event loop. `--system postgres` measures a real
// PostgreSQL the same way (CPU of the postmaster and its backends). With --prof nodedb runs under `node --cpu-prof`
// (summarize the directory with profile-summary.js).
// Run: npx tsc -p . && node dist/bench/micro/pg-roundtrip-cost.js [--round-trips 20000] [--only simple|extended]
//      [--system nodedb|postgres] [--prof PROFILE_DIR]
import { parseArgs } from 'node:util'
import pg from 'pg'
import { parentPid, treeCpuSeconds } from '../peers/process-stats.js'
import { startNodedbProcess } from '../peers/query-engines.js'
import { PROTOCOLS, roundTrips, selectOne } from '../scenarios/pg-roundtrip.js'
import { startPostgres } from '../../test/helpers/postgres.js'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'

const CONNECTION_COUNTS = [1, 16] as const
const WARM_UP_PER_CONNECTION = 200

interface Target { readonly port: number; readonly user: string; pid?: number; stop(): Promise<void> }

async function startTarget(system: string, profileDir: string | null): Promise<Target> {
  if (system === 'postgres') {
    const postgres = await startPostgres({ durable: true })
    return { port: postgres.port, user: 'postgres', stop: async () => postgres.stop() }
  }
  const dataDir = makeTempDir('roundtrip')
  const server = await startNodedbProcess(dataDir, ['--cores', '1'], profileDir)
  return {
    port: server.pgPort, user: 'bench', pid: server.child.pid,
    stop: async () => {
      await server.stop()
      removeDir(dataDir)
    },
  }
}

/** CPU seconds of the server's process tree so far (PostgreSQL: the postmaster and the backends of our clients). */
async function serverCpuSeconds(pid: number | undefined): Promise<number> {
  const seconds = await treeCpuSeconds(pid)
  if (seconds === null) throw new Error(`cannot read the CPU time of process ${String(pid)}`)
  return seconds
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'round-trips': { type: 'string', default: '20000' }, only: { type: 'string', default: '' }, prof: { type: 'string', default: '' },
      system: { type: 'string', default: 'nodedb' },
    },
  })
  const protocols = PROTOCOLS.filter((protocol) => values.only === '' || values.only === protocol)
  const total = Number(values['round-trips'])
  const target = await startTarget(values.system, values.prof === '' ? null : values.prof)
  const clients = await Promise.all(Array.from({ length: Math.max(...CONNECTION_COUNTS) }, async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: target.port, user: target.user, database: 'postgres' })
    await client.connect()
    return client
  }))
  try {
    if (target.pid === undefined) {
      const backend = Number((await clients[0]!.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)
      target.pid = await parentPid(backend)
    }
    for (const protocol of protocols) {
      await Promise.all(clients.map(async (client) => {
        for (let i = 0; i < WARM_UP_PER_CONNECTION; i++) await selectOne(client, protocol)
      }))
      for (const connections of CONNECTION_COUNTS) {
        const cpuBefore = await serverCpuSeconds(target.pid)
        const rate = await roundTrips(clients.slice(0, connections), protocol, total)
        const cpuUs = ((await serverCpuSeconds(target.pid)) - cpuBefore) * 1_000_000 / total
        process.stdout.write(`${values.system} select1-${protocol}-${connections}conn`.padEnd(34) +
          `${Math.round(rate).toString().padStart(7)} round trips/s  server CPU ${cpuUs.toFixed(1).padStart(6)} µs/round trip\n`)
      }
    }
  } finally {
    await Promise.all(clients.map((client) => client.end()))
    await target.stop()
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
