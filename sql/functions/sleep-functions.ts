// sql/functions/sleep-functions: pg_sleep(seconds), pg_sleep_for(interval), pg_sleep_until(timestamptz). Expressions
// are evaluated synchronously, so a call only books its delay on the statement's Sleeper; the executor awaits it
// (a timer, never a busy wait) before the rows the call belongs to go out. The wait ends early with 57014 when the
// statement's signal aborts (CancelRequest, statement_timeout). Results are void, printed as '' like PostgreSQL's.
import { setTimeout as delay } from 'node:timers/promises'
import { featureNotSupported, queryCanceled } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import { addInterval } from './time-arith.js'
import { iv, n, session } from './time-functions.js'

// setTimeout's largest delay; longer sleeps wait in chunks of it.
const TIMER_DELAY_MAX_MS = 2 ** 31 - 1

/** The delays one statement's pg_sleep calls booked, awaited by the executor after each batch it evaluates. */
export class Sleeper {
  private pendingMs = 0
  private readonly waits: Array<(signal: AbortSignal | undefined) => Promise<void>> = []

  book(seconds: number): void {
    if (seconds > 0) this.pendingMs += seconds * 1000
  }

  /** Another wait for the executor to await in the same place (pg_advisory_lock's wait for its lock). */
  bookWait(wait: (signal: AbortSignal | undefined) => Promise<void>): void {
    this.waits.push(wait)
  }

  /** Waits out what was booked; rejects with 57014 when `signal` aborts (the session names the reason). */
  async settle(signal: AbortSignal | undefined): Promise<void> {
    while (this.waits.length > 0) await this.waits.shift()!(signal)
    while (this.pendingMs > 0) {
      const chunkMs = Math.min(this.pendingMs, TIMER_DELAY_MAX_MS)
      this.pendingMs -= chunkMs
      if (signal?.aborted === true) throw queryCanceled()
      try {
        await delay(chunkMs, undefined, signal === undefined ? {} : { signal })
      } catch {
        this.pendingMs = 0
        throw queryCanceled()
      }
    }
  }
}

export function sleeperOf(ctx: FunctionContext, what = 'pg_sleep'): Sleeper {
  if (ctx.sleeper === undefined) throw featureNotSupported(`${what} outside a query`)
  return ctx.sleeper
}

function sleepFunction(name: string, arg: PgTypeName, seconds: (value: SqlValue, ctx: FunctionContext) => number): ScalarFunction {
  return {
    name, args: [arg], result: 'void', strict: true, volatility: 'volatile',
    evaluate: ([value], ctx) => {
      sleeperOf(ctx).book(seconds(value ?? null, ctx))
      return ''
    },
  }
}

/** Seconds from now until `epochUs` (PostgreSQL computes these from clock_timestamp(), as here). */
function secondsUntil(epochUs: number): number {
  return (epochUs - Date.now() * 1000) / 1e6
}

export const SLEEP_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  sleepFunction('pg_sleep', 'float8', (value) => n(value)),
  sleepFunction('pg_sleep_for', 'interval', (value, ctx) => secondsUntil(addInterval(Date.now() * 1000, iv(value), session(ctx)))),
  sleepFunction('pg_sleep_until', 'timestamptz', (value) => secondsUntil(n(value))),
]
