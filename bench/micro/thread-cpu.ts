// bench/micro/thread-cpu: a process's CPU seconds from /proc, in all and per thread, for the ingest cost micro benches.
import fs from 'node:fs'

export async function cpuSecondsOf(pid: number, tid?: string): Promise<number> {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`
  const fields = (await fs.promises.readFile(file, 'utf8')).split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** CPU seconds so far per thread (/proc/PID/task/TID): the main thread, worker threads by id, V8's and libuv's by name. */
export async function cpuByThread(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>()
  for (const tid of await fs.promises.readdir(`/proc/${pid}/task`).catch(() => [])) {
    const comm = (await fs.promises.readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '?')).trim()
    const seconds = await cpuSecondsOf(pid, tid).catch(() => 0)
    const name = tid === String(pid) ? 'main' : comm === 'node' ? `thread ${tid}` : comm
    byName.set(name, (byName.get(name) ?? 0) + seconds)
  }
  return byName
}

export function threadShares(before: Map<string, number>, after: Map<string, number>, rows: number): string {
  return [...after].map(([name, s]): [string, number] => [name, (s - (before.get(name) ?? 0)) / (rows / 1e6)])
    .filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).map(([name, s]) => `${name} ${s.toFixed(2)}`).join(', ')
}
