// bench/scenarios/loop-stall: does a heavy statement on one connection stall the others? One connection runs a
// full sort of the table (every row materialized and ordered on the control side) while a second runs `SELECT 1`
// back to back; the scenario reports the worst and the 99th-percentile SELECT 1 round trip during the sort. On
// nodedb this is invariant 5 measured (control-side operators pause every slice of work); PostgreSQL, a process
// per connection, is the yardstick. The sort's rows are received in a worker thread (heavy-query-worker.ts): parsed
// on the timing thread, their 200k row objects and the GC of them stalled the bench itself for up to ~0.8 s, which
// both systems were charged for.
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type pg from 'pg'
import { connectPg, type RunningSystem } from '../peers/systems.js'
import type { HeavyQueryReply, HeavyQueryTarget } from './heavy-query-worker.js'
import type { Measurement, Scenario } from './index.js'

export const HEAVY_SQL = 'SELECT hostname, time, usage_user FROM cpu ORDER BY usage_user DESC, hostname, time'

/** A connection in a worker thread that runs a query and drops its rows. */
export class HeavyQuery {
  private constructor(private readonly worker: Worker) {}

  static async connect(target: HeavyQueryTarget): Promise<HeavyQuery> {
    const heavy = new HeavyQuery(new Worker(path.join(__dirname, 'heavy-query-worker.js'), { workerData: target }))
    await heavy.reply() // connected
    return heavy
  }

  /** Runs `sql` to its end; its row count. */
  async run(sql: string): Promise<number> {
    const replied = this.reply()
    this.worker.postMessage(sql)
    const reply = await replied
    if ('error' in reply) throw new Error(reply.error)
    return reply.rowCount
  }

  async end(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve))
    this.worker.postMessage(null)
    await exited
  }

  private reply(): Promise<HeavyQueryReply> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error)
      this.worker.once('error', onError)
      this.worker.once('message', (reply: HeavyQueryReply) => {
        this.worker.off('error', onError)
        resolve(reply)
      })
    })
  }
}

/** `SELECT 1` round trips (ms, ascending) on `light` while `heavy` runs HEAVY_SQL once. */
export function select1LatenciesDuringSort(heavy: HeavyQuery, light: pg.Client): Promise<number[]> {
  return select1LatenciesDuring(() => heavy.run(HEAVY_SQL), light)
}

/** `SELECT 1` round trips (ms, ascending) on `light` while `work` runs. */
export async function select1LatenciesDuring(work: () => Promise<unknown>, light: pg.Client): Promise<number[]> {
  const latencies: number[] = []
  let isDone = false
  const working = work().finally(() => { isDone = true })
  while (!isDone) {
    const started = performance.now()
    await light.query('SELECT 1')
    latencies.push(performance.now() - started)
  }
  await working
  return latencies.sort((a, b) => a - b)
}

/** The q-quantile of ascending `sorted` (0 when empty). */
export const quantile = (sorted: ReadonlyArray<number>, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0

export const loopStall: Scenario = {
  name: 'select1-during-sort', group: 'query', systems: ['nodedb', 'postgres'],
  async run({ system }: { system: RunningSystem }) {
    const heavy = await HeavyQuery.connect({ port: system.port, user: system.user })
    const light = await connectPg(system)
    try {
      await heavy.run(HEAVY_SQL) // warm-up: the timed run below sees warm caches on both systems
      const latencies = await select1LatenciesDuringSort(heavy, light)
      const p99 = quantile(latencies, 0.99)
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
