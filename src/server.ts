// src/server: the composition root. Opens the engine, builds sql on it, starts the listeners; shuts down in reverse.
// The only module (with main.ts) that knows every layer.
import { openEngine, type OpenEngineOptions } from '../engine/engine.js'
import type { Engine } from '../engine/api.js'
import { createSql } from '../sql/sql.js'
import { startIlpHttpListener } from '../wire/ilp/http-listener.js'
import { IlpParsePool } from '../wire/ilp/parse-pool.js'
import { startIlpTcpListener } from '../wire/ilp/tcp-listener.js'
import { IlpAuthFileError, type IlpPublicKeys, loadIlpAuthFile } from '../wire/ilp/tcp-auth.js'
import { startPgListener } from '../wire/pg/listener.js'
import type { PgAuth } from '../wire/pg/auth-exchange.js'
import { loadMockAuthKey, UsersFileError, UsersStore } from '../wire/pg/auth-users.js'
import { loadTlsContext, TlsConfigError } from '../wire/pg/tls.js'
import type { SyncHooks } from '../engine/sync/sync-node.js'
import { log } from './common/log.js'
import { ConfigError, type ServerConfig } from './config.js'
import type { SecureContext } from 'node:tls'

export interface RunningServer {
  readonly pgPort: number
  readonly ilpPort: number
  readonly httpPort: number
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

export interface StartServerOptions {
  /**
   * Runs once every listener accepts connections, just before the `ready` line: main.ts installs its signal handlers
   * here, so a SIGTERM sent as soon as `ready` is seen already shuts down cleanly.
   */
  readonly beforeReady?: (server: RunningServer) => void
  /**
   * An fsync failed (issue 12): the engine refuses every write from now on and in-flight requests got the error.
   * main.ts closes the server and exits non-zero, so a supervisor restarts it and replay rebuilds from the disk.
   */
  readonly onFatal?: (detail: string, server: RunningServer) => void
  /** Tests: engine options (a faulty file system, a fast disk probe); onFatal is always the server's own. */
  readonly engineOptions?: Omit<OpenEngineOptions, 'onFatal'>
}

interface Security {
  readonly auth: PgAuth
  readonly tlsContext: SecureContext | null
  readonly ilpKeys: IlpPublicKeys | null
}

/** Reads the users file and the TLS files before anything opens: a bad one is a one-line ConfigError. */
async function loadSecurity(config: ServerConfig): Promise<Security> {
  try {
    const method = config.auth ?? 'trust'
    let auth: PgAuth = { method: 'trust' }
    if (method !== 'trust') {
      if (config.usersFile === undefined || config.usersFile === null) throw new ConfigError(`--auth ${method} needs --users-file`)
      auth = { method, users: await UsersStore.open(config.usersFile, await loadMockAuthKey(config.dataDir)) }
    }
    const tlsContext = config.tls === undefined || config.tls === null ? null : await loadTlsContext(config.tls.certFile, config.tls.keyFile)
    if (method === 'password' && tlsContext === null) log.warn('--auth password without --tls-cert: passwords cross the network in clear')
    const ilpKeys = config.ilpAuthFile === undefined || config.ilpAuthFile === null ? null : await loadIlpAuthFile(config.ilpAuthFile)
    return { auth, tlsContext, ilpKeys }
  } catch (error: unknown) {
    if (error instanceof UsersFileError || error instanceof TlsConfigError || error instanceof IlpAuthFileError) {
      throw new ConfigError(error.message)
    }
    if (error instanceof Error && 'code' in error) throw new ConfigError(`cannot prepare authentication: ${error.message}`)
    throw error
  }
}

function openConfiguredEngine(config: ServerConfig, options: StartServerOptions, syncHooks: SyncHooks | undefined,
  onFatal: (detail: string) => void): Promise<Engine> {
  return openEngine({
    dataDir: config.dataDir, coreCount: config.coreCount, memtableMb: config.memtableMb, chunkCacheMb: config.chunkCacheMb, fsync: config.fsync,
    coreNice: config.coreNice ?? 0,
    ...(config.diskReserveMb === null ? {} : { diskReserveMb: config.diskReserveMb }),
  }, {
    ...options.engineOptions,
    ...(syncHooks === undefined ? {} : {
      walFloor: syncHooks.walFloor, walRefusal: syncHooks.walRefusal, syncStatus: syncHooks.status, opRefusal: syncHooks.opRefusal,
    }),
    onFatal,
  })
}

/** One parse pool for both ILP listeners; its workers encode records ahead against the tables named (parse-pool.ts). */
function ilpParsePoolOf(engine: Engine, config: ServerConfig): IlpParsePool {
  const tablesNamed = (names: ReadonlyArray<string>): ReturnType<Engine['tables']> => engine.tables().filter((table) => names.includes(table.name))
  return new IlpParsePool({ tablesNamed, coreCount: config.coreCount, size: config.ilpParseWorkers })
}

export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const startedMs = Date.now()
  const security = await loadSecurity(config)
  log.info({ dataDir: config.dataDir, cores: config.coreCount, fsync: config.fsync, memtableMb: config.memtableMb }, 'starting')
  let fatal: string | undefined
  let running: RunningServer | undefined
  // Sync (issue 11): the engine's checkpoints and WAL appends consult these from the start. Its module and NATS's
  // client (~2 MiB of the event loop's heap) load only when sync is configured (issue 10: idle RSS).
  const syncNode = config.sync === null || config.sync === undefined ? undefined : await import('../engine/sync/sync-node.js')
  const syncHooks = syncNode === undefined ? undefined : new syncNode.SyncHooks(config.sync!.role)
  const engine = await openConfiguredEngine(config, options, syncHooks, (detail) => {
    fatal ??= detail
    if (running !== undefined) options.onFatal?.(detail, running)
  })
  const sync = await syncNode?.startSync(engine, config.dataDir, config.sync, syncHooks)
  const sql = createSql(engine, config.transactionBufferBytes === undefined ? {} : { transactionBufferBytes: config.transactionBufferBytes })
  const parsePool = ilpParsePoolOf(engine, config)
  const listeners: Array<{ readonly port: number; close(): Promise<void> }> = []
  const start = async <T extends { readonly port: number; close(): Promise<void> }>(
    what: string, port: number, run: () => Promise<T>): Promise<T> => {
    try {
      const listener = await run()
      listeners.push(listener)
      return listener
    } catch (error: unknown) {
      // Reverse order: the listeners already started, then the engine; the one line says which port failed.
      for (const started of [...listeners].reverse()) await started.close()
      await parsePool.close()
      await engine.close()
      throw new ListenError(listenErrorMessage(error, what, config.host, port))
    }
  }
  const pg = await start('pg', config.pgPort, () => startPgListener({
    host: config.host, port: config.pgPort, sql, auth: security.auth, tlsContext: security.tlsContext,
  }))
  const ilp = await start('ilp', config.ilpPort, () => startIlpTcpListener({
    host: config.host, port: config.ilpPort, sql, parsePool, publicKeys: security.ilpKeys, bufferedBytesMax: config.ilpTcpBufferBytes,
  }))
  const http = await start('http', config.httpPort, () => startIlpHttpListener({
    host: config.host, port: config.httpPort, sql, token: config.httpToken, parsePool, bufferedBytesMax: config.ilpHttpBufferBytes,
  }))
  let closing: Promise<void> | null = null
  running = {
    pgPort: pg.port,
    ilpPort: ilp.port,
    httpPort: http.port,
    close: () => {
      closing ??= (async () => {
        log.info('shutting down')
        // Writers first (their in-flight rows still reach the WAL), then pg, then the engine.
        await Promise.all([http.close(), ilp.close()])
        await parsePool.close()
        await pg.close()
        await sync?.stop()
        await engine.close()
        log.info('shutdown complete')
      })()
      return closing
    },
  }
  options.beforeReady?.(running)
  if (fatal !== undefined) options.onFatal?.(fatal, running)
  // Every listener accepts connections from here on: clients and tests may connect once they see this line.
  log.info({ pgPort: pg.port, ilpPort: ilp.port, httpPort: http.port, host: config.host, startupMs: Date.now() - startedMs }, 'ready')
  return running
}
