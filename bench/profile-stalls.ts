// bench/profile-stalls: what held the main thread. Reads the main thread's .cpuprofile (`node --cpu-prof`) in a
// directory and the stalls bench/loop-probe.js recorded in the same process, and lists each stall with the
// functions that spent it (self time) and nodedb's own frames it ran under (inclusive time), so a stall of the
// event loop (invariant 5) reads as its cause. Without a probe file, a run of samples with no '(idle)' is a stall
// (coarser: consecutive turns of a busy loop merge). On a loaded machine the thread is also descheduled: a gap between
// two samples longer than DESCHEDULED_GAP_MS is charged to '(descheduled)' beyond its first ms, and each stall's
// on-CPU time (its samples, each at most that ms) is what nodedb itself held the loop for.
// Usage: node dist/bench/profile-stalls.js DIR [--min-ms 10] [--top 6] (DIR: the --cpu-prof dir, where a server run
// with NODEDB_LOOP_PROBE_DIR=DIR also left loop-probe.<pid>.jsonl)
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { probeFile, readProbe } from './loop-probe.js'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

interface Window { readonly fromUs: number; readonly toUs: number; readonly cpuMs?: number }
interface Stall extends Window { ms: number; onCpuMs: number; readonly self: Map<string, number>; readonly inclusive: Map<string, number> }

/** The sampler ticks every ms (--cpu-prof-interval's default); a longer gap is time the thread did not run. */
const DESCHEDULED_GAP_MS = 3

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const name = functionName === '' ? '(anonymous)' : functionName
  return url === '' ? name : `${name} ${url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${lineNumber + 1}`
}

const add = (map: Map<string, number>, key: string, ms: number): void => { map.set(key, (map.get(key) ?? 0) + ms) }

/** Each sample's time (µs, the profile's clock) and node. */
function samplesOf(profile: CpuProfile): Array<{ atUs: number; node: number }> {
  let atUs = profile.startTime
  return profile.samples.map((node, i) => ({ atUs: (atUs += profile.timeDeltas[i] ?? 0), node }))
}

/** Runs of non-idle samples longer than minMs. */
function busyWindows(profile: CpuProfile, minMs: number): Window[] {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
  const windows: Window[] = []
  let from: number | null = null
  let previous = profile.startTime
  for (const { atUs, node } of samplesOf(profile)) {
    if (idle.has(node)) {
      if (from !== null && previous - from >= minMs * 1000) windows.push({ fromUs: from, toUs: previous })
      from = null
    } else from ??= atUs
    previous = atUs
  }
  return windows
}

/** The probe's stalls longer than minMs, as windows on the profile's clock. */
async function probeWindows(file: string, minMs: number): Promise<Window[]> {
  const stalls = await readProbe(file)
  return stalls.filter((s) => s.lateMs >= minMs).map((s) => ({ fromUs: s.endUs - (s.lateMs + 1) * 1000, toUs: s.endUs, cpuMs: s.cpuMs }))
}

/** Charges every sample inside a window to it: self time by function, inclusive time by nodedb frame. */
function attribute(profile: CpuProfile, windows: ReadonlyArray<Window>): Stall[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const stalls: Stall[] = windows.map((w) => ({ ...w, ms: (w.toUs - w.fromUs) / 1000, onCpuMs: 0, self: new Map(), inclusive: new Map() }))
  const samples = samplesOf(profile)
  let w = 0
  for (let i = 0; i < samples.length; i++) {
    const { atUs, node } = samples[i]!
    while (w < stalls.length && stalls[w]!.toUs < atUs) w++
    const stall = stalls[w]
    if (stall === undefined) break
    if (atUs < stall.fromUs) continue
    const gapMs = ((samples[i + 1]?.atUs ?? atUs) - atUs) / 1000
    const ms = gapMs > DESCHEDULED_GAP_MS ? 1 : gapMs
    const frame = byId.get(node)
    if (frame === undefined) continue
    if (gapMs > DESCHEDULED_GAP_MS) add(stall.self, '(descheduled)', gapMs - 1)
    stall.onCpuMs += ms
    add(stall.self, label(frame), ms)
    const seen = new Set<string>()
    for (let id: number | undefined = node; id !== undefined; id = parents.get(id)) {
      const f = byId.get(id)
      if (f === undefined || !f.callFrame.url.includes('/dist/')) continue
      const name = label(f)
      if (!seen.has(name)) { seen.add(name); add(stall.inclusive, name, ms) }
    }
  }
  return stalls
}

const top = (map: Map<string, number>, count: number): string =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, ms]) => `      ${ms.toFixed(1).padStart(6)} ms  ${name}`).join('\n')

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'min-ms': { type: 'string', default: '10' }, top: { type: 'string', default: '6' } },
  })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: profile-stalls DIR [--min-ms 10] [--top 6]')
  const minMs = Number(values['min-ms'])
  // The main thread's file: Node names profiles CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile, thread 0 is main.
  const files = (await fs.promises.readdir(dir)).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
  for (const file of files) {
    const profile = JSON.parse(await fs.promises.readFile(path.join(dir, file), 'utf8')) as CpuProfile
    const probe = probeFile(dir, Number(file.split('.')[3]))
    const hasProbe = await fs.promises.access(probe).then(() => true, () => false)
    const windows = hasProbe ? await probeWindows(probe, minMs) : busyWindows(profile, minMs)
    const stalls = attribute(profile, windows)
    process.stdout.write(`${file}: ${stalls.length} stalls ≥ ${minMs} ms (${hasProbe ? 'from the loop probe' : 'busy runs, no probe'})\n`)
    for (const s of stalls) {
      const at = ((s.fromUs - profile.startTime) / 1e6).toFixed(3)
      process.stdout.write(`  at ${at} s: ${s.ms.toFixed(1)} ms, sampled on CPU ${s.onCpuMs.toFixed(1)} ms${s.cpuMs === undefined ? '' : `, thread CPU ${s.cpuMs.toFixed(1)} ms`}\n` +
        `    self:\n${top(s.self, Number(values.top))}\n    under:\n${top(s.inclusive, Number(values.top))}\n`)
    }
    const cpuOf = (s: Stall): number => s.cpuMs ?? s.onCpuMs
    const longest = [...stalls].sort((a, b) => cpuOf(b) - cpuOf(a)).slice(0, 12)
    const at = (s: Stall): string => ((s.fromUs - profile.startTime) / 1e6).toFixed(1)
    process.stdout.write(`longest on CPU (ms @ s): ${longest.map((s) => `${cpuOf(s).toFixed(1)} @ ${at(s)}`).join(', ')}\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
