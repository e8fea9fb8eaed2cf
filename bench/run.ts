// bench/run: nodedb beside real peers in one run, on the same TSBS-like rows; prints JSON and a table of ratios.
// Usage: npm run bench -- [--rows N] [--hosts N] [--hours N] [--runs N] [--warmup N] [--warmup-ms MS] [--writers N] [--batch N]
//                        [--only scenario-or-group,...] [--peers postgres,influxdb,...] [--results-dir DIR]
//                        [--smoke] [--date-trunc] [--cold-load]
// Peers are installed first from Debian's packages (scripts/ensure-bench-peers.sh, not for --smoke) and started here
// on loopback with temp data dirs; a peer that cannot start is reported as skipped in the table. Never part of the
// test suite: speed is measured here, never asserted in tests. --smoke runs every scenario tiny on nodedb alone, so
// CI can keep the bench working without timing anything. The results go to stdout and bench/results/<date>.{md,json,svg}
// (--smoke: a temp dir), and a full run (every scenario, every peer) also rewrites BENCHMARKS.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SCENARIOS, STANDALONE_SCENARIOS, selects, type BenchContext, type Measurement, type Scenario } from './scenarios/index.js'
import { PEER_NAMES, startSystems, type PeerName, type RunningSystem } from './peers/systems.js'
import { cpuSecondsOf, terminateDescendants } from './peers/process-stats.js'
import { rssOf } from './peers/query-engines.js'
import { markdownTable } from './report/table.js'
import { isFullRun, machineNow, machineLine, writeRun, type RunDocument } from './report/write.js'

const REPO_ROOT = path.join(__dirname, '..', '..')
const SHARED_LOADER = 'sql-insert-ingest'

function peersOf(text: string): PeerName[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '')
  const unknown = names.filter((name) => !(PEER_NAMES as ReadonlyArray<string>).includes(name))
  if (unknown.length > 0) throw new Error(`--peers: unknown ${unknown.join(', ')} (known: ${PEER_NAMES.join(', ')})`)
  return names as PeerName[]
}

function options(): { opts: BenchContext['options']; resultsDir: string | null } {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' },
      writers: { type: 'string', default: '4' }, batch: { type: 'string', default: '1000' },
      hours: { type: 'string', default: '24' }, runs: { type: 'string', default: '10' }, warmup: { type: 'string', default: '5' },
      'warmup-ms': { type: 'string', default: '1500' },
      only: { type: 'string', default: '' }, peers: { type: 'string', default: PEER_NAMES.join(',') },
      'results-dir': { type: 'string', default: '' }, smoke: { type: 'boolean', default: false },
      'date-trunc': { type: 'boolean', default: false }, 'cold-load': { type: 'boolean', default: false },
    },
  })
  const only = values.only === '' ? null : values.only.split(',')
  const resultsDir = values['results-dir'] === '' ? null : values['results-dir']
  const dateTrunc = values['date-trunc']
  const warmLoad = !values['cold-load']
  if (values.smoke) return { opts: { rows: 2000, hosts: 5, hours: 1, runs: 2, warmup: 0, warmupMs: 0, writers: 2, batch: 500, dateTrunc, warmLoad, smoke: true, only, peers: [] }, resultsDir }
  return {
    opts: {
      rows: Number(values.rows), hosts: Number(values.hosts), writers: Number(values.writers), batch: Number(values.batch),
      hours: Number(values.hours), runs: Number(values.runs), warmup: Number(values.warmup), warmupMs: Number(values['warmup-ms']), dateTrunc, warmLoad, smoke: false, only, peers: peersOf(values.peers),
    },
    resultsDir,
  }
}

/** The shared scenarios `--only` selects; the query and storage ones read the cpu table sql-insert-ingest fills. */
function sharedScenarios(only: ReadonlyArray<string> | null): Scenario[] {
  const chosen = SCENARIOS.filter((scenario) => selects(only, scenario.name, scenario.group))
  const loader = SCENARIOS.find((scenario) => scenario.name === SHARED_LOADER)
  const needsData = chosen.some((scenario) => scenario.group !== 'ingest' && scenario.name !== 'pg-roundtrip')
  return loader !== undefined && needsData && !chosen.includes(loader) ? [loader, ...chosen] : chosen
}

/** Installs missing peers (root only; never fails the bench: a peer still missing is reported as skipped). */
function ensurePeers(): void {
  const script = path.join(REPO_ROOT, 'scripts', 'ensure-bench-peers.sh')
  try {
    execFileSync('bash', [script], { stdio: 'inherit' })
  } catch (error: unknown) {
    process.stdout.write(`ensure-bench-peers.sh failed (missing peers are reported as skipped): ${String(error)}\n`)
  }
}

async function main(): Promise<void> {
  const { opts, resultsDir } = options()
  if (!opts.smoke) ensurePeers()
  const startedAt = new Date()
  const machine = machineNow()
  process.stdout.write(`machine: ${machineLine(machine)}\noptions: ${JSON.stringify(opts)}\n`)
  const results: Measurement[] = []
  const shared = sharedScenarios(opts.only)
  if (shared.length > 0) results.push(...await runShared(shared, opts))
  const reports: string[] = []
  for (const scenario of STANDALONE_SCENARIOS.filter((s) => selects(opts.only, s.name, s.group) || selects(opts.only, s.name, 'ingest'))) {
    process.stdout.write(`running ${scenario.name}...\n`)
    const { measurements, report } = await scenario.runAlone(opts)
    results.push(...measurements)
    reports.push(`${scenario.name}:\n${report}`)
  }
  machine.loadAverageEnd = os.loadavg()
  process.stdout.write(`\n${JSON.stringify({ machine, options: opts, results }, null, 1)}\n`)
  const doc: RunDocument = { startedAt, machine, options: opts, command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '), results, reports }
  process.stdout.write(`\nmachine: ${machineLine(machine)}\n\n${markdownTable(results)}\n`)
  for (const report of reports) process.stdout.write(`\n${report}`)
  await writeResults(doc, resultsDir)
}

/** bench/results/<date> for a full run (and BENCHMARKS.md), <date>-<time> otherwise; --smoke into a temp dir. */
async function writeResults(doc: RunDocument, resultsDir: string | null): Promise<void> {
  const full = isFullRun(doc.options, PEER_NAMES.length)
  const dir = resultsDir ?? (doc.options.smoke ? await fs.promises.mkdtemp(path.join(os.tmpdir(), 'nodedb-bench-smoke-')) : path.join(REPO_ROOT, 'bench', 'results'))
  const iso = doc.startedAt.toISOString()
  const stamp = full ? iso.slice(0, 10) : `${iso.slice(0, 10)}-${iso.slice(11, 19).replace(/:/g, '')}`
  const written = await writeRun(doc, dir, stamp, full && resultsDir === null ? path.join(REPO_ROOT, 'BENCHMARKS.md') : null)
  process.stdout.write(`\nresults: ${written.markdown}, ${written.json}, ${written.svg}${written.benchmarks === null ? '' : `, ${written.benchmarks}`}\n`)
}

/**
 * An ingest scenario's cost besides its rows/s: the system's CPU seconds per million rows (its whole process tree)
 * and its RSS right after; generic over the scenarios, which say only how many rows they loaded (options.rows unless
 * a measurement says `rows`).
 */
async function runIngest(scenario: Scenario, context: BenchContext): Promise<Measurement[]> {
  await scenario.warmUp?.(context)
  const { result, cpuSeconds } = await cpuSecondsOf(context.system.pid, () => scenario.run(context))
  const rates = result.filter((m) => m.unit === 'rows/s' && m.note === undefined)
  if (rates.length !== 1) return result
  const [rate, system] = [rates[0]!, context.system.name]
  const rows = rate.rows ?? context.options.rows
  const extra: Measurement[] = []
  if (cpuSeconds !== null) extra.push({ scenario: `${rate.scenario}/cpu`, system, value: cpuSeconds / (rows / 1e6), unit: 'CPU s/M rows', higherIsBetter: false })
  const rss = await rssOf(context.system.pid)
  if (rss !== null) extra.push({ scenario: `${rate.scenario}/rss-after`, system, value: rss / 2 ** 20, unit: 'MiB', higherIsBetter: false })
  return [...result, ...extra]
}

async function runShared(scenarios: ReadonlyArray<Scenario>, opts: BenchContext['options']): Promise<Measurement[]> {
  const { systems, skipped } = await startSystems(opts.peers)
  const results: Measurement[] = []
  try {
    for (const scenario of scenarios) {
      for (const [system, note] of skipped) {
        if (scenario.systems.includes(system as RunningSystem['name'])) results.push({ scenario: scenario.name, system, value: 0, unit: 'skipped', higherIsBetter: false, note })
      }
      for (const system of systems) {
        if (!scenario.systems.includes(system.name)) continue
        process.stdout.write(`running ${scenario.name} on ${system.name}...\n`)
        const context = { system, options: opts }
        results.push(...await (scenario.group === 'ingest' ? runIngest(scenario, context) : scenario.run(context)))
      }
    }
  } finally {
    for (const system of systems) await system.stop()
  }
  return results
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void terminateDescendants().then((count) => {
      process.stderr.write(`bench interrupted by ${signal}: stopped ${count} server processes it had started\n`)
      process.exit(130)
    })
  })
}

main().catch((error: unknown) => {
  // fetch's "fetch failed" says nothing by itself: the reason (reset, closed, refused) is its cause.
  const cause = error instanceof Error && error.cause !== undefined ? `\ncaused by: ${error.cause instanceof Error ? error.cause.stack : String(error.cause)}` : ''
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}${cause}\n`)
  process.exit(1)
})
