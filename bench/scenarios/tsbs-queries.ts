// bench/scenarios/tsbs-queries: TSBS's devops query set on the cpu table (hosts × hours, one row per host per 10 s),
// nodedb beside PostgreSQL, InfluxDB, VictoriaMetrics, DuckDB and ClickHouse, each started here on its own data and run one after another so
// they do not share the cores. nodedb runs the set twice: right after ingest (memtables) and after CHECKPOINT
// (segments). Answers for one fixed parameter set are cross-checked against nodedb's, those of the varied runs by
// row count and column sums; medians and p95 in ms, each query timed until its whole answer has arrived (decoding
// it is the cross-check's, untimed). Every load reads input written before it (tsbs-files.ts).
// NODEDB_BENCH_PROFILE=1 re-runs each query where nodedb is slower than the fastest peer on a server under
// `node --cpu-prof` (profiles in /tmp/prof/<query>) and prints its top self-time functions.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import { clickhouseEngine, duckdbEngine } from '../peers/column-peers.js'
import { influxEngine, victoriaMetricsEngine } from '../peers/tsdb-engines.js'
import { postBodies } from '../line-sender.js'
import {
  QueryError, WARM_TABLE, nodedbEngine, postgresEngine, startNodedbProcess, type EngineName, type IngestWarmup, type LoadStarted,
  type QueryEngine,
} from '../peers/query-engines.js'
import { clientCpu, diskBytes, treeCpuSeconds } from '../peers/process-stats.js'
import type { PeerName } from '../peers/systems.js'
import { formatSelfTimes, summarizeProfiles } from '../profile-summary.js'
import { CREATE_CPU_SQL, FIELD_NAMES, INTERVAL_MS, START_MS, TAG_NAMES, cpuRows } from '../tsbs.js'
import { sendLineFile, writeLoadFiles, type LineFile } from '../tsbs-files.js'
import { selects, type BenchOptions, type Measurement, type StandaloneScenario } from './index.js'
import { TSBS_QUERIES, paramSets, render, type Dialect, type TsbsQuery } from './tsbs-query-set.js'
import { fingerprint, formatQueryTable, runMeasurements, verdicts, type Fingerprint, type QueryRun } from './tsbs-report.js'

const SEED = 42
/** Past this much time on one query, fewer runs (at least 3): a slow system must not stall the whole bench. */
const QUERY_BUDGET_MS = 30_000
/** Warm-up runs cycle through this many parameter sets of their own; and stop here even if time remains. */
const WARM_UP_SETS = 50
const WARM_UP_RUNS_MAX = 3000
/** Large enough that every row stays in memtables until CHECKPOINT, so the first pass really measures memtables. */
const NODEDB_MEMTABLE_MB = '4096'
const ILP_BATCH_ROWS = 5000
const PROFILE_ROOT = '/tmp/prof'

export interface DataSet { readonly startMs: number; readonly spanMs: number; readonly hosts: number; readonly rows: number }

function dataSetOf(options: BenchOptions): DataSet {
  const spanMs = options.hours * 3_600_000
  return { startMs: START_MS, spanMs, hosts: options.hosts, rows: options.hosts * (spanMs / INTERVAL_MS) }
}

/** The files every system loads from, written before any load: CSV and line-protocol bodies; and the warm-up's. */
interface LoadFiles { readonly csv: string; readonly lines: LineFile; readonly warm: IngestWarmup | null }

/** The warm-up load's rows (IngestWarmup): a quarter of the measured load's, whole bodies, another seed. */
const warmRowsOf = (data: DataSet): number => Math.max(ILP_BATCH_ROWS, Math.ceil(data.rows / 4 / ILP_BATCH_ROWS) * ILP_BATCH_ROWS)

/** Line protocol over HTTP (acknowledged), two senders for the two cores, bodies read from the file as they go. */
async function loadNodedb(httpPort: number, lines: LineFile): Promise<void> {
  await sendLineFile(lines, (next) => postBodies(`http://127.0.0.1:${httpPort}/api/v2/write?org=bench&bucket=bench&precision=ns`, next))
}

/** nodedb's warm-up (IngestWarmup): the same load into WARM_TABLE, dropped. */
async function warmNodedb(httpPort: number, engine: QueryEngine, warm: IngestWarmup | null): Promise<void> {
  if (warm === null) return
  await loadNodedb(httpPort, warm.lines)
  await engine.query(`DROP TABLE ${WARM_TABLE}`)
}

/** The query set runs unless `--only` names ingest alone (the loads are this scenario's ingest measurements). */
const wantsQueries = (options: BenchOptions): boolean => selects(options.only, 'tsbs-queries', 'queries')

const nodedbDialect = (options: BenchOptions): Dialect => options.dateTrunc ? 'pg' : 'nodedb'

const percentile = (sorted: ReadonlyArray<number>, p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0

function errorText(error: unknown): string {
  if (error instanceof QueryError) return `${error.sqlstate}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}

/** Untimed runs, each system alike: at least `runs` and until `ms` have passed, within the query's budget. */
export interface Warmup { readonly runs: number; readonly ms: number }

/**
 * Warm-up on the fixed parameter set (its whole answer is cross-checked) and on parameter sets of its own
 * (untimed, `warmup`), then up to `runs` varied runs (their answers' fingerprints are cross-checked: row counts and column
 * sums, by parameter set). A query the system's language cannot express is returned as such (error set,
 * `unsupported`), never timed.
 */
async function timeQuery(engine: QueryEngine, system: string, dialect: Dialect, query: TsbsQuery, index: number,
  data: DataSet, runs: number, warmup: Warmup): Promise<QueryRun> {
  const params = paramSets(query, runs + 1 + Math.max(warmup.runs, warmup.ms > 0 ? WARM_UP_SETS : 0), SEED + index, data)
  const warmSets = params.length - runs - 1
  const failed = (error: unknown, unsupported = false): QueryRun =>
    ({ system, query: query.name, medianMs: 0, p95Ms: 0, runs: 0, error: errorText(error), answer: null, fingerprints: new Map(), unsupported })
  const texts = params.map((p) => render(query, dialect, p))
  const first = texts[0]!
  if ('unsupported' in first) return failed(first.unsupported, true)
  const text = (i: number): string => { const r = texts[i]!; return 'text' in r ? r.text : '' }
  let answer
  let warmMs
  try {
    const warmStarted = performance.now()
    const received = await engine.answer(first.text, query.columns)
    warmMs = performance.now() - warmStarted
    answer = received.cells()
  } catch (error: unknown) {
    return failed(error)
  }
  try {
    const maxRuns = Math.min(WARM_UP_RUNS_MAX, Math.floor(QUERY_BUDGET_MS / Math.max(warmMs, 1)))
    const until = performance.now() + warmup.ms
    for (let i = 0; i < maxRuns && (i < warmup.runs || performance.now() < until); i++) {
      await engine.answer(text(runs + 1 + (i % warmSets)), query.columns)
    }
  } catch (error: unknown) {
    return failed(error)
  }
  const count = Math.max(3, Math.min(runs, Math.floor(QUERY_BUDGET_MS / Math.max(warmMs, 1))))
  const times: number[] = []
  const fingerprints = new Map<number, Fingerprint>()
  try {
    for (let i = 1; i <= count; i++) {
      const paramSet = 1 + ((i - 1) % runs)
      const started = performance.now()
      const received = await engine.answer(text(paramSet), query.columns)
      times.push(performance.now() - started) // until the answer's last byte: decoding it is the cross-check's, untimed
      if (!fingerprints.has(paramSet)) fingerprints.set(paramSet, fingerprint(received.cells()))
    }
  } catch (error: unknown) {
    return failed(error)
  }
  times.sort((a, b) => a - b)
  return { system, query: query.name, medianMs: percentile(times, 0.5), p95Ms: percentile(times, 0.95), runs: count, error: null, answer, fingerprints, unsupported: false }
}

const warmupOf = (options: BenchOptions): Warmup => ({ runs: options.warmup, ms: options.warmupMs })
const warmupText = (options: BenchOptions): string =>
  `${options.warmup + 1} untimed warm-up runs${options.warmupMs > 0 ? ` and more until ${options.warmupMs} ms had passed` : ''}`

export async function runQuerySet(engine: QueryEngine, system: string, dialect: Dialect, data: DataSet, runs: number, warmup: Warmup): Promise<QueryRun[]> {
  const results: QueryRun[] = []
  for (const [index, query] of TSBS_QUERIES.entries()) {
    const result = await timeQuery(engine, system, dialect, query, index, data, runs, warmup)
    const shown = result.error ?? `median ${result.medianMs.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms, ${result.runs} runs`
    process.stdout.write(`  ${system.padEnd(16)} ${query.name.padEnd(24)} ${shown}\n`)
    results.push(result)
  }
  return results
}

interface Collected {
  readonly runs: QueryRun[]
  readonly measurements: Measurement[]
  readonly skipped: Map<string, string>
}

/** Where a system's load is measured from: the time, and its process tree's CPU seconds so far. */
interface LoadStart { readonly at: number; readonly pid: number | undefined; readonly cpuSeconds: number | null; readonly client: NodeJS.CpuUsage }

async function loadStart(pid: number | undefined): Promise<LoadStart> {
  return { at: performance.now(), pid, cpuSeconds: await treeCpuSeconds(pid), client: process.cpuUsage() }
}

const MIB = 2 ** 20

/** Rows/s, CPU seconds per million rows, RSS and bytes on disk right after `system`'s load that began at `start`. */
async function loadMeasurements(system: string, rows: number, start: LoadStart, engine: QueryEngine): Promise<Measurement[]> {
  const loadMs = performance.now() - start.at
  const client = clientCpu('tsbs/load-client-cpu', system, rows, start.client)
  const cpuAfter = await treeCpuSeconds(start.pid)
  process.stdout.write(`  ${system} loaded ${rows} rows in ${(loadMs / 1000).toFixed(1)} s (the bench's own CPU: ${client.value.toFixed(2)} s per M rows)\n`)
  const out: Measurement[] = [{ scenario: 'tsbs/load', system, value: rows / (loadMs / 1000), unit: 'rows/s', higherIsBetter: true }, client]
  if (start.cpuSeconds !== null && cpuAfter !== null) {
    out.push({ scenario: 'tsbs/load-cpu', system, value: (cpuAfter - start.cpuSeconds) / (rows / 1e6), unit: 'CPU s/M rows', higherIsBetter: false })
  }
  const rss = await engine.rssBytes()
  if (rss !== null) out.push({ scenario: 'tsbs/rss-after-load', system, value: rss / MIB, unit: 'MiB', higherIsBetter: false })
  out.push(...diskMeasurement('tsbs/disk-after-load', system, engine))
  return out
}

function diskMeasurement(scenario: string, system: string, engine: QueryEngine): Measurement[] {
  const bytes = diskBytes(engine.dataDir)
  return bytes === null ? [] : [{ scenario, system, value: bytes / MIB, unit: 'MiB', higherIsBetter: false }]
}

async function segmentCount(dataDir: string): Promise<number> {
  const text = await fs.promises.readFile(path.join(dataDir, 'manifest.json'), 'utf8').catch(() => null)
  return text === null ? 0 : (JSON.parse(text) as { segments: unknown[] }).segments.length
}

/** nodedb: ILP ingest, the set on memtables, CHECKPOINT, the set on segments. Leaves its data in `dataDir`. */
async function runNodedb(dataDir: string, data: DataSet, files: LoadFiles, options: BenchOptions, into: Collected): Promise<void> {
  await fs.promises.mkdir(dataDir, { recursive: true })
  const server = await startNodedbProcess(dataDir, ['--memtable-mb', NODEDB_MEMTABLE_MB], null)
  const engine = await nodedbEngine(server)
  try {
    await warmNodedb(server.httpPort, engine, files.warm)
    const start = await loadStart(server.child.pid)
    await loadNodedb(server.httpPort, files.lines)
    into.measurements.push(...await loadMeasurements('nodedb', data.rows, start, engine))
    const count = Number((await engine.query('SELECT count(*) FROM cpu'))[0]?.[0])
    if (count !== data.rows) throw new Error(`nodedb holds ${count} rows after ingest, expected ${data.rows}`)
    if (wantsQueries(options)) into.runs.push(...await runQuerySet(engine, 'nodedb-memtable', nodedbDialect(options), data, options.runs, warmupOf(options)))
    // Proof that the first pass read memtables: no segment may exist before CHECKPOINT (the flush age is 10 min).
    into.measurements.push({ scenario: 'tsbs/segments-before-checkpoint', system: 'nodedb', value: await segmentCount(dataDir), unit: 'segments', higherIsBetter: false })
    const checkpointStarted = performance.now()
    await engine.query('CHECKPOINT')
    into.measurements.push({ scenario: 'tsbs/checkpoint', system: 'nodedb', value: performance.now() - checkpointStarted, unit: 'ms', higherIsBetter: false })
    into.measurements.push(...diskMeasurement('tsbs/disk-settled', 'nodedb', engine))
    if (wantsQueries(options)) into.runs.push(...await runQuerySet(engine, 'nodedb', nodedbDialect(options), data, options.runs, warmupOf(options)))
  } finally {
    await engine.stop()
  }
}

type PeerStart = (files: LoadFiles, data: DataSet, loadStarted: LoadStarted) => Promise<QueryEngine>

const PEERS: ReadonlyArray<{ name: PeerName; dialect: Dialect; start: PeerStart }> = [
  { name: 'postgres', dialect: 'pg', start: (files, _data, started) => postgresEngine(files.csv, CREATE_CPU_SQL, files.warm, started) },
  { name: 'influxdb', dialect: 'influxql', start: (files, _data, started) => sendLineFile(files.lines, (next) => influxEngine(next, files.warm, started)) },
  {
    name: 'victoriametrics', dialect: 'metricsql',
    start: (files, data, started) => sendLineFile(files.lines,
      (next) => victoriaMetricsEngine(next, data.rows, data.startMs + data.spanMs, data.spanMs, files.warm, started)),
  },
  {
    name: 'duckdb', dialect: 'duckdb',
    start: (files, _data, started) => duckdbEngine(files.csv, `CREATE TABLE cpu (time TIMESTAMP NOT NULL, ${TAG_NAMES.map((t) => `${t} VARCHAR`).join(', ')}, ` +
      `${FIELD_NAMES.map((f) => `${f} DOUBLE`).join(', ')})`, files.warm, started),
  },
  {
    name: 'clickhouse', dialect: 'clickhouse',
    start: (files, _data, started) => clickhouseEngine(files.csv, `CREATE TABLE cpu (time DateTime, ${TAG_NAMES.map((t) => `${t} String`).join(', ')}, ` +
      `${FIELD_NAMES.map((f) => `${f} Float64`).join(', ')}) ENGINE = MergeTree() ORDER BY (hostname, time)`, files.warm, started),
  },
]

const BINARIES: Partial<Record<EngineName, string>> = { clickhouse: 'clickhouse-server', influxdb: 'influxd', victoriametrics: 'victoria-metrics' }

function binaryMissing(name: EngineName): string | null {
  const binary = BINARIES[name]
  if (binary === undefined) return null
  try {
    execFileSync('which', [binary], { stdio: 'ignore' })
    return null
  } catch {
    return `${binary} not installed (scripts/ensure-bench-peers.sh installs it from Debian's packages as root)`
  }
}

async function runPeers(files: LoadFiles, data: DataSet, options: BenchOptions, into: Collected): Promise<void> {
  for (const peer of PEERS) {
    if (!options.peers.includes(peer.name)) continue
    const missing = binaryMissing(peer.name)
    if (missing !== null) {
      into.skipped.set(peer.name, missing)
      continue
    }
    let engine: QueryEngine
    let start: LoadStart | null = null
    try {
      engine = await peer.start(files, data, async (pid) => { start = await loadStart(pid) })
    } catch (error: unknown) {
      into.skipped.set(peer.name, `failed to start or load: ${errorText(error).slice(0, 300)}`)
      process.stdout.write(`  peer ${peer.name} skipped: ${errorText(error)}\n`)
      continue
    }
    try {
      into.measurements.push(...await loadMeasurements(peer.name, data.rows, start ?? await loadStart(undefined), engine))
      if (wantsQueries(options)) into.runs.push(...await runQuerySet(engine, peer.name, peer.dialect, data, options.runs, warmupOf(options)))
      into.measurements.push(...diskMeasurement('tsbs/disk-settled', peer.name, engine)) // after its merges had time
    } finally {
      await engine.stop()
    }
  }
}

/** A nodedb server on `dataDir` under --cpu-prof (profiles into `dir`, emptied first) for the length of `work`. */
async function profiled<T>(dataDir: string, dir: string, work: (engine: QueryEngine) => Promise<T>): Promise<T> {
  await fs.promises.rm(dir, { recursive: true, force: true })
  await fs.promises.mkdir(dir, { recursive: true })
  const engine = await nodedbEngine(await startNodedbProcess(dataDir, ['--memtable-mb', NODEDB_MEMTABLE_MB], dir))
  try {
    return await work(engine)
  } finally {
    await engine.stop()
  }
}

/** For each query where nodedb (segments) is slower than the fastest peer: a server under --cpu-prof runs it alone. */
async function profileSlowQueries(dataDir: string, data: DataSet, options: BenchOptions, runs: ReadonlyArray<QueryRun>): Promise<string> {
  const slow = verdicts(runs, TSBS_QUERIES.map((q) => q.name)).filter((v) => {
    const ours = runs.find((r) => r.query === v.query && r.system === 'nodedb')
    return ours !== undefined && ours.error === null && v.fastestPeer !== null && ours.medianMs > v.fastestPeer.medianMs
  })
  const sections: string[] = []
  const baseline = path.join(PROFILE_ROOT, '_baseline')
  await profiled(dataDir, baseline, (engine) => engine.query('SELECT 1'))
  for (const verdict of slow) {
    const index = TSBS_QUERIES.findIndex((q) => q.name === verdict.query)
    const query = TSBS_QUERIES[index]!
    const dir = path.join(PROFILE_ROOT, query.name)
    const run = await profiled(dataDir, dir, (engine) => timeQuery(engine, 'nodedb', nodedbDialect(options), query, index, data, Math.max(options.runs, 10), warmupOf(options)))
    sections.push(`profile of nodedb during ${query.name} × ${run.runs + 1} (${dir}; self time over all threads, ` +
      `less startup):\n${formatSelfTimes(await summarizeProfiles(dir, baseline))}`)
  }
  return sections.length === 0 ? 'profile: no query where nodedb is slower than the fastest peer\n' : `${sections.join('\n\n')}\n`
}

export const tsbsQueries: StandaloneScenario = {
  name: 'tsbs-queries', group: 'queries',
  async runAlone(options) {
    const data = dataSetOf(options)
    process.stdout.write(`tsbs-queries: ${data.hosts} hosts × ${options.hours} h = ${data.rows} rows, ${options.runs} runs per query ` +
      `(after ${warmupText(options)}), ` +
      `nodedb buckets by ${options.dateTrunc ? 'date_trunc' : 'time_bucket'}\n`)
    const dir = makeTempDir('bench-tsbs')
    const into: Collected = { runs: [], measurements: [], skipped: new Map() }
    try {
      await fs.promises.chmod(dir, 0o755) // PostgreSQL's server-side COPY reads the CSV as the postgres user
      const csv = path.join(dir, 'cpu.csv')
      const lines = await writeLoadFiles(cpuRows(data.rows, data.hosts, 1, data.startMs), csv, path.join(dir, 'cpu.lp'), ILP_BATCH_ROWS)
      const warmCsv = path.join(dir, 'warm.csv')
      const warm = options.warmLoad
        ? { csvPath: warmCsv, lines: await writeLoadFiles(cpuRows(warmRowsOf(data), data.hosts, 2, data.startMs), warmCsv, path.join(dir, 'warm.lp'), ILP_BATCH_ROWS, WARM_TABLE) }
        : null
      const files: LoadFiles = { csv, lines, warm }
      await runNodedb(path.join(dir, 'nodedb'), data, files, options, into)
      if (options.smoke) {
        for (const peer of PEERS) into.skipped.set(peer.name, 'smoke run: nodedb only')
      } else {
        await runPeers(files, data, options, into)
      }
      const names = TSBS_QUERIES.map((q) => q.name)
      let report = `${data.rows} rows (${data.hosts} hosts × ${options.hours} h); nodedb buckets by ` +
        `${options.dateTrunc ? 'date_trunc' : 'time_bucket'}; median (p95) ms over up to ${options.runs} runs, ` +
        `each system after ${warmupText(options)} per query\n` +
        formatQueryTable(into.runs, names, into.skipped)
      if (process.env.NODEDB_BENCH_PROFILE === '1') report += `\n${await profileSlowQueries(path.join(dir, 'nodedb'), data, options, into.runs)}`
      const skips = [...into.skipped].map(([system, note]): Measurement => ({ scenario: 'tsbs/peer', system, value: 0, unit: 'skipped', higherIsBetter: false, note }))
      return { measurements: [...into.measurements, ...runMeasurements(into.runs, names), ...skips], report }
    } finally {
      removeDir(dir)
    }
  },
}
