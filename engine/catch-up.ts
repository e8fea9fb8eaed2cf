// engine/catch-up: invariant 3 — a WAL record that did not reach its core (a dispatch dropped, a core restarted) is
// applied later from the WAL, in LSN order, and live writes for that core wait behind it. Per core: while catching
// up, live parts are not sent but resolve once the catch-up has applied through their LSN. Knows nothing of SQL.
import { log } from '../src/common/log.js'
import type { Lsn } from '../src/common/ids.js'
import type { FileSystem } from './io/file-system.js'
import type { WalRecord } from './wal/record.js'
import { readWal } from './wal/wal-reader.js'

export interface CatchUpDeps {
  /** Reads durable records with LSN in [fromLsn, untilLsn] in order (the live WAL, never truncating). */
  readonly readRecords: (fromLsn: number, untilLsn: number, onRecord: (record: WalRecord) => Promise<void>) => Promise<void>
  /** Applies `record`'s rows that `core` owns and no segment holds yet; resolves once the core answered. */
  readonly applyToCore: (core: number, record: WalRecord) => Promise<void>
  /** The highest durable LSN: what a pass reads up to. */
  readonly durableLsn: () => number
}

/** CatchUpDeps.readRecords over the live WAL in `walDir`: never truncates a record still being written. */
export function walRecordReader(fs: FileSystem, walDir: string): CatchUpDeps['readRecords'] {
  return async (fromLsn, untilLsn, onRecord) => {
    await readWal(fs, walDir, async (record) => { if (record.lsn >= fromLsn) await onRecord(record) }, { isLive: true, untilLsn })
  }
}

interface CoreCatchUp {
  /** Catch-up has applied (or found nothing for this core in) every record up to here. */
  coveredLsn: number
  running: Promise<void> | undefined
  readonly waiters: Array<{ readonly lsn: number; readonly resolve: (outcome: 'send' | 'applied') => void; readonly reject: (error: unknown) => void }>
}

export class CatchUp {
  private readonly cores: CoreCatchUp[]
  private recordsAppliedValue = 0

  constructor(coreCount: number, private readonly deps: CatchUpDeps) {
    this.cores = Array.from({ length: coreCount }, () => ({ coveredLsn: 0, running: undefined, waiters: [] }))
  }

  /** Records applied by catch-up since open (for tests and stats). */
  get recordsApplied(): number {
    return this.recordsAppliedValue
  }

  /** The lowest LSN a running catch-up still has to read (Infinity when none runs): checkpoints keep it. */
  neededLsn(): number {
    let needed = Number.POSITIVE_INFINITY
    for (const state of this.cores) if (state.running !== undefined) needed = Math.min(needed, state.coveredLsn + 1)
    return needed
  }

  isCatchingUp(core: number): boolean {
    return this.cores[core]!.running !== undefined
  }

  /**
   * The live path's gate for one core's part of record `lsn` (called once it is durable): 'send' it now, or wait
   * while catch-up runs — it then resolves 'applied' (catch-up applied it) or 'send' (catch-up ended before it).
   * Invariant 3: a live write never overtakes a pending catch-up record.
   */
  route(core: number, lsn: Lsn): 'send' | Promise<'send' | 'applied'> {
    const state = this.cores[core]!
    if (lsn <= state.coveredLsn) return Promise.resolve('applied')
    if (state.running === undefined) return 'send'
    return new Promise((resolve, reject) => state.waiters.push({ lsn, resolve, reject }))
  }

  /**
   * Starts catch-up of `core` from `fromLsn` (a dispatch to it was lost, or it restarted empty): the caller vouches
   * that the core holds no row of LSN ≥ fromLsn. While one runs, a later start joins it. Resolves when it ends.
   */
  start(core: number, fromLsn: number): Promise<void> {
    const state = this.cores[core]!
    if (state.running !== undefined) return state.running
    state.coveredLsn = fromLsn - 1
    log.warn({ core, fromLsn }, 'catch-up: applying WAL records the core missed')
    const pass = { isDone: false }
    const running = this.run(core, state).finally(() => { pass.isDone = true })
    if (!pass.isDone) state.running = running
    return running
  }

  /** Passes until the durable tip holds nothing newer; the last check and the hand-off to live are in one tick. */
  private async run(core: number, state: CoreCatchUp): Promise<void> {
    await Promise.resolve()
    try {
      for (let tip = this.deps.durableLsn(); tip > state.coveredLsn; tip = this.deps.durableLsn()) {
        await this.deps.readRecords(state.coveredLsn + 1, tip, async (record) => {
          await this.deps.applyToCore(core, record)
          this.recordsAppliedValue += 1
          state.coveredLsn = record.lsn
          this.wake(state)
        })
        state.coveredLsn = Math.max(state.coveredLsn, tip)
        this.wake(state)
      }
      state.running = undefined
      for (const waiter of state.waiters.splice(0)) waiter.resolve('send')
    } catch (error) {
      state.running = undefined
      log.error({ core, err: error }, 'catch-up failed')
      for (const waiter of state.waiters.splice(0)) waiter.reject(error)
    }
  }

  private wake(state: CoreCatchUp): void {
    for (let i = state.waiters.length - 1; i >= 0; i--) {
      const waiter = state.waiters[i]!
      if (waiter.lsn > state.coveredLsn) continue
      state.waiters.splice(i, 1)
      waiter.resolve('applied')
    }
  }
}
