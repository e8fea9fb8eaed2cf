// Goal: issue 11's lag in seconds — LagClock dates the oldest record the cloud has not acknowledged by the first
// sample past the acknowledged LSN, is 0 once everything sampled is acknowledged, and stays bounded over a long outage
// (thinning keeps the oldest sample). Method: an injected clock (plain numbers), samples fed by hand.
import assert from 'node:assert/strict'
import { LAG_SAMPLES_MAX_COUNT, LagClock } from '../../../../engine/sync/lag-clock.js'

describe('engine/sync/lag-clock (issue 11)', () => {
  it('dates the oldest unacknowledged record by the first sample past the ack', () => {
    const clock = new LagClock()
    clock.note(10, 1_000)
    clock.note(10, 2_000)
    clock.note(20, 3_000)
    clock.note(30, 5_000)
    assert.equal(clock.lagSeconds(5, 10_000), 9)
    assert.equal(clock.lagSeconds(10, 10_000), 7)
    assert.equal(clock.lagSeconds(25, 10_000), 5)
    assert.equal(clock.lagSeconds(30, 10_000), 0)
  })

  it('keeps at most LAG_SAMPLES_MAX_COUNT samples and still dates from the oldest', () => {
    const clock = new LagClock()
    for (let i = 1; i <= LAG_SAMPLES_MAX_COUNT * 3; i++) clock.note(i, i * 1000)
    assert.equal(clock.lagSeconds(0, LAG_SAMPLES_MAX_COUNT * 3 * 1000 + 1000), LAG_SAMPLES_MAX_COUNT * 3)
    const internal = clock as unknown as { lsns: number[] }
    assert.ok(internal.lsns.length <= LAG_SAMPLES_MAX_COUNT, `${internal.lsns.length} samples kept`)
  })
})
