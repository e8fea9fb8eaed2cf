// bench/peers/column-peers: the two column stores beside nodedb in the TSBS query set — DuckDB (in a child process,
// see duckdb-child.ts) and ClickHouse (Debian's clickhouse-server, on loopback with a temp dir, queried over HTTP).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import readline from 'node:readline'
import { makeTempDir, removeDir } from '../../test/helpers/server-process.js'
import {
  QueryError, WARM_TABLE, decoded, rssOf, warmCreateSql, type Answer, type Cell, type IngestWarmup, type LoadStarted, type QueryEngine,
} from './query-engines.js'

const CHILD_JS = path.join(__dirname, 'duckdb-child.js')

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** DuckDB with `createSql` run and the cpu table loaded from `csvPath` (time as TIMESTAMP, UTC by construction). */
export async function duckdbEngine(csvPath: string, createSql: string, warm: IngestWarmup | null, loadStarted: LoadStarted): Promise<QueryEngine> {
  const dir = makeTempDir('bench-duckdb')
  const child = spawn(process.execPath, [CHILD_JS, path.join(dir, 'bench.duckdb')], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>()
  let nextId = 0
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    // The child's JSON.stringify puts `id` first, then `rows` or `error`: the rows are parsed only when decoded.
    const [, id, kind] = /^\{"id":(\d+),"(rows|error)":/.exec(line) ?? []
    const waiter = pending.get(Number(id))
    pending.delete(Number(id))
    if (kind === 'rows') waiter?.resolve({ cells: () => (JSON.parse(line) as { rows: Cell[][] }).rows })
    else waiter?.reject(new QueryError(kind === 'error' ? (JSON.parse(line) as { error: string }).error : `not a reply: ${line.slice(0, 200)}`, 'duckdb'))
  })
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new QueryError(`duckdb child exited (${code ?? signal}): ${stderr.trim()}`, 'crash'))
    pending.clear()
  })
  const answer = (sql: string): Promise<Answer> => new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new QueryError(`duckdb child is gone: ${stderr.trim()}`, 'crash'))
      return
    }
    const id = nextId++
    pending.set(id, { resolve, reject })
    child.stdin?.write(`${JSON.stringify({ id, sql })}\n`)
  })
  const stop = async (): Promise<void> => {
    child.stdin?.end()
    await stopChild(child)
    removeDir(dir)
  }
  const query = decoded(answer)
  try {
    await query('SELECT 1') // the child is up: the load is measured from here
    if (warm !== null) {
      await query(warmCreateSql(createSql))
      await query(`COPY ${WARM_TABLE} FROM '${warm.csvPath}' (FORMAT csv, HEADER false)`)
      await query(`DROP TABLE ${WARM_TABLE}`)
    }
    await loadStarted(child.pid)
    await query(createSql)
    await query(`COPY cpu FROM '${csvPath}' (FORMAT csv, HEADER false)`)
  } catch (error: unknown) {
    await stop()
    throw error
  }
  return { name: 'duckdb', answer, query, rssBytes: () => rssOf(child.pid), pid: child.pid, dataDir: dir, stop }
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as net.AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

function clickhouseConfig(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${httpPort}</http_port><tcp_port>${tcpPort}</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path><user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config><default_profile>default</default_profile>
  <default_database>default</default_database><timezone>UTC</timezone><mark_cache_size>536870912</mark_cache_size>
</yandex>
`
}

const CLICKHOUSE_USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`

/**
 * POSTs the file `file` as the body, its length declared, read in 1 MiB pieces piped into node:http's request: fetch
 * with a file stream cost the bench 0.94 CPU s per M rows of ClickHouse's 864k-row load (web-stream work per 64 KiB
 * piece) on the cores ClickHouse loads with. Resolves with the status and the reply's text.
 */
async function postFile(url: string, file: string): Promise<{ status: number; text: string }> {
  const { size } = await fs.promises.stat(file)
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'Content-Length': size } }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
      response.on('error', reject)
    })
    request.on('error', reject)
    fs.createReadStream(file, { highWaterMark: 2 ** 20 }).on('error', reject).pipe(request)
  })
}

/** ClickHouse's JSONCompact cells, typed by its column metadata: DateTime as epoch ms, (U)Int64 as numbers. */
function clickhouseRows(body: { meta: Array<{ type: string }>; data: Array<Array<string | number | null>> }): Cell[][] {
  const kinds = body.meta.map((column) => column.type.replace(/^Nullable\((.*)\)$/, '$1'))
  return body.data.map((row) => row.map((value, i) => {
    if (value === null) return null
    if (kinds[i]?.startsWith('DateTime') === true) return Date.parse(`${String(value).replace(' ', 'T')}Z`)
    if (/^(U?Int|Float)/.test(kinds[i] ?? '')) return Number(value)
    return value
  }))
}

/** ClickHouse (MergeTree ORDER BY (hostname, time)), loaded by posting `csvPath` as CSV over HTTP. */
export async function clickhouseEngine(csvPath: string, createSql: string, warm: IngestWarmup | null, loadStarted: LoadStarted): Promise<QueryEngine> {
  const dir = makeTempDir('bench-clickhouse')
  const [httpPort, tcpPort] = [await freePort(), await freePort()]
  await fs.promises.writeFile(path.join(dir, 'config.xml'), clickhouseConfig(dir, httpPort, tcpPort))
  await fs.promises.writeFile(path.join(dir, 'users.xml'), CLICKHOUSE_USERS)
  const child = spawn('clickhouse-server', [`--config-file=${path.join(dir, 'config.xml')}`], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    await stopChild(child)
    removeDir(dir)
  }
  const url = `http://127.0.0.1:${httpPort}/`
  const post = async (sql: string, file?: string): Promise<string> => {
    const { status, text } = file === undefined
      ? await fetch(url, { method: 'POST', body: sql }).then(async (response) => ({ status: response.status, text: await response.text() }))
      : await postFile(`${url}?query=${encodeURIComponent(sql)}`, file)
    if (status !== 200) throw new QueryError(text.trim(), `http ${status}`)
    return text
  }
  try {
    await waitClickhouse(url, child)
    if (warm !== null) {
      await post(warmCreateSql(createSql))
      await post(`INSERT INTO ${WARM_TABLE} FORMAT CSV`, warm.csvPath)
      await post(`DROP TABLE ${WARM_TABLE}`)
    }
    await loadStarted(child.pid)
    await post(createSql)
    await post('INSERT INTO cpu FORMAT CSV', csvPath)
    await post('OPTIMIZE TABLE cpu FINAL') // one merged part, as a loaded TSBS database settles into
  } catch (error: unknown) {
    await stop()
    throw error
  }
  const answer = async (sql: string): Promise<Answer> => {
    const text = await post(`${sql} FORMAT JSONCompact`)
    // An exception after the first rows goes into the answer already begun with status 200; a whole answer ends
    // with its statistics object. Checked on the tail, so the rows need not be parsed here.
    if (!/"statistics":\s*\{[^{}]*\}\s*\}\s*$/.test(text.slice(-1000))) throw new QueryError(text.slice(-300).trim(), 'clickhouse')
    return { cells: () => clickhouseRows(JSON.parse(text) as Parameters<typeof clickhouseRows>[0]) }
  }
  return {
    name: 'clickhouse',
    answer,
    query: decoded(answer),
    rssBytes: () => rssOf(child.pid),
    pid: child.pid,
    dataDir: path.join(dir, 'data'),
    stop,
  }
}

async function waitClickhouse(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}`)
    const ok = await fetch(`${url}ping`).then((r) => r.status === 200, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error('clickhouse-server not up after 60 s')
}
