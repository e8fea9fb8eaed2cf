// bench/micro/tsbs-nodedb: the TSBS query set on nodedb alone, from segments, for before/after profiling of the
// engine without starting peers. Loads TSBS-like rows over line protocol into DIR (once; a DIR that already holds a
// manifest is reused, so two builds can be measured on the same data), CHECKPOINTs, then runs each query RUNS times
// with TSBS's varied parameters and prints the median and the server's CPU time per query.
// Run: npx tsc -p . && node dist/bench/micro/tsbs-nodedb.js DIR [--hosts 50] [--hours 6] [--runs 15]
//      [--only q1,q2] [--prof PROFILE_DIR] (the server under `node --cpu-prof`; summarize with profile-summary.js)
//      [--threads] (also each server thread's CPU ms per query, from /proc/PID/task)
//      [--memtable] (a new DIR is loaded without CHECKPOINT: its rows stay in the WAL and are replayed into memtables
//      at every start, so the queries run from memtables)
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

/** User+system CPU ms of each thread of a process so far, by thread name and id, from /proc (Linux). */
async function threadCpuMsOf(pid: number): Promise<Map<string, number>> {
  const byThread = new Map<string, number>()
  for (const tid of await fs.promises.readdir(`/proc/${pid}/task`)) {
    const stat = await fs.promises.readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null)
    if (stat === null) continue
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
    byThread.set(`${name}/${tid}`, (Number(fields[11]) + Number(fields[12])) * 10)
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

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      hosts: { type: 'string', default: '50' }, hours: { type: 'string', default: '6' }, runs: { type: 'string', default: '15' },
      only: { type: 'string', default: '' }, prof: { type: 'string', default: '' }, threads: { type: 'boolean', default: false },
      memtable: { type: 'boolean', default: false },
    },
  })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: tsbs-nodedb DIR [options]')
  const hosts = Number(values.hosts)
  const spanMs = Number(values.hours) * 3_600_000
  const rows = hosts * (spanMs / INTERVAL_MS)
  const isLoaded = await fs.promises.access(path.join(dir, values.memtable ? 'wal' : 'manifest.json')).then(() => true, () => false)
  await fs.promises.mkdir(dir, { recursive: true })
  const server = await startNodedbProcess(dir, ['--memtable-mb', '4096'], values.prof === '' ? null : values.prof)
  const engine = await nodedbEngine(server)
  try {
    if (!isLoaded) {
      await postLines(`http://127.0.0.1:${server.httpPort}/api/v2/write?org=bench&bucket=bench&precision=ns`, lineBodies(rows, hosts))
      if (!values.memtable) await engine.query('CHECKPOINT')
    }
    const only = values.only === '' ? null : values.only.split(',')
    const runs = Number(values.runs)
    const data = { startMs: START_MS, spanMs, hosts }
    for (const [index, query] of TSBS_QUERIES.entries()) {
      if (only !== null && !only.includes(query.name)) continue
      const texts = paramSets(query, runs + 1, SEED + index, data).map((p) => render(query, 'nodedb', p))
      const sql = texts.map((t) => 'text' in t ? t.text : '')
      await engine.query(sql[0]!)
      const times: number[] = []
      const cpuBefore = await cpuMsOf(server.child.pid!)
      const threadsBefore = values.threads ? await threadCpuMsOf(server.child.pid!) : null
      for (let i = 1; i <= runs; i++) {
        const started = performance.now()
        await engine.query(sql[i]!)
        times.push(performance.now() - started)
      }
      const cpuMs = (await cpuMsOf(server.child.pid!) - cpuBefore) / runs
      const threads = threadsBefore === null ? '' : `  threads ${threadShares(threadsBefore, await threadCpuMsOf(server.child.pid!), runs)}`
      times.sort((a, b) => a - b)
      process.stdout.write(`${query.name.padEnd(24)} median ${times[Math.floor(runs / 2)]!.toFixed(1).padStart(8)} ms  ` +
        `min ${times[0]!.toFixed(1).padStart(8)} ms  server cpu ${cpuMs.toFixed(1).padStart(8)} ms/query${threads}\n`)
    }
  } finally {
    await engine.stop()
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
