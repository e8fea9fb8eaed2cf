// engine/sync/lag-clock: when each WAL position became durable, sampled, so nodedb_sync can say how old the oldest
// record the cloud has not acknowledged is (issue 11). Bounded: past LAG_SAMPLES_MAX_COUNT samples every other one
// is dropped, so resolution coarsens over a long outage instead of memory growing. Knows nothing of NATS.
import { assert } from '../../src/common/assert.js'

/** Samples kept at most (two numbers each); 4096 samples at one per poll cover a long outage at coarser steps. */
export const LAG_SAMPLES_MAX_COUNT = 4096

export class LagClock {
  private lsns: number[] = []
  private times: number[] = []

  /** Records that `lsn` was durable at `nowMs`; only an advance is kept (one sample per new durable position). */
  note(lsn: number, nowMs: number): void {
    const last = this.lsns[this.lsns.length - 1]
    if (last !== undefined && lsn <= last) return
    this.lsns.push(lsn)
    this.times.push(nowMs)
    if (this.lsns.length > LAG_SAMPLES_MAX_COUNT) {
      // Keep the oldest (it dates the oldest unacknowledged record) and every other one after it.
      this.lsns = this.lsns.filter((_, i) => i % 2 === 0)
      this.times = this.times.filter((_, i) => i % 2 === 0)
    }
    assert(this.lsns.length === this.times.length, 'lag clock samples out of step')
  }

  /**
   * Seconds since the oldest record above `ackedLsn` became durable: the first sample past it is no later than that
   * record's fsync. 0 when nothing above it was sampled (caught up). Forgets the samples the ack covers.
   */
  lagSeconds(ackedLsn: number, nowMs: number): number {
    let drop = 0
    while (drop < this.lsns.length && this.lsns[drop]! <= ackedLsn) drop += 1
    if (drop > 0) {
      this.lsns.splice(0, drop)
      this.times.splice(0, drop)
    }
    const oldest = this.times[0]
    return oldest === undefined ? 0 : Math.max(0, (nowMs - oldest) / 1000)
  }
}
