// test/unit/sql/slice: goal — control-side operators give the event loop turns while they work (invariant 5) without
// changing their answers. Method: sortSliced (and sortIndexesSliced, the columnar sort's) against one stable
// Array.prototype.sort on random arrays with many ties (fast-check), larger than one run so the merge is exercised; a chain of setImmediate ticks counted while a large
// sort runs (it must advance: the loop got turns mid-sort); charge asks for a turn at its work cap and, past the time
// budget, at its next clock reading (the slice's start is set, not timed, so the test has no timing in it); an
// aborted signal turns the next pause into 57014.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { isDbError } from '../../../src/common/errors.js'
import { EVENT_LOOP_SLICE_MS } from '../../../src/common/limits.js'
import { charge, forChunks, pause, SLICE_WORK_COUNT, sortIndexesSliced, sortSliced, type Sliced } from '../../../sql/exec/slice.js'

const byKey = (a: { key: number }, b: { key: number }): number => a.key - b.key

describe('sql/exec/slice', () => {
  it('sortSliced equals one stable sort, ties in input order, across runs', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 40_000 }), async (keys) => {
      const items = keys.map((key, index) => ({ key, index }))
      const expected = [...items].sort(byKey)
      const actual = await sortSliced([...items], byKey, { sliceWork: 0 })
      assert.deepEqual(actual, expected)
    }), { numRuns: 12 })
  })

  it('sortIndexesSliced equals one stable sort of the indexes by their keys, across runs and merge passes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 40_000 }), async (keys) => {
      const compare = (a: number, b: number): number => keys[a]! - keys[b]! || a - b
      const expected = keys.map((_, index) => index).sort((a, b) => keys[a]! - keys[b]!)
      const order = Int32Array.from(keys, (_, index) => index)
      assert.deepEqual([...await sortIndexesSliced(order, compare, { sliceWork: 0 })], expected)
    }), { numRuns: 12 })
  })

  it('forChunks covers [0, count) once, in order, in chunks', async () => {
    const seen: number[] = []
    await forChunks(1000, { sliceWork: 0 }, (from, to) => { for (let i = from; i < to; i++) seen.push(i) })
    assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i))
  })

  it('a large sort lets the event loop run between its slices', async () => {
    let ticks = 0
    let isRunning = true
    const tick = (): void => { ticks += 1; if (isRunning) setImmediate(tick) }
    setImmediate(tick)
    const items = Array.from({ length: 200_000 }, (_, i) => ({ key: (i * 7919) % 100_003 }))
    const sorted = await sortSliced(items, byKey, { sliceWork: 0 })
    isRunning = false
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.key <= sorted[i]!.key)
    // 200,000 rows are 196 runs plus merge passes, each run over the work cap, so a pause follows it.
    assert.ok(ticks >= 196, `the event loop got ${ticks} turns during the sort`)
  })

  it('charge asks for a pause once a slice of work is done', () => {
    const env: Sliced = { sliceWork: 0, sliceStartedMs: Infinity }
    for (let i = 1; i < SLICE_WORK_COUNT; i++) assert.equal(charge(env), false)
    assert.equal(charge(env), true)
  })

  it('charge asks for a pause at its next clock reading once the slice is over its time budget', () => {
    const env: Sliced = { sliceWork: 0, sliceStartedMs: performance.now() - EVENT_LOOP_SLICE_MS }
    let charges = 1
    while (!charge(env)) charges += 1
    assert.ok(charges <= 256, `asked for a pause after ${charges} units`)
  })

  it('a pause of a canceled statement rejects with 57014', async () => {
    const controller = new AbortController()
    const env: Sliced = { sliceWork: SLICE_WORK_COUNT, signal: controller.signal }
    await pause(env)
    assert.equal(env.sliceWork, 0)
    controller.abort()
    await assert.rejects(pause(env), (error: unknown) => isDbError(error) && error.code === '57014')
  })
})
