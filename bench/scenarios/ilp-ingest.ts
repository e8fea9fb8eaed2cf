// bench/scenarios/ilp-ingest: line-protocol ingest rows/s with several concurrent senders, over HTTP (acknowledged
// requests of `batch` lines) and over TCP (until every row is visible to queries, since TCP has no acks), on nodedb
// and on the ILP peers (InfluxDB 1.x: HTTP only; VictoriaMetrics: both). Each first ingests a tenth of the rows untimed
// into a measurement of its own (warmUp), every system alike.
import net from 'node:net'
import { bodiesOf, postBodies, type SendStats } from '../line-sender.js'
import { clientCpu } from '../peers/process-stats.js'
import type { IlpEndpoint, RunningSystem } from '../peers/systems.js'
import { cpuRows, INTERVAL_MS, lineChunks } from '../tsbs.js'
import type { BenchContext, Measurement, Scenario } from './index.js'

const FIELD = 'usage_user'

/**
 * The TSBS-like cpu rows (10 tags, 10 float fields, every 10 s per host) as line-protocol request bodies of `batch`
 * lines. Timestamps end about now, since VictoriaMetrics drops samples older than its retention (one month).
 */
export function ilpBodies(measurement: string, rows: number, hosts: number, batch: number): Buffer[] {
  const spanMs = Math.ceil(rows / hosts) * INTERVAL_MS
  const startMs = Date.now() - spanMs - 60_000
  return lineChunks(cpuRows(rows, hosts, 1, startMs), batch, measurement).map((text) => Buffer.from(text))
}

async function waitRows(endpoint: IlpEndpoint, measurement: string, rows: number): Promise<void> {
  const deadline = Date.now() + 120_000
  let seen = 0
  while (Date.now() < deadline) {
    seen = await endpoint.countRows(measurement, FIELD)
    if (seen >= rows) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`only ${seen} of ${rows} rows visible after 120 s`)
}

function endpointOf(system: RunningSystem): IlpEndpoint {
  if (system.ilp === undefined) throw new Error(`${system.name} speaks no line protocol`)
  return system.ilp
}

/** `bodies` POSTed by `writers` senders (bench/line-sender.ts: every system gets the same client). */
export function postAll(endpoint: Pick<IlpEndpoint, 'httpPort' | 'httpWritePath'>, bodies: ReadonlyArray<Buffer>, writers: number): Promise<SendStats> {
  return postBodies(`http://127.0.0.1:${endpoint.httpPort}${endpoint.httpWritePath}`, bodiesOf(bodies), writers)
}

export function sendShare(port: number, bodies: ReadonlyArray<Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let next = 0
    const pump = (): void => {
      while (next < bodies.length) if (!socket.write(bodies[next++]!)) return
      socket.end()
    }
    socket.on('connect', pump)
    socket.on('drain', pump)
    socket.on('error', reject)
    socket.on('close', () => resolve())
    socket.resume()
  })
}

/** The warm-up's share of the rows (at least one batch): ingested untimed into a measurement of its own first. */
function warmUpRows(rows: number, batch: number): number {
  return Math.max(batch, Math.floor(rows / 10))
}

/** Rows/s and the bench process's own CPU per M rows since `client` (bodies made before it). */
function measured(scenario: string, system: RunningSystem, rows: number, seconds: number, client: NodeJS.CpuUsage): Measurement[] {
  return [{ scenario, system: system.name, value: rows / seconds, unit: 'rows/s', higherIsBetter: true }, clientCpu(`${scenario}/client-cpu`, system.name, rows, client)]
}

export const ilpHttpIngest: Scenario = {
  name: 'ilp-http-ingest', group: 'ingest', systems: ['nodedb', 'influxdb', 'victoriametrics'],
  async warmUp({ system, options }: BenchContext) {
    const rows = warmUpRows(options.rows, options.batch)
    await postAll(endpointOf(system), ilpBodies('ilpbench_http_warmup', rows, options.hosts, options.batch), options.writers)
  },
  async run({ system, options }: BenchContext) {
    const endpoint = endpointOf(system)
    const bodies = ilpBodies('ilpbench_http', options.rows, options.hosts, options.batch)
    const [client, started] = [process.cpuUsage(), performance.now()]
    await postAll(endpoint, bodies, options.writers)
    const seconds = (performance.now() - started) / 1000
    const result = measured(this.name, system, options.rows, seconds, client)
    await waitRows(endpoint, 'ilpbench_http', options.rows) // every acknowledged row is there
    return result
  },
}

export const ilpTcpIngest: Scenario = {
  name: 'ilp-tcp-ingest', group: 'ingest', systems: ['nodedb', 'victoriametrics'],
  async warmUp({ system, options }: BenchContext) {
    const endpoint = endpointOf(system)
    if (endpoint.tcpPort === null) return
    const rows = warmUpRows(options.rows, options.batch)
    await sendShare(endpoint.tcpPort, ilpBodies('ilpbench_tcp_warmup', rows, options.hosts, options.batch))
    await waitRows(endpoint, 'ilpbench_tcp_warmup', rows)
  },
  async run({ system, options }: BenchContext) {
    const endpoint = endpointOf(system)
    const port = endpoint.tcpPort
    if (port === null) return []
    const bodies = ilpBodies('ilpbench_tcp', options.rows, options.hosts, options.batch)
    const shares = Array.from({ length: options.writers }, (_, w) => bodies.filter((_, i) => i % options.writers === w))
    const [client, started] = [process.cpuUsage(), performance.now()]
    await Promise.all(shares.map((share) => sendShare(port, share)))
    await waitRows(endpoint, 'ilpbench_tcp', options.rows)
    return measured(this.name, system, options.rows, (performance.now() - started) / 1000, client)
  },
}
