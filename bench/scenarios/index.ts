// bench/scenarios: the declarative list of what bench/run.ts measures, each on every system it names.
import { clientCpu } from '../peers/process-stats.js'
import { connectPg, type PeerName, type RunningSystem } from '../peers/systems.js'
import { CREATE_CPU_SQL, FIELD_NAMES, TAG_NAMES, cpuRows, insertStatements } from '../tsbs.js'
import { copyIngest } from './copy-ingest.js'
import { ilpHttpIngest, ilpTcpIngest } from './ilp-ingest.js'
import { tsbsQueries } from './tsbs-queries.js'
import { loopStall } from './loop-stall.js'
import { pgRoundTrip } from './pg-roundtrip.js'
import { syncDrain } from './sync-drain.js'
import { nodedbTableDisk } from './table-disk.js'

export interface BenchOptions {
  readonly rows: number
  readonly hosts: number
  readonly writers: number
  readonly batch: number
  /** Hours of TSBS data per host for the query set (one row per host per 10 s). */
  readonly hours: number
  /** Timed runs per query, after one warm-up on the fixed parameters and `warmup` untimed runs on other ones. */
  readonly runs: number
  /**
   * Untimed runs per query and system, each with parameters none of the timed runs use, before the timed runs: what
   * TSBS's thousands of queries amortize (JIT, caches) is out of the median, for every system alike.
   */
  readonly warmup: number
  /**
   * And the untimed runs go on until this much time has passed (at most WARM_UP_RUNS_MAX runs): a JIT-compiled server
   * reaches its steady state only after hundreds of queries, a C/C++/Go server after none, so a count alone measures
   * warm-up for one and steady state for the others. The same time for every system.
   */
  readonly warmupMs: number
  /**
   * tsbs/load: each system first loads a quarter as many other rows the same way into a table it then drops, untimed
   * (IngestWarmup in peers/query-engines.ts), for the same reason as `warmupMs`; `--cold-load` turns it off.
   */
  readonly warmLoad: boolean
  /** nodedb runs TSBS's date_trunc text (as PostgreSQL does) rather than its time_bucket rendering. */
  readonly dateTrunc: boolean
  /** Tiny sizes and nodedb only: that the scenarios still run, not how fast (for CI). */
  readonly smoke: boolean
  /** Scenario names or groups (`--only`); null: all. */
  readonly only: ReadonlyArray<string> | null
  /** The peers to start (`--peers`; default all, none for --smoke). */
  readonly peers: ReadonlyArray<PeerName>
}

/** 'query' (the shared scenarios' group) and 'queries' (the TSBS set's, as the issue words it) name the same group. */
const groupOf = (name: string): string => name === 'queries' ? 'query' : name

/** Whether `--only` (null: everything) selects the scenario `name` of group `group`. */
export function selects(only: ReadonlyArray<string> | null, name: string, group: string): boolean {
  return only === null || only.includes(name) || only.some((wanted) => groupOf(wanted) === groupOf(group))
}

export interface BenchContext {
  readonly system: RunningSystem
  readonly options: BenchOptions
}

export interface Measurement {
  readonly scenario: string
  readonly system: string
  readonly value: number
  readonly unit: string
  readonly higherIsBetter: boolean
  readonly p95?: number
  readonly runs?: number
  /** Rows an ingest scenario loaded, when not `options.rows` (for CPU seconds per million rows). */
  readonly rows?: number
  /** Why a value is missing or not comparable (an error with its SQLSTATE, answers that differ, a skipped peer). */
  readonly note?: string
}

export interface Scenario {
  readonly name: string
  readonly group: 'ingest' | 'query' | 'storage'
  readonly systems: ReadonlyArray<RunningSystem['name']>
  /**
   * Untimed and outside the CPU count, the same for every system: a long-running server is warm (JIT, caches), so
   * the measured run should not pay for a first start that one scenario meets and the next does not.
   */
  warmUp?(context: BenchContext): Promise<void>
  run(context: BenchContext): Promise<Measurement[]>
}

/**
 * A scenario that starts its own systems (fresh data of its own size, peers run one at a time) instead of sharing
 * the ones bench/run.ts starts; `report` is printed after the bench's table.
 */
export interface StandaloneScenario {
  readonly name: string
  readonly group: 'queries' | 'sync'
  runAlone(options: BenchOptions): Promise<{ measurements: Measurement[]; report: string }>
}

const QUERY_REPEAT_COUNT = 5

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

async function timeQuery(system: RunningSystem, text: string): Promise<number> {
  const client = await connectPg(system)
  try {
    await client.query(text) // warm-up
    const times: number[] = []
    for (let i = 0; i < QUERY_REPEAT_COUNT; i++) {
      const started = performance.now()
      await client.query(text)
      times.push(performance.now() - started)
    }
    return median(times)
  } finally {
    await client.end()
  }
}

const ingest: Scenario = {
  name: 'sql-insert-ingest', group: 'ingest', systems: ['nodedb', 'postgres'],
  async run({ system, options }) {
    const statements = insertStatements(cpuRows(options.rows, options.hosts), options.batch)
    const setup = await connectPg(system)
    await setup.query(CREATE_CPU_SQL)
    await setup.end()
    let next = 0
    const [client, started] = [process.cpuUsage(), performance.now()]
    await Promise.all(Array.from({ length: options.writers }, async () => {
      const client = await connectPg(system)
      for (let i = next++; i < statements.length; i = next++) await client.query(statements[i] ?? '')
      await client.end()
    }))
    const seconds = (performance.now() - started) / 1000
    return [{ scenario: this.name, system: system.name, value: options.rows / seconds, unit: 'rows/s', higherIsBetter: true },
      clientCpu(`${this.name}/client-cpu`, system.name, options.rows, client)]
  },
}

function queryScenario(name: string, sqlOf: (system: RunningSystem) => string): Scenario {
  return {
    name, group: 'query', systems: ['nodedb', 'postgres'],
    async run({ system }) {
      const ms = await timeQuery(system, sqlOf(system))
      return [{ scenario: name, system: system.name, value: ms, unit: 'ms', higherIsBetter: false }]
    },
  }
}

const replay: Scenario = {
  name: 'replay-after-kill', group: 'storage', systems: ['nodedb'],
  async run({ system, options }) {
    if (system.restart === undefined) return []
    const ms = await system.restart()
    return [
      { scenario: this.name, system: system.name, value: ms, unit: 'ms to ready', higherIsBetter: false },
      { scenario: 'replay-rows-per-s', system: system.name, value: options.rows / (ms / 1000), unit: 'rows/s', higherIsBetter: true },
    ]
  },
}

/**
 * Bytes per row of table `cpu` alone (the rows sql-insert-ingest loaded): PostgreSQL's pg_total_relation_size (heap,
 * index, TOAST), nodedb's segments of cpu plus cpu's WAL records. The whole data directory would count the rows every
 * other scenario loaded into tables of their own (cpu_copy, the ILP measurements: ~4× the rows).
 */
const diskBytes: Scenario = {
  name: 'disk-bytes-per-row', group: 'storage', systems: ['nodedb', 'postgres'],
  async run({ system, options }) {
    if (system.dataDir === null) {
      const client = await connectPg(system)
      const bytes = Number((await client.query("SELECT pg_total_relation_size('cpu') AS b")).rows[0].b)
      await client.end()
      return [{ scenario: this.name, system: system.name, value: bytes / options.rows, unit: 'bytes/row', higherIsBetter: false }]
    }
    const disk = await nodedbTableDisk(system.dataDir, 'cpu')
    if (disk === undefined) return [{ scenario: this.name, system: system.name, value: NaN, unit: 'bytes/row', higherIsBetter: false, note: 'no table cpu' }]
    const results: Measurement[] = [
      { scenario: this.name, system: system.name, value: (disk.segmentBytes + disk.walBytes) / options.rows, unit: 'bytes/row', higherIsBetter: false },
    ]
    if (disk.segmentRows > 0) {
      const perRow = disk.segmentBytes / disk.segmentRows
      const valuesPerRow = 1 + TAG_NAMES.length + FIELD_NAMES.length
      results.push(
        { scenario: 'segment-bytes-per-row', system: 'nodedb', value: perRow, unit: 'bytes/row', higherIsBetter: false },
        { scenario: 'segment-bytes-per-value', system: 'nodedb', value: perRow / valuesPerRow, unit: 'bytes/value', higherIsBetter: false },
        { scenario: 'segment-rows', system: 'nodedb', value: disk.segmentRows, unit: 'rows', higherIsBetter: true },
      )
    }
    return results
  },
}

export const SCENARIOS: ReadonlyArray<Scenario> = [
  ingest,
  copyIngest,
  ilpHttpIngest,
  ilpTcpIngest,
  queryScenario('count-all', () => 'SELECT count(*) FROM cpu'),
  queryScenario('avg-by-hour', (system) => system.hourlyAvgSql),
  queryScenario('max-one-host', () => "SELECT max(usage_user) FROM cpu WHERE hostname = 'host_7'"),
  loopStall,
  pgRoundTrip,
  diskBytes,
  replay,
]

export const STANDALONE_SCENARIOS: ReadonlyArray<StandaloneScenario> = [tsbsQueries, syncDrain]
