// wire/pg/timeouts: the clocks of one session. StatementGuard spans one running statement (a simple-query statement,
// or extended-query messages from the first Parse/Bind/Describe/Execute to the Execute's completion or Sync, as
// PostgreSQL 15 times them) and ends it with 57014 on a CancelRequest or when statement_timeout passes; IdleTimer
// closes a session that sits idle after ReadyForQuery (idle_session_timeout, idle_in_transaction_session_timeout).
// Both are plain timers: nothing waits on the event loop.
import { getEventListeners } from 'node:events'
import { type DbError, queryCanceled, queryTimedOut } from '../../src/common/errors.js'
import type { StatementResult } from '../../sql/api.js'

type CancelReason = 'user request' | 'statement timeout'

export class StatementGuard {
  private controller: AbortController | null = null
  /**
   * The last statement's controller, handed to the next statement when it was never aborted and no listener is left
   * on its signal (pg_sleep's delay and the scan runner remove theirs): an AbortController per statement was ~4% of a
   * SELECT 1's CPU. Nothing reads a statement's signal after it ends (a portal's stream has a controller of its own).
   */
  private spare: AbortController | null = null
  private timer: NodeJS.Timeout | null = null
  private reason: CancelReason | null = null
  /** Rejects the statement's race (race()) with its 57014; null when none is waiting. */
  private abortRace: ((error: DbError) => void) | null = null

  /** `onCancel` stops what can be stopped at once (the rows being sent, their scan). */
  constructor(private readonly onCancel: () => void) {}

  get isActive(): boolean {
    return this.controller !== null
  }

  /** Starts guarding (a no-op while a statement is guarded already); statement_timeout 0 means none. */
  begin(timeoutMs: number): AbortSignal {
    if (this.controller === null) {
      this.controller = this.spare ?? new AbortController()
      this.spare = null
      this.reason = null
      if (timeoutMs > 0) this.timer = setTimeout(() => this.cancel('statement timeout'), timeoutMs)
    }
    return this.controller.signal
  }

  /** A CancelRequest (or the timeout): only a guarded statement can be cancelled; an idle session ignores it. */
  cancel(reason: CancelReason = 'user request'): void {
    if (this.controller === null || this.reason !== null) return
    this.reason = reason
    this.controller.abort()
    this.abortRace?.(this.error() ?? queryCanceled())
    this.onCancel()
  }

  /** The 57014 a cancelled statement ends with; null while it may go on. */
  error(): DbError | null {
    if (this.reason === null) return null
    return this.reason === 'statement timeout' ? queryTimedOut() : queryCanceled()
  }

  throwIfCanceled(): void {
    const error = this.error()
    if (error !== null) throw error
  }

  /**
   * A read-only statement's work, given up at once when the statement is cancelled: the client gets its 57014
   * without waiting for an aggregate the cores cannot be told to stop. A result arriving later is released (a
   * stream is cancelled). Writes are never raced: a cancelled INSERT must not commit after its 57014. The cancel
   * reaches the race through `abortRace` (no listener on the signal: one statement = one race at most).
   */
  race(work: Promise<StatementResult>): Promise<StatementResult> {
    if (this.controller === null) return work
    return new Promise<StatementResult>((resolve, reject) => {
      const abort = (error: DbError): void => {
        this.abortRace = null
        work.then((late) => { if (late.kind === 'RowStreamResult') late.stream.cancel() }, () => undefined)
        reject(error)
      }
      this.abortRace = abort
      work.then((result) => {
        if (this.abortRace === abort) this.abortRace = null
        resolve(result)
      }, (thrown: unknown) => {
        if (this.abortRace === abort) this.abortRace = null
        reject(thrown)
      })
    })
  }

  end(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const signal = this.controller?.signal
    if (signal !== undefined && !signal.aborted && getEventListeners(signal, 'abort').length === 0) this.spare = this.controller
    this.controller = null
    this.reason = null
    this.abortRace = null
  }
}

/** One timer armed when the session sends ReadyForQuery and disarmed by the next message. */
export class IdleTimer {
  private timer: NodeJS.Timeout | null = null

  arm(timeoutMs: number, onExpired: () => void): void {
    this.disarm()
    if (timeoutMs > 0) this.timer = setTimeout(onExpired, timeoutMs)
  }

  disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
