// engine/scan-runner: runs ScanOps across the cores — whole (one partial per core) or streamed (batches pulled with
// credit, cancellable). Segments are sliced under the scan gate and every core's request is queued before the gate
// is released, so a flush commit orders cleanly against the scan (invariant 2). Each core's segment files stay pinned
// until that core is done with them (answered, stream ended or cancel acknowledged, or the core died), so compaction,
// retention or a DROP cannot take a file from under a core still reading it. Knows nothing of SQL or sockets.
import { SCAN_STREAM_BATCHES_AHEAD_COUNT } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import { EngineFailureError, type ScanResult, type ScanStreamOptions } from './api.js'
import type { RowsPartial, ScanPartial } from './batch.js'
import type { CoreClient, StreamResponse } from './bridge/core-client.js'
import type { CoreResponse } from './bridge/messages.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import { fail } from './engine-setup.js'
import type { ScanOp, TableSchema } from './ops.js'
import { SortedMerge } from './sorted-merge.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export interface ScanHost {
  /** The current client of each core (a restarted core's slot holds its new client). */
  readonly cores: ReadonlyArray<CoreClient>
  readonly catalog: CatalogStore
  readonly segments: SegmentStore
  /** Resolves once no core is being rebuilt (a scan must not miss a rebuilding core's rows). */
  restarts(): Promise<unknown>
}

export class ScanRunner {
  private cancelledCountValue = 0
  private skippedCoreCountValue = 0
  private openCountValue = 0

  constructor(private readonly host: ScanHost) {}

  /** Streams stopped before their end (consumer gone, LIMIT reached, abort) since open. */
  get cancelledCount(): number {
    return this.cancelledCountValue
  }

  /** Cores left out of a scan since open: no segment slice for them and nothing in their memtables (holdsNoRows). */
  get skippedCoreCount(): number {
    return this.skippedCoreCountValue
  }

  /** Streams not yet finished or cancelled. */
  get openCount(): number {
    return this.openCountValue
  }

  async scan(op: ScanOp): Promise<ScanResult> {
    const table = this.tableOf(op)
    await this.host.restarts()
    const { perCore, release, unpin, answered } = await this.host.segments.sliceForScan(table, op, this.host.cores.length)
    // A core that died rejects its request: it reads nothing more either, so settling is when its pins may go. A core
    // with no slice and empty memtables would answer an empty partial, so it is not asked (a one-series query over
    // segments wakes one core, not all: issue 8) — unless no partial would be left, as a global aggregate's one group
    // over no rows comes from a core's partial (the engine's contract, scan-level merges rely on it).
    const isIdle = this.host.cores.map((core, c) => perCore[c]!.length === 0 && core.holdsNoRows)
    if (answered === null && isIdle.every(Boolean)) isIdle[0] = false
    const requests: Array<Promise<CoreResponse>> = []
    this.host.cores.forEach((core, c) => {
      if (isIdle[c]!) {
        this.skippedCoreCountValue += 1
        unpin(c)
      } else {
        requests.push(core.request({ kind: 'ScanRequest', op, segments: perCore[c]! }).finally(() => unpin(c)))
      }
    })
    release()
    const responses = await Promise.all(requests)
    const partials: ScanPartial[] = responses.map((response) => {
      if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
      if (response.kind !== 'ScanResponse') throw new Error(`core answered a scan with ${response.kind}`)
      return response.partial
    })
    // Row groups answered from chunk statistics: one more partial, merged like a core's.
    if (answered !== null) partials.push(answered)
    return { kind: 'ScanResult', partials }
  }

  /**
   * A raw scan as batches, in arrival order across cores (with `options.sort`: sorted on the cores and merged in
   * order, sorted-merge.ts). Each core runs ahead of the consumer by at most SCAN_STREAM_BATCHES_AHEAD_COUNT batches
   * (credit is returned as batches are taken), so memory stays bounded whatever the table size (invariant 4). Leaving the loop early, or `signal` aborting, cancels every core's scan.
   */
  async *stream(op: ScanOp, options: ScanStreamOptions): AsyncGenerator<RowsPartial, void, undefined> {
    if (op.groupBy.length > 0 || op.aggregates.length > 0) throw fail('InvalidBatch', 'a streaming scan is a raw scan')
    const table = this.tableOf(op)
    await this.host.restarts()
    if (options.signal?.aborted === true) return
    const cores = [...this.host.cores]
    if (options.sort !== undefined && options.encoding === undefined) throw fail('InvalidBatch', 'a sorted scan stream sends DataRows')
    const ids: number[] = []
    const credit = (core: number): void => cores[core]!.creditStream(ids[core]!, 1)
    const merge = options.sort === undefined ? new BatchMerge(cores.length, credit) : new SortedMerge(cores.length, options.sort.keys, credit)
    const { perCore, release, unpin } = await this.host.segments.sliceForScan(table, op, cores.length)
    // Cancels the streams opened so far; a core's pins go once it acknowledged (or is dead: the cancel rejects).
    const cancelCores = (): void => cores.slice(0, ids.length).forEach((core, c) => void core.cancelStream(ids[c]!)
      .catch((error: unknown) => log.debug({ err: error }, 'cancel of a stream on a dead core'))
      .finally(() => unpin(c)))
    try {
      // A core's last batch or failure (a dead core's too) ends its reads, so its pins go then (or at cancel).
      for (const [c, core] of cores.entries()) {
        ids.push(core.openStream(
          { kind: 'StreamScanRequest', op, segments: perCore[c]!, creditCount: SCAN_STREAM_BATCHES_AHEAD_COUNT,
            ...(options.encoding === undefined ? {} : { encoding: options.encoding }), ...(options.sort === undefined ? {} : { sort: options.sort }) },
          (response) => {
            if (response.kind === 'FailureResponse' || response.isLast) unpin(c)
            merge.receive(c, response)
          }))
      }
    } catch (error) {
      merge.stop()
      cancelCores()
      for (let c = ids.length; c < cores.length; c++) unpin(c)
      throw error
    } finally {
      release()
    }
    this.openCountValue += 1
    const cancel = (): void => {
      if (merge.isFinished) return
      merge.stop()
      this.cancelledCountValue += 1
      log.debug({ tableId: op.tableId, batches: merge.takenCount }, 'scan stream cancelled')
      cancelCores()
    }
    options.signal?.addEventListener('abort', cancel)
    try {
      for (let partial = await merge.next(); partial !== null; partial = await merge.next()) yield partial
    } finally {
      options.signal?.removeEventListener('abort', cancel)
      cancel()
      this.openCountValue -= 1
    }
  }

  private tableOf(op: ScanOp): TableSchema {
    const table = this.host.catalog.table(op.tableId)
    if (table === undefined) throw fail('NoSuchTable', `table ${op.tableId} does not exist`)
    return table
  }
}

/**
 * The batches of every core's stream waiting to be taken, and the one consumer waiting for them. Bounded by the
 * credit: at most SCAN_STREAM_BATCHES_AHEAD_COUNT batches per core are ever here.
 */
class BatchMerge {
  private readonly ready: Array<{ readonly core: number; readonly partial: RowsPartial }> = []
  private liveCount: number
  private failure: EngineFailureError | undefined
  private isStopped = false
  private waiter: (() => void) | undefined
  takenCount = 0

  /** `credit(core)`: a batch of the core was taken, so it may send one more. */
  constructor(coreCount: number, private readonly credit: (core: number) => void) {
    this.liveCount = coreCount
  }

  /** Every core sent its last batch (and all were taken) or the stream was stopped: nothing is left to cancel. */
  get isFinished(): boolean {
    return this.isStopped || (this.liveCount === 0 && this.ready.length === 0)
  }

  receive(core: number, response: StreamResponse): void {
    if (this.isStopped) return
    if (response.kind === 'FailureResponse') this.failure ??= new EngineFailureError(response.failure)
    else {
      if (response.partial.rowCount > 0) this.ready.push({ core, partial: response.partial })
      if (response.isLast) this.liveCount -= 1
    }
    this.wake()
  }

  stop(): void {
    this.isStopped = true
    this.ready.length = 0
    this.wake()
  }

  /** The next batch; null once every core finished or the stream was stopped. Rejects with a core's failure. */
  async next(): Promise<RowsPartial | null> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      if (this.isStopped) return null
      const item = this.ready.shift()
      if (item !== undefined) {
        this.takenCount += 1
        this.credit(item.core)
        return item.partial
      }
      if (this.liveCount === 0) return null
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }
}
