// sql/exec/advisory-locks: PostgreSQL's advisory locks (pg_advisory_lock and friends; the _xact_ ones end with their
// transaction, sql/functions/advisory-functions.ts) — the locks
// migration tools (golang-migrate, Prisma, Flyway) take so that one instance migrates at a time. One table per
// server, keyed as PostgreSQL keys them (an int8, or a pair of int4 in a space of its own); a session never blocks
// itself, holds count (a lock taken twice is released twice), shared holds coexist and exclude an exclusive one. A
// request that cannot be granted waits in FIFO order behind earlier conflicting waiters; a wait that would close a
// cycle of sessions waiting on each other is 40P01 at once. A session that ends loses its locks: holders are
// checked against the live sessions (BackendDirectory) whenever a lock is looked at, and waiters look again every
// LOCK_RECHECK_MS, so a disconnected holder frees its locks without any hook in the wire layer.
import { deadlockDetected, queryCanceled } from '../../src/common/errors.js'
import type { BackendDirectory } from '../api-backends.js'

export type LockMode = 'exclusive' | 'shared'

/** Keys kept before the table forgets those whose holders all disconnected. */
const LOCK_SWEEP_AT = 1024

/** How often a waiting request looks again for holders that disconnected (a grant by unlock wakes it at once). */
export const LOCK_RECHECK_MS = 100

/** A session's holds of one key: session-level ones (released by unlock) and transaction-level ones (by the transaction's end). */
interface Holds { exclusive: number; shared: number; xactExclusive: number; xactShared: number }
interface Waiter { readonly pid: number; readonly mode: LockMode; readonly wake: () => void }
interface LockState { readonly holders: Map<number, Holds>; readonly waiters: Waiter[] }

export interface HeldLock {
  readonly key: string
  readonly pid: number
  readonly mode: LockMode
  readonly granted: boolean
}

export class AdvisoryLocks {
  private readonly locks = new Map<string, LockState>()
  /** pid → the key it waits for (one wait per session: a statement waits for one lock at a time). */
  private readonly waiting = new Map<number, string>()

  constructor(private readonly isAlive: (pid: number) => boolean) {}

  /**
   * Grants now when nothing conflicts (no other holder, no earlier conflicting waiter): true; else false. `isXact`:
   * a transaction-level hold (pg_advisory_xact_lock), which only releaseXact ends.
   */
  tryAcquire(key: string, pid: number, mode: LockMode, isXact = false): boolean {
    const state = this.state(key)
    if (!this.isGrantable(state, pid, mode, state.waiters.length)) return false
    this.hold(state, pid, mode, isXact)
    return true
  }

  /** Waits until granted; 40P01 when the wait closes a cycle, 57014 when `signal` aborts (the wait is withdrawn). */
  async acquire(key: string, pid: number, mode: LockMode, signal: AbortSignal | undefined, isXact = false): Promise<void> {
    if (this.tryAcquire(key, pid, mode, isXact)) return
    this.checkDeadlock(key, pid, mode)
    const state = this.state(key)
    let wake = (): void => {}
    const waiter: Waiter = { pid, mode, wake: () => wake() }
    state.waiters.push(waiter)
    this.waiting.set(pid, key)
    const onAbort = (): void => waiter.wake()
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      for (;;) {
        if (signal?.aborted === true) throw queryCanceled()
        this.dropGone(state)
        const position = state.waiters.indexOf(waiter)
        if (this.isGrantable(state, pid, mode, position)) {
          this.hold(state, pid, mode, isXact)
          return
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, LOCK_RECHECK_MS)
          wake = () => { clearTimeout(timer); resolve() }
        })
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      state.waiters.splice(state.waiters.indexOf(waiter), 1)
      this.waiting.delete(pid)
      this.wakeAll(state)
    }
  }

  /** Releases one hold; false when the session held none of that mode (PostgreSQL then warns). */
  release(key: string, pid: number, mode: LockMode): boolean {
    const state = this.locks.get(key)
    const holds = state?.holders.get(pid)
    if (state === undefined || holds === undefined || holds[mode] === 0) return false
    holds[mode]--
    this.dropIfEmpty(state, pid, holds)
    this.settle(key, state)
    return true
  }

  /** The end of a transaction: one transaction-level hold of the key (taken by that transaction) ends. */
  releaseXact(key: string, pid: number, mode: LockMode): void {
    const state = this.locks.get(key)
    const holds = state?.holders.get(pid)
    const field = mode === 'exclusive' ? 'xactExclusive' : 'xactShared'
    if (state === undefined || holds === undefined || holds[field] === 0) return
    holds[field]--
    this.dropIfEmpty(state, pid, holds)
    this.settle(key, state)
  }

  private dropIfEmpty(state: LockState, pid: number, holds: Holds): void {
    if (holds.exclusive + holds.shared + holds.xactExclusive + holds.xactShared === 0) state.holders.delete(pid)
  }

  /** pg_advisory_unlock_all: every session-level hold of the session (transaction-level ones stay, as PostgreSQL's). */
  releaseAll(pid: number): void {
    for (const [key, state] of this.locks) {
      const holds = state.holders.get(pid)
      if (holds === undefined) continue
      holds.exclusive = 0
      holds.shared = 0
      this.dropIfEmpty(state, pid, holds)
      this.settle(key, state)
    }
  }

  /** pg_locks' advisory rows: every hold and every wait. */
  list(): HeldLock[] {
    const out: HeldLock[] = []
    for (const [key, state] of this.locks) {
      this.dropGone(state)
      for (const [pid, holds] of state.holders) {
        if (holds.exclusive + holds.xactExclusive > 0) out.push({ key, pid, mode: 'exclusive', granted: true })
        if (holds.shared + holds.xactShared > 0) out.push({ key, pid, mode: 'shared', granted: true })
      }
      for (const waiter of state.waiters) out.push({ key, pid: waiter.pid, mode: waiter.mode, granted: false })
    }
    return out
  }

  private state(key: string): LockState {
    let state = this.locks.get(key)
    if (state === undefined) {
      if (this.locks.size >= LOCK_SWEEP_AT) this.sweep()
      state = { holders: new Map(), waiters: [] }
      this.locks.set(key, state)
    }
    this.dropGone(state)
    return state
  }

  /** Forgets the keys whose every holder has gone (a session that disconnected releases nothing itself). */
  private sweep(): void {
    for (const [key, state] of this.locks) {
      this.dropGone(state)
      if (state.holders.size === 0 && state.waiters.length === 0) this.locks.delete(key)
    }
  }

  private dropGone(state: LockState): void {
    for (const pid of state.holders.keys()) if (!this.isAlive(pid)) state.holders.delete(pid)
  }

  /** Compatible with every other session's holds and with the conflicting waiters queued before `position`. */
  private isGrantable(state: LockState, pid: number, mode: LockMode, position: number): boolean {
    for (const [holder, holds] of state.holders) {
      if (holder !== pid && conflicts(holds, mode)) return false
    }
    for (let i = 0; i < position; i++) {
      const waiter = state.waiters[i]!
      if (waiter.pid !== pid && (waiter.mode === 'exclusive' || mode === 'exclusive')) return false
    }
    return true
  }

  private hold(state: LockState, pid: number, mode: LockMode, isXact: boolean): void {
    const holds = state.holders.get(pid) ?? { exclusive: 0, shared: 0, xactExclusive: 0, xactShared: 0 }
    holds[isXact ? (mode === 'exclusive' ? 'xactExclusive' : 'xactShared') : mode]++
    state.holders.set(pid, holds)
  }

  private settle(key: string, state: LockState): void {
    if (state.holders.size === 0 && state.waiters.length === 0) this.locks.delete(key)
    else this.wakeAll(state)
  }

  private wakeAll(state: LockState): void {
    for (const waiter of state.waiters) waiter.wake()
  }

  /** Follows who-waits-for-whom from the sessions `pid` would wait for; reaching `pid` again is a deadlock. */
  private checkDeadlock(key: string, pid: number, mode: LockMode): void {
    const blockers = (k: string, who: number, m: LockMode): number[] => {
      const state = this.locks.get(k)
      if (state === undefined) return []
      return [...state.holders].filter(([holder, holds]) => holder !== who && conflicts(holds, m))
        .map(([holder]) => holder)
    }
    const seen = new Set<number>()
    const stack = blockers(key, pid, mode)
    while (stack.length > 0) {
      const other = stack.pop()!
      if (other === pid) throw deadlockDetected(`Process ${pid} waits for an advisory lock held by a session that waits, directly or not, for one of process ${pid}'s.`)
      if (seen.has(other)) continue
      seen.add(other)
      const waitsFor = this.waiting.get(other)
      if (waitsFor === undefined) continue
      const waiter = this.locks.get(waitsFor)?.waiters.find((w) => w.pid === other)
      stack.push(...blockers(waitsFor, other, waiter?.mode ?? 'exclusive'))
    }
  }
}

/** Whether another session's holds keep a request in `mode` waiting. */
function conflicts(holds: Holds, mode: LockMode): boolean {
  return holds.exclusive + holds.xactExclusive > 0 || (mode === 'exclusive' && holds.shared + holds.xactShared > 0)
}

let table: AdvisoryLocks | undefined
let tableDirectory: BackendDirectory | undefined

/** The server's lock table; sessions are alive while the directory knows their pid. */
export function advisoryLocks(backends: BackendDirectory): AdvisoryLocks {
  if (table === undefined || tableDirectory !== backends) {
    tableDirectory = backends
    table = new AdvisoryLocks((pid) => backends.isAlive?.(pid) ?? backends.list().some((b) => b.pid === pid))
  }
  return table
}

/** PostgreSQL's two key spaces: one int8 (objsubid 1) or two int4 (objsubid 2). */
export function lockKey(args: ReadonlyArray<unknown>): string {
  return args.length === 1 ? `1:${String(args[0])}` : `2:${String(args[0])}:${String(args[1])}`
}
