// bench/micro/tsbs-nodedb: the TSBS query set on nodedb alone, from segments or memtables, for before/after profiling
// of the engine without starting peers. Loads TSBS-like rows over line protocol into DIR (once; a DIR that already
// holds a manifest is reused, so two builds can be measured on the same data), CHECKPOINTs, then runs each query RUNS
// times with TSBS's varied parameters and prints the median and the server's CPU time per query.
// Run: npx tsc -p . && node dist/bench/micro/tsbs-nodedb.js DIR [--hosts 50] [--hours 6] [--runs 15]
//      [--warmup N] (N more untimed runs first, with parameter sets of their own: steady state, not warm-up)
//      [--only q1,q2] [--prof PROFILE_DIR] (the server under `node --cpu-prof`; summarize with profile-summary.js)
//      [--threads] (also each server thread's CPU ms per query, from /proc/PID/task)
//      [--memtable] (DIR is emptied and loaded afresh, the same seeded rows, and the set runs on the memtables: no
//      CHECKPOINT, and a row to a separate keep-alive table every few seconds so the idle flush never fires; the run
//      fails if any segment exists at its end)
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { nodedbEngine, startNodedbProcess } from '../peers/query-engines.js'
import { postLines } from '../peers/tsdb-engines.js'
import { FIELD_NAMES, INTERVAL_MS, START_MS, TAG_NAMES, cpuRows } from '../tsbs.js'
import { TSBS_QUERIES, paramSets, render } from '../scenarios/tsbs-query-set.js'

const SEED = 42

function* lineBodies(rows: number, hosts: number): Generator<string> {
  let lines: string[] = []
  for (const row of cpuRows(rows, hosts, 1, START_MS)) {
    const tags = row.tags.map((value, i) => `${TAG_NAMES[i]}=${value}`).join(',')
    lines.push(`cpu,${tags} ${row.fields.map((value, i) => `${FIELD_NAMES[i]}=${value}`).join(',')} ${row.timeMs}000000`)
    if (lines.length === 5000) { yield `${lines.join('\n')}\n`; lines = [] }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`
}

/**
 * CPU ms of each thread of a process so far, by thread name and id, from /proc (Linux): the scheduler's ns count
 * (schedstat) where the kernel keeps it, else user+system clock ticks (10 ms each: too coarse for a 5 ms query).
 */
async function threadCpuMsOf(pid: number): Promise<Map<string, number>> {
  const byThread = new Map<string, number>()
  for (const tid of await fs.promises.readdir(`/proc/${pid}/task`)) {
    const stat = await fs.promises.readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null)
    if (stat === null) continue
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    // The cores name themselves; the other "node" threads besides the main one are V8's (and libuv's) pools.
    const name = tid === String(pid) ? 'main' : comm === 'node' ? `v8/${tid}` : comm
    const schedstat = await fs.promises.readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => null)
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
    byThread.set(name, schedstat === null ? (Number(fields[11]) + Number(fields[12])) * 10 : Number(schedstat.split(' ')[0]) / 1e6)
  }
  return byThread
}

/** The threads that used CPU between two threadCpuMsOf readings, busiest first, as "name:ms/query" (--threads). */
function threadShares(before: Map<string, number>, after: Map<string, number>, runs: number): string {
  const used = [...after].map(([key, ms]) => [key, (ms - (before.get(key) ?? 0)) / runs] as const)
  return used.filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name}:${ms.toFixed(2)}`).join(' ')
}

/** User+system CPU seconds of a process so far, from /proc (Linux). */
async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

type Server = Awaited<ReturnType<typeof startNodedbProcess>>
type Engine = Awaited<ReturnType<typeof nodedbEngine>>

/** Segments the manifest lists (0 before the first flush). */
async function segmentCount(dir: string): Promise<number> {
  const text = await fs.promises.readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => null)
  return text === null ? 0 : (JSON.parse(text) as { segments: unknown[] }).segments.length
}

/** One query RUNS times (after one unmeasured run), printed as median, min and server CPU per query. */
async function runQuery(server: Server, engine: Engine, sql: string[], options: { name: string; runs: number; threads: boolean }): Promise<void> {
  const { runs } = options
  for (let i = runs + 1; i < sql.length; i++) await engine.query(sql[i]!)
  await engine.query(sql[0]!)
  const times: number[] = []
  const cpuBefore = await cpuMsOf(server.child.pid!)
  const threadsBefore = options.threads ? await threadCpuMsOf(server.child.pid!) : null
  for (let i = 1; i <= runs; i++) {
    const started = performance.now()
    await engine.query(sql[i]!)
    times.push(performance.now() - started)
  }
  const cpuMs = (await cpuMsOf(server.child.pid!) - cpuBefore) / runs
  const threads = threadsBefore === null ? '' : `  threads ${threadShares(threadsBefore, await threadCpuMsOf(server.child.pid!), runs)}`
  times.sort((a, b) => a - b)
  process.stdout.write(`${options.name.padEnd(24)} median ${times[Math.floor(runs / 2)]!.toFixed(1).padStart(8)} ms  ` +
    `min ${times[0]!.toFixed(1).padStart(8)} ms  server cpu ${cpuMs.toFixed(1).padStart(8)} ms/query${threads}\n`)
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      hosts: { type: 'string', default: '50' }, hours: { type: 'string', default: '6' }, runs: { type: 'string', default: '15' },
      only: { type: 'string', default: '' }, prof: { type: 'string', default: '' }, threads: { type: 'boolean', default: false },
      memtable: { type: 'boolean', default: false }, warmup: { type: 'string', default: '0' },
    },
  })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: tsbs-nodedb DIR [options]')
  const hosts = Number(values.hosts)
  const spanMs = Number(values.hours) * 3_600_000
  const rows = hosts * (spanMs / INTERVAL_MS)
  if (values.memtable) await fs.promises.rm(dir, { recursive: true, force: true })
  const isLoaded = await fs.promises.access(path.join(dir, 'manifest.json')).then(() => true, () => false)
  await fs.promises.mkdir(dir, { recursive: true })
  const server = await startNodedbProcess(dir, ['--memtable-mb', '4096'], values.prof === '' ? null : values.prof)
  const engine = await nodedbEngine(server)
  const writeUrl = `http://127.0.0.1:${server.httpPort}/api/v2/write?org=bench&bucket=bench&precision=ns`
  // Memtable mode: a row to another table (both cores: two series) keeps the idle flush from firing mid-run.
  const keepAlive = values.memtable ? setInterval(() => void postLines(writeUrl, [
    `bench_keepalive,k=a v=1 ${Date.now()}000000\nbench_keepalive,k=b v=1 ${Date.now()}000000\n`][Symbol.iterator]()), 5000) : null
  try {
    if (!isLoaded) {
      await postLines(writeUrl, lineBodies(rows, hosts))
      if (!values.memtable) await engine.query('CHECKPOINT')
    }
    const only = values.only === '' ? null : values.only.split(',')
    const runs = Number(values.runs)
    const warmup = Number(values.warmup)
    const data = { startMs: START_MS, spanMs, hosts }
    for (const [index, query] of TSBS_QUERIES.entries()) {
      if (only !== null && !only.includes(query.name)) continue
      const texts = paramSets(query, runs + 1 + warmup, SEED + index, data).map((p) => render(query, 'nodedb', p))
      await runQuery(server, engine, texts.map((t) => 'text' in t ? t.text : ''), { name: query.name, runs, threads: values.threads })
    }
    if (values.memtable && await segmentCount(dir) > 0) throw new Error('a segment was written during the memtable run')
  } finally {
    if (keepAlive !== null) clearInterval(keepAlive)
    await engine.stop()
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
