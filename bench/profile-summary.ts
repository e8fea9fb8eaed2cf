// bench/profile-summary: top self-time functions of the .cpuprofile files (`node --cpu-prof`, one per thread) in a
// directory, summed over threads, so a slow query's profile reads as a short list rather than a flame graph.
// Usage: node dist/bench/profile-summary.js DIR [BASELINE_DIR] (a baseline's self times are subtracted)
import fs from 'node:fs'
import path from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface SelfTime { readonly name: string; readonly ms: number; readonly share: number }

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  if (url === '') return functionName === '' ? '(anonymous)' : functionName
  const file = url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')
  return `${functionName === '' ? '(anonymous)' : functionName} ${file}:${lineNumber + 1}`
}

/**
 * Frames whose samples are waiting, not work: V8's '(idle)', and a core worker's `run`, whose self time is its
 * Atomics.wait between ring messages.
 */
function isWaiting(name: string): boolean {
  return name === '(idle)' || name.startsWith('run core/core-worker.js')
}

/** Self time (ms) by function, summed over every profile (one per thread) in `dir`. */
async function selfTimes(dir: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>()
  const files = (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
  for (const file of files) {
    const profile = JSON.parse(await fs.promises.readFile(path.join(dir, file), 'utf8')) as CpuProfile
    const names = new Map(profile.nodes.map((n) => [n.id, label(n)]))
    for (let i = 0; i < profile.samples.length; i++) {
      const name = names.get(profile.samples[i] ?? -1) ?? '?'
      if (!isWaiting(name)) totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
    }
  }
  return totals
}

/**
 * The `top` functions by self time in `dir`, less their self time in `baselineDir` (a server started, asked
 * `SELECT 1` and stopped on the same data: startup and WAL replay), so what is left is the query's own work.
 */
export async function summarizeProfiles(dir: string, baselineDir: string | null = null, top = 15): Promise<SelfTime[]> {
  const totals = await selfTimes(dir)
  if (baselineDir !== null) {
    for (const [name, ms] of await selfTimes(baselineDir)) totals.set(name, (totals.get(name) ?? 0) - ms)
  }
  const all = [...totals.values()].filter((ms) => ms > 0).reduce((a, b) => a + b, 0)
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms, share: all === 0 ? 0 : ms / all }))
}

export function formatSelfTimes(rows: ReadonlyArray<SelfTime>): string {
  return rows.map((r) => `  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`).join('\n')
}

if (require.main === module) {
  const [dir, baseline] = process.argv.slice(2)
  if (dir === undefined) {
    process.stderr.write('usage: node dist/bench/profile-summary.js DIR [BASELINE_DIR]\n')
    process.exit(2)
  }
  summarizeProfiles(dir, baseline ?? null)
    .then((rows) => process.stdout.write(`${formatSelfTimes(rows)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    })
}
