// test/clients/oracle-pair: the built nodedb server process and a throwaway real PostgreSQL 15 side by side, for the
// client suites that run one client against both and compare what it gets (issue 9).
import assert from 'node:assert/strict'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

export interface OraclePair {
  readonly server: ServerProcess
  readonly postgres: Postgres
  /** Stops both (the server must exit 0) and removes nodedb's data directory. */
  stop(): Promise<void>
}

export async function startOraclePair(prefix: string): Promise<OraclePair> {
  const dataDir = makeTempDir(prefix)
  const server = await startServerProcess({ dataDir })
  const postgres = await startPostgres()
  return {
    server, postgres,
    stop: async () => {
      postgres.stop()
      assert.equal(await server.stop(), 0, server.output())
      removeDir(dataDir)
    },
  }
}
