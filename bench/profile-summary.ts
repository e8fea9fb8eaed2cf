// bench/profile-summary: top self-time functions of the .cpuprofile files (`node --cpu-prof`, one per thread) in a
// directory, summed over threads, so a slow query's profile reads as a short list rather than a flame graph.
// Usage: node dist/bench/profile-summary.js DIR [TOP]
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

/** Self time (ms) by function over every profile in `dir`; '(idle)' left out, since it is waiting, not work. */
export async function summarizeProfiles(dir: string, top = 15): Promise<SelfTime[]> {
  const totals = new Map<string, number>()
  const files = (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
  for (const file of files) {
    const profile = JSON.parse(await fs.promises.readFile(path.join(dir, file), 'utf8')) as CpuProfile
    const names = new Map(profile.nodes.map((n) => [n.id, label(n)]))
    for (let i = 0; i < profile.samples.length; i++) {
      const name = names.get(profile.samples[i] ?? -1) ?? '?'
      if (name === '(idle)') continue
      totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
    }
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0)
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms, share: all === 0 ? 0 : ms / all }))
}

export function formatSelfTimes(rows: ReadonlyArray<SelfTime>): string {
  return rows.map((r) => `  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`).join('\n')
}

if (require.main === module) {
  const [dir, top] = process.argv.slice(2)
  if (dir === undefined) {
    process.stderr.write('usage: node dist/bench/profile-summary.js DIR [TOP]\n')
    process.exit(2)
  }
  summarizeProfiles(dir, top === undefined ? 15 : Number(top))
    .then((rows) => process.stdout.write(`${formatSelfTimes(rows)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    })
}
