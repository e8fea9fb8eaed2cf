// bench/peers/tsdb-engines: InfluxDB 1.x (InfluxQL over /query) and VictoriaMetrics (MetricsQL over /api/v1/query
// and query_range) as engines of the TSBS query set, loaded over their line-protocol /write (bench/line-sender.ts, the sender nodedb's load uses too). Their answers (series
// of points, grouped by tags or metric names) are reshaped into rows with nodedb's columns, so they cross-check
// directly: a column is found by name (InfluxDB) or by its metric (VictoriaMetrics: `max_usage_user` is the series
// of cpu_usage_user); the time column is the bucket start, as epoch ms.
import { FIELD_NAMES } from '../tsbs.js'
import { postBodies } from '../line-sender.js'
import { sendLineFile, type NextBody } from '../tsbs-files.js'
import { startInfluxdb, startVictoriaMetrics, type IlpPeer } from './ilp-peers.js'
import {
  QueryError, WARM_TABLE, decoded, rssOf, type Answer, type Cell, type IngestWarmup, type LoadStarted, type QueryEngine,
} from './query-engines.js'

const TIME_COLUMNS = new Set(['time', 'minute', 'hour'])
const VISIBLE_TIMEOUT_MS = 120_000

/** POSTs a drop (InfluxQL's DROP MEASUREMENT, VictoriaMetrics' delete_series); any status but 200/204 throws. */
async function dropOrFail(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST' })
  const text = await response.text()
  if (response.status !== 200 && response.status !== 204) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`)
  if (/"error"/.test(text)) throw new Error(`${url}: ${text.slice(0, 200)}`)
}

/** postBodies of bodies made as they go, for loads that are not measured (bench/micro/tsbs-nodedb). */
export async function postLines(url: string, bodies: Iterator<string>): Promise<void> {
  await postBodies(url, async () => {
    const step = bodies.next()
    return step.done === true ? undefined : step.value
  })
}

/**
 * The body of a GET, undecoded, once its last byte has arrived; rejected when the status is not 200 or when the
 * body's start does not match `success` (each system puts its answer's outcome first: checked without parsing).
 */
async function getAnswer(url: string, success: RegExp, decode: (json: unknown) => Cell[][]): Promise<Answer> {
  const response = await fetch(url)
  const text = await response.text()
  if (response.status !== 200) throw new QueryError(text.trim().slice(0, 300), `http ${response.status}`)
  if (!success.test(text.slice(0, 100))) {
    decode(JSON.parse(text) as unknown) // throws the system's error with its message
    throw new QueryError(`unexpected answer: ${text.slice(0, 300)}`, 'answer')
  }
  return { cells: () => decode(JSON.parse(text) as unknown) }
}

/** An InfluxDB answer with no error: its first result has series, or nothing (an error comes before any series). */
const INFLUX_SUCCESS = /^\{"results":\[\{"statement_id":\d+(,"series"|\})/

interface InfluxSeries { tags?: Record<string, string>; columns: string[]; values: Cell[][] }
interface InfluxAnswer { error?: string; results?: Array<{ error?: string; series?: InfluxSeries[] }> }

/** InfluxDB's series as rows of `columns` (by name; a bucket column is InfluxDB's `time`). */
function influxRows(answer: InfluxAnswer, columns: ReadonlyArray<string>): Cell[][] {
  const result = answer.results?.[0]
  const error = answer.error ?? result?.error
  if (error !== undefined) throw new QueryError(error, 'influxql')
  const rows: Cell[][] = []
  for (const series of result?.series ?? []) {
    const index = new Map(series.columns.map((name, i) => [name, i]))
    for (const values of series.values) {
      rows.push(columns.map((column) => {
        const at = index.get(TIME_COLUMNS.has(column) ? 'time' : column)
        return at === undefined ? series.tags?.[column] ?? null : values[at] ?? null
      }))
    }
  }
  return rows
}

function started(peer: IlpPeer, answer: QueryEngine['answer']): QueryEngine {
  return { name: peer.name, answer, query: decoded(answer), rssBytes: () => rssOf(peer.pid), pid: peer.pid, dataDir: peer.dataDir, stop: () => peer.stop() }
}

/** InfluxDB 1.x with database `bench` loaded from `bodies`. */
export async function influxEngine(bodies: NextBody, warm: IngestWarmup | null, loadStarted: LoadStarted): Promise<QueryEngine> {
  const peer = await startInfluxdb()
  const base = `http://127.0.0.1:${peer.httpPort}`
  try {
    if (warm !== null) {
      await sendLineFile(warm.lines, (next) => postBodies(`${base}${peer.httpWritePath}`, next))
      await dropOrFail(`${base}/query?${new URLSearchParams({ db: 'bench', q: `DROP MEASUREMENT ${WARM_TABLE}` }).toString()}`)
    }
    await loadStarted(peer.pid)
    await postBodies(`${base}${peer.httpWritePath}`, bodies)
  } catch (error: unknown) {
    await peer.stop()
    throw error
  }
  return started(peer, (text, columns = []) => {
    const url = `${base}/query?${new URLSearchParams({ db: 'bench', epoch: 'ms', q: text }).toString()}`
    return getAnswer(url, INFLUX_SUCCESS, (json) => influxRows(json as InfluxAnswer, columns))
  })
}

interface VmSeries { metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }
interface VmAnswer { status: string; error?: string; data?: { result: VmSeries[] } }

/** The column a series fills: the one named after its metric (`max_usage_user` for cpu_usage_user), else the value column. */
function vmColumn(series: VmSeries, columns: ReadonlyArray<string>): number {
  const field = series.metric.__name__?.replace(/^cpu_/, '')
  const fieldOf = (column: string): string => column.slice(column.indexOf('_') + 1)
  if (field !== undefined && (FIELD_NAMES as ReadonlyArray<string>).includes(field)) return columns.findIndex((c) => !TIME_COLUMNS.has(c) && fieldOf(c) === field)
  return columns.findIndex((c) => !TIME_COLUMNS.has(c) && c !== 'hostname')
}

/** VictoriaMetrics' series merged into rows keyed by (time, hostname), with `columns`. */
function vmRows(answer: VmAnswer, columns: ReadonlyArray<string>): Cell[][] {
  if (answer.status !== 'success' || answer.data === undefined) throw new QueryError(answer.error ?? 'no data', 'metricsql')
  const rows = new Map<string, Cell[]>()
  const timeAt = columns.findIndex((c) => TIME_COLUMNS.has(c))
  const hostAt = columns.indexOf('hostname')
  for (const series of answer.data.result) {
    const at = vmColumn(series, columns)
    if (at < 0) throw new QueryError(`a series with no column: ${JSON.stringify(series.metric)}`, 'metricsql')
    for (const [seconds, value] of series.values ?? (series.value === undefined ? [] : [series.value])) {
      const ms = Math.round(seconds * 1000)
      const key = `${ms}\u0000${series.metric.hostname ?? ''}`
      let row = rows.get(key)
      if (row === undefined) {
        row = columns.map(() => null)
        if (timeAt >= 0) row[timeAt] = ms
        if (hostAt >= 0) row[hostAt] = series.metric.hostname ?? null
        rows.set(key, row)
      }
      row[at] = Number(value)
    }
  }
  return [...rows.values()]
}

/** VictoriaMetrics loaded from `bodies` (cpu_<field> series), waiting until all `rows` samples are searchable. */
export async function victoriaMetricsEngine(bodies: NextBody, rows: number, endMs: number, spanMs: number,
  warm: IngestWarmup | null, loadStarted: LoadStarted): Promise<QueryEngine> {
  const peer = await startVictoriaMetrics()
  const base = `http://127.0.0.1:${peer.httpPort}`
  const answer = (text: string, columns: ReadonlyArray<string> = []): Promise<Answer> =>
    getAnswer(`${base}${text}`, /^\{"status":"success"/, (json) => vmRows(json as VmAnswer, columns))
  const query = decoded(answer)
  try {
    if (warm !== null) {
      await sendLineFile(warm.lines, (next) => postBodies(`${base}${peer.httpWritePath}`, next))
      await dropOrFail(`${base}/api/v1/admin/tsdb/delete_series?${new URLSearchParams({ 'match[]': `{__name__=~"${WARM_TABLE}_.*"}` }).toString()}`)
    }
    await loadStarted(peer.pid)
    await postBodies(`${base}${peer.httpWritePath}`, bodies)
    const count = `/api/v1/query?${new URLSearchParams({ query: `sum(count_over_time(cpu_usage_user[${spanMs}ms]))`, time: String((endMs - 1) / 1000), nocache: '1' }).toString()}`
    const deadline = Date.now() + VISIBLE_TIMEOUT_MS
    for (let seen = 0; seen < rows; seen = Number((await query(count, ['n']))[0]?.[0] ?? 0)) {
      if (Date.now() > deadline) throw new Error(`only ${seen} of ${rows} samples searchable after ${VISIBLE_TIMEOUT_MS} ms`)
      await fetch(`${base}/internal/force_flush`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } catch (error: unknown) {
    await peer.stop()
    throw error
  }
  return started(peer, answer)
}
