// Goal: sql/exec/stream-plan.ts streams exactly the plans that hold no rows (scan → filter → project → limit →
// trim, no subquery) with run-plan.ts's answers, and leaves every other shape materialized; LIMIT stops pulling.
// Method: the FakeEngine harness; each query runs raw through the facade (to see the result kind) and its rows are
// compared with the same query forced through the materialized path by an ORDER BY that does not reorder, streaming off.
import assert from 'node:assert/strict'
import type { StatementResult } from '../../../sql/api.js'
import { dbErrorOf, materialize, newHarness, rowsOf, type Harness } from './helpers.js'

async function raw(h: Harness, text: string): Promise<StatementResult> {
  const [statement] = h.sql.parse(text)
  assert.ok(statement !== undefined)
  return h.sql.execute(statement, [], [], h.session)
}

describe('sql/exec/stream-plan', () => {
  let h: Harness
  beforeEach(async () => {
    h = await newHarness()
    const values = Array.from({ length: 50 }, (_, i) =>
      `('2024-01-01 00:00:${String(i).padStart(2, '0')}', 'h${i % 3}', ${i}.5, ${i})`).join(', ')
    await h.one(`INSERT INTO cpu (ts, host, usage_user, cores) VALUES ${values}`)
  })

  it('streams scan → filter → project → limit, with the materialized answers', async () => {
    const cases = [
      'SELECT * FROM cpu',
      'SELECT host, usage_user * 2 AS u FROM cpu WHERE cores % 7 = 1',
      "SELECT upper(host), cores FROM cpu WHERE host <> 'h1' LIMIT 4 OFFSET 3",
      'SELECT cores FROM cpu LIMIT 0',
    ]
    for (const text of cases) {
      const result = await raw(h, text)
      assert.equal(result.kind, 'RowStreamResult', text)
      const streamed = rowsOf(await materialize(result))
      // The same rows through the materialized path: an ORDER BY that does not reorder, with streaming switched off
      // (a plain-column sort streams too, sql/exec/sort-stream.ts).
      const ordered = text.includes('LIMIT') ? text.replace(' LIMIT', ' ORDER BY ts LIMIT') : `${text} ORDER BY ts`
      await h.one("SET nodedb.disabled_optimizers = 'streaming'")
      const whole = await raw(h, ordered)
      await h.one('RESET nodedb.disabled_optimizers')
      assert.equal(whole.kind, 'RowsResult', ordered)
      assert.deepEqual(streamed, rowsOf(whole), text)
      assert.equal(result.kind === 'RowStreamResult' ? result.stream.rowCount : -1, streamed.length)
    }
  })

  it('keeps sorts, DISTINCT, joins and subqueries materialized (aggregates are AggScanNodes)', async () => {
    for (const text of [
      'SELECT * FROM cpu ORDER BY cores DESC LIMIT 3', 'SELECT DISTINCT host FROM cpu',
      'SELECT cores FROM cpu WHERE cores > (SELECT max(c.cores) - 3 FROM (SELECT cores FROM cpu) c LIMIT 1)', 'SELECT cores, (SELECT 1) FROM cpu', 'SELECT a.cores FROM cpu a JOIN cpu b ON a.cores = b.cores',
    ]) assert.equal((await raw(h, text)).kind, 'RowsResult', text)
  })

  it('refuses a negative LIMIT before streaming, and cancel() ends the stream', async () => {
    assert.equal((await dbErrorOf(() => raw(h, 'SELECT * FROM cpu LIMIT -1'))).code, '2201W')
    const result = await raw(h, 'SELECT * FROM cpu')
    assert.ok(result.kind === 'RowStreamResult')
    result.stream.cancel()
    const batches = []
    for await (const batch of result.stream) batches.push(batch)
    assert.deepEqual(batches, [])
  })
})
