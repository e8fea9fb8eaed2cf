// engine/flush-coordinator: the control thread's bookkeeping between cores, segments and the WAL: takes each core's
// AppliedResponse (memtable bytes, low-water LSN, a flush to write), writes and commits flushes through the
// SegmentStore, tells the core, and deletes WAL segments no memtable needs (checkpoint). A failed flush is retried
// by a per-core backoff timer (issue 12), with no traffic needed. Knows nothing of SQL.
import { assert } from '../src/common/assert.js'
import type { Lsn } from '../src/common/ids.js'
import {
  FLUSH_ALL_ROUNDS_MAX_COUNT, MEMTABLE_FLUSH_AGE_MS, MEMTABLE_IDLE_CHECK_MS, MEMTABLE_IDLE_FLUSH_MS, MEMTABLE_PAUSE_BUDGETS_COUNT,
} from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import { EngineFailureError, isEngineFailureError, type EngineFailure } from './api.js'
import type { CoreClient } from './bridge/core-client.js'
import type { DiskHealth } from './io/disk-health.js'
import { RetryBackoff } from './io/retry-backoff.js'
import type { CoreResponse, FlushOutput } from './bridge/messages.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export class FlushCoordinator {
  private readonly memtableBytes: number[]
  private readonly lowWater: number[]
  private readonly flushing: Array<Promise<void> | undefined>
  private readonly forcing: Array<Promise<void> | undefined>
  /** LSNs dispatched to cores whose applies have not all answered yet, with the count of answers missing. */
  private readonly pending = new Map<number, number>()
  private lastDispatchedLsn = 0
  /** Per core: the backoff of its failing flush, the failure, and replay's waits for the next attempt. */
  private readonly backoffs: RetryBackoff[]
  private readonly lastFailures: Array<EngineFailure | undefined>
  private readonly retryWaiters: Array<Array<() => void>>
  /** Per core: when it last applied an ingest, and since when its memtables hold rows (0 = empty). */
  private readonly lastIngestMs: number[]
  private readonly heldSinceMs: number[]
  private readonly idleTimer: NodeJS.Timeout

  constructor(
    private readonly cores: ReadonlyArray<CoreClient>,
    private readonly segments: SegmentStore,
    private readonly budgetBytes: number,
    /** Runs after every committed flush: the engine's WAL checkpoint. */
    private readonly flushCommitted: () => Promise<void>,
    /** Where failed flushes show (SHOW nodedb_status); absent in unit tests that build a coordinator alone. */
    private readonly health?: DiskHealth,
    /** Tests: MEMTABLE_IDLE_FLUSH_MS by default. */
    private readonly idleFlushMs = MEMTABLE_IDLE_FLUSH_MS,
  ) {
    this.memtableBytes = cores.map(() => 0)
    this.lowWater = cores.map(() => 0)
    this.flushing = cores.map(() => undefined)
    this.forcing = cores.map(() => undefined)
    this.backoffs = cores.map(() => new RetryBackoff())
    this.lastFailures = cores.map(() => undefined)
    this.retryWaiters = cores.map(() => [])
    this.lastIngestMs = cores.map(() => Date.now())
    this.heldSinceMs = cores.map(() => 0)
    this.idleTimer = setInterval(() => this.flushIdle(), Math.min(MEMTABLE_IDLE_CHECK_MS, idleFlushMs)).unref()
  }

  /**
   * The known limit of flushing only at a core's next request: a core that stopped receiving ingests (or holds rows
   * older than MEMTABLE_FLUSH_AGE_MS) is asked to flush now, so its rows and the WAL do not wait for traffic.
   */
  private flushIdle(): void {
    const now = Date.now()
    this.cores.forEach((_, core) => {
      if (this.memtableBytes[core] === 0) return
      const held = this.heldSinceMs[core]!
      if (now - this.lastIngestMs[core]! >= this.idleFlushMs || (held > 0 && now - held >= MEMTABLE_FLUSH_AGE_MS)) this.force(core)
    })
  }

  /**
   * The WAL holds too many closed segments: asks each core whose memtables still hold rows of LSN ≤ `oldestLsn` (the
   * oldest closed segment's last LSN) to flush now, budget or not, so the next checkpoint can delete that segment.
   */
  relieveWal(oldestLsn: number): void {
    this.cores.forEach((_, core) => {
      const low = this.lowWater[core]!
      if (low !== 0 && low <= oldestLsn) this.force(core)
    })
  }

  /** Asks `core` to flush whatever it holds, unless a flush runs or a failing one waits out its backoff. */
  private force(core: number): void {
    // A failing flush is not forced at every ingest: its backoff timer retries it.
    if (this.forcing[core] !== undefined || this.flushing[core] !== undefined || this.backoffs[core]!.isWaiting) return
    this.forcing[core] = this.cores[core]!.request({ kind: 'FlushRequest' })
      .then((response) => { this.applied(core, response, undefined) })
      .catch((error: unknown) => log.error({ core, err: error }, 'forced flush not answered'))
      .finally(() => { this.forcing[core] = undefined })
  }

  /**
   * CHECKPOINT: resolves once every row dispatched before the call has left the memtables of every core for committed
   * segments (each commit runs the WAL checkpoint). Uses the same FlushRequest as relieveWal, after the flush in flight.
   */
  async flushAll(): Promise<void> {
    const upToLsn = this.lastDispatchedLsn
    await Promise.all(this.cores.map((_, core) => this.flushCore(core, upToLsn)))
  }

  /** Bytes the memtables of every core held at their last answers. */
  memtableBytesTotal(): number {
    return this.memtableBytes.reduce((sum, bytes) => sum + bytes, 0)
  }

  /**
   * Rounds of: wait for this core's flushes, ask for a forced one, wait for it to commit — until the core holds no
   * row of LSN ≤ `upToLsn`. A failed write leaves the rows in memory (the core offers them again), hence the rounds.
   */
  private async flushCore(core: number, upToLsn: number): Promise<void> {
    for (let round = 0; round < FLUSH_ALL_ROUNDS_MAX_COUNT; round++) {
      await this.coreSettled(core)
      const low = this.lowWater[core]!
      if (round > 0 && (low === 0 || low > upToLsn)) return
      // Round 0 always asks: the low water seen here may predate applies still queued on the core's ring.
      const response = await this.cores[core]!.request({ kind: 'FlushRequest' })
      if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
      this.applied(core, response, undefined)
    }
    throw new EngineFailureError({ kind: 'Io', detail: `core ${core} still holds rows after ${FLUSH_ALL_ROUNDS_MAX_COUNT} forced flushes` })
  }

  /** Resolves when neither a flush nor a forced flush of `core` is running (a commit may start the next: loop). */
  private async coreSettled(core: number): Promise<void> {
    for (;;) {
      const running = this.flushing[core] ?? this.forcing[core]
      if (running === undefined) return
      await running
    }
  }

  /**
   * Invariant 4: resolves once no core holds more than MEMTABLE_PAUSE_BUDGETS_COUNT budgets, waiting for the flushes
   * in flight to commit. Ingest and replay both wait here before sending more rows. A core over that whose flush is
   * failing (waiting out its backoff) refuses ingest with the flush's failure (`isRefusing`: 53100, not a request
   * left hanging until space returns); replay, which cannot refuse, waits for the next attempt.
   */
  async whenMemoryAllows(isRefusing = false): Promise<void> {
    for (let core = 0; core < this.cores.length; core++) {
      while (this.memtableBytes[core]! > this.budgetBytes * MEMTABLE_PAUSE_BUDGETS_COUNT) {
        const running = this.flushing[core] ?? this.forcing[core]
        if (running !== undefined) await running
        else if (!this.backoffs[core]!.isWaiting) break
        else if (isRefusing) throw this.memoryRefusal(core)
        else await new Promise<void>((resolve) => this.retryWaiters[core]!.push(resolve))
      }
    }
  }

  /**
   * 'DiskFull' whatever the flush's own failure (EIO on a write too): it is the retryable refusal every front door
   * knows (53100, HTTP 507 with Retry-After, ILP TCP holding its lines), and it ends once a flush commits.
   */
  private memoryRefusal(core: number): EngineFailureError {
    const failure = this.lastFailures[core]
    const retryAt = new Date(this.backoffs[core]!.retryAtMs ?? Date.now()).toISOString()
    const detail = `the memtables of core ${core} are full and their flush fails (${failure?.detail ?? 'unknown'}); next attempt at ${retryAt}`
    return new EngineFailureError({ kind: 'DiskFull', detail })
  }

  /** Records that `lsn` goes to `coreCount` cores; call before the requests are sent. */
  dispatched(lsn: Lsn, coreCount: number): void {
    assert(lsn > this.lastDispatchedLsn, `dispatch of lsn ${lsn} after ${this.lastDispatchedLsn}`)
    this.lastDispatchedLsn = lsn
    if (coreCount > 0) this.pending.set(lsn, coreCount)
  }

  /** Takes one core's answer to an apply of `lsn` (or to a commit, lsn undefined); starts a flush it carries. */
  applied(core: number, response: CoreResponse, lsn: Lsn | undefined): CoreResponse {
    if (lsn !== undefined) {
      const left = (this.pending.get(lsn) ?? 1) - 1
      if (left <= 0) this.pending.delete(lsn)
      else this.pending.set(lsn, left)
    }
    if (lsn !== undefined) this.lastIngestMs[core] = Date.now()
    if (response.kind !== 'AppliedResponse') return response
    if (response.memtableBytes === 0) this.heldSinceMs[core] = 0
    else if (this.heldSinceMs[core] === 0) this.heldSinceMs[core] = Date.now()
    this.memtableBytes[core] = response.memtableBytes
    this.lowWater[core] = response.lowWaterLsn
    if (response.flush !== null) this.startFlush(core, response.flush)
    return response
  }

  /** The lowest LSN the WAL must keep: rows only memory holds, or records not yet applied everywhere. */
  neededLsn(): number {
    let needed = this.lastDispatchedLsn + 1
    for (const low of this.lowWater) if (low > 0) needed = Math.min(needed, low)
    for (const lsn of this.pending.keys()) needed = Math.min(needed, lsn)
    return needed
  }

  /** A restarted core starts empty: it holds the whole WAL (low water 1) until its catch-up and first answers. */
  resetCore(core: number): void {
    this.memtableBytes[core] = 0
    this.lowWater[core] = 1
  }

  /** Engine close: no more retries; resolves when no flush is being written. */
  async close(): Promise<void> {
    clearInterval(this.idleTimer)
    for (const backoff of this.backoffs) backoff.stop()
    for (const waiters of this.retryWaiters) for (const resolve of waiters.splice(0)) resolve()
    await this.settled()
  }

  /** Resolves when no flush is being written. */
  async settled(): Promise<void> {
    for (;;) {
      const running = [...this.flushing, ...this.forcing].filter((flush): flush is Promise<void> => flush !== undefined)
      if (running.length === 0) return
      await Promise.all(running)
    }
  }

  /**
   * A core offers a flush only once its previous one is committed on its side, but the answer carrying the offer
   * can overtake this side's bookkeeping of that commit (each answer resumes its own promise chain): the new flush
   * then waits for the previous one's bookkeeping instead of tripping over it.
   */
  private startFlush(core: number, output: FlushOutput): void {
    const previous = this.flushing[core]
    const done = (previous === undefined ? this.runFlush(core, output) : previous.then(() => this.runFlush(core, output))).finally(() => {
      if (this.flushing[core] === done) this.flushing[core] = undefined
    })
    this.flushing[core] = done
  }

  /** Writes and commits a flush, then tells the core; the core's answer may carry the next flush. Never rejects. */
  private async runFlush(core: number, output: FlushOutput): Promise<void> {
    let commit: Promise<CoreResponse> | undefined
    const request = (isCommitted: boolean): Promise<CoreResponse> => {
      const pending = this.cores[core]!.request({ kind: 'CommitFlushRequest', flushId: output.flushId, isCommitted })
      // Awaited below, after commitFlush's remaining I/O: a core dying meanwhile must not surface as an unhandled
      // rejection (the await still sees it and logs it).
      pending.catch(() => undefined)
      return pending
    }
    try {
      await this.segments.commitFlush(output, () => { commit = request(true) })
      this.flushSucceeded(core)
    } catch (error) {
      // Issue 12: the memtable keeps its rows and the WAL is not checkpointed past them; the backoff timer retries.
      this.lastFailures[core] = isEngineFailureError(error) ? error.failure : { kind: 'Io', detail: String(error) }
      const retryAtMs = this.backoffs[core]!.failed(() => this.retryFlush(core))
      this.health?.backgroundFailed('flush', error, String(core), retryAtMs)
      log.error({ core, err: error, retryAt: new Date(retryAtMs).toISOString() }, 'flush failed; the core keeps its rows')
      commit ??= request(false)
    }
    try {
      const response = await commit!
      if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
      // The answer may start the next flush of this core: startFlush chains it behind this one.
      this.applied(core, response, undefined)
      await this.flushCommitted()
    } catch (error) {
      log.error({ core, err: error }, 'flush commit not answered')
    }
  }

  private flushSucceeded(core: number): void {
    this.backoffs[core]!.succeeded()
    this.lastFailures[core] = undefined
    this.health?.backgroundSucceeded('flush', String(core))
  }

  /**
   * The backoff timer of a core whose flush failed: asks the core for its rows again (it offers none by itself
   * meanwhile). A flush already running decides instead; an answer with nothing to flush (the table was dropped)
   * ends the failure.
   */
  private retryFlush(core: number): void {
    if (this.flushing[core] === undefined && this.forcing[core] === undefined) {
      this.forcing[core] = this.cores[core]!.request({ kind: 'FlushRequest' })
        .then((response) => {
          if (response.kind === 'AppliedResponse' && response.flush === null && response.lowWaterLsn === 0) this.flushSucceeded(core)
          this.applied(core, response, undefined)
        })
        .catch((error: unknown) => log.error({ core, err: error }, 'flush retry not answered'))
        .finally(() => { this.forcing[core] = undefined })
    }
    for (const resolve of this.retryWaiters[core]!.splice(0)) resolve()
  }
}
