// bench/scenarios/sync-drain: issue 11's two numbers — how fast the cloud drains an edge's backlog after an outage
// (rows/s applied on the cloud, from the hub coming up until the cloud counts every row) and what sync costs the
// edge's ILP ingest (rows/s with sync on, hub and cloud up and shipping live, against a node without sync), both as
// ratios to the edge's own ingest rate. Real nats-server and nodedb processes (test/helpers/sync-cluster.ts); skipped,
// and reported as such, when nats-server is not installed. Rows are TSBS cpu rows over ILP/TCP.
import { execFileSync } from 'node:child_process'
import pg from 'pg'
import { sendLineRange } from '../../test/helpers/ilp.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../../test/helpers/server-process.js'
import { query, SyncCluster } from '../../test/helpers/sync-cluster.js'
import { CREATE_CPU_SQL, FIELD_NAMES, TAG_NAMES, cpuRows, insertStatements, type CpuRow } from '../tsbs.js'
import type { BenchOptions, Measurement, StandaloneScenario } from './index.js'

const NAME = 'sync-drain'
/** Polling step while waiting for rows to show (adds at most this much to a phase of seconds). */
const POLL_MS = 50
/** The small-record backlog: rows per INSERT (one edge WAL record each), concurrent writers, share of --rows. */
const SMALL_RECORD_ROWS = 10
const SMALL_WRITER_COUNT = 4
const SMALL_ROWS_MAX = 20_000
/** A phase that has not finished after this long fails the scenario instead of hanging the bench. */
const WAIT_MS_MAX = 600_000

function isNatsInstalled(): boolean {
  try {
    execFileSync('nats-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function lineOf(row: CpuRow): string {
  const tags = row.tags.map((value, i) => `${TAG_NAMES[i]}=${value}`).join(',')
  return `cpu,${tags} ${row.fields.map((value, i) => `${FIELD_NAMES[i]}=${value}`).join(',')} ${row.timeMs}000000`
}

/** Sends the rows over ILP/TCP and resolves once the node shows all of them (TCP has no acknowledgement). */
async function ingest(server: ServerProcess, lines: ReadonlyArray<string>, batch: number): Promise<number> {
  const started = performance.now()
  await sendLineRange(server.ilpPort, { from: 0, to: lines.length }, batch, (a, b) => Buffer.from(`${lines.slice(a, b).join('\n')}\n`))
  await waitForCount(server.pgPort, lines.length)
  return lines.length / ((performance.now() - started) / 1000)
}

/**
 * Polls until the node counts `rowCount` rows. The drain window starts at the last poll that still saw at most
 * `fromCount` (before it, the leaf reconnects and the applier retries): `rate` is (rowCount − fromCount) over that
 * window, `waitMs` the time from `sinceMs` to its start (performance.now ms).
 */
async function waitForCount(port: number, rowCount: number, fromCount = 0, table = 'cpu',
  sinceMs = performance.now()): Promise<{ rate: number; waitMs: number }> {
  let beforeMs = sinceMs
  // A fresh connection per poll (sync-cluster's query): a server going away fails that poll, not the bench process.
  while (performance.now() - sinceMs < WAIT_MS_MAX) {
    const polledMs = performance.now()
    const rows = await query(port, `SELECT count(*) AS n FROM ${table}`).catch((error: unknown) => {
      // 42P01 until the table's first rows arrive; anything else is worth seeing in the bench output.
      if (!(error instanceof Error && 'code' in error && error.code === '42P01')) process.stdout.write(`sync-drain poll: ${String(error)}\n`)
      return [{ n: '0' }]
    })
    const count = Number(rows[0]!.n)
    if (count <= fromCount) beforeMs = polledMs
    if (count >= rowCount) return { rate: (rowCount - fromCount) / ((performance.now() - beforeMs) / 1000), waitMs: beforeMs - sinceMs }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  throw new Error(`${table} on port ${port} did not reach ${rowCount} rows within ${WAIT_MS_MAX} ms`)
}

async function ingestWithoutSync(lines: ReadonlyArray<string>, batch: number): Promise<number> {
  const dir = makeTempDir('bench-nosync')
  const server = await startServerProcess({ dataDir: `${dir}/data` })
  try {
    return await ingest(server, lines, batch)
  } finally {
    await server.kill()
    removeDir(dir)
  }
}

/** Edge ingest with the hub and the cloud up (shipping as it goes), then the drain of a backlog written offline. */
interface SyncRun {
  readonly liveRate: number
  readonly drainRate: number
  readonly backlogRows: number
  readonly reconnectMs: number
  /** The backlog of many small records (10-row INSERTs): what one cloud fsync per edge record would cost most. */
  readonly smallDrainRate: number
  readonly smallRows: number
}

/** Writes `rows` as SMALL_RECORD_ROWS-row INSERTs into cpu_small from SMALL_WRITER_COUNT connections. */
async function insertSmall(port: number, rows: number): Promise<void> {
  const statements = insertStatements(cpuRows(rows, 10, 7), SMALL_RECORD_ROWS).map((text) => text.replace('INSERT INTO cpu ', 'INSERT INTO cpu_small '))
  let next = 0
  await Promise.all(Array.from({ length: SMALL_WRITER_COUNT }, async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'bench', database: 'bench' })
    await client.connect()
    for (let i = next++; i < statements.length; i = next++) await client.query(statements[i]!)
    await client.end()
  }))
}

/** A second outage whose backlog is small records; the drain rate counts from the first row applied. */
async function drainSmall(cluster: SyncCluster, edge: ServerProcess, rows: number): Promise<number> {
  const cloudPg = cluster.cloud!.pgPort
  await pgQuery(edge.pgPort, CREATE_CPU_SQL.replace('TABLE cpu ', 'TABLE cpu_small '))
  await cluster.hub!.kill()
  await insertSmall(edge.pgPort, rows)
  const started = performance.now()
  await cluster.startHub()
  return (await waitForCount(cloudPg, rows, 0, 'cpu_small', started)).rate
}

async function pgQuery(port: number, text: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'bench', database: 'bench' })
  await client.connect()
  await client.query(text).finally(() => client.end())
}

async function withSync(lines: ReadonlyArray<string>, batch: number, smallRows: number): Promise<SyncRun> {
  const cluster = new SyncCluster()
  await cluster.init()
  try {
    await cluster.startHub()
    await cluster.startCloud()
    const edge = await cluster.addEdge('edge-1')
    const liveRate = await ingest(edge.server!, lines, batch)
    await waitForCount(cluster.cloud!.pgPort, lines.length)
    // The outage: the hub goes down, the edge keeps ingesting (a second copy of the rows, a day later).
    await cluster.hub!.kill()
    const later = lines.map((line) => line.replace(/ (\d+)$/, (_, ns: string) => ` ${BigInt(ns) + 86_400_000_000_000n}`))
    await ingest(edge.server!, later, batch)
    const started = performance.now()
    await cluster.startHub()
    // The rate counts from the first row applied: the leaf's reconnect and the applier's retry come before it.
    const { rate: drainRate, waitMs } = await waitForCount(cluster.cloud!.pgPort, 2 * lines.length, lines.length, 'cpu', started)
    const smallDrainRate = await drainSmall(cluster, edge.server!, smallRows)
    return { liveRate, drainRate, backlogRows: later.length, reconnectMs: waitMs, smallDrainRate, smallRows }
  } catch (error) {
    // Which nodedb process is gone, if one is (the note then says more than a refused poll).
    const servers: Array<[string, ServerProcess | undefined]> = [['cloud', cluster.cloud], ...cluster.edges.map((edge): [string, ServerProcess | undefined] => [edge.nodeId, edge.server])]
    const exits = servers.map(([name, server]) => `${name}: exit ${String(server?.child.exitCode)} ${String(server?.child.signalCode)}`)
    throw new Error(`${error instanceof Error ? error.message : String(error)} (${exits.join(', ')})`)
  } finally {
    await cluster.close()
  }
}

export const syncDrain: StandaloneScenario = {
  name: NAME, group: 'sync',
  async runAlone(options: BenchOptions) {
    if (!isNatsInstalled()) {
      const note = 'nats-server is not installed (Debian package nats-server; scripts/ensure-test-oracles.sh installs it)'
      return { measurements: [{ scenario: NAME, system: 'nodedb', value: 0, unit: 'skipped', higherIsBetter: true, note }], report: `skipped: ${note}\n` }
    }
    const lines = [...cpuRows(options.rows, options.hosts)].map(lineOf)
    let offRate: number
    let run: SyncRun
    try {
      offRate = await ingestWithoutSync(lines, options.batch)
      run = await withSync(lines, options.batch, Math.min(SMALL_ROWS_MAX, Math.max(SMALL_RECORD_ROWS, Math.floor(options.rows / 5))))
    } catch (error) {
      // Reported as a failed measurement (bench-smoke flags it), not a crash of the whole bench.
      const note = `failed: ${error instanceof Error ? error.message : String(error)}`
      return { measurements: [{ scenario: NAME, system: 'nodedb', value: 0, unit: 'rows/s', higherIsBetter: true, note }], report: `${note}\n` }
    }
    const { liveRate, drainRate, backlogRows, reconnectMs } = run
    const measurements: Measurement[] = [
      { scenario: 'sync-edge-ingest-off', system: 'nodedb', value: offRate, unit: 'rows/s', higherIsBetter: true },
      { scenario: 'sync-edge-ingest-on', system: 'nodedb', value: liveRate, unit: 'rows/s', higherIsBetter: true },
      { scenario: 'sync-drain', system: 'nodedb', value: drainRate, unit: 'rows/s', higherIsBetter: true },
      { scenario: 'sync-drain-small-records', system: 'nodedb', value: run.smallDrainRate, unit: 'rows/s', higherIsBetter: true },
      { scenario: 'sync-ingest-on/off', system: 'nodedb', value: liveRate / offRate, unit: 'ratio', higherIsBetter: true },
      { scenario: 'sync-drain/ingest-off', system: 'nodedb', value: drainRate / offRate, unit: 'ratio', higherIsBetter: true },
    ]
    const report = [
      `  edge ILP ingest, sync off: ${Math.round(offRate)} rows/s; sync on (hub and cloud up): ${Math.round(liveRate)} rows/s ` +
        `(ratio ${(liveRate / offRate).toFixed(2)}; goal ≥ 0.90)`,
      `  drain of ${backlogRows} rows written offline: ${Math.round(drainRate)} rows/s applied on the cloud ` +
        `(ratio to the edge's own ingest ${(drainRate / offRate).toFixed(2)}; goal ≥ 1), first rows ${Math.round(reconnectMs)} ms after the hub started (a window of one poll, ${POLL_MS} ms, is the resolution)`,
      `  drain of ${run.smallRows} rows written offline as ${SMALL_RECORD_ROWS}-row INSERTs (one edge WAL record each): ` +
        `${Math.round(run.smallDrainRate)} rows/s applied on the cloud`,
    ].join('\n')
    return { measurements, report: `${report}\n` }
  },
}
