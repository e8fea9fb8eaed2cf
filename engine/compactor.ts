// engine/compactor: background compaction — merges the small segments that flushes leave per (table, vShard,
// partition) into one, on the owning core (decode, sort, encode: invariant 5), one compaction at a time. Queries go on
// meanwhile: the manifest swap is atomic under the scan gate and scans hold their bytes. Knows nothing of SQL.
import { log } from '../src/common/log.js'
import type { CoreClient } from './bridge/core-client.js'
import type { DiskHealth } from './io/disk-health.js'
import { RetryBackoff } from './io/retry-backoff.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export class Compactor {
  private running: Promise<void> | undefined
  private compactionCountValue = 0
  /** After failures in a row, no round starts until its timer runs one (1 s, doubling to BACKGROUND_RETRY_MAX_MS). */
  private readonly backoff = new RetryBackoff()

  constructor(private readonly segments: SegmentStore, private readonly cores: ReadonlyArray<CoreClient>,
    private readonly health?: DiskHealth) {}

  get compactionCount(): number {
    return this.compactionCountValue
  }

  /** Starts a compaction round if none runs and none is waiting out a backoff; it continues while candidates remain. */
  maybeStart(isStopping: () => boolean): void {
    if (this.running !== undefined || this.backoff.isWaiting) return
    this.running = this.run(isStopping)
      .then(() => {
        this.backoff.succeeded()
        this.health?.backgroundSucceeded('compaction')
      })
      .catch((error: unknown) => {
        // Issue 12: the inputs stay listed; the backoff timer starts the next round, with no traffic needed.
        const retryAtMs = this.backoff.failed(() => { if (!isStopping()) this.maybeStart(isStopping) })
        this.health?.backgroundFailed('compaction', error, '', retryAtMs)
        log.error({ err: error, retryAt: new Date(retryAtMs).toISOString() }, 'compaction failed; segments left as they are')
      })
      .finally(() => { this.running = undefined })
  }

  /** Engine close: no more retries; resolves when no round runs. */
  async settled(): Promise<void> {
    this.backoff.stop()
    await this.running
  }

  private async run(isStopping: () => boolean): Promise<void> {
    while (!isStopping() && await this.segments.maintain(() => this.compactOne())) this.compactionCountValue += 1
  }

  /** Merges the next candidates (chosen inside maintain(), so retention cannot have dropped them); false: none. */
  private async compactOne(): Promise<boolean> {
    const inputs = this.segments.compactionCandidates()
    const first = inputs[0]
    if (first === undefined) return false
    const slices = []
    for (const input of inputs) slices.push(await this.segments.readWhole(input))
    const core = this.cores[first.vShard % this.cores.length]!
    const response = await core.request({
      kind: 'CompactRequest', tableId: first.tableId, vShard: first.vShard, partitionStartUs: first.partitionStartUs, segments: slices,
    })
    if (response.kind !== 'CompactResponse') {
      log.warn({ response: response.kind }, 'compaction refused by the core')
      return false
    }
    await this.segments.commitCompaction(inputs, response.segment)
    return true
  }
}
