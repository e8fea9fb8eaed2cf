// bench/run: nodedb beside real peers in one run, on the same TSBS-like rows; prints JSON and a table of ratios.
// Usage: npm run bench -- [--rows N] [--hosts N] [--writers N] [--batch N] [--only scenario,...]
// Peers are started here on loopback (PostgreSQL from Debian's binaries); a peer that cannot start is reported and
// skipped. Never part of the test suite: speed is measured here, never asserted in tests.
import os from 'node:os'
import { parseArgs } from 'node:util'
import { SCENARIOS, type BenchContext, type Measurement } from './scenarios/index.js'
import { startSystems, type RunningSystem } from './peers/systems.js'

function options(): BenchContext['options'] {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' }, hosts: { type: 'string', default: '100' },
      writers: { type: 'string', default: '4' }, batch: { type: 'string', default: '1000' },
      only: { type: 'string', default: '' },
    },
  })
  return {
    rows: Number(values.rows), hosts: Number(values.hosts), writers: Number(values.writers), batch: Number(values.batch),
    only: values.only === '' ? null : values.only.split(','),
  }
}

function printTable(results: ReadonlyArray<Measurement>): void {
  const byScenario = new Map<string, Measurement[]>()
  for (const result of results) byScenario.set(result.scenario, [...(byScenario.get(result.scenario) ?? []), result])
  process.stdout.write('\nscenario                         system          value          unit        nodedb ÷ system\n')
  for (const [scenario, rows] of byScenario) {
    const ours = rows.find((r) => r.system === 'nodedb')
    for (const row of rows) {
      let ratio = ''
      if (ours !== undefined && row.system !== 'nodedb' && row.value > 0) {
        const r = row.higherIsBetter ? ours.value / row.value : row.value / ours.value
        ratio = `${r.toFixed(2)}× ${r >= 1 ? 'better' : 'worse'}`
      }
      const line = `${scenario.padEnd(33)}${row.system.padEnd(16)}${row.value.toPrecision(6).padEnd(15)}${row.unit.padEnd(12)}${ratio}`
      process.stdout.write(`${line}\n`)
    }
  }
}

async function main(): Promise<void> {
  const opts = options()
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }
  process.stdout.write(`machine: ${JSON.stringify(machine)}\noptions: ${JSON.stringify(opts)}\n`)
  const systems: RunningSystem[] = await startSystems()
  const results: Measurement[] = []
  try {
    for (const scenario of SCENARIOS) {
      if (opts.only !== null && !opts.only.includes(scenario.name)) continue
      for (const system of systems) {
        if (!scenario.systems.includes(system.name)) continue
        process.stdout.write(`running ${scenario.name} on ${system.name}...\n`)
        results.push(...await scenario.run({ system, options: opts }))
      }
    }
  } finally {
    for (const system of systems) await system.stop()
  }
  process.stdout.write(`\n${JSON.stringify({ machine, options: opts, results }, null, 1)}\n`)
  printTable(results)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
