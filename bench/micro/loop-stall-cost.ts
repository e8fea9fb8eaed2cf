// bench/micro/loop-stall-cost: the select1-during-sort scenario on nodedb alone, repeated on one data dir, for
// before/after work on invariant 5 without starting peers. Loads the bench's cpu rows into DIR over SQL INSERT (once;
// a DIR holding a manifest is reused), then RUNS times: the full sort on one connection while another sends
// `SELECT 1` back to back; prints the sort's time, the server's CPU for it, and SELECT 1's p50/p99/max.
// With --prof the server runs under `node --cpu-prof`; profile-stalls.js lists what held the main thread. With
// NODEDB_LOOP_PROBE_DIR=DIR NODE_OPTIONS="--require dist/bench/loop-probe.js" the server's own loop stalls during
// each sort are printed too, with the main thread's CPU time in the longest (the figure the machine's load does
// not inflate: a stall the scheduler caused has little CPU in it).
// --heavy picks the other connection's work: sort (the scenario's ORDER BY), aggregate (20 × TSBS double-groupby-all over
// the whole table), ilp (--rows new rows over ILP/TCP into a table of their own, one connection, per run) or none
// (2 s of nothing: what the machine's other load alone does to SELECT 1 and the main thread's wait).
// Run: npx tsc -p . && node dist/bench/micro/loop-stall-cost.js DIR [--rows 200000] [--hosts 100] [--runs 5]
//      [--heavy sort|aggregate|ilp|none] [--prof PROFILE_DIR]
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { pgClient, startNodedbProcess } from '../peers/query-engines.js'
import { treeCpuSeconds } from '../peers/process-stats.js'
import { CREATE_CPU_SQL, FIELD_NAMES, cpuRows, insertStatements, lineChunks } from '../tsbs.js'
import { HEAVY_SQL, HeavyQuery, quantile, select1LatenciesDuring } from '../scenarios/loop-stall.js'
import { sendShare } from '../scenarios/ilp-ingest.js'
import { probeFile, readProbe } from '../loop-probe.js'

/** TSBS double-groupby-all over every row (the query set's runs one 12-hour window). */
const AGGREGATE_SQL = `WITH cpu_avg AS (SELECT date_trunc('hour', time) AS hour, hostname, ` +
  `${FIELD_NAMES.map((f) => `avg(${f}) AS mean_${f}`).join(', ')} FROM cpu GROUP BY hour, hostname) ` +
  `SELECT hour, hostname, ${FIELD_NAMES.map((f) => `mean_${f}`).join(', ')} FROM cpu_avg ORDER BY hour, hostname`

/** The heavy work of run `run`: a statement on `heavy`, or a bulk ILP load of `rows` rows (each run's own hours). */
function heavyWork(kind: string, heavy: HeavyQuery, server: { readonly ilpPort: number }, rows: number, hosts: number, run: number): () => Promise<unknown> {
  if (kind === 'sort') return () => heavy.run(HEAVY_SQL)
  if (kind === 'none') return () => new Promise((resolve) => setTimeout(resolve, 2000))
  if (kind === 'aggregate') return async () => { for (let i = 0; i < 20; i++) await heavy.run(AGGREGATE_SQL) }
  if (kind !== 'ilp') throw new Error(`--heavy ${kind}: sort, aggregate, ilp or none`)
  const startMs = Date.UTC(2030, 0, 1) + run * 366 * 24 * 3600_000
  const bodies = lineChunks(cpuRows(rows, hosts, run + 2, startMs), 1000, 'cpu_ilp').map((chunk) => Buffer.from(chunk))
  return () => sendShare(server.ilpPort, bodies)
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n)

/**
 * The server's main thread (its tid is the pid) so far: CPU ms, and ms it was runnable but waited for a CPU
 * (/proc/PID/task/PID/schedstat's first two fields): the second is the stall the scheduler causes, not nodedb's code.
 */
async function mainThreadMs(pid: number | undefined): Promise<{ cpuMs: number; waitMs: number }> {
  const text = pid === undefined ? '' : await fs.promises.readFile(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').catch(() => '')
  const [cpuNs, waitNs] = text.split(' ').map(Number)
  return { cpuMs: (cpuNs ?? 0) / 1e6, waitMs: (waitNs ?? 0) / 1e6 }
}

/** Per run, the server's stalls the probe saw in it: how many, the longest, and the most CPU one held. */
async function probeReport(runs: ReadonlyArray<{ fromUs: number; toUs: number }>, pid: number | undefined): Promise<string> {
  const dir = process.env['NODEDB_LOOP_PROBE_DIR']
  if (dir === undefined || pid === undefined) return ''
  const stalls = await readProbe(probeFile(dir, pid))
  return runs.map(({ fromUs, toUs }, run) => {
    const inRun = stalls.filter((s) => s.endUs >= fromUs && s.endUs <= toUs)
    const longest = Math.max(0, ...inRun.map((s) => s.lateMs))
    const mostCpu = Math.max(0, ...inRun.map((s) => s.cpuMs))
    return `run ${run + 1}: server loop stalls ≥ 5 ms: ${inRun.length}, longest ${longest.toFixed(1)} ms, most CPU in one ${mostCpu.toFixed(1)} ms\n`
  }).join('')
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' },
      runs: { type: 'string', default: '5' }, prof: { type: 'string', default: '' }, heavy: { type: 'string', default: 'sort' },
    },
  })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: loop-stall-cost DIR [options]')
  const isLoaded = await fs.promises.access(path.join(dir, 'manifest.json')).then(() => true, () => false)
  await fs.promises.mkdir(dir, { recursive: true })
  const server = await startNodedbProcess(dir, [], values.prof === '' ? null : values.prof)
  const light = await pgClient(server.pgPort, 'bench')
  const runs: Array<{ fromUs: number; toUs: number }> = []
  let heavy: HeavyQuery | null = null
  try {
    if (!isLoaded) {
      await light.query(CREATE_CPU_SQL)
      for (const statement of insertStatements(cpuRows(Number(values.rows), Number(values.hosts)), 1000)) await light.query(statement)
      await light.query('CHECKPOINT')
    }
    heavy = await HeavyQuery.connect({ port: server.pgPort, user: 'bench' })
    await heavy.run(values.heavy === 'aggregate' ? AGGREGATE_SQL : HEAVY_SQL) // warm-up
    for (let run = 0; run < Number(values.runs); run++) {
      const work = heavyWork(values.heavy, heavy, server, Number(values.rows), Number(values.hosts), run)
      const fromUs = nowUs()
      const cpuBefore = await treeCpuSeconds(server.child.pid) ?? 0
      const mainBefore = await mainThreadMs(server.child.pid)
      const started = performance.now()
      const latencies = await select1LatenciesDuring(work, light)
      const elapsed = performance.now() - started
      const cpuMs = ((await treeCpuSeconds(server.child.pid) ?? 0) - cpuBefore) * 1000
      const mainAfter = await mainThreadMs(server.child.pid)
      process.stdout.write(`${values.heavy} ${elapsed.toFixed(0).padStart(6)} ms  server cpu ${cpuMs.toFixed(0).padStart(6)} ms  ` +
        `SELECT 1 ×${String(latencies.length).padStart(5)}  p50 ${quantile(latencies, 0.5).toFixed(2)}  ` +
        `p99 ${quantile(latencies, 0.99).toFixed(2)}  max ${(latencies[latencies.length - 1] ?? 0).toFixed(2)} ms  ` +
        `main thread cpu ${(mainAfter.cpuMs - mainBefore.cpuMs).toFixed(0)} ms, runnable but waiting ${(mainAfter.waitMs - mainBefore.waitMs).toFixed(0)} ms\n`)
      runs.push({ fromUs, toUs: nowUs() })
    }
  } finally {
    await heavy?.end()
    await light.end()
    await server.stop()
  }
  process.stdout.write(await probeReport(runs, server.child.pid))
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
