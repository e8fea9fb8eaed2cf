// bench/scenarios/tsbs-native-queries: the TSBS devops queries in the time-series peers' own languages, as TSBS's
// generators render them (timescale/tsbs cmd/tsbs_generate_queries/databases/influx and victoriametrics), adjusted
// only where TSBS's text asks another question than its SQL, so every answer can be cross-checked against nodedb's:
// - InfluxQL: aggregates get the SQL column names as aliases (a label only); cpu-max-all-1 groups by time(1h) (TSBS
//   renders 1m for InfluxDB, 1h for every SQL system); groupby-orderby-limit adds ORDER BY time DESC (TSBS's
//   InfluxQL returns the first 5 minutes of the data, its SQL the last 5 before the end).
// - MetricsQL: a rollup at instant t covers (t - w, t]; `offset -(w - 1ms)` makes the point labelled t cover
//   [t, t + w) at VictoriaMetrics' millisecond resolution, i.e. the SQL bucket that starts at t. Query windows start
//   on a bucket boundary (see paramSets), so every bucket is whole on every system. `nocache=1`: no system here
//   caches results. lastpoint, high-cpu-* and groupby-orderby-limit are refused as TSBS refuses them ("not supported
//   in PromQL": MetricsQL has no whole-row selection, no row filter on another field, no ORDER BY/LIMIT over
//   buckets); full-scan-avg (not a TSBS query) is sum/count over one instant.
import { FIELD_NAMES, START_MS } from '../tsbs.js'

export type NativeDialect = 'influxql' | 'metricsql'

export interface NativeParams {
  readonly hosts: ReadonlyArray<string>
  readonly startMs: number
  readonly endMs: number
}

/** The text to send (InfluxQL, or a VictoriaMetrics API path with its query string), or why it cannot be said. */
export type Rendering = { readonly text: string } | { readonly unsupported: string }

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000
const NO_PROMQL = 'not expressible in MetricsQL (TSBS: not supported in PromQL)'

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function influxHosts(hosts: ReadonlyArray<string>): string {
  return `(${hosts.map((h) => `hostname = '${h}'`).join(' or ')})`
}

function influxWindow(p: NativeParams): string {
  return `time >= '${rfc3339(p.startMs)}' and time < '${rfc3339(p.endMs)}'`
}

const influxAggs = (agg: string, alias: string, metrics: ReadonlyArray<string>): string =>
  metrics.map((m) => `${agg}(${m}) AS ${alias}_${m}`).join(', ')

function influxql(name: string, p: NativeParams): Rendering {
  const single = /^single-groupby-(\d+)-\d+-\d+$/.exec(name)
  if (single !== null) {
    return { text: `SELECT ${influxAggs('max', 'max', FIELD_NAMES.slice(0, Number(single[1])))} from cpu where ${influxHosts(p.hosts)} ` +
      `and ${influxWindow(p)} group by time(1m)` }
  }
  const double = /^double-groupby-(1|all)$/.exec(name)
  if (double !== null) {
    const metrics = double[1] === 'all' ? FIELD_NAMES : FIELD_NAMES.slice(0, 1)
    return { text: `SELECT ${influxAggs('mean', 'mean', metrics)} from cpu where ${influxWindow(p)} group by time(1h),hostname` }
  }
  switch (name) {
    case 'cpu-max-all-1':
      return { text: `SELECT ${influxAggs('max', 'max', FIELD_NAMES)} from cpu where ${influxHosts(p.hosts)} and ${influxWindow(p)} group by time(1h)` }
    case 'high-cpu-1':
      return { text: `SELECT * from cpu where usage_user > 90.0 and ${influxHosts(p.hosts)} and ${influxWindow(p)}` }
    case 'high-cpu-all':
      return { text: `SELECT * from cpu where usage_user > 90.0  and ${influxWindow(p)}` }
    case 'lastpoint':
      return { text: 'SELECT * from cpu group by "hostname" order by time desc limit 1' }
    case 'groupby-orderby-limit':
      return { text: `SELECT max(usage_user) from cpu WHERE time < '${rfc3339(p.endMs)}' group by time(1m) order by time desc limit 5` }
    case 'full-scan-avg':
      return { text: 'SELECT mean(usage_user) AS avg from cpu' }
    default:
      return { unsupported: `no InfluxQL rendering of ${name}` }
  }
}

function vmSelector(metrics: ReadonlyArray<string>, hosts: ReadonlyArray<string>): string {
  const hostClause = hosts.length === 0 ? '' : hosts.length === 1 ? `hostname='${hosts[0]}'` : `hostname=~'${hosts.join('|')}'`
  if (metrics.length === 1) return `cpu_${metrics[0]}{${hostClause}}`
  return `{__name__=~'cpu_(${metrics.join('|')})'${hostClause === '' ? '' : `, ${hostClause}`}}`
}

/** query_range with points at every bucket start of [startMs, endMs), each covering [t, t + bucket). */
function vmRange(expression: string, p: NativeParams, bucketMs: number): Rendering {
  const query = expression.replace('{WINDOW}', `[${bucketMs / MINUTE_MS >= 60 ? `${bucketMs / HOUR_MS}h` : `${bucketMs / MINUTE_MS}m`}] offset -${bucketMs - 1}ms`)
  const args = new URLSearchParams({ query, start: String(p.startMs / 1000), end: String((p.endMs - bucketMs) / 1000), step: String(bucketMs / 1000), nocache: '1' })
  return { text: `/api/v1/query_range?${args.toString()}` }
}

function metricsql(name: string, p: NativeParams): Rendering {
  const single = /^single-groupby-(\d+)-\d+-\d+$/.exec(name)
  if (single !== null) {
    return vmRange(`max(max_over_time(${vmSelector(FIELD_NAMES.slice(0, Number(single[1])), p.hosts)}{WINDOW})) by (__name__)`, p, MINUTE_MS)
  }
  const double = /^double-groupby-(1|all)$/.exec(name)
  if (double !== null) {
    const metrics = double[1] === 'all' ? FIELD_NAMES : FIELD_NAMES.slice(0, 1)
    return vmRange(`avg(avg_over_time(${vmSelector(metrics, [])}{WINDOW})) by (__name__, hostname)`, p, HOUR_MS)
  }
  if (name === 'cpu-max-all-1') return vmRange(`max(max_over_time(${vmSelector(FIELD_NAMES, p.hosts)}{WINDOW})) by (__name__)`, p, HOUR_MS)
  if (name === 'full-scan-avg') {
    // Every sample up to the end: the window (t - span, t] with t just before the end.
    const window = `[${p.endMs - START_MS}ms]`
    const query = `sum(sum_over_time(cpu_usage_user${window})) / sum(count_over_time(cpu_usage_user${window}))`
    return { text: `/api/v1/query?${new URLSearchParams({ query, time: String((p.endMs - 1) / 1000), nocache: '1' }).toString()}` }
  }
  return { unsupported: NO_PROMQL }
}

export function renderNative(dialect: NativeDialect, name: string, params: NativeParams): Rendering {
  return dialect === 'influxql' ? influxql(name, params) : metricsql(name, params)
}
