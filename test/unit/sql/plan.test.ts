// test/unit/sql/plan: goal — planning produces the ScanOp the engine should run: time range and tag filters pushed,
// time_bucket and columns as group keys, aggregates in order (or a control-side aggregate when the cores cannot
// compute it exactly); errors of binding carry the right SQLSTATE and position. Method: plan parsed SQL against a
// FakeEngine catalog and compare plain data.
import assert from 'node:assert/strict'
import type { ScanOp } from '../../../engine/ops.js'
import type { SqlValue } from '../../../sql/api.js'
import { buildCreateTableOp } from '../../../sql/exec/create-table.js'
import { newExecEnv } from '../../../sql/exec/exec-env.js'
import { planStatement } from '../../../sql/exec/query.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import type { PlanNode } from '../../../sql/plan/plan-node.js'
import { TIME_BUCKET_ORIGIN_US } from '../../../sql/plan/pushdown.js'
import { US_2024, dbErrorOf, newHarness, type Harness } from './helpers.js'

function plan(h: Harness, text: string, params: ReadonlyArray<SqlValue> = [], nowUs = 0): PlanNode {
  const [slice] = parseSql(text)
  if (slice === undefined || slice.parsed.ast.kind !== 'SqlQuery') assert.fail('expected one query')
  const env = newExecEnv(h.engine, params, { timeZone: 'UTC', nowUs, settings: new Map() }, h.session)
  return planStatement(h.engine, slice.parsed.ast, [], env)
}

/** The one engine scan under the plan, and the operators above it (outermost first). */
function leaf(node: PlanNode, above: string[] = []): { op: ScanOp; kind: string; above: string[] } {
  if (node.kind === 'ScanNode' || node.kind === 'AggScanNode') return { op: node.op, kind: node.kind, above }
  if (!('input' in node)) assert.fail(`no scan under ${node.kind}`)
  return leaf(node.input, [...above, node.kind])
}

describe('sql plan: the issue query', () => {
  it('pushes the time range and host filter and groups by time_bucket and host on the cores', async () => {
    const h = await newHarness()
    const scan = leaf(plan(h,
      "SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu " +
      "WHERE ts >= '2024-01-01' AND ts < '2024-01-01 01:00:00' AND host = 'a' GROUP BY minute, host ORDER BY minute"))
    assert.equal(scan.kind, 'AggScanNode')
    assert.deepEqual(scan.op.timeRange, { fromUs: US_2024, toUs: US_2024 + 3600e6 })
    assert.deepEqual(scan.op.filters, [{ column: 1, op: 'eq', values: ['a'] }])
    assert.deepEqual(scan.op.groupBy, [
      { kind: 'timeBucket', column: 0, widthUs: 60e6, originUs: TIME_BUCKET_ORIGIN_US }, { kind: 'column', column: 1 },
    ])
    assert.deepEqual(scan.op.aggregates, [{ fn: 'count', column: null }, { fn: 'avg', column: 2 }])
    assert.ok(!scan.above.includes('FilterNode'))
  })

  it('accepts GROUP BY ordinals and INTERVAL widths and $n time bounds', async () => {
    const h = await newHarness()
    const scan = leaf(plan(h,
      "SELECT time_bucket(INTERVAL '5 minutes', ts), host, max(cores) FROM cpu WHERE ts BETWEEN $1::timestamptz AND $2::timestamptz GROUP BY 1, 2",
      [US_2024, US_2024 + 10]))
    assert.deepEqual(scan.op.timeRange, { fromUs: US_2024, toUs: US_2024 + 11 })
    assert.deepEqual(scan.op.groupBy.map((key) => key.kind === 'timeBucket' ? key.widthUs : key.column), [300e6, 1])
    assert.deepEqual(scan.op.aggregates, [{ fn: 'max', column: 4 }])
  })

  it('pushes tag IN and !=, integer and float8 comparisons, and the OR as a scan expression', async () => {
    const h = await newHarness()
    const scan = leaf(plan(h, "SELECT host FROM cpu WHERE host IN ('a', 'b') AND region != 'eu' AND cores > 2 AND usage_user >= 0.5 AND (up OR usage_user > 1)"))
    assert.deepEqual(scan.op.filters, [
      { column: 1, op: 'in', values: ['a', 'b'] }, { column: 6, op: 'neq', values: ['eu'] }, { column: 4, op: 'gt', values: [2n] },
      { column: 2, op: 'gte', values: [0.5] },
    ])
    assert.ok(!scan.above.includes('FilterNode'))
    assert.equal(scan.op.where?.expr.k, 'or')
    assert.deepEqual(scan.op.timeRange, { fromUs: -Infinity, toUs: Infinity })
  })

  it('pushes a conjunct that can raise only where PostgreSQL evaluates it last, after everything else pushed', async () => {
    const h = await newHarness()
    const pushed = leaf(plan(h, "SELECT host FROM cpu WHERE usage_user / usage_user > 1 AND host = 'a'"))
    assert.equal(pushed.op.where?.expr.k, 'compare')
    assert.ok(!pushed.above.includes('FilterNode'))
    // lower(host) = 'a' stays on the control side, so the division must stay there too, in PostgreSQL's order.
    const kept = leaf(plan(h, "SELECT host FROM cpu WHERE usage_user / usage_user > 1 AND lower(host) = 'a'"))
    assert.equal(kept.op.where ?? null, null)
    assert.ok(kept.above.includes('FilterNode'))
  })

  it('folds row-independent bounds such as now() - INTERVAL into the time range', async () => {
    const h = await newHarness()
    const before = Date.now() * 1000
    const scan = leaf(plan(h, "SELECT host FROM cpu WHERE ts > now() - INTERVAL '1 hour'", [], before))
    assert.deepEqual(scan.op.timeRange, { fromUs: before - 3600e6 + 1, toUs: Infinity })
  })

  it('aggregates on the control side what the cores cannot compute exactly (a FILTER that may raise, DISTINCT, stddev)', async () => {
    const h = await newHarness()
    for (const text of ['SELECT count(*) FILTER (WHERE 10 / cores > 1) FROM cpu', 'SELECT count(DISTINCT host) FROM cpu', 'SELECT stddev(usage_user) FROM cpu']) {
      const scan = leaf(plan(h, text))
      assert.equal(scan.kind, 'ScanNode', text)
      assert.ok(scan.above.includes('AggregateNode'), text)
    }
  })
})

describe('sql bind errors', () => {
  const cases: ReadonlyArray<readonly [string, string, number | undefined]> = [
    ['SELECT * FROM nope', '42P01', 15],
    ['SELECT nope FROM cpu', '42703', 8],
    ['SELECT host FROM cpu WHERE nope > 1', '42703', 28],
    ['SELECT host, count(*) FROM cpu', '42803', 8],
    ['SELECT foo(host) FROM cpu', '42883', 8],
    ['SELECT sum(host) FROM cpu', '42883', 8],
    ['SELECT host FROM cpu ORDER BY 3', '42P10', 31],
  ]
  for (const [text, code, position] of cases) {
    it(`${text} → ${code}`, async () => {
      const h = await newHarness()
      const rejected = await dbErrorOf(async () => {
        for (const s of h.sql.parse(text)) await h.sql.describe(s, [], h.session)
      })
      assert.equal(rejected.code, code)
      assert.equal(rejected.position, position)
    })
  }
})

describe('sql CREATE TABLE', () => {
  function createOp(text: string): ReturnType<typeof buildCreateTableOp> {
    const [slice] = parseSql(text)
    if (slice === undefined || slice.parsed.ast.kind !== 'SqlCreateTable') throw new Error('not a create')
    return buildCreateTableOp(slice.parsed.ast)
  }

  it('maps SQL types to engine kinds and keeps the exact SQL type', () => {
    const op = createOp('CREATE TABLE IF NOT EXISTS m (host TEXT, ts TIMESTAMPTZ NOT NULL, a INT, b BIGINT, c SMALLINT, ' +
      'd DOUBLE PRECISION, e REAL, f NUMERIC(10,2), g VARCHAR(20), h BOOLEAN, i TIMESTAMP, j INT8, k FLOAT4, l CHAR(3))')
    assert.equal(op.timestampIndex, 1)
    assert.equal(op.ifNotExists, true)
    assert.deepEqual(op.columns.map((c) => [c.name, c.kind, c.sqlType]), [
      ['host', 'symbol', 'text'], ['ts', 'timestamp', 'timestamptz'], ['a', 'i64', 'int4'], ['b', 'i64', 'int8'],
      ['c', 'i64', 'int2'], ['d', 'f64', 'float8'], ['e', 'f64', 'float4'], ['f', 'text', 'numeric(10,2)'], ['g', 'symbol', 'varchar(20)'],
      ['h', 'bool', 'bool'], ['i', 'timestamp', 'timestamp'], ['j', 'i64', 'int8'], ['k', 'f64', 'float4'], ['l', 'symbol', 'bpchar(3)'],
    ])
  })

  it('rejects a table without a designated timestamp (42P16), duplicates (42701), unknown types (42704) and PostgreSQL types nodedb lacks (0A000)', async () => {
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ, a INT)'))).code, '42P16')
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, a INT, a TEXT)'))).code, '42701')
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, j NOSUCHTYPE)'))).code, '42704')
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, j XML)'))).code, '0A000')
  })
})
