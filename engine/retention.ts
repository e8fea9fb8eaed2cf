// engine/retention: the retention (TTL) job on the main thread. Drops every segment of a table whose partition ends
// at or before now − the table's retentionUs: whole partitions only, at open, every RETENTION_CHECK_INTERVAL_MS and
// right after a SetRetentionOp. Rows still in memtables are not dropped early: once flushed, the next pass drops them.
// Passes run inside SegmentStore.maintain (never beside a compaction) and swap the manifest under the scan gate.
import { RETENTION_CHECK_INTERVAL_MS } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import type { SetRetentionResult } from './api.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import type { SetRetentionOp } from './ops.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined
  private last: Promise<void> = Promise.resolve()
  private isStopped = false
  private droppedCountValue = 0

  constructor(
    private readonly catalog: CatalogStore,
    private readonly segments: SegmentStore,
    /** Partition width in µs: a partition starting at s ends at s + widthUs. */
    private readonly widthUs: number,
    /** Wall clock in ms since the epoch (Date.now unless a test injects one). */
    private readonly nowMs: () => number,
  ) {}

  /** Segments dropped since open. */
  get droppedCount(): number {
    return this.droppedCountValue
  }

  /** Runs a first pass (resolving when it is done) and starts the periodic timer, which does not keep Node alive. */
  start(): Promise<void> {
    this.timer ??= setInterval(() => { void this.runNow() }, RETENTION_CHECK_INTERVAL_MS)
    this.timer.unref()
    return this.runNow()
  }

  /** Persists the table's new retention, then runs a pass so that expired partitions are gone when it resolves. */
  async setRetention(op: SetRetentionOp): Promise<SetRetentionResult> {
    const table = await this.catalog.setRetention(op)
    await this.runNow()
    return { kind: 'SetRetentionResult', table }
  }

  /** Queues one pass; never rejects (a failed pass is logged, and the next tick tries again). */
  runNow(): Promise<void> {
    if (this.isStopped) return this.last
    this.last = this.segments.maintain(() => this.pass())
      .catch((error: unknown) => log.error({ err: error }, 'retention pass failed; segments left for the next pass'))
    return this.last
  }

  /** Stops the timer and waits for the passes queued so far. */
  async stop(): Promise<void> {
    this.isStopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.last
  }

  private async pass(): Promise<void> {
    const nowUs = this.nowMs() * 1000
    const cutoffs = new Map<number, number>()
    for (const table of this.catalog.tables()) {
      if (table.retentionUs !== null && table.retentionUs !== undefined) cutoffs.set(table.id, nowUs - table.retentionUs)
    }
    if (cutoffs.size === 0) return
    const dropped = await this.segments.dropSegments((entry) => {
      const cutoff = cutoffs.get(entry.tableId)
      return cutoff !== undefined && entry.partitionStartUs + this.widthUs <= cutoff
    })
    if (dropped.length === 0) return
    this.droppedCountValue += dropped.length
    const rowCount = dropped.reduce((sum, entry) => sum + entry.rowCount, 0)
    log.info({ segmentCount: dropped.length, rowCount }, 'retention dropped expired partitions')
  }
}
