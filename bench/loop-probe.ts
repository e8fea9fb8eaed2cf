// bench/loop-probe: a preload (`node --require dist/bench/loop-probe.js`, or NODE_OPTIONS) that records when the
// main thread's event loop was held: a 1 ms interval timer notes every firing later than NODEDB_LOOP_PROBE_MS (5)
// and, at exit, writes the stalls as JSON lines { endUs, lateMs, cpuMs } to NODEDB_LOOP_PROBE_DIR/loop-probe.<pid>.jsonl.
// cpuMs is the main thread's own CPU time over the stall (Linux /proc/thread-self/schedstat), so on a loaded machine
// a stall nodedb caused tells apart from one the scheduler caused. endUs is on process.hrtime's clock
// (CLOCK_MONOTONIC: the clock of a `--cpu-prof` profile's timestamps and of another process's hrtime), so
// profile-stalls.js can say what ran in each stall. Measurement only: never loaded by the server itself.
import fs from 'node:fs'
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'

export interface ProbeStall { readonly endUs: number; readonly lateMs: number; readonly cpuMs: number }

export function probeFile(dir: string, pid: number): string {
  return path.join(dir, `loop-probe.${pid}.jsonl`)
}

/** The stalls a probed process wrote (none if it wrote no file). */
export async function readProbe(file: string): Promise<ProbeStall[]> {
  const text = await fs.promises.readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ProbeStall)
}

/** The calling thread's CPU time so far in ns (first field of schedstat), read through an open fd. */
function threadCpuNs(fd: number, buffer: Buffer): number {
  const length = fs.readSync(fd, buffer, 0, buffer.length, 0)
  return Number(buffer.toString('latin1', 0, length).split(' ')[0])
}

const dir = process.env['NODEDB_LOOP_PROBE_DIR']
if (isMainThread && dir !== undefined) {
  const thresholdMs = Number(process.env['NODEDB_LOOP_PROBE_MS'] ?? '5')
  const out = fs.openSync(probeFile(dir, process.pid), 'w')
  const schedstat = fs.openSync('/proc/thread-self/schedstat', 'r')
  const buffer = Buffer.alloc(128)
  const lines: string[] = []
  let last = process.hrtime.bigint()
  let lastCpuNs = threadCpuNs(schedstat, buffer)
  setInterval(() => {
    const now = process.hrtime.bigint()
    const cpuNs = threadCpuNs(schedstat, buffer)
    const lateMs = Number(now - last) / 1e6 - 1
    if (lateMs >= thresholdMs) lines.push(JSON.stringify({ endUs: Number(now / 1000n), lateMs, cpuMs: (cpuNs - lastCpuNs) / 1e6 }))
    last = now
    lastCpuNs = cpuNs
  }, 1).unref()
  process.on('exit', () => { fs.writeSync(out, lines.join('\n')); fs.closeSync(out) })
}
