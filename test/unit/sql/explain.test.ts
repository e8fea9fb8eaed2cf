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

  it('honours TIMING OFF and SUMMARY, and gives FORMAT JSON the same plan as a json document', async () => {
    const h = await newHarness()
    await h.run("INSERT INTO cpu (ts, host, usage_user) VALUES ('2024-01-01', 'a', 1), ('2024-01-01 00:00:01', 'b', 2), ('2024-01-01 00:00:02', 'a', 3)")
    const query = "SELECT host, usage_user FROM cpu WHERE host = 'a' ORDER BY ts"
    const answer = await materialize(await h.one(query))
    assert.ok(answer.kind === 'RowsResult')
    const untimed = await lines(h, `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF, BUFFERS) ${query}`)
    assert.match(untimed[0]!, new RegExp(` \\(actual rows=${answer.rows.length} loops=1\\)$`), untimed.join('\n'))
    assert.ok(!untimed.some((line) => line.includes('actual time') || line.includes('Time:')), untimed.join('\n'))
    const summary = await lines(h, `EXPLAIN (SUMMARY) ${query}`)
    assert.match(summary[summary.length - 1]!, /^Planning Time: \d+\.\d{3} ms$/)
    const json = await materialize(await h.one(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`))
    assert.ok(json.kind === 'RowsResult' && json.fields[0]?.typeOid === 114 && json.rows.length === 1)
    type JsonNode = { 'Node Type': string; 'Relation Name'?: string; 'Actual Rows': number; Plans?: JsonNode[] }
    const [document] = JSON.parse(String(json.rows[0]![0])) as Array<{ Plan: JsonNode; 'Execution Time': number }>
    assert.equal(document!.Plan['Node Type'], untimed[0]!.split(' (')[0])
    assert.equal(document!.Plan['Actual Rows'], answer.rows.length)
    const leaf = (node: JsonNode): JsonNode => (node.Plans === undefined ? node : leaf(node.Plans[0]!))
    assert.deepEqual([leaf(document!.Plan)['Node Type'], leaf(document!.Plan)['Relation Name']], ['Scan', 'cpu'])
    assert.equal(typeof document!['Execution Time'], 'number')
  })
})
