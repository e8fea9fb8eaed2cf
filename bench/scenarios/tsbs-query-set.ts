// bench/scenarios/tsbs-query-set: TSBS's devops (cpu-only) queries, from TimescaleDB's templates
// (timescale/tsbs cmd/tsbs_generate_queries/databases/timescaledb/devops.go) without the tags table, so hostname is
// a column of cpu as in this bench. Each is rendered per dialect: PostgreSQL ('pg') takes the TimescaleDB SQL as is
// (date_trunc, DISTINCT ON, a CTE); nodedb the same with time_bucket, as TSBS's --use-time-bucket renders it for
// TimescaleDB (nodedb pushes time_bucket groups into the core scan, date_trunc not yet; `--date-trunc` runs the
// 'pg' text on nodedb instead); DuckDB the 'pg' text with TIMESTAMP literals; ClickHouse 18 its own functions, IN
// lists and LIMIT BY, as TSBS's ClickHouse templates do. Parameters (random hosts and windows) come from a seeded
// PRNG, so every system sees the same sequence; windows start on the query's bucket boundary (minute or hour), so
// every system's buckets hold the same rows (VictoriaMetrics' rollup windows cannot start mid-bucket). InfluxQL and
// MetricsQL renderings are in tsbs-native-queries.ts.
import { seededRandom } from '../../test/helpers/random.js'
import { FIELD_NAMES, TAG_NAMES } from '../tsbs.js'
import { renderNative, type NativeDialect, type Rendering } from './tsbs-native-queries.js'

export type Dialect = 'nodedb' | 'pg' | 'duckdb' | 'clickhouse' | NativeDialect

export interface QueryParams {
  readonly hosts: ReadonlyArray<string>
  readonly startMs: number
  readonly endMs: number
}

export interface TsbsQuery {
  readonly name: string
  /** Random hosts per instance (0: none). */
  readonly hostCount: number
  /** Length of the random time window (0: none). */
  readonly windowMs: number
  /** Window starts are multiples of this (the query's time bucket). */
  readonly alignMs: number
  /** nodedb's answer columns (what InfluxDB's and VictoriaMetrics' answers are reshaped into). */
  readonly columns: ReadonlyArray<string>
  sql(dialect: Exclude<Dialect, NativeDialect>, params: QueryParams): string
}

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const ROW_COLUMNS = ['time', ...TAG_NAMES, ...FIELD_NAMES]

/** The text `dialect` runs for `query`, or why that language cannot express it. */
export function render(query: TsbsQuery, dialect: Dialect, params: QueryParams): Rendering {
  if (dialect === 'influxql' || dialect === 'metricsql') return renderNative(dialect, query.name, params)
  return { text: query.sql(dialect, params) }
}

/** Go's "2006-01-02 15:04:05.999999 -0700" for a whole-second UTC instant, as TSBS prints for TimescaleDB. */
function goTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} +0000`
}

function plainTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function literal(dialect: Dialect, ms: number): string {
  if (dialect === 'pg' || dialect === 'nodedb') return `'${goTime(ms)}'`
  if (dialect === 'duckdb') return `TIMESTAMP '${plainTime(ms)}'`
  return `toDateTime('${plainTime(ms)}')`
}

function trunc(dialect: Dialect, unit: 'minute' | 'hour'): string {
  if (dialect === 'clickhouse') return unit === 'minute' ? 'toStartOfMinute(time)' : 'toStartOfHour(time)'
  if (dialect === 'nodedb') return `time_bucket('1 ${unit}', time)`
  return `date_trunc('${unit}', time)`
}

function hostWhere(dialect: Dialect, hosts: ReadonlyArray<string>): string {
  if (dialect === 'clickhouse') return `hostname IN (${hosts.map((h) => `'${h}'`).join(', ')})`
  return `(${hosts.map((h) => `hostname = '${h}'`).join(' OR ')})`
}

function window(dialect: Dialect, p: QueryParams): string {
  return `time >= ${literal(dialect, p.startMs)} AND time < ${literal(dialect, p.endMs)}`
}

function aggregates(agg: string, metrics: ReadonlyArray<string>, prefix = agg): string {
  return metrics.map((m) => `${agg}(${m}) AS ${prefix}_${m}`).join(', ')
}

/** single-groupby-M-H-T: max of M metrics per minute for H random hosts over T random hours. */
function singleGroupby(metrics: number, hosts: number, hours: number): TsbsQuery {
  return {
    name: `single-groupby-${metrics}-${hosts}-${hours}`, hostCount: hosts, windowMs: hours * HOUR_MS, alignMs: MINUTE_MS,
    columns: ['minute', ...FIELD_NAMES.slice(0, metrics).map((m) => `max_${m}`)],
    sql: (d, p) => `SELECT ${trunc(d, 'minute')} AS minute, ${aggregates('max', FIELD_NAMES.slice(0, metrics))} FROM cpu ` +
      `WHERE ${hostWhere(d, p.hosts)} AND ${window(d, p)} GROUP BY minute ORDER BY minute ASC`,
  }
}

/** double-groupby-N: avg of N metrics per hour and host over a random 12 hours. */
function doubleGroupby(label: string, metrics: number): TsbsQuery {
  return {
    name: `double-groupby-${label}`, hostCount: 0, windowMs: 12 * HOUR_MS, alignMs: HOUR_MS,
    columns: ['hour', 'hostname', ...FIELD_NAMES.slice(0, metrics).map((m) => `mean_${m}`)],
    sql: (d, p) => {
      const names = FIELD_NAMES.slice(0, metrics)
      if (d === 'clickhouse') {
        return `SELECT ${trunc(d, 'hour')} AS hour, hostname, ${aggregates('avg', names, 'mean')} FROM cpu ` +
          `WHERE ${window(d, p)} GROUP BY hour, hostname ORDER BY hour, hostname`
      }
      return `WITH cpu_avg AS (SELECT ${trunc(d, 'hour')} AS hour, hostname, ${aggregates('avg', names, 'mean')} FROM cpu ` +
        `WHERE ${window(d, p)} GROUP BY hour, hostname) ` +
        `SELECT hour, hostname, ${names.map((m) => `mean_${m}`).join(', ')} FROM cpu_avg ORDER BY hour, hostname`
    },
  }
}

/** high-cpu-H: every row with usage_user > 90 over a random 12 hours, for H random hosts (0: all). */
function highCpu(label: string, hosts: number): TsbsQuery {
  return {
    name: `high-cpu-${label}`, hostCount: hosts, windowMs: 12 * HOUR_MS, alignMs: 1000, columns: ROW_COLUMNS,
    sql: (d, p) => `SELECT * FROM cpu WHERE usage_user > 90.0 AND ${window(d, p)}${hosts === 0 ? '' : ` AND ${hostWhere(d, p.hosts)}`}`,
  }
}

export const TSBS_QUERIES: ReadonlyArray<TsbsQuery> = [
  singleGroupby(1, 1, 1),
  singleGroupby(1, 1, 12),
  singleGroupby(5, 1, 1),
  doubleGroupby('1', 1),
  doubleGroupby('all', FIELD_NAMES.length),
  {
    name: 'cpu-max-all-1', hostCount: 1, windowMs: 8 * HOUR_MS, alignMs: HOUR_MS, columns: ['hour', ...FIELD_NAMES.map((m) => `max_${m}`)],
    sql: (d, p) => `SELECT ${trunc(d, 'hour')} AS hour, ${aggregates('max', FIELD_NAMES)} FROM cpu ` +
      `WHERE ${hostWhere(d, p.hosts)} AND ${window(d, p)} GROUP BY hour ORDER BY hour`,
  },
  highCpu('1', 1),
  highCpu('all', 0),
  {
    name: 'lastpoint', hostCount: 0, windowMs: 0, alignMs: 1000, columns: ROW_COLUMNS,
    sql: (d) => d === 'clickhouse'
      ? 'SELECT * FROM cpu ORDER BY hostname, time DESC LIMIT 1 BY hostname'
      : 'SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC',
  },
  {
    // TSBS draws a random 1-hour window and keeps only its end.
    name: 'groupby-orderby-limit', hostCount: 0, windowMs: HOUR_MS, alignMs: MINUTE_MS, columns: ['minute', 'max'],
    sql: (d, p) => `SELECT ${trunc(d, 'minute')} AS minute, max(usage_user) FROM cpu WHERE time < ${literal(d, p.endMs)} ` +
      'GROUP BY minute ORDER BY minute DESC LIMIT 5',
  },
  { name: 'full-scan-avg', hostCount: 0, windowMs: 0, alignMs: 1000, columns: ['avg'], sql: () => 'SELECT avg(usage_user) FROM cpu' },
]

/**
 * `count` parameter sets for `query` over data from `startMs` spanning `spanMs` with `hosts` hosts: distinct random
 * hosts and a window at a random bucket start inside the data (TSBS's RandWindow, at whole seconds, aligned further
 * to the query's bucket), clamped to the data when longer.
 */
export function paramSets(query: TsbsQuery, count: number, seed: number, data: { startMs: number; spanMs: number; hosts: number }): QueryParams[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, () => {
    const chosen = new Set<number>()
    while (chosen.size < Math.min(query.hostCount, data.hosts)) chosen.add(Math.floor(random() * data.hosts))
    const slack = Math.max(0, data.spanMs - query.windowMs)
    const startMs = data.startMs + Math.floor(random() * slack / query.alignMs) * query.alignMs
    const endMs = query.windowMs === 0 ? data.startMs + data.spanMs : startMs + Math.min(query.windowMs, data.spanMs)
    return { hosts: [...chosen].map((h) => `host_${h}`), startMs, endMs }
  })
}
