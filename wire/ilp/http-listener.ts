// wire/ilp/http-listener: nodedb's HTTP port (--http-port): the InfluxDB write endpoints (http-write.ts), `/ping`
// and `/health` as InfluxDB answers them, and QuestDB's `/settings` (its HTTP sender reads the line protocol versions
// there). Unknown paths get 404, known paths with the wrong method 405. Shuts down in order: stop accepting, finish
// in-flight writes (bounded by ILP_SHUTDOWN_WAIT_MS), close. Knows nothing of storage.
import { listenOn } from '../listen.js'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { log } from '../../src/common/log.js'
import {
  ILP_HTTP_BUFFERED_BYTES_MAX, ILP_HTTP_COALESCE_BYTES_MAX, ILP_HTTP_CONNECTIONS_MAX_COUNT, ILP_HTTP_POOLED_BODY_BYTES,
  ILP_INGEST_BUFFERS_KEPT_COUNT, ILP_SHUTDOWN_WAIT_MS,
} from '../../src/common/limits.js'
import { IngestBufferPool } from './ingest-buffers.js'
import { NODEDB_VERSION } from '../../src/common/version.js'
import type { SqlFacade } from '../../sql/api.js'
import { BodyBuffers } from './http-body.js'
import { handleWrite, sendError, type WriteApi } from './http-write.js'
import type { IlpParsePool } from './parse-pool.js'
import { LineParsers } from './line-parser.js'
import { IlpHttpBudget } from './http-budget.js'
import { IngestCoalescer } from './http-coalescer.js'
import { ParseCoalescer } from './http-parse-coalescer.js'

export interface IlpHttpListenerOptions {
  readonly host: string
  /** 0 picks an ephemeral port; IlpHttpListener.port reports the one bound. */
  readonly port: number
  readonly sql: SqlFacade
  readonly bodyBytesMax?: number
  /** When set, the write endpoints require it (http-auth.ts); /ping, /health and /settings stay open, as InfluxDB's. */
  readonly token?: string | null
  /** Parses large bodies off the event loop (parse-pool.ts); owned by the caller, who closes it after this listener. */
  readonly parsePool?: IlpParsePool | null
  /** Bytes all write requests together hold before further ones wait unread; ILP_HTTP_BUFFERED_BYTES_MAX by default. */
  readonly bufferedBytesMax?: number | undefined
  /** Joins concurrent requests' rows into fewer sql.ingest calls (http-coalescer.ts); true by default. */
  readonly coalesce?: boolean
}

export interface IlpHttpListener {
  readonly port: number
  close(): Promise<void>
}

// What /ping reports as X-Influxdb-Version: the InfluxDB API level served (clients branch on 1.x vs 2.x; QuestDB
// reports a 2.x version too).
const INFLUX_API_VERSION = 'v2.7.4'

// How long an idle kept-alive connection stays open (Node's default is 5 s), as InfluxDB 2's http-idle-timeout: a
// client may reuse a socket the server has just closed, and its POST then fails with a dropped connection ("fetch
// failed: other side closed"; undici retries no POST). Undici drops its socket 2 s before the advertised timeout, but
// only if its event loop is free then: the bench's client, busy building its bodies for 2-6 s between warm-up and run,
// reused sockets nodedb had closed at 5 s (issue 10). Idle sockets are bounded by ILP_HTTP_CONNECTIONS_MAX_COUNT.
const KEEP_ALIVE_TIMEOUT_MS = 180_000

type Route = { readonly methods: ReadonlyArray<string>; readonly handle: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void }

function ping(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(204, { 'X-Influxdb-Version': INFLUX_API_VERSION, 'X-Influxdb-Build': `nodedb ${NODEDB_VERSION}` })
  response.end()
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value)
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  response.end(text)
}

/** InfluxDB 2's /health shape. */
function health(_request: IncomingMessage, response: ServerResponse): void {
  sendJson(response, 200, {
    name: 'nodedb', message: 'ready for queries and writes', status: 'pass', checks: [], version: NODEDB_VERSION, commit: '',
  })
}

/** QuestDB's /settings, reduced to what its clients read: text line protocol (version 1) only. */
function settings(_request: IncomingMessage, response: ServerResponse): void {
  sendJson(response, 200, { 'config': { 'line.proto.support.versions': [1] }, 'release.type': 'OSS', 'release.version': NODEDB_VERSION })
}

/** The coalescers, with the line parsers they and inline parses share (their caches stay warm across requests). */
interface Coalescers { readonly lineParsers: LineParsers; readonly ingest?: IngestCoalescer; readonly parse: ParseCoalescer }

function coalescersOf(options: IlpHttpListenerOptions, budget: IlpHttpBudget): Coalescers {
  const lineParsers = new LineParsers()
  const parse = new ParseCoalescer(options.sql, options.parsePool ?? null, lineParsers, undefined, undefined, budget)
  return options.coalesce === false ? { lineParsers, parse } : { lineParsers, ingest: new IngestCoalescer(options.sql), parse }
}

function routesOf(options: IlpHttpListenerOptions, budget: IlpHttpBudget, coalescers: Coalescers): ReadonlyMap<string, Route> {
  const { lineParsers, ingest: coalescer, parse: parseCoalescer } = coalescers
  const bodyBuffers = new BodyBuffers(new IngestBufferPool(ILP_HTTP_POOLED_BODY_BYTES, ILP_INGEST_BUFFERS_KEPT_COUNT),
    new IngestBufferPool(ILP_HTTP_COALESCE_BYTES_MAX, ILP_INGEST_BUFFERS_KEPT_COUNT))
  const write = (api: WriteApi) => (request: IncomingMessage, response: ServerResponse, url: URL) =>
    handleWrite(request, response, url, api, {
      sql: options.sql, token: options.token ?? null, parsePool: options.parsePool ?? null, lineParsers, bodyBuffers, budget,
      ...(coalescer === undefined ? {} : { coalescer, parseCoalescer }),
      ...(options.bodyBytesMax === undefined ? {} : { bodyBytesMax: options.bodyBytesMax }),
    })
  return new Map<string, Route>([
    ['/write', { methods: ['POST'], handle: write('v1') }],
    ['/api/v2/write', { methods: ['POST'], handle: write('v2') }],
    ['/ping', { methods: ['GET', 'HEAD'], handle: ping }],
    ['/health', { methods: ['GET', 'HEAD'], handle: health }],
    ['/settings', { methods: ['GET'], handle: settings }],
  ])
}

async function dispatch(routes: ReadonlyMap<string, Route>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://nodedb')
  const route = routes.get(url.pathname)
  if (route === undefined) {
    request.resume()
    return sendError(response, 'not found', `path not found: ${url.pathname}`)
  }
  const method = request.method ?? 'GET'
  if (!route.methods.includes(method)) {
    request.resume()
    return sendError(response, 'method not allowed', `method ${method} not allowed on ${url.pathname}`,
      { headers: { Allow: route.methods.join(', ') } })
  }
  await route.handle(request, response, url)
}

/** Resolves once listening; rejects with Node's own error (EADDRINUSE, EACCES, …) so the caller can report it. */
export async function startIlpHttpListener(options: IlpHttpListenerOptions): Promise<IlpHttpListener> {
  const budget = new IlpHttpBudget(options.bufferedBytesMax ?? ILP_HTTP_BUFFERED_BYTES_MAX)
  const coalescers = coalescersOf(options, budget)
  const { ingest: coalescer, parse: parseCoalescer } = coalescers
  const routes = routesOf(options, budget, coalescers)
  const inFlight = new Set<Promise<void>>()
  const server = createServer((request, response) => {
    const running = dispatch(routes, request, response).catch((error: unknown) => {
      log.error({ err: error }, 'ilp http: request failed')
      if (!response.headersSent) sendError(response, 'internal error', 'internal error')
      else response.destroy()
    })
    inFlight.add(running)
    void running.finally(() => inFlight.delete(running))
  })
  server.maxConnections = ILP_HTTP_CONNECTIONS_MAX_COUNT
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      parseCoalescer.forget(socket)
    })
  })
  const port = await listenOn(server, options.host, options.port, 'ilp http listener')
  return {
    port,
    close: async () => {
      await closeListener(server, inFlight, sockets)
      log.info({
        bufferedBytesPeak: budget.bytesPeak, budgetWaits: budget.waitCount,
        // sql.ingest calls: the IngestCoalescer's (each may join requests) plus one per measurement of each pooled group.
        ingestCalls: coalescer === undefined ? null : coalescer.callCount + parseCoalescer.callCount,
        ingestRequests: coalescer === undefined ? null : coalescer.requestCount + parseCoalescer.requestCount,
      }, 'ilp http listener: buffer budget and coalescing')
    },
  }
}

async function closeListener(server: Server, inFlight: Set<Promise<void>>, sockets: Set<Socket>): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ILP_SHUTDOWN_WAIT_MS) })
  const outcome = await Promise.race([Promise.allSettled([...inFlight]).then(() => 'drained' as const), deadline])
  clearTimeout(timer)
  if (outcome === 'timeout') log.warn({ count: inFlight.size }, 'ilp http listener: dropping requests still running at shutdown')
  server.closeAllConnections()
  for (const socket of sockets) socket.destroy()
  await serverClosed
  log.info('ilp http listener closed')
}
