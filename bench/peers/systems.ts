// bench/peers/systems: starts nodedb (the built server, as a user runs it) and each available peer on loopback with
// a fresh data dir; each answers the pg wire protocol. A peer that cannot start is reported and left out.
import { startPostgres } from '../../test/helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js'

export interface RunningSystem {
  readonly name: 'nodedb' | 'postgres'
  readonly port: number
  readonly user: string
  /** SQL for `avg(usage_user)` per 1-hour bucket over the whole table, in this system's dialect. */
  readonly hourlyAvgSql: string
  readonly dataDir: string | null
  /** nodedb only: kill -9 and start again on the same data dir; resolves with ms until ready. */
  restart?(): Promise<number>
  stop(): Promise<void>
}

async function startNodedb(): Promise<RunningSystem> {
  const dataDir = makeTempDir('bench')
  let server: ServerProcess = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
  const system = {
    name: 'nodedb' as const,
    get port() { return server.pgPort },
    user: 'bench',
    hourlyAvgSql: "SELECT time_bucket('1 hour', time) AS hour, avg(usage_user) FROM cpu GROUP BY hour ORDER BY hour",
    dataDir,
    restart: async () => {
      await server.kill()
      const started = performance.now()
      server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
      return performance.now() - started
    },
    stop: async () => {
      await server.stop()
      removeDir(dataDir)
    },
  }
  return system
}

async function startPeerPostgres(): Promise<RunningSystem> {
  const pg = await startPostgres({ durable: true })
  return {
    name: 'postgres', port: pg.port, user: 'postgres', dataDir: null,
    hourlyAvgSql: "SELECT date_bin('1 hour', time, '2000-01-01') AS hour, avg(usage_user) FROM cpu GROUP BY hour ORDER BY hour",
    stop: async () => pg.stop(),
  }
}

export async function startSystems(): Promise<RunningSystem[]> {
  const systems: RunningSystem[] = [await startNodedb()]
  try {
    systems.push(await startPeerPostgres())
  } catch (error: unknown) {
    process.stdout.write(`peer postgres unavailable: ${error instanceof Error ? error.message : String(error)}\n`)
  }
  return systems
}
