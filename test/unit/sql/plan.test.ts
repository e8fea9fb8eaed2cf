// test/unit/sql/plan: goal — binding and lowering produce the ScanOp the engine should run: time range and tag/column
// filters pushed, time_bucket and columns as group keys, aggregates in order; errors of binding carry the right
// SQLSTATE and position. Method: bind + plan parsed SQL against a FakeEngine catalog and compare plain data.
import assert from 'node:assert/strict'
import { bindSelect, type BoundSelect } from '../../../sql/bind/binder.js'
import { buildCreateTableOp } from '../../../sql/exec/create-table.js'
import { planSelect } from '../../../sql/exec/select.js'
import { TIME_BUCKET_ORIGIN_US } from '../../../sql/bind/bind-call.js'
import type { EvalEnv } from '../../../sql/expr/evaluate.js'
import type { SqlValue } from '../../../sql/api.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import type { PhysicalSelect } from '../../../sql/physical/lower.js'
import type { ScanOp } from '../../../engine/ops.js'
import { US_2024, dbErrorOf, newHarness, type Harness } from './helpers.js'

const ENV: EvalEnv = { params: [], settings: new Map(), nowUs: 0 }

function bindSelectOf(h: Harness, text: string): BoundSelect {
  const [slice] = parseSql(text)
  if (slice === undefined || slice.parsed.ast.kind !== 'SqlSelect') assert.fail('expected one SELECT')
  return bindSelect(h.engine, slice.parsed.ast, [])
}

function plan(h: Harness, text: string, params: ReadonlyArray<SqlValue> = []): PhysicalSelect {
  return planSelect(bindSelectOf(h, text), { ...ENV, params })
}

function scanOf(physical: PhysicalSelect): ScanOp {
  if (physical.source.kind === 'OneRowSource') assert.fail('expected a scan')
  return physical.source.op
}

describe('sql plan: the issue query', () => {
  it('pushes the time range and host filter and groups by time_bucket and host', async () => {
    const h = await newHarness()
    const physical = plan(h,
      "SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu " +
      "WHERE ts >= '2024-01-01' AND ts < '2024-01-01 01:00:00' AND host = 'a' GROUP BY minute, host ORDER BY minute")
    const op = scanOf(physical)
    assert.deepEqual(op.timeRange, { fromUs: US_2024, toUs: US_2024 + 3600e6 })
    assert.deepEqual(op.filters, [{ column: 1, op: 'eq', values: ['a'] }])
    assert.deepEqual(op.groupBy, [
      { kind: 'timeBucket', column: 0, widthUs: 60e6, originUs: TIME_BUCKET_ORIGIN_US }, { kind: 'column', column: 1 },
    ])
    assert.deepEqual(op.aggregates, [{ fn: 'count', column: null }, { fn: 'avg', column: 2 }])
    assert.equal(physical.residual, null)
    assert.deepEqual(physical.sortKeys.map((key) => key.slot), [4])
  })

  it('accepts GROUP BY ordinals and INTERVAL widths and $n time bounds', async () => {
    const h = await newHarness()
    const physical = plan(h,
      "SELECT time_bucket(INTERVAL '5 minutes', ts), host, max(cores) FROM cpu WHERE ts BETWEEN $1 AND $2 GROUP BY 1, 2",
      [US_2024, US_2024 + 10])
    const op = scanOf(physical)
    assert.deepEqual(op.timeRange, { fromUs: US_2024, toUs: US_2024 + 11 })
    assert.deepEqual(op.groupBy.map((key) => key.kind === 'timeBucket' ? key.widthUs : key.column), [300e6, 1])
    assert.deepEqual(op.aggregates, [{ fn: 'max', column: 4 }])
  })

  it('pushes IN, !=, comparisons on fields and leaves OR as a residual filter', async () => {
    const h = await newHarness()
    const physical = plan(h, "SELECT host FROM cpu WHERE host IN ('a', 'b') AND region != 'eu' AND cores > 2 AND (up OR usage_user > 1)")
    const op = scanOf(physical)
    assert.deepEqual(op.filters, [
      { column: 1, op: 'in', values: ['a', 'b'] }, { column: 6, op: 'neq', values: ['eu'] }, { column: 4, op: 'gt', values: [2n] },
    ])
    assert.notEqual(physical.residual, null)
    assert.deepEqual(op.timeRange, { fromUs: -Infinity, toUs: Infinity })
  })

  it('folds row-independent bounds such as now() - INTERVAL into the time range', async () => {
    const h = await newHarness()
    const before = Date.now() * 1000
    const op = scanOf(planSelect(bindSelectOf(h, "SELECT host FROM cpu WHERE ts > now() - INTERVAL '1 hour'"), { ...ENV, nowUs: before }))
    assert.deepEqual(op.timeRange, { fromUs: before - 3600e6 + 1, toUs: Infinity })
  })

  it('pushes LIMIT + OFFSET into a raw scan without ORDER BY, not with one', async () => {
    const h = await newHarness()
    assert.equal(scanOf(plan(h, 'SELECT host FROM cpu LIMIT 10 OFFSET 5')).limit, 15)
    assert.equal(scanOf(plan(h, 'SELECT host FROM cpu ORDER BY host LIMIT 10')).limit, null)
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
    ['SELECT host FROM cpu ORDER BY 3', '42P10', undefined],
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
      ['c', 'i64', 'int2'], ['d', 'f64', 'float8'], ['e', 'f64', 'float4'], ['f', 'f64', 'numeric'], ['g', 'symbol', 'varchar(20)'],
      ['h', 'bool', 'bool'], ['i', 'timestamp', 'timestamp'], ['j', 'i64', 'int8'], ['k', 'f64', 'float4'], ['l', 'symbol', 'bpchar(3)'],
    ])
  })

  it('rejects a table without a designated timestamp (42P16), duplicates (42701) and unknown types (42704)', async () => {
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ, a INT)'))).code, '42P16')
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, a INT, a TEXT)'))).code, '42701')
    assert.equal((await dbErrorOf(() => createOp('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, j JSON)'))).code, '42704')
  })
})
