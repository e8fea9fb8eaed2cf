// bench/scenarios/loop-stall: does a heavy statement on one connection stall the others? One connection runs a
// full sort of the table (every row materialized and ordered on the control side) while a second runs `SELECT 1`
// back to back; the scenario reports the worst and the 99th-percentile SELECT 1 round trip during the sort. On
// nodedb this is invariant 5 measured (control-side operators pause every slice of work); PostgreSQL, a process
// per connection, is the yardstick.
import { connectPg } from '../peers/systems.js'
import type { Measurement, Scenario } from './index.js'

const HEAVY_SQL = 'SELECT hostname, time, usage_user FROM cpu ORDER BY usage_user DESC, hostname, time'

export const loopStall: Scenario = {
  name: 'select1-during-sort', group: 'query', systems: ['nodedb', 'postgres'],
  async run({ system }) {
    const heavy = await connectPg(system)
    const light = await connectPg(system)
    try {
      await heavy.query(HEAVY_SQL) // warm-up: the timed run below sees warm caches on both systems
      const latencies: number[] = []
      let isDone = false
      const sorting = heavy.query(HEAVY_SQL).finally(() => { isDone = true })
      while (!isDone) {
        const started = performance.now()
        await light.query('SELECT 1')
        latencies.push(performance.now() - started)
      }
      await sorting
      latencies.sort((a, b) => a - b)
      const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0
      const max = latencies[latencies.length - 1] ?? 0
      const base = { system: system.name, unit: 'ms', higherIsBetter: false, runs: latencies.length }
      return [
        { ...base, scenario: 'select1-max-during-sort', value: max },
        { ...base, scenario: 'select1-p99-during-sort', value: p99 },
      ] satisfies Measurement[]
    } finally {
      await heavy.end()
      await light.end()
    }
  },
}
