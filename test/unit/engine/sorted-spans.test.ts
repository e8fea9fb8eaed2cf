// Goal: the indexes a cached row group keeps of itself (engine/timeseries/sorted-spans.ts) say what a row-by-row
// look says: IdRuns.endAfter(row) is the first later row whose id differs from its predecessor's, TimeRuns.runEnd(row)
// bounds a stretch of non-decreasing timestamps, only registered (cached) arrays are indexed, and ids that change too
// often are not. Method: random ids and times (sorted by series as a flush writes them, ties, NULL ids, NaN and
// out-of-order rows) checked at every row against a plain loop over the arrays.
import assert from 'node:assert/strict'
import { cachedTimeRuns, idRunsOf, registerCachedIds, sortedTimeRunsOf } from '../../../engine/timeseries/sorted-spans.js'
import { seededRandom } from '../../helpers/random.js'

/** Ids in runs of random length (some -1, NULL), as a row group sorted by series holds them. */
function idsInRuns(random: () => number, count: number, meanRun: number): Int32Array {
  const ids = new Int32Array(count)
  let id = 0
  for (let row = 0; row < count; row++) {
    if (row > 0 && random() < 1 / meanRun) id = random() < 0.1 ? -1 : Math.floor(random() * 5)
    ids[row] = id
  }
  return ids
}

/** Times non-decreasing over random stretches, with ties, an occasional NaN and an occasional row out of order. */
function timesInRuns(random: () => number, count: number): Float64Array {
  const times = new Float64Array(count)
  let t = 0
  for (let row = 0; row < count; row++) {
    if (random() < 0.02) t = Math.floor(random() * 100)
    else if (random() > 0.3) t += Math.floor(random() * 3)
    times[row] = random() < 0.005 ? Number.NaN : random() < 0.01 ? t - 50 : t
  }
  return times
}

describe('engine/timeseries/sorted-spans (indexes of cached row groups)', () => {
  it('ends each id run where a row-by-row look ends it', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed)
      const ids = idsInRuns(random, 1 + Math.floor(random() * 2000), 40)
      assert.equal(idRunsOf(ids), null, 'an array never registered is not indexed')
      registerCachedIds(ids)
      const runs = idRunsOf(ids)
      assert.ok(runs !== null, `seed ${seed}: runs of about 40 rows are indexed`)
      for (let row = 0; row < ids.length; row++) {
        let end = row + 1
        while (end < ids.length && ids[end] === ids[end - 1]) end++
        assert.equal(runs.endAfter(row), end, `seed ${seed} row ${row}`)
      }
    }
  })

  it('does not index ids that change more often than every 16 rows', () => {
    const random = seededRandom(5)
    const ids = Int32Array.from({ length: 1000 }, () => Math.floor(random() * 4))
    registerCachedIds(ids)
    assert.equal(idRunsOf(ids), null)
  })

  it('bounds sorted stretches of a cached timestamp chunk, NaN alone in its own', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed * 31)
      const times = timesInRuns(random, 1 + Math.floor(random() * 3000))
      assert.equal(sortedTimeRunsOf(times), null, 'an array never cached has no index')
      cachedTimeRuns(times)
      const runs = sortedTimeRunsOf(times)
      assert.ok(runs !== null, `seed ${seed}: a few out-of-order rows keep the index`)
      for (let row = 0; row < times.length; row++) {
        const end: number = runs.runEnd(row)
        assert.ok(end > row && end <= times.length, `seed ${seed} row ${row}: end ${end}`)
        // Every row of [row, end) continues the one before it (non-decreasing; a NaN row stands alone).
        for (let r = row + 1; r < end; r++) assert.ok(times[r]! >= times[r - 1]!, `seed ${seed} rows ${r - 1}, ${r}`)
        if (Number.isNaN(times[row]!)) assert.equal(end, row + 1, `seed ${seed}: NaN at ${row} is a run of its own`)
      }
    }
  })
})
