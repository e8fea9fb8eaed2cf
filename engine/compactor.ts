// engine/compactor: background compaction — merges the small segments that flushes leave per (table, vShard,
// partition) into one, on the owning core (decode, sort, encode: invariant 5), one compaction at a time. Queries go on
// meanwhile: the manifest swap is atomic under the scan gate and scans hold their bytes. Knows nothing of SQL.
import { COMPACTION_RETRY_MAX_MS, FLUSH_RETRY_MS } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import type { CoreClient } from './bridge/core-client.js'
import type { DiskHealth } from './io/disk-health.js'
import { compactionCandidates } from './timeseries/compaction-candidates.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export class Compactor {
  private running: Promise<void> | undefined
  private compactionCountValue = 0
  /** After failures in a row, no round starts before this (ms since the epoch); the pause doubles per failure. */
  private retryAtMs = 0
  private retryPauseMs = 0

  constructor(private readonly segments: SegmentStore, private readonly cores: ReadonlyArray<CoreClient>,
    private readonly health?: DiskHealth) {}

  get compactionCount(): number {
    return this.compactionCountValue
  }

  /** Starts a compaction round if none runs; it continues while candidates remain. */
  maybeStart(isStopping: () => boolean): void {
    if (this.running !== undefined || Date.now() < this.retryAtMs) return
    this.running = this.run(isStopping)
      .then(() => {
        this.retryPauseMs = 0
        this.health?.backgroundSucceeded('compaction')
      })
      .catch((error: unknown) => {
        // Issue 12: the inputs stay listed; a checkpoint after the backoff (1 s, doubling to a minute) tries again.
        this.retryPauseMs = Math.min(COMPACTION_RETRY_MAX_MS, Math.max(FLUSH_RETRY_MS, this.retryPauseMs * 2))
        this.retryAtMs = Date.now() + this.retryPauseMs
        this.health?.backgroundFailed('compaction', error)
        log.error({ err: error }, 'compaction failed; segments left as they are')
      })
      .finally(() => { this.running = undefined })
  }

  async settled(): Promise<void> {
    await this.running
  }

  private async run(isStopping: () => boolean): Promise<void> {
    while (!isStopping() && await this.segments.maintain(() => this.compactOne())) this.compactionCountValue += 1
  }

  /** Merges the next candidates (chosen inside maintain(), so retention cannot have dropped them); false: none. */
  private async compactOne(): Promise<boolean> {
    const inputs = compactionCandidates(this.segments.segments)
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
