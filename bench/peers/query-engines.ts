// bench/peers/query-engines: the systems of the TSBS query set behind one interface — run SQL, receive the whole
// answer (the timed part), then decode it into rows of plain cells (timestamps as epoch ms, integers as numbers) so
// answers from different wire formats compare directly. nodedb and PostgreSQL are queried with PgWire (pg-wire.ts).
// nodedb runs as its own server process here (optionally under `node --cpu-prof`), PostgreSQL from Debian's
// binaries; DuckDB and ClickHouse live in column-peers.ts, InfluxDB and VictoriaMetrics in tsdb-engines.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import pg from 'pg'
import { startPostgres } from '../../test/helpers/postgres.js'
import type { LineFile } from '../tsbs-files.js'
import { PgWire } from './pg-wire.js'
import { parentPid } from './process-stats.js'
import { LAUNCHER } from '../../test/helpers/server-process.js'

export type Cell = string | number | null
export type EngineName = 'nodedb' | 'postgres' | 'duckdb' | 'clickhouse' | 'influxdb' | 'victoriametrics'

/** A failed query, with the SQLSTATE when the system reports one. */
export class QueryError extends Error {
  constructor(message: string, readonly sqlstate: string) {
    super(message)
  }
}

/** An answer as it arrived; its cells are decoded only when asked for, so decoding is not part of a query's time. */
export interface Answer { cells(): Cell[][] }

export interface QueryEngine {
  readonly name: EngineName
  /**
   * Runs `sql` (or the engine's own language) and resolves once the whole answer has been received (pg wire: its
   * ReadyForQuery; HTTP: the body's last byte; DuckDB: its child's reply line), rejecting an error answer. `columns`
   * names nodedb's answer columns, which non-SQL engines fill.
   */
  answer(sql: string, columns?: ReadonlyArray<string>): Promise<Answer>
  /** `answer`, decoded. */
  query(sql: string, columns?: ReadonlyArray<string>): Promise<Cell[][]>
  /** Resident set size of the server (and, for PostgreSQL, this session's backend), or null when unknown. */
  rssBytes(): Promise<number | null>
  /** The server's root process (its tree's CPU time is the system's cost), when known. */
  readonly pid: number | undefined
  /** Where the system keeps its data (bytes on disk), when known. */
  readonly dataDir: string | null
  stop(): Promise<void>
}

/** Called by a peer's start once its server is up, before its load: where the load's cost and time are measured from. */
export type LoadStarted = (pid: number | undefined) => Promise<void>

/**
 * An untimed load before the measured one, the same way (COPY, CSV insert, line-protocol writes) into a table or
 * measurement the measured load and the queries never touch (WARM_TABLE), dropped before the measured load begins:
 * every system meets its measured load warm (JIT-compiled code paths, allocator and page cache), as a server that has
 * been running does. A fresh nodedb's first load pays ~1.5 CPU s per M rows of V8 compilation (ARCHITECTURE.md).
 */
export interface IngestWarmup { readonly csvPath: string; readonly lines: LineFile }
export const WARM_TABLE = 'warm'

/** `createSql` (CREATE TABLE cpu ...) for the warm-up's table. */
export function warmCreateSql(createSql: string): string {
  if (!createSql.startsWith('CREATE TABLE cpu ')) throw new Error(`not a CREATE TABLE cpu: ${createSql.slice(0, 40)}`)
  return `CREATE TABLE ${WARM_TABLE} ${createSql.slice('CREATE TABLE cpu '.length)}`
}

const QUERY_TIMEOUT_MS = 300_000

/** An engine's `query`, given its `answer`. */
export function decoded(answer: QueryEngine['answer']): QueryEngine['query'] {
  return async (sql, columns) => (await answer(sql, columns)).cells()
}

export async function rssOf(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null
  const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  return match === null ? null : Number(match[1]) * 1024
}

/** A `pg` client (bench/micro's COPY loads); the query set runs on PgWire instead. */
export async function pgClient(port: number, user: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres', query_timeout: QUERY_TIMEOUT_MS })
  await client.connect()
  return client
}

export interface NodedbProcess {
  readonly child: ChildProcess
  readonly pgPort: number
  readonly ilpPort: number
  readonly httpPort: number
  readonly dataDir: string
  /** SIGTERM and wait: a clean exit is also when `--cpu-prof` writes its profiles. */
  stop(): Promise<void>
}

/**
 * Starts the built server as a user would (bin/nodedb), with `--cpu-prof` added to NODEDB_NODE_FLAGS when profiled
 * (the launcher puts them on node's command line, after its own; NODE_OPTIONS refuses --cpu-prof), so a profile covers
 * the worker threads too and sees the launcher's own V8 and allocator settings.
 */
export function startNodedbProcess(dataDir: string, args: ReadonlyArray<string>, profileDir: string | null): Promise<NodedbProcess> {
  const serveArgs = ['serve', '--data-dir', dataDir, '--pg-port', '0', '--ilp-port', '0', '--http-port', '0', ...args]
  const profileFlags = profileDir === null ? '' : ` --cpu-prof --cpu-prof-dir=${profileDir}`
  const nodeFlags = `${process.env.NODEDB_NODE_FLAGS ?? ''}${profileFlags}`.trim()
  const [command, argv] = [LAUNCHER, serveArgs]
  const child = spawn(command, argv, { env: { ...process.env, NODEDB_LOG_LEVEL: 'info', NODEDB_NODE_FLAGS: nodeFlags }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let ready = false
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`nodedb exited with ${code} before ready:\n${output}`))
    child.once('exit', onExit)
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stdout.on('data', (chunk: Buffer) => {
      if (output.length < 1_000_000) output += chunk.toString()
      const match = /"pgPort":(\d+),"ilpPort":(\d+),"httpPort":(\d+)[^\n]*"msg":"ready"/.exec(output)
      if (match === null || ready) return
      ready = true
      child.off('exit', onExit)
      output = ''
      resolve({
        child, pgPort: Number(match[1]), ilpPort: Number(match[2]), httpPort: Number(match[3]), dataDir,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return
          const exited = new Promise((done) => child.once('exit', done))
          child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}

export async function nodedbEngine(server: NodedbProcess): Promise<QueryEngine> {
  const client = await PgWire.connect(server.pgPort, 'bench', QUERY_TIMEOUT_MS)
  const answer = (sql: string): Promise<Answer> => client.query(sql)
  return {
    name: 'nodedb',
    answer,
    query: decoded(answer),
    rssBytes: () => rssOf(server.child.pid),
    pid: server.child.pid,
    dataDir: server.dataDir,
    stop: async () => {
      await client.end().catch(() => undefined)
      await server.stop()
    },
  }
}

/** PostgreSQL with the cpu table loaded by COPY from `csvPath` (server-side, so the file must be world-readable). */
export async function postgresEngine(csvPath: string, createSql: string, warm: IngestWarmup | null, loadStarted: LoadStarted): Promise<QueryEngine> {
  const server = await startPostgres({ durable: true })
  const client = await PgWire.connect(server.port, 'postgres', QUERY_TIMEOUT_MS)
  const answer = (sql: string): Promise<Answer> => client.query(sql)
  const query = decoded(answer)
  let [backendPid, postmaster, dataDir]: [number, number | undefined, string | null] = [0, undefined, null]
  try {
    backendPid = Number((await query('SELECT pg_backend_pid()'))[0]?.[0])
    postmaster = await parentPid(backendPid)
    dataDir = String((await query('SHOW data_directory'))[0]?.[0])
    if (warm !== null) {
      await query(warmCreateSql(createSql))
      await query(`COPY ${WARM_TABLE} FROM '${warm.csvPath}' WITH (FORMAT csv)`)
      await query(`CREATE INDEX ${WARM_TABLE}_hostname_time ON ${WARM_TABLE} (hostname, time DESC)`)
      await query(`DROP TABLE ${WARM_TABLE}`)
    }
    await loadStarted(postmaster)
    await query(createSql)
    await query(`COPY cpu FROM '${csvPath}' WITH (FORMAT csv)`)
    await query('CREATE INDEX cpu_hostname_time ON cpu (hostname, time DESC)')
    await query('CREATE INDEX cpu_time ON cpu (time DESC)')
    // A fresh table has no statistics and no visibility map: VACUUM ANALYZE is what a loaded TSBS database has.
    await query('VACUUM ANALYZE cpu')
  } catch (error: unknown) {
    await client.end().catch(() => undefined)
    server.stop()
    throw error
  }
  return {
    name: 'postgres',
    answer,
    query,
    rssBytes: async () => {
      const [main, backend] = [await rssOf(postmaster), await rssOf(backendPid)]
      return main === null || backend === null ? null : main + backend
    },
    pid: postmaster,
    dataDir,
    stop: async () => {
      await client.end().catch(() => undefined)
      server.stop()
    },
  }
}
