// test/unit/sql/explain: goal — EXPLAIN shows what runs on the cores (the pushed time range, filters, expression, group keys and
// aggregates with their FILTER) and EXPLAIN ANALYZE runs the plan once, reporting each operator's rows and loops and the segment
// counters. Method: the facade over the FakeEngine; the rows EXPLAIN ANALYZE reports are checked against the query's own.
import assert from 'node:assert/strict'
import { materialize, newHarness, US_2024 } from './helpers.js'

async function lines(h: Awaited<ReturnType<typeof newHarness>>, text: string): Promise<string[]> {
  const result = await materialize(await h.one(text))
  assert.ok(result.kind === 'RowsResult')
  return result.rows.map((row) => String(row[0]))
}

describe('sql EXPLAIN [ANALYZE]', () => {
  it('names the pushed time range, tag filter, group keys and aggregates of the core scan', async () => {
    const h = await newHarness()
    const plan = await lines(h, "EXPLAIN SELECT host, count(*), avg(usage_user) FROM cpu WHERE ts >= '2024-01-01' AND host = 'a' GROUP BY host")
    const scan = plan.find((line) => line.includes('Aggregate Scan on cpu'))
    assert.ok(scan !== undefined, plan.join('\n'))
    assert.match(scan, new RegExp(`time range \\[${US_2024}, Infinity\\)`))
    assert.match(scan, /filters: #1 eq \["a"\]/)
    assert.match(scan, /aggregates: count\(\*\), avg\(#2\)/)
  })

  it('names the expression pushed into the core scan (an OR tree and arithmetic)', async () => {
    const h = await newHarness()
    const plan = await lines(h, "EXPLAIN SELECT host FROM cpu WHERE host = 'a' AND (usage_user > 2 OR usage_user IS NULL) AND usage_user + 1 > 2")
    const scan = plan.find((line) => line.includes('Scan on cpu'))
    assert.ok(scan !== undefined, plan.join('\n'))
    assert.ok(scan.endsWith('filters: #1 eq ["a"]; expression: (((#2 > 2) OR (#2 IS NULL)) AND ((#2 + 1) > 2))'), scan)
    assert.ok(!plan.some((line) => line.includes('Filter')), plan.join('\n'))
  })

  it('names an aggregate FILTER and bool_and/bool_or pushed into the core scan, and keeps a FILTER that may raise on the control side', async () => {
    const h = await newHarness()
    const plan = await lines(h, 'EXPLAIN SELECT host, count(*) FILTER (WHERE usage_user > 2 OR usage_user IS NULL), avg(usage_user) FROM cpu GROUP BY host')
    const scan = plan.find((line) => line.includes('Aggregate Scan on cpu'))
    assert.ok(scan !== undefined, plan.join('\n'))
    assert.match(scan, /aggregates: count\(\*\) FILTER \(WHERE \(\(#2 > 2\) OR \(#2 IS NULL\)\)\), avg\(#2\)/)
    const bools = await lines(h, 'EXPLAIN SELECT bool_and(up), bool_or(up), every(up) FROM cpu')
    assert.ok(bools.some((line) => line.includes('aggregates: min(#7), max(#7), min(#7)')), bools.join('\n'))
    const raising = await lines(h, 'EXPLAIN SELECT count(*) FILTER (WHERE 10 / usage_user > 2) FROM cpu')
    assert.ok(raising.some((line) => line.includes('Hash Aggregate')), raising.join('\n'))
  })

  it('EXPLAIN ANALYZE runs the plan once and reports the rows each operator produced', async () => {
    const h = await newHarness()
    await h.run("INSERT INTO cpu (ts, host, usage_user) VALUES ('2024-01-01', 'a', 1), ('2024-01-01 00:00:01', 'b', 2), ('2024-01-01 00:00:02', 'a', 3)")
    const query = "SELECT host, usage_user FROM cpu WHERE host = 'a' ORDER BY ts"
    const answer = await materialize(await h.one(query))
    assert.ok(answer.kind === 'RowsResult')
    const plan = await lines(h, `EXPLAIN ANALYZE ${query}`)
    assert.match(plan[0]!, new RegExp(`rows=${answer.rows.length} loops=1`), plan.join('\n'))
    assert.ok(plan.some((line) => line.startsWith('Segments: row groups read=')), plan.join('\n'))
    assert.ok(plan.some((line) => line.startsWith('Execution Time: ')), plan.join('\n'))
  })
})
