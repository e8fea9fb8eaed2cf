// bench/run: nodedb beside real peers in one run, on the same TSBS-like rows; prints JSON and a table of ratios.
// Usage: npm run bench -- [--rows N] [--hosts N] [--hours N] [--runs N] [--writers N] [--batch N]
//                        [--only scenario-or-group,...] [--smoke] [--date-trunc]
// Peers are installed first from Debian's packages (scripts/ensure-bench-peers.sh, not for --smoke) and started here
// on loopback with temp data dirs; a peer that cannot start is reported as skipped in the table. Never part of the
// test suite: speed is measured here, never asserted in tests. --smoke runs every scenario tiny on nodedb alone, so
// CI can keep the bench working without timing anything.
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SCENARIOS, STANDALONE_SCENARIOS, type BenchContext, type Measurement } from './scenarios/index.js'
import { startSystems, type RunningSystem } from './peers/systems.js'

function options(): BenchContext['options'] {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' },
      writers: { type: 'string', default: '4' }, batch: { type: 'string', default: '1000' },
      hours: { type: 'string', default: '24' }, runs: { type: 'string', default: '10' },
      only: { type: 'string', default: '' }, smoke: { type: 'boolean', default: false },
      'date-trunc': { type: 'boolean', default: false },
    },
  })
  const only = values.only === '' ? null : values.only.split(',')
  if (values.smoke) return { rows: 2000, hosts: 5, hours: 1, runs: 2, writers: 2, batch: 500, dateTrunc: values['date-trunc'], smoke: true, only }
  return {
    rows: Number(values.rows), hosts: Number(values.hosts), writers: Number(values.writers), batch: Number(values.batch),
    hours: Number(values.hours), runs: Number(values.runs), dateTrunc: values['date-trunc'], smoke: false, only,
  }
}

const selected = (only: ReadonlyArray<string> | null, scenario: { name: string; group: string }): boolean =>
  only === null || only.includes(scenario.name) || only.includes(scenario.group)

function printTable(results: ReadonlyArray<Measurement>): void {
  const byScenario = new Map<string, Measurement[]>()
  for (const result of results) byScenario.set(result.scenario, [...(byScenario.get(result.scenario) ?? []), result])
  process.stdout.write('\nscenario                         system          value          unit        nodedb ÷ system\n')
  for (const [scenario, rows] of byScenario) {
    const ours = rows.find((r) => r.system === 'nodedb')
    for (const row of rows) {
      let ratio = ''
      if (ours !== undefined && row.system !== 'nodedb' && row.value > 0 && ours.value > 0) {
        const r = row.higherIsBetter ? ours.value / row.value : row.value / ours.value
        ratio = `${r.toFixed(2)}× ${r >= 1 ? 'better' : 'worse'}`
        if (ours.note !== undefined || row.note !== undefined) ratio = `invalid (${ours.note ?? row.note})`
      }
      const value = row.note !== undefined && row.value === 0 ? row.note.slice(0, 40) : row.value.toPrecision(6)
      const line = `${scenario.padEnd(33)}${row.system.padEnd(16)}${value.padEnd(15)} ${row.unit.padEnd(12)}${ratio}`
      process.stdout.write(`${line}\n`)
    }
  }
}

/** Installs missing peers (root only; never fails the bench: a peer still missing is reported as skipped). */
function ensurePeers(): void {
  const script = path.join(__dirname, '..', '..', 'scripts', 'ensure-bench-peers.sh')
  try {
    execFileSync('bash', [script], { stdio: 'inherit' })
  } catch (error: unknown) {
    process.stdout.write(`ensure-bench-peers.sh failed (missing peers are reported as skipped): ${String(error)}\n`)
  }
}

async function main(): Promise<void> {
  const opts = options()
  if (!opts.smoke) ensurePeers()
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }
  process.stdout.write(`machine: ${JSON.stringify(machine)}\noptions: ${JSON.stringify(opts)}\n`)
  const results: Measurement[] = []
  const shared = SCENARIOS.filter((scenario) => selected(opts.only, scenario))
  if (shared.length > 0) results.push(...await runShared(shared, opts))
  const reports: string[] = []
  for (const scenario of STANDALONE_SCENARIOS.filter((s) => selected(opts.only, s))) {
    process.stdout.write(`running ${scenario.name}...\n`)
    const { measurements, report } = await scenario.runAlone(opts)
    results.push(...measurements)
    reports.push(`\n${scenario.name} (machine: ${machine.cpus} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}):\n${report}`)
  }
  process.stdout.write(`\n${JSON.stringify({ machine, options: opts, results }, null, 1)}\n`)
  printTable(results)
  for (const report of reports) process.stdout.write(report)
}

async function runShared(scenarios: ReadonlyArray<(typeof SCENARIOS)[number]>, opts: BenchContext['options']): Promise<Measurement[]> {
  const { systems, skipped } = await startSystems({ peers: !opts.smoke })
  const results: Measurement[] = []
  try {
    for (const scenario of scenarios) {
      for (const [system, note] of skipped) {
        if (scenario.systems.includes(system as RunningSystem['name'])) results.push({ scenario: scenario.name, system, value: 0, unit: 'skipped', higherIsBetter: false, note })
      }
      for (const system of systems) {
        if (!scenario.systems.includes(system.name)) continue
        process.stdout.write(`running ${scenario.name} on ${system.name}...\n`)
        results.push(...await scenario.run({ system, options: opts }))
      }
    }
  } finally {
    for (const system of systems) await system.stop()
  }
  return results
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
