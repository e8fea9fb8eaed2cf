// engine/io/retry-backoff: when a failing background writer (a core's segment flush, compaction) tries again (issue
// 12): FLUSH_RETRY_MS after the first failure, doubling per failure in a row up to BACKGROUND_RETRY_MAX_MS, and no
// pause after a success. Owns one unref'd timer, so the retry happens with no traffic at all. Knows nothing of files.
import { assert } from '../../src/common/assert.js'
import { BACKGROUND_RETRY_MAX_MS, FLUSH_RETRY_MS } from '../../src/common/limits.js'

/** The pause after `failureCount` failures in a row (1 → FLUSH_RETRY_MS). */
export function retryPauseMs(failureCount: number): number {
  assert(failureCount >= 1, `retry pause after ${failureCount} failures`)
  return Math.min(BACKGROUND_RETRY_MAX_MS, FLUSH_RETRY_MS * 2 ** Math.min(failureCount - 1, 30))
}

export class RetryBackoff {
  private failureCountValue = 0
  private retryAtMsValue: number | undefined
  private timer: NodeJS.Timeout | undefined
  private isStopped = false

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Failures in a row since the last success. */
  get failureCount(): number {
    return this.failureCountValue
  }

  /** When the pending retry runs (ms since the epoch); undefined when none is pending. */
  get retryAtMs(): number | undefined {
    return this.retryAtMsValue
  }

  /** True while a retry is pending: the writer holds off until its timer runs it. */
  get isWaiting(): boolean {
    return this.retryAtMsValue !== undefined
  }

  /** Records a failure and schedules `retry` after the pause; returns when it will run. */
  failed(retry: () => void): number {
    this.failureCountValue += 1
    this.clearTimer()
    const pauseMs = retryPauseMs(this.failureCountValue)
    const atMs = this.nowMs() + pauseMs
    if (this.isStopped) return atMs
    this.retryAtMsValue = atMs
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.retryAtMsValue = undefined
      retry()
    }, pauseMs)
    this.timer.unref()
    return atMs
  }

  /** The writer succeeded (or has nothing left to write): back to no pause. */
  succeeded(): void {
    this.failureCountValue = 0
    this.clearTimer()
  }

  /** No retry runs from now on (engine close). */
  stop(): void {
    this.isStopped = true
    this.clearTimer()
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.retryAtMsValue = undefined
  }
}
