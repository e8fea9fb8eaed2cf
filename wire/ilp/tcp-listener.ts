// wire/ilp/tcp-listener: the InfluxDB line protocol TCP listener (--ilp-port, QuestDB's and Telegraf's socket
// writers). Accepts up to ILP_TCP_CONNECTIONS_MAX_COUNT sockets; shuts down in order: stop accepting, write what each
// connection parsed, close (bounded by ILP_SHUTDOWN_WAIT_MS). Knows nothing of storage: rows go to sql.ingest.
// Every connection's buffered input counts against one budget (tcp-budget.ts, --ilp-tcp-buffer-mb): past it sockets
// pause until written bytes free room, so many fast senders cannot grow memory without bound (design invariant 4).
// With public keys (--ilp-auth-file) a socket first passes QuestDB's challenge handshake (tcp-auth.ts).
import { listenOn } from '../listen.js'
import { createServer, type Server, type Socket } from 'node:net'
import { assert } from '../../src/common/assert.js'
import { log } from '../../src/common/log.js'
import {
  ILP_INGEST_BUFFERS_KEPT_COUNT, ILP_LINE_BYTES_MAX, ILP_SHUTDOWN_WAIT_MS, ILP_TCP_BUFFERED_BYTES_MAX, ILP_TCP_CONNECTIONS_MAX_COUNT,
  ILP_TCP_POOL_RUN_BYTES,
} from '../../src/common/limits.js'
import { IngestBufferPool } from './ingest-buffers.js'
import type { SqlFacade } from '../../sql/api.js'
import type { IlpParsePool } from './parse-pool.js'
import { IlpTcpBudget } from './tcp-budget.js'
import { IlpTcpConnection, type IlpTcpCounters } from './tcp-connection.js'
import { authenticateIlpTcp, type IlpPublicKeys } from './tcp-auth.js'

export interface IlpTcpListenerOptions {
  readonly host: string
  /** 0 picks an ephemeral port; IlpTcpListener.port reports the one bound. */
  readonly port: number
  readonly sql: SqlFacade
  readonly connectionsMax?: number
  /** Lines parsed before a connection hands them to sql.ingest (ILP_TCP_FLUSH_ROWS_COUNT by default). */
  readonly flushRows?: number
  /** Parses runs of lines off the event loop (parse-pool.ts); owned by the caller, who closes it after this listener. */
  readonly parsePool?: IlpParsePool | null
  /** Clients must prove one of these keys before their lines are read (tcp-auth.ts); absent or null = no auth. */
  readonly publicKeys?: IlpPublicKeys | null
  /** Bytes all connections together hold before reads pause (ILP_TCP_BUFFERED_BYTES_MAX by default). */
  readonly bufferedBytesMax?: number | undefined
}

export interface IlpTcpListener {
  readonly port: number
  readonly counters: Readonly<IlpTcpCounters>
  /** The connections' shared input budget: bytes held now, at most, and how often reads paused for it. */
  readonly budget: Pick<IlpTcpBudget, 'bytes' | 'bytesPeak' | 'bytesMax' | 'pauseCount'>
  close(): Promise<void>
}

/** Resolves once listening; rejects with Node's own error (EADDRINUSE, EACCES, …) so the caller can report it. */
export async function startIlpTcpListener(options: IlpTcpListenerOptions): Promise<IlpTcpListener> {
  const connectionsMax = options.connectionsMax ?? ILP_TCP_CONNECTIONS_MAX_COUNT
  assert(Number.isInteger(connectionsMax) && connectionsMax > 0, `connectionsMax out of range: ${connectionsMax}`)
  const connections = new Set<IlpTcpConnection>()
  const counters: IlpTcpCounters = { rowsWritten: 0, linesRejected: 0, connectionsOverlong: 0, diskFullPauses: 0, diskFullLoggedAtMs: -Infinity }
  const handshakes = new Set<Socket>()
  const budget = new IlpTcpBudget(options.bufferedBytesMax ?? ILP_TCP_BUFFERED_BYTES_MAX)
  // A run is ILP_TCP_POOL_RUN_BYTES plus the rest of the read that crossed it (at most a socket chunk, < a line).
  const runBuffers = new IngestBufferPool(ILP_TCP_POOL_RUN_BYTES + ILP_LINE_BYTES_MAX, ILP_INGEST_BUFFERS_KEPT_COUNT)
  const accept = (socket: Socket, rest: Buffer | null): void => {
    // The handshake left the socket paused. Resuming first is safe (data events come on a later tick, after the
    // connection's listeners), and lets the connection pause it again if the first bytes fill a flush.
    if (rest !== null) socket.resume()
    const connection = new IlpTcpConnection({
      socket, sql: options.sql, counters, budget, runBuffers, parsePool: options.parsePool ?? null, onClosed: (closed) => forget(closed),
      ...(options.flushRows === undefined ? {} : { flushRows: options.flushRows }), ...(rest === null ? {} : { firstBytes: rest }),
    })
    connections.add(connection)
    runBuffers.setKeeping(true)
  }
  // Between loads the listener holds no run buffers (issue 10: RSS after ingest); a connection's runs are all back
  // once it is forgotten, so none is taken then.
  const forget = (closed: IlpTcpConnection): void => {
    connections.delete(closed)
    if (connections.size === 0) runBuffers.setKeeping(false)
  }
  const keys = options.publicKeys ?? null
  const server = createServer((socket: Socket) => {
    if (connections.size + handshakes.size >= connectionsMax) {
      log.warn({ connectionsMax }, 'ilp tcp: too many connections, closing the new one')
      socket.destroy()
      return
    }
    if (keys === null) return accept(socket, null)
    handshakes.add(socket)
    socket.on('error', (error) => log.debug({ err: error }, 'ilp tcp: socket error during authentication'))
    void authenticateIlpTcp(socket, keys).then((rest) => {
      handshakes.delete(socket)
      // A socket that closed after its signature still has its first lines to write: accept it all the same.
      if (rest === null) socket.destroy()
      else accept(socket, rest)
    })
  })
  const port = await listenOn(server, options.host, options.port, 'ilp tcp listener')
  return { port, counters, budget, close: () => closeListener(server, connections, handshakes, budget) }
}

async function closeListener(server: Server, connections: Set<IlpTcpConnection>, handshakes: Set<Socket>, budget: IlpTcpBudget): Promise<void> {
  for (const socket of handshakes) socket.destroy()
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
  const drained = Promise.allSettled([...connections].map((connection) => connection.shutdown()))
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ILP_SHUTDOWN_WAIT_MS) })
  const outcome = await Promise.race([Promise.all([serverClosed, drained]).then(() => 'closed' as const), deadline])
  clearTimeout(timer)
  if (outcome === 'timeout') {
    log.warn({ count: connections.size }, 'ilp tcp listener: dropping connections still open at shutdown')
    for (const connection of connections) connection.destroy()
    await serverClosed
  }
  log.info({ bufferedBytesPeak: budget.bytesPeak, budgetPauses: budget.pauseCount }, 'ilp tcp listener closed')
}
