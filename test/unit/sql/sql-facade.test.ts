// test/unit/sql/sql-facade: goal — createSql(engine) runs every statement shape of the skeleton end to end: the ops it
// sends, the fields (names, OIDs, origins) and rows it returns, tags, session effects and SQLSTATEs. Method: a FakeEngine
// that records ops, stores batches and answers scans (aggregate scans with hand-built partials of two "cores").
import assert from 'node:assert/strict'
import { EngineFailureError } from '../../../engine/api.js'
import type { IngestOp, ScanOp } from '../../../engine/ops.js'
import type { StatementResult } from '../../../sql/api.js'
import { TIME_BUCKET_ORIGIN_US } from '../../../sql/plan/pushdown.js'
import { US_2024, dbErrorOf, newHarness, rowsOf } from './helpers.js'

const INSERT_ROWS = "INSERT INTO cpu (ts, host, usage_user, cores, bytes, up) VALUES " +
  "('2024-01-01T00:00:00Z', 'a', 1.5, 1, 10, true), ('2024-01-01 00:00:30+00', 'b', NULL, 2, 20, false), " +
  "('2024-01-01 00:01:10', 'a', 3, NULL, 30, NULL)"

function fieldsOf(result: StatementResult): ReadonlyArray<{ name: string; typeOid: number }> {
  assert.equal(result.kind, 'RowsResult')
  return result.kind === 'RowsResult' ? result.fields : []
}

describe('sql facade: DDL and INSERT', () => {
  it('sends a CreateTableOp and reports CREATE TABLE; a second one fails with 42P07', async () => {
    const h = await newHarness()
    assert.equal(h.engine.ops[0]?.kind, 'CreateTableOp')
    assert.equal(h.engine.tables()[0]?.name, 'cpu')
    assert.equal((await dbErrorOf(() => h.run('CREATE TABLE cpu (ts TIMESTAMP NOT NULL)'))).code, '42P07')
    const again = await h.one('CREATE TABLE IF NOT EXISTS cpu (ts TIMESTAMP NOT NULL)')
    assert.deepEqual(again, { kind: 'CommandResult', commandTag: 'CREATE TABLE' })
  })

  it('builds a columnar IngestOp with symbols dict-encoded and missing columns NULL', async () => {
    const h = await newHarness()
    const result = await h.one(INSERT_ROWS)
    assert.deepEqual(result, { kind: 'CommandResult', commandTag: 'INSERT 0 3' })
    const op = h.engine.ops[1] as IngestOp
    assert.equal(op.kind, 'IngestOp')
    assert.equal(op.batch.rowCount, 3)
    const [ts, host, usage, , cores, bytes, region] = op.batch.columns
    assert.deepEqual(ts?.kind === 'timestamp' ? [...ts.values] : [], [US_2024, US_2024 + 30e6, US_2024 + 70e6])
    assert.deepEqual(host?.kind === 'symbol' ? [[...host.ids], host.dict] : [], [[0, 1, 0], ['a', 'b']])
    assert.deepEqual(usage?.kind === 'f64' ? [...(usage.nulls ?? [])] : [], [0, 1, 0])
    assert.deepEqual(cores?.kind === 'i64' ? [...cores.values.slice(0, 2)] : [], [1n, 2n])
    assert.deepEqual(bytes?.kind === 'i64' ? [...bytes.values] : [], [10n, 20n, 30n])
    assert.deepEqual(region?.kind === 'symbol' ? [...region.ids] : [], [-1, -1, -1])
  })

  it('casts text and binary parameters by the target column type', async () => {
    const h = await newHarness()
    const micros = BigInt(US_2024) - 946_684_800_000_000n
    const binaryTs = Buffer.alloc(8)
    binaryTs.writeBigInt64BE(micros)
    const binaryFloat = Buffer.alloc(8)
    binaryFloat.writeDoubleBE(2.5)
    await h.one('INSERT INTO cpu (ts, host, usage_user, cores) VALUES ($1, $2, $3, $4)', ['2024-01-01 00:00:00', 'x', '1.25', '7'])
    await h.one('INSERT INTO cpu (ts, host, usage_user) VALUES ($1, $2, $3)', [binaryTs, 'y', binaryFloat])
    const rows = rowsOf(await h.one('SELECT ts, host, usage_user, cores FROM cpu ORDER BY host'))
    assert.deepEqual(rows, [[US_2024, 'x', 1.25, 7], [US_2024, 'y', 2.5, null]])
  })

  it('rejects bad rows with 23502, 22007, 22P02, 42601 and 42703', async () => {
    const h = await newHarness()
    const codeOf = async (text: string): Promise<string> => (await dbErrorOf(() => h.run(text))).code
    assert.equal(await codeOf("INSERT INTO cpu (ts, host) VALUES (NULL, 'a')"), '23502')
    assert.equal(await codeOf("INSERT INTO cpu (host) VALUES ('a')"), '23502')
    assert.equal(await codeOf("INSERT INTO cpu (ts) VALUES ('not a time')"), '22007')
    assert.equal(await codeOf("INSERT INTO cpu (ts, cores) VALUES ('2024-01-01', 'many')"), '22P02')
    assert.equal(await codeOf("INSERT INTO cpu (ts) VALUES ('2024-01-01', 1)"), '42601')
    assert.equal(await codeOf("INSERT INTO cpu (ts, nope) VALUES ('2024-01-01', 1)"), '42703')
    assert.equal(await codeOf("INSERT INTO nope VALUES (1)"), '42P01')
    assert.equal(h.engine.ops.length, 1, 'no IngestOp was sent for a rejected INSERT')
  })

  it('maps engine failures to their SQLSTATE', async () => {
    const h = await newHarness()
    h.engine.respond = () => { throw new EngineFailureError({ kind: 'DiskFull', detail: 'ENOSPC' }) }
    assert.equal((await dbErrorOf(() => h.run('SELECT host FROM cpu'))).code, '53100')
    h.engine.respond = () => { throw new EngineFailureError({ kind: 'MemoryBudget', detail: 'full' }) }
    assert.equal((await dbErrorOf(() => h.run('SELECT host FROM cpu'))).code, '53200')
  })
})

describe('sql facade: SELECT over a table', () => {
  it('returns *, aliases and expressions with PostgreSQL names, OIDs and origins', async () => {
    const h = await newHarness()
    await h.run(INSERT_ROWS)
    const star = await h.one('SELECT * FROM cpu LIMIT 1')
    assert.deepEqual(fieldsOf(star).map((f) => f.typeOid), [1184, 25, 701, 700, 23, 20, 1043, 16, 1700, 1114])
    assert.equal(star.kind === 'RowsResult' ? star.fields[6]?.typeModifier : 0, 24)
    assert.equal(star.kind === 'RowsResult' ? star.fields[1]?.tableOid : 0, 16384)
    assert.equal(star.kind === 'RowsResult' ? star.fields[1]?.columnAttr : 0, 2)
    const result = await h.one('SELECT host AS h, cores * 2, bytes + 1 AS b, usage_user FROM cpu ORDER BY ts')
    assert.deepEqual(fieldsOf(result).map((f) => [f.name, f.typeOid]), [['h', 25], ['?column?', 23], ['b', 20], ['usage_user', 701]])
    assert.deepEqual(rowsOf(result), [['a', 2, 11n, 1.5], ['b', 4, 21n, null], ['a', null, 31n, 3]])
    assert.equal(result.kind === 'RowsResult' ? result.commandTag : '', 'SELECT 3')
  })

  it('orders with PostgreSQL NULL placement and applies LIMIT/OFFSET', async () => {
    const h = await newHarness()
    await h.run(INSERT_ROWS)
    assert.deepEqual(rowsOf(await h.one('SELECT usage_user FROM cpu ORDER BY usage_user')), [[1.5], [3], [null]])
    assert.deepEqual(rowsOf(await h.one('SELECT usage_user FROM cpu ORDER BY 1 DESC')), [[null], [3], [1.5]])
    assert.deepEqual(rowsOf(await h.one('SELECT usage_user FROM cpu ORDER BY usage_user DESC NULLS LAST')), [[3], [1.5], [null]])
    assert.deepEqual(rowsOf(await h.one('SELECT host, ts FROM cpu ORDER BY host DESC, ts LIMIT 2 OFFSET 1')),
      [['a', US_2024], ['a', US_2024 + 70e6]])
    assert.deepEqual(rowsOf(await h.one('SELECT cores FROM cpu ORDER BY cores LIMIT $1', ['1'])), [[1]])
  })

  it('evaluates what cannot be pushed (OR) after the merge', async () => {
    const h = await newHarness()
    await h.run(INSERT_ROWS)
    const rows = rowsOf(await h.one("SELECT host, cores FROM cpu WHERE cores = 2 OR usage_user > 2 ORDER BY ts"))
    assert.deepEqual(rows, [['b', 2], ['a', null]])
    const scan = h.engine.ops[h.engine.ops.length - 1] as ScanOp
    assert.deepEqual(scan.filters, [])
  })

  it('runs the issue query: pushed scan, two cores merged, PostgreSQL result types', async () => {
    const h = await newHarness()
    h.engine.respond = () => [0, 1].map((n) => ({
      kind: 'AggPartial' as const, groupCount: 1,
      keys: [{ kind: 'timestamp' as const, values: Float64Array.from([US_2024]) }, { kind: 'symbol' as const, ids: Int32Array.from([0]), dict: ['a'] }],
      states: [{ kind: 'count' as const, counts: Float64Array.from([n + 1]) },
        { kind: 'avg' as const, sums: Float64Array.from([n === 0 ? 1 : 5]), counts: Float64Array.from([n + 1]) }],
    }))
    const result = await h.one("SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu " +
      "WHERE ts >= $1 AND ts < $2 AND host = 'a' GROUP BY minute, host ORDER BY minute", ['2024-01-01', '2024-01-02'])
    const scan = h.engine.ops[h.engine.ops.length - 1] as ScanOp
    assert.deepEqual(scan.timeRange, { fromUs: US_2024, toUs: US_2024 + 86400e6 })
    assert.deepEqual(scan.groupBy[0], { kind: 'timeBucket', column: 0, widthUs: 60e6, originUs: TIME_BUCKET_ORIGIN_US })
    assert.deepEqual(fieldsOf(result).map((f) => [f.name, f.typeOid]), [['minute', 1184], ['host', 25], ['count', 20], ['avg', 701]])
    assert.deepEqual(rowsOf(result), [[US_2024, 'a', 3n, 2]])
  })
})

describe('sql facade: SELECT without FROM and utility statements', () => {
  it('answers constant selects with PostgreSQL types', async () => {
    const h = await newHarness(null)
    const result = await h.one("SELECT 1, 1 AS a, 'x' AS b, 1+2, 1.5, 3000000000, true, version(), current_setting('server_version')")
    assert.deepEqual(fieldsOf(result).map((f) => [f.name, f.typeOid]), [
      ['?column?', 23], ['a', 23], ['b', 25], ['?column?', 23], ['?column?', 1700], ['?column?', 20], ['bool', 16],
      ['version', 25], ['current_setting', 25],
    ])
    const [row] = rowsOf(result)
    assert.deepEqual(row?.slice(0, 7), [1, 1, 'x', 3, '1.5', 3000000000n, true])
    assert.match(String(row?.[7]), /^PostgreSQL 15\.0 \(nodedb 0\.1\.0\)/)
    assert.equal(row?.[8], '15.0')
    const now = rowsOf(await h.one('SELECT now()'))[0]?.[0]
    assert.ok(typeof now === 'number' && Math.abs(now - Date.now() * 1000) < 60e6)
  })

  it('SET changes the session (wire reports ParameterStatus from it); SHOW reads it; unknown → 42704', async () => {
    const h = await newHarness(null)
    const set = await h.one("SET application_name = 'psql'")
    assert.deepEqual(set, { kind: 'CommandResult', commandTag: 'SET' })
    assert.equal(h.session.settings.get('application_name'), 'psql')
    assert.deepEqual(await h.one('SET statement_timeout TO 0'), { kind: 'CommandResult', commandTag: 'SET' })
    const show = await h.one('SHOW application_name')
    assert.deepEqual(fieldsOf(show).map((f) => [f.name, f.typeOid]), [['application_name', 25]])
    assert.deepEqual(rowsOf(show), [['psql']])
    assert.equal((await dbErrorOf(() => h.run('SET nope = 1'))).code, '42704')
    assert.equal((await dbErrorOf(() => h.run('SHOW nope'))).code, '42704')
  })

  it('BEGIN/COMMIT/ROLLBACK report their transaction effect', async () => {
    const h = await newHarness(null)
    const results = await h.run('BEGIN; COMMIT; ROLLBACK; DISCARD ALL')
    assert.deepEqual(results, [
      { kind: 'CommandResult', commandTag: 'BEGIN', transaction: 'begin' },
      { kind: 'CommandResult', commandTag: 'COMMIT', transaction: 'commit' },
      { kind: 'CommandResult', commandTag: 'ROLLBACK', transaction: 'rollback' },
      { kind: 'CommandResult', commandTag: 'DISCARD ALL', sessionEffect: { kind: 'DiscardAll' } },
    ])
  })
})

describe('sql facade: describe', () => {
  it('infers parameter types from context and returns fields without running', async () => {
    const h = await newHarness()
    const [statement] = h.sql.parse('SELECT host, cores FROM cpu WHERE ts > $1 AND host = $2 AND usage_user < $3 AND $5 = 1 LIMIT $4')
    assert.ok(statement !== undefined)
    const described = await h.sql.describe(statement, [], h.session)
    assert.deepEqual(described.paramTypeOids, [1184, 25, 701, 20, 23])
    assert.deepEqual(described.fields?.map((f) => [f.name, f.typeOid, f.columnAttr]), [['host', 25, 2], ['cores', 23, 5]])
    assert.equal(h.engine.ops.length, 1, 'describe ran nothing')
  })

  it('honours declared parameter types and returns null fields for non-SELECT', async () => {
    const h = await newHarness()
    const [insert] = h.sql.parse('INSERT INTO cpu (ts, host, cores) VALUES ($1, $2, $3)')
    assert.ok(insert !== undefined)
    const described = await h.sql.describe(insert, [0, 1043, 20], h.session)
    assert.deepEqual(described, { paramTypeOids: [1184, 1043, 20], fields: null })
    const [unknown] = h.sql.parse('SELECT $1')
    assert.ok(unknown !== undefined)
    assert.deepEqual((await h.sql.describe(unknown, [], h.session)).paramTypeOids, [25])
  })
})
