// src/common/thread-priority: lowers the calling thread's CPU priority (Linux nice, per thread). With --core-nice the
// cores call it at startup so that on a box with fewer CPUs than busy threads the scheduler runs the event loop first
// when it wakes (invariant 5) instead of leaving it runnable behind a core's sort for a slice. Off by default: where
// the server shares the CPUs with other process groups it costs the heavy work's throughput (ARCHITECTURE.md).
import fs from 'node:fs'
import os from 'node:os'
import { log } from './log.js'

/**
 * The calling thread's id (the kernel's, not worker_threads'), or null where there is no /proc/thread-self. On Linux
 * setpriority(PRIO_PROCESS, tid) — what os.setPriority calls — changes that one thread, not the process.
 */
export function currentThreadId(): number | null {
  try {
    const link = fs.readlinkSync('/proc/thread-self') // "<pid>/task/<tid>"
    const tid = Number(link.slice(link.lastIndexOf('/') + 1))
    return Number.isInteger(tid) && tid > 0 ? tid : null
  } catch {
    return null
  }
}

/**
 * Raises the calling thread's nice value by `niceDelta` (lower priority; an unprivileged process may always lower its
 * own). Best effort: where the platform has no per-thread priority the thread runs as before, and says so at debug.
 */
export function lowerThreadPriority(niceDelta: number, what: string): void {
  const tid = currentThreadId()
  if (tid === null || process.platform !== 'linux') {
    log.debug({ what }, 'thread priority left as is: no per-thread priority on this platform')
    return
  }
  try {
    const nice = Math.min(19, os.getPriority(tid) + niceDelta)
    os.setPriority(tid, nice)
    log.debug({ what, tid, nice }, 'thread priority lowered')
  } catch (error) {
    log.debug({ what, error: String(error) }, 'thread priority left as is')
  }
}

/**
 * Names the calling thread (Linux: /proc/thread-self/comm, at most 15 bytes) so that `top -H`, perf and the benches'
 * per-thread CPU tell the cores from V8's and libuv's threads, which all start as "node". Best effort.
 */
export function nameThread(name: string): void {
  try {
    fs.writeFileSync('/proc/thread-self/comm', name.slice(0, 15))
  } catch {
    // no /proc/thread-self here: the thread keeps its name
  }
}
