// bench/peers/process-stats: what a system costs, read from /proc and the file system. CPU seconds of a process
// tree: utime + stime of every live process under the root (threads included) plus cutime + cstime (children it
// has already reaped, e.g. PostgreSQL's finished backends), so nothing is counted twice. Divided by the rows it
// ingested, it is the figure that does not depend on how many cores the machine has.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import type { Measurement } from '../scenarios/index.js'

function ticksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
}

const TICKS_PER_SECOND = ticksPerSecond()

interface ProcStat { readonly ppid: number; readonly ticks: number }

/** /proc/<pid>/stat's ppid and utime + stime + cutime + cstime (fields 4, 14–17), or null when it is gone. */
async function procStat(pid: number): Promise<ProcStat | null> {
  const text = await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
  if (text === null) return null
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ') // fields[0] is field 3 (state)
  const at = (field: number): number => Number(fields[field - 3] ?? 0)
  return { ppid: at(4), ticks: at(14) + at(15) + at(16) + at(17) }
}

/** The parent of `pid` (PostgreSQL's postmaster, from one of its backends), or undefined when it is gone. */
export async function parentPid(pid: number): Promise<number | undefined> {
  return (await procStat(pid))?.ppid
}

/** `root` and its live descendants with their /proc stats (empty when `root` is gone). */
async function processTree(root: number): Promise<Map<number, ProcStat>> {
  const pids = (await fs.promises.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number)
  const stats = new Map<number, ProcStat>()
  for (const pid of pids) {
    const stat = await procStat(pid)
    if (stat !== null) stats.set(pid, stat)
  }
  const children = new Map<number, number[]>()
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid])
  const tree = new Map<number, ProcStat>()
  const queue = stats.has(root) ? [root] : []
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    tree.set(pid, stats.get(pid)!)
    queue.push(...(children.get(pid) ?? []))
  }
  return tree
}

/** CPU seconds used so far by `root` and every live descendant, or null when `root` is unknown or gone. */
export async function treeCpuSeconds(root: number | undefined): Promise<number | null> {
  if (root === undefined) return null
  const tree = await processTree(root)
  if (tree.size === 0) return null
  return [...tree.values()].reduce((sum, stat) => sum + stat.ticks, 0) / TICKS_PER_SECOND
}

/**
 * SIGTERM to every live descendant of this process (the servers the bench started), for a bench that is itself
 * interrupted: its own `finally` blocks do not run then. A daemonized PostgreSQL (pg_ctl) is no descendant.
 */
export async function terminateDescendants(): Promise<number> {
  const tree = await processTree(process.pid)
  tree.delete(process.pid)
  for (const pid of tree.keys()) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // gone already
    }
  }
  return tree.size
}

/** Bytes of the files under `dir` (du's apparent size, as the bench's other disk figures), or null when unreadable. */
export function diskBytes(dir: string | null): number | null {
  if (dir === null) return null
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0])
  } catch {
    return null
  }
}

/** The cost of `work` to the process tree of `pid`, in CPU seconds (null when it cannot be read). */
export async function cpuSecondsOf<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpuSeconds: number | null }> {
  const before = await treeCpuSeconds(pid)
  const result = await work()
  const after = await treeCpuSeconds(pid)
  return { result, cpuSeconds: before === null || after === null ? null : after - before }
}

/** The unit of the bench process's own CPU during a load (bench/report/table.ts gives it no ratio). */
export const CLIENT_CPU_UNIT = 'client CPU s/M rows'

/**
 * The bench process's own CPU (every thread: process.cpuUsage) since `since`, per million of the `rows` it loaded
 * into `system`: on the two CPUs the bench shares with the server, what its sender costs is taken from the server.
 */
export function clientCpu(scenario: string, system: string, rows: number, since: NodeJS.CpuUsage): Measurement {
  const used = process.cpuUsage(since)
  return { scenario, system, value: (used.user + used.system) / 1e6 / (rows / 1e6), unit: CLIENT_CPU_UNIT, higherIsBetter: false }
}
