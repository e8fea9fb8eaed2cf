// wire/pg/listener: the PostgreSQL TCP listener. Accepts sockets up to connectionsMax (beyond: FATAL 53300 at
// startup), owns the cancel registry, and shuts down in order: stop accepting, 57P01 to idle sessions, wait (bounded).
import { listenOn } from '../listen.js'
import { createServer, type Server, type Socket } from 'node:net'
import type { SecureContext } from 'node:tls'
import { assert } from '../../src/common/assert.js'
import { log } from '../../src/common/log.js'
import { PG_CONNECTIONS_MAX_COUNT, PG_SHUTDOWN_WAIT_MS, PG_SOCKETS_PER_CONNECTION_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlFacade } from '../../sql/api.js'
import { CancelRegistry } from './cancel.js'
import { Connection } from './connection.js'
import type { PgAuth } from './auth-exchange.js'


export interface PgListenerOptions {
  readonly host: string
  /** 0 picks an ephemeral port; PgListener.port reports the one bound. */
  readonly port: number
  readonly sql: SqlFacade
  readonly connectionsMax?: number
  /** How StartupMessages are authenticated (auth-exchange.ts); absent = trust. */
  readonly auth?: PgAuth
  /** TLS for SSLRequest (tls.ts); absent or null = SSLRequest is answered 'N'. */
  readonly tlsContext?: SecureContext | null
}

export interface PgListener {
  readonly port: number
  close(): Promise<void>
}

/** Resolves once listening; rejects with Node's own error (EADDRINUSE, EACCES, …) so the caller can report it. */
export async function startPgListener(options: PgListenerOptions): Promise<PgListener> {
  const connectionsMax = options.connectionsMax ?? PG_CONNECTIONS_MAX_COUNT
  assert(Number.isInteger(connectionsMax) && connectionsMax > 0 && connectionsMax <= PG_CONNECTIONS_MAX_COUNT,
    `connectionsMax out of range: ${connectionsMax}`)
  const connections = new Set<Connection>()
  const cancelRegistry = new CancelRegistry()
  const server = createServer((socket: Socket) => {
    if (connections.size >= connectionsMax * PG_SOCKETS_PER_CONNECTION_MAX_COUNT) {
      socket.destroy()
      return
    }
    const connection = new Connection({
      socket, sql: options.sql, cancelRegistry, isOverCapacity: connections.size >= connectionsMax,
      ...(options.auth === undefined ? {} : { auth: options.auth }), tlsContext: options.tlsContext ?? null,
      onClosed: (closed) => connections.delete(closed),
    })
    connections.add(connection)
  })
  const port = await listenOn(server, options.host, options.port, 'pg listener')
  return { port, close: () => closeListener(server, connections) }
}

async function closeListener(server: Server, connections: Set<Connection>): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
  for (const connection of connections) connection.shutdown()
  const deadline = new Promise<'timeout'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), PG_SHUTDOWN_WAIT_MS)
    void serverClosed.then(() => clearTimeout(timer))
  })
  if ((await Promise.race([serverClosed.then(() => 'closed' as const), deadline])) === 'timeout') {
    log.warn({ count: connections.size }, 'pg listener: dropping connections still open at shutdown')
    for (const connection of connections) connection.destroy()
    await serverClosed
  }
  log.info('pg listener closed')
}
