// Goal: a kept plan never answers with an earlier execution's clock: a text comparing with 'now' (or 'today'…), sent
// again, reads the clock again, as PostgreSQL does — the literal's cast is folded into the scan's time range, so a
// kept plan would keep the instant of the first execution (it did: found while building shape plans, issue 8).
// Method: a row a little in the future; the same text before and after that instant (a wait between), and the second
// answer compared with the same query sent as a text never seen (planned afresh).
import assert from 'node:assert/strict'
import { newHarness, rowsOf } from './helpers.js'

const AHEAD_MS = 300

describe('sql/plan/plan-cache: literals that read the clock', function () {
  for (const text of ["SELECT host FROM cpu WHERE ts < 'now'", "SELECT host FROM cpu WHERE ts < 'now'::timestamptz + interval '0 s'",
    "SELECT host FROM cpu WHERE ts >= 'today' AND ts < timestamptz 'now'"]) {
    it(`reads the clock again when sent again: ${text}`, async function () {
      const harness = await newHarness()
      await harness.run(`INSERT INTO cpu (ts, host, usage_user) VALUES ('${new Date(Date.now() + AHEAD_MS).toISOString()}', 'a', 1)`)
      assert.deepEqual(rowsOf(await harness.one(text)), [])
      await new Promise((resolve) => setTimeout(resolve, AHEAD_MS * 2))
      const fresh = rowsOf(await harness.one(`${text} /* fresh */`))
      assert.deepEqual(fresh, [['a']])
      assert.deepEqual(rowsOf(await harness.one(text)), fresh)
    })
  }
})
