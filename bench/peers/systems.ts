// bench/peers/systems: starts nodedb (the built server, as a user runs it) and each available peer on loopback with
// a fresh data dir; each answers the pg wire protocol. A peer that cannot start is returned as skipped, with why.
import pg from 'pg'
import { startPostgres } from '../../test/helpers/postgres.js'
import { startInfluxdb, startVictoriaMetrics, type IlpPeer } from './ilp-peers.js'
import { parentPid } from './process-stats.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js'

/** A pg client connected to `system` (every system the bench starts answers the pg wire protocol). */
export async function connectPg(system: RunningSystem): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: system.port, user: system.user, database: 'postgres' })
  await client.connect()
  return client
}

/** The systems a user would pick instead of nodedb, as `--peers` names them. */
export const PEER_NAMES = ['postgres', 'influxdb', 'victoriametrics', 'clickhouse', 'duckdb'] as const
export type PeerName = (typeof PEER_NAMES)[number]

/** Where a system takes InfluxDB line protocol (nodedb and the ILP peers). */
export interface IlpEndpoint {
  readonly httpPort: number
  readonly httpWritePath: string
  readonly tcpPort: number | null
  /** Rows of `measurement` visible to queries (counting `field`). */
  countRows(measurement: string, field: string): Promise<number>
}

export interface RunningSystem {
  readonly name: 'nodedb' | 'postgres' | 'influxdb' | 'victoriametrics'
  /** The pg wire port (the HTTP port for the ILP-only peers). */
  readonly port: number
  readonly user: string
  /** SQL for `avg(usage_user)` per 1-hour bucket over the whole table, in this system's dialect. */
  readonly hourlyAvgSql: string
  readonly dataDir: string | null
  /** The server's root process: its tree's CPU time is what the system's work costs. */
  readonly pid: number | undefined
  readonly ilp?: IlpEndpoint
  /** nodedb only: kill -9 and start again on the same data dir; resolves with ms until ready. */
  restart?(): Promise<number>
  stop(): Promise<void>
}

async function startNodedb(): Promise<RunningSystem> {
  const dataDir = makeTempDir('bench')
  let server: ServerProcess = await startServerProcess({ dataDir, args: ['--memtable-mb', '64'] })
  const system = {
    name: 'nodedb' as const,
    get port() { return server.pgPort },
    user: 'bench',
    hourlyAvgSql: "SELECT time_bucket('1 hour', time) AS hour, avg(usage_user) FROM cpu GROUP BY hour ORDER BY hour",
    dataDir,
    get pid() { return server.child.pid },
    ilp: {
      get httpPort() { return server.httpPort },
      httpWritePath: '/api/v2/write?org=bench&bucket=bench&precision=ns',
      get tcpPort() { return server.ilpPort },
      countRows: async (measurement: string, field: string) => {
        const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'bench', database: 'bench' })
        await client.connect()
        try {
          return Number((await client.query(`SELECT count(${field}) AS n FROM ${measurement}`)).rows[0].n)
        } catch {
          return 0 // the table does not exist yet
        } finally {
          await client.end()
        }
      },
    },
    restart: async () => {
      await server.kill()
      const started = performance.now()
      server = await startServerProcess({ dataDir, args: ['--memtable-mb', '64'] })
      return performance.now() - started
    },
    stop: async () => {
      await server.stop()
      removeDir(dataDir)
    },
  }
  return system
}

/** The postmaster's pid: the parent of a backend. */
async function postmasterPid(system: RunningSystem): Promise<number | undefined> {
  const client = await connectPg(system)
  try {
    const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)
    return await parentPid(backend)
  } finally {
    await client.end()
  }
}

async function startPeerPostgres(): Promise<RunningSystem> {
  const pg = await startPostgres({ durable: true })
  const system: RunningSystem = {
    name: 'postgres', port: pg.port, user: 'postgres', dataDir: null, pid: undefined,
    hourlyAvgSql: "SELECT date_bin('1 hour', time, '2000-01-01') AS hour, avg(usage_user) FROM cpu GROUP BY hour ORDER BY hour",
    stop: async () => pg.stop(),
  }
  return { ...system, pid: await postmasterPid(system) }
}

function ilpPeerSystem(peer: IlpPeer): RunningSystem {
  return { name: peer.name, port: peer.httpPort, user: '', hourlyAvgSql: '', dataDir: null, pid: peer.pid, ilp: peer, stop: () => peer.stop() }
}

/** nodedb and each of `chosen` that starts (those that run shared scenarios); `skipped` says which did not and why. */
export async function startSystems(chosen: ReadonlyArray<PeerName>): Promise<{ systems: RunningSystem[]; skipped: Array<[string, string]> }> {
  const systems: RunningSystem[] = [await startNodedb()]
  const skipped: Array<[string, string]> = []
  const all: Array<[PeerName, () => Promise<RunningSystem>]> = [
    ['postgres', startPeerPostgres],
    ['influxdb', async () => ilpPeerSystem(await startInfluxdb())],
    ['victoriametrics', async () => ilpPeerSystem(await startVictoriaMetrics())],
  ]
  for (const [name, start] of all.filter(([peer]) => chosen.includes(peer))) {
    try {
      systems.push(await start())
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error)
      process.stdout.write(`peer ${name} unavailable: ${reason}\n`)
      skipped.push([name, `skipped: ${reason}`.slice(0, 200)])
    }
  }
  return { systems, skipped }
}
