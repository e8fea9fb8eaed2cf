// bench/peers/ilp-peers: InfluxDB (Debian's influxd, 1.x: HTTP /write only) and VictoriaMetrics (HTTP /write and an
// ILP TCP listener) started on loopback with temp data dirs, as line-protocol peers of nodedb's ingest scenarios.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'

export interface IlpPeer {
  readonly name: 'influxdb' | 'victoriametrics'
  readonly httpPort: number
  /** Path and query of the line-protocol write endpoint, precision ns. */
  readonly httpWritePath: string
  /** ILP over TCP, or null when the peer has none (InfluxDB 1.x). */
  readonly tcpPort: number | null
  /** Makes everything written so far queryable and returns the number of rows (points) of `measurement`. */
  countRows(measurement: string, field: string): Promise<number>
  /** The server's process id (for its RSS and CPU time). */
  readonly pid: number | undefined
  /** Its temp data dir (bytes on disk). */
  readonly dataDir: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as net.AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitHttp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let spawnError: Error | null = null
  child.once('error', (error) => { spawnError = error })
  while (Date.now() < deadline) {
    if (spawnError !== null) throw new Error(`${url}: ${(spawnError as Error).message}`)
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`)
    try {
      const response = await fetch(url)
      if (response.status < 500) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} not up after ${timeoutMs} ms`)
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  removeDir(dir)
}

export async function startInfluxdb(): Promise<IlpPeer> {
  const dir = makeTempDir('bench-influxdb')
  const [httpPort, rpcPort] = [await freePort(), await freePort()]
  const config = [
    'reporting-enabled = false', `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]', `  dir = "${path.join(dir, 'meta')}"`,
    '[data]', `  dir = "${path.join(dir, 'data')}"`, `  wal-dir = "${path.join(dir, 'wal')}"`, '  wal-fsync-delay = "0s"',
    '  query-log-enabled = false', '[monitor]', '  store-enabled = false',
    '[coordinator]', '  max-select-buckets = 0', '  max-select-point = 0', '  max-select-series = 0',
    '[http]', `  bind-address = "127.0.0.1:${httpPort}"`, '  log-enabled = false', '  max-body-size = 0', '  max-row-limit = 0',
  ].join('\n')
  await fs.promises.writeFile(path.join(dir, 'influxdb.conf'), config)
  const child = spawn('influxd', ['-config', path.join(dir, 'influxdb.conf')], { stdio: 'ignore' })
  await waitHttp(`http://127.0.0.1:${httpPort}/ping`, child)
  await fetch(`http://127.0.0.1:${httpPort}/query?q=${encodeURIComponent('CREATE DATABASE bench')}`, { method: 'POST' })
  return {
    name: 'influxdb', httpPort, httpWritePath: '/write?db=bench&precision=ns', tcpPort: null,
    async countRows(measurement, field) {
      const q = encodeURIComponent(`SELECT count("${field}") FROM "${measurement}"`)
      const body = await (await fetch(`http://127.0.0.1:${httpPort}/query?db=bench&q=${q}`)).json() as {
        results: Array<{ series?: Array<{ values: Array<[string, number]> }> }>
      }
      return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0
    },
    pid: child.pid,
    dataDir: dir,
    stop: () => stopChild(child, dir),
  }
}

export async function startVictoriaMetrics(): Promise<IlpPeer> {
  const dir = makeTempDir('bench-victoriametrics')
  const [httpPort, tcpPort] = [await freePort(), await freePort()]
  const child = spawn('victoria-metrics', [
    `-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${httpPort}`, `-influxListenAddr=127.0.0.1:${tcpPort}`,
    '-retentionPeriod=100y', '-loggerLevel=ERROR', '-search.latencyOffset=0s',
  ], { stdio: 'ignore' })
  await waitHttp(`http://127.0.0.1:${httpPort}/health`, child)
  return {
    name: 'victoriametrics', httpPort, httpWritePath: '/write?precision=ns', tcpPort,
    async countRows(measurement, field) {
      await fetch(`http://127.0.0.1:${httpPort}/internal/force_flush`)
      const q = encodeURIComponent(`sum(count_over_time(${measurement}_${field}[30d]))`)
      const body = await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/query?nocache=1&query=${q}`)).json() as {
        data: { result: Array<{ value: [number, string] }> }
      }
      return Number(body.data.result[0]?.value[1] ?? 0)
    },
    pid: child.pid,
    dataDir: dir,
    stop: () => stopChild(child, dir),
  }
}
