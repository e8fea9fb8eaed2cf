// src/server: the composition root. Opens the engine, builds sql on it, starts the listeners; shuts down in reverse.
// The only module (with main.ts) that knows every layer.
import { openEngine } from '../engine/engine.js'
import type { Engine } from '../engine/api.js'
import { createSql } from '../sql/sql.js'
import { startPgListener, type PgListener } from '../wire/pg/listener.js'
import { log } from './common/log.js'
import type { ServerConfig } from './config.js'

export interface RunningServer {
  readonly pgPort: number
  /** Stops accepting, finishes in-flight statements, flushes and closes the engine. Idempotent. */
  close(): Promise<void>
}

export class ListenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ListenError'
  }
}

function listenErrorMessage(error: unknown, what: string, host: string, port: number): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  if (code === 'EADDRINUSE') return `${what} port ${port} on ${host} is already in use`
  if (code === 'EACCES') return `no permission to listen on ${what} port ${port} on ${host}`
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${host}: address not available`
  return `cannot listen on ${host}:${port} for ${what}: ${error instanceof Error ? error.message : String(error)}`
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const startedMs = Date.now()
  log.info({ dataDir: config.dataDir, cores: config.coreCount, fsync: config.fsync, memtableMb: config.memtableMb }, 'starting')
  const engine: Engine = await openEngine({
    dataDir: config.dataDir, coreCount: config.coreCount, memtableMb: config.memtableMb, fsync: config.fsync,
  })
  const sql = createSql(engine)
  let pg: PgListener
  try {
    pg = await startPgListener({ host: config.host, port: config.pgPort, sql })
  } catch (error: unknown) {
    await engine.close()
    throw new ListenError(listenErrorMessage(error, 'pg', config.host, config.pgPort))
  }
  log.info({ listener: 'pg', host: config.host, port: pg.port }, 'listening')
  log.info({ pgPort: pg.port, host: config.host, startupMs: Date.now() - startedMs }, 'ready')
  let closing: Promise<void> | null = null
  return {
    pgPort: pg.port,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down')
        await pg.close()
        await engine.close()
        log.info('shutdown complete')
      })()
      return closing
    },
  }
}
