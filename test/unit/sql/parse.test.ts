// test/unit/sql/parse: goal — sql/parse turns Query text into our AST (ast.ts) as PostgreSQL reads it, and refuses
// what it has no node for with 0A000 and a position. Method: parse texts through parseSql / parseStatements and compare
// whole trees (positions stripped where they are not the point), then positions and DbError codes (not messages).
import assert from 'node:assert/strict'
import { type DbError, isDbError } from '../../../src/common/errors.js'
import type { SqlQuery, SqlSelectCore, SqlStatement } from '../../../sql/parse/ast.js'
import { adaptParseResult, parseStatements } from '../../../sql/parse/adapter.js'
import { EXPR_NODE_TYPES } from '../../../sql/parse/adapt-expr.js'
import { STATEMENT_NODE_TYPES } from '../../../sql/parse/adapt-statement.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'

function astOf(text: string): SqlStatement {
  const [slice, ...rest] = parseSql(text)
  assert.ok(slice !== undefined && rest.length === 0, text)
  return slice.parsed.ast
}

function queryOf(text: string): SqlQuery {
  const ast = astOf(text)
  assert.equal(ast.kind, 'SqlQuery', text)
  return ast as SqlQuery
}

function coreOf(text: string): SqlSelectCore {
  const body = queryOf(text).body
  assert.equal(body.kind, 'SqlSelectCore', text)
  return body as SqlSelectCore
}

/** The first select item of `SELECT <expr>`, positions removed. */
function exprOf(expr: string): unknown {
  return strip(coreOf(`SELECT ${expr}`).items[0]?.expr)
}

function strip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'pos' || key === 'tablePos' ? undefined : inner)))
}

function errorOf(work: () => unknown): DbError {
  try {
    work()
  } catch (error: unknown) {
    if (isDbError(error)) return error
    throw error
  }
  assert.fail('expected a DbError')
}

const col = (...names: string[]): unknown => ({ kind: 'ExprColumn', names })
const num = (text: string): unknown => ({ kind: 'ExprNumber', text })
const str = (value: string): unknown => ({ kind: 'ExprString', value })
const call = (name: string, args: unknown[], extra: Record<string, unknown> = {}): unknown => ({
  kind: 'ExprCall', name, schema: null, args, star: false, distinct: false, filter: null, orderBy: [], withinGroup: false, over: null, ...extra,
})

describe('sql/parse: texts and statements', () => {
  it('returns no statement for empty, ; and comment-only text', () => {
    for (const text of ['', '   ', ';', ' ; ; ', '-- ping', '/* x */', '-- a\n/* b */;']) assert.deepEqual(parseSql(text), [], text)
  })

  it('splits several statements, each with its own trimmed text', () => {
    const slices = parseSql("SELECT 1 AS a; SELECT ';' AS b;\nSET x.y = 2;;")
    assert.deepEqual(slices.map((s) => s.text), ['SELECT 1 AS a', "SELECT ';' AS b", 'SET x.y = 2'])
  })

  it('counts $n parameters by the highest n, per statement', () => {
    const [first, second] = parseSql('SELECT host FROM cpu WHERE ts > $1 AND ts < $3 LIMIT $2; SELECT 1')
    assert.deepEqual([first?.parsed.paramCount, second?.parsed.paramCount], [3, 0])
    assert.equal(errorOf(() => parseSql('SELECT $65536')).code, '54000')
    assert.equal(errorOf(() => parseSql('INSERT INTO t VALUES ($65536)')).code, '54000')
  })

  it('bounds nesting with 54000 instead of overflowing the stack, and the parser still works after', () => {
    const deep = [`SELECT ${'1+'.repeat(20_000)}1`, `SELECT ${'NOT '.repeat(3000)}true`, `SELECT 1 ${'UNION SELECT 1 '.repeat(20_000)}`,
      `SELECT ${'(SELECT '.repeat(3000)}1${')'.repeat(3000)}`, `SELECT a${'::int'.repeat(20_000)}`, `SELECT ${'(SELECT '.repeat(200)}1${')'.repeat(200)}`]
    for (const text of deep) assert.equal(errorOf(() => parseSql(text)).code, '54000', text.slice(0, 30))
    assert.equal(astOf(`SELECT ${'1+'.repeat(900)}1`).kind, 'SqlQuery')
    assert.equal(astOf(`SELECT 1 WHERE ${Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(' OR ')}`).kind, 'SqlQuery')
    assert.equal(astOf("SELECT 'it''s', E'\\'', $$x$$, \"q\"\"\", /* /* nested */ */ 1").kind, 'SqlQuery')
  })

  it('reports a syntax error as PostgreSQL words it, with its 1-based position (UTF-16 units, 😀 counting 2)', () => {
    const cases: Array<[string, number, string]> = [
      ['SELEC 1', 1, 'syntax error at or near "SELEC"'], ['SELECT 1 FROM', 14, 'syntax error at end of input'],
      ['SELECT 1; SELEC 2', 11, 'syntax error at or near "SELEC"'], ["SELECT 'é😀', x FROMM t", 23, 'syntax error at or near "t"'],
    ]
    for (const [text, position, message] of cases) {
      const error = errorOf(() => parseSql(text))
      assert.deepEqual([error.code, error.position, error.message], ['42601', position, message], text)
    }
  })

  it('positions nodes in the whole text, 0-based, counting UTF-16 units after non-ASCII text', () => {
    const text = "SELECT 1; SELECT 'é😀', x FROM t"
    const [, second] = parseStatements(text)
    assert.ok(second !== undefined && second.ast.kind === 'SqlQuery' && second.ast.body.kind === 'SqlSelectCore')
    assert.equal(second.ast.pos, text.indexOf('SELECT', 5))
    assert.deepEqual(second.ast.body.items.map((item) => item.expr.pos), [text.indexOf("'é"), text.indexOf('x FROM')])
    assert.equal(second.ast.body.from[0]?.pos, text.lastIndexOf('t'))
    const error = errorOf(() => parseSql("SELECT 'é' FROM t; DROP INDEX t"))
    assert.deepEqual([error.code, error.position], ['0A000', 20])
  })

  it('caches results by text and returns the same immutable value', () => {
    const first = parseSql('SELECT 42')
    assert.equal(parseSql('SELECT 42'), first)
    assert.ok(Object.isFrozen(first[0]?.parsed.ast), 'frozen in paranoid runs (test/setup.ts turns them on)')
  })
})

describe('sql/parse: statements', () => {
  it('reads CREATE TABLE with types, NOT NULL and WITH options', () => {
    const ast = astOf("CREATE TABLE IF NOT EXISTS public.t (ts timestamp with time zone NOT NULL, a int8 NULL, b varchar(20), " +
      "c float4, d numeric(10,2), e int[], f double precision) WITH (ttl = '30 days', partition_by = day, n = 5, flag, x = NULL)")
    assert.deepEqual(strip(ast), {
      kind: 'SqlCreateTable', name: 't', ifNotExists: true,
      columns: [
        { name: 'ts', type: { name: 'timestamptz', args: [], isArray: false }, notNull: true },
        { name: 'a', type: { name: 'int8', args: [], isArray: false }, notNull: false },
        { name: 'b', type: { name: 'varchar', args: [20], isArray: false }, notNull: false },
        { name: 'c', type: { name: 'float4', args: [], isArray: false }, notNull: false },
        { name: 'd', type: { name: 'numeric', args: [10, 2], isArray: false }, notNull: false },
        { name: 'e', type: { name: 'int4', args: [], isArray: true }, notNull: false },
        { name: 'f', type: { name: 'float8', args: [], isArray: false }, notNull: false },
      ],
      options: [{ name: 'ttl', value: '30 days' }, { name: 'partition_by', value: 'day' }, { name: 'n', value: '5' },
        { name: 'flag', value: 'true' }, { name: 'x', value: null }],
    })
  })

  it('reads INSERT … VALUES into rows and INSERT … SELECT into query', () => {
    assert.deepEqual(strip(astOf('INSERT INTO t (a, "B") VALUES (1 + 1, now())')), {
      kind: 'SqlInsert', table: 't', columns: [{ name: 'a' }, { name: 'B' }],
      rows: [[{ kind: 'ExprBinary', op: '+', left: num('1'), right: num('1') }, call('now', [])]], query: null,
    })
    const select = astOf('INSERT INTO t SELECT * FROM u')
    assert.ok(select.kind === 'SqlInsert' && select.query !== null && select.columns === null)
    assert.deepEqual(select.rows, [])
  })

  it('reads SET, RESET, SHOW, transactions, DISCARD ALL and CHECKPOINT', () => {
    const cases: Array<[string, unknown]> = [
      ["SET application_name = 'psql'", { kind: 'SqlSet', name: 'application_name', value: 'psql', items: ['psql'], isLocal: false, isReset: false }],
      ['SET DateStyle TO ISO, MDY', { kind: 'SqlSet', name: 'datestyle', value: 'iso, mdy', items: ['iso', 'mdy'], isLocal: false, isReset: false }],
      ['SET LOCAL extra_float_digits = -3', { kind: 'SqlSet', name: 'extra_float_digits', value: '-3', items: ['-3'], isLocal: true, isReset: false }],
      ["SET SESSION TIME ZONE 'UTC'", { kind: 'SqlSet', name: 'timezone', value: 'UTC', items: ['UTC'], isLocal: false, isReset: false }],
      ['SET x.y TO DEFAULT', { kind: 'SqlSet', name: 'x.y', value: null, items: [], isLocal: false, isReset: false }],
      ['RESET statement_timeout', { kind: 'SqlSet', name: 'statement_timeout', value: null, items: [], isLocal: false, isReset: true }],
      ['RESET ALL', { kind: 'SqlSet', name: 'all', value: null, items: [], isLocal: false, isReset: true }],
      ['DEALLOCATE p1', { kind: 'SqlDeallocate', name: 'p1' }], ['DEALLOCATE PREPARE ALL', { kind: 'SqlDeallocate', name: null }],
      ['SHOW server_version', { kind: 'SqlShow', name: 'server_version' }], ['SHOW ALL', { kind: 'SqlShow', name: 'all' }],
      ['begin', { kind: 'SqlTransaction', action: 'begin' }],
      ['START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY', { kind: 'SqlTransaction', action: 'begin' }],
      ['BEGIN WORK', { kind: 'SqlTransaction', action: 'begin' }], ['END', { kind: 'SqlTransaction', action: 'commit' }],
      ['COMMIT TRANSACTION', { kind: 'SqlTransaction', action: 'commit' }], ['ABORT', { kind: 'SqlTransaction', action: 'rollback' }],
      ['ROLLBACK', { kind: 'SqlTransaction', action: 'rollback' }], ['DISCARD ALL', { kind: 'SqlDiscard' }],
      ['CHECKPOINT', { kind: 'SqlCheckpoint' }],
    ]
    for (const [text, expected] of cases) assert.deepEqual(astOf(text), expected, text)
  })

  it('reads EXPLAIN [ANALYZE] and ALTER TABLE SET/RESET options', () => {
    const explain = astOf('EXPLAIN (ANALYZE) SELECT 1')
    assert.ok(explain.kind === 'SqlExplain' && explain.options.analyze && explain.options.timing && explain.query.kind === 'SqlQuery')
    const plain = astOf('EXPLAIN SELECT 1')
    assert.ok(plain.kind === 'SqlExplain' && !plain.options.analyze && !plain.options.summary && plain.options.format === 'text')
    const json = astOf('EXPLAIN (ANALYZE, TIMING off, SUMMARY false, COSTS 0, FORMAT JSON) SELECT 1')
    assert.ok(json.kind === 'SqlExplain' && json.options.analyze && !json.options.timing && !json.options.summary && !json.options.costs && json.options.format === 'json')
    assert.deepEqual(astOf("ALTER TABLE IF EXISTS ONLY public.t SET (ttl = '7 days', a, b = 5, c = NULL, d = 'null'), RESET (e)"), {
      kind: 'SqlAlterTableOptions', table: 't', ifExists: true,
      options: [{ name: 'ttl', value: '7 days' }, { name: 'a', value: 'true' }, { name: 'b', value: '5' },
        { name: 'c', value: null }, { name: 'd', value: 'null' }, { name: 'e', value: null }],
    })
    for (const text of ['ALTER TABLE cpu SET ()', 'ALTER TABLE cpu SET (ttl = 30 days)', "ALTER TABLE cpu RESET (ttl = '1 day')"]) {
      assert.equal(errorOf(() => parseSql(text)).code, '42601', text)
    }
  })
})

describe('sql/parse: queries', () => {
  it('reads the select core: DISTINCT, aliases, WHERE, GROUP BY, HAVING, WINDOW', () => {
    const core = coreOf('SELECT DISTINCT a AS x, "Q" FROM t WHERE a > 1 GROUP BY a HAVING count(*) > 1 WINDOW w AS (PARTITION BY a)')
    assert.deepEqual(strip(core.distinct), { on: [] })
    assert.deepEqual(core.items.map((item) => item.alias), ['x', null])
    assert.deepEqual(strip(core.groupBy), [col('a')])
    assert.equal(core.having?.kind, 'ExprBinary')
    assert.deepEqual(strip(core.windows), [{ name: 'w', spec: { refName: null, partitionBy: [col('a')], orderBy: [], frame: null } }])
    assert.deepEqual(strip(coreOf('SELECT DISTINCT ON (a, b) a FROM t').distinct), { on: [col('a'), col('b')] })
    assert.equal(coreOf('SELECT a FROM t').distinct, null)
  })

  it('reads FROM items: tables, subqueries, functions and joins', () => {
    const core = coreOf('SELECT 1 FROM s.t AS x(p, q) JOIN u USING (k) LEFT JOIN LATERAL (SELECT 1) z ON true ' +
      'NATURAL FULL JOIN v CROSS JOIN generate_series(1, 3) AS g(n), w')
    const [join, w] = core.from
    assert.ok(join?.kind === 'FromJoin' && w?.kind === 'FromTable')
    assert.equal(join.type, 'cross')
    assert.equal(join.right.kind, 'FromFunction')
    const full = join.left
    assert.ok(full.kind === 'FromJoin' && full.type === 'full' && full.natural && full.using === null)
    const left = full.left
    assert.ok(left.kind === 'FromJoin' && left.type === 'left' && left.right.kind === 'FromSubquery' && left.right.lateral)
    const inner = left.left
    assert.ok(inner.kind === 'FromJoin' && inner.type === 'inner')
    assert.deepEqual(inner.using, ['k'])
    assert.deepEqual(strip(inner.left), { kind: 'FromTable', schema: 's', name: 't', alias: 'x', columnAliases: ['p', 'q'] })
  })

  it('reads set operations, VALUES, WITH, ORDER BY, LIMIT/OFFSET and FETCH FIRST', () => {
    const union = queryOf('SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1 DESC NULLS LAST LIMIT 5 OFFSET 2')
    assert.ok(union.body.kind === 'SqlSetOperation' && union.body.op === 'union' && union.body.all)
    assert.ok(union.body.right.body.kind === 'SqlSetOperation' && union.body.right.body.op === 'intersect')
    assert.deepEqual(strip(union.orderBy), [{ expr: num('1'), descending: true, nullsFirst: false }])
    assert.deepEqual(strip([union.limit, union.offset]), [num('5'), num('2')])
    assert.deepEqual(strip(queryOf('VALUES (1, 2), (3, 4)').body), { kind: 'SqlValues', rows: [[num('1'), num('2')], [num('3'), num('4')]] })
    const withQuery = queryOf('WITH x(a) AS (SELECT 1), y AS MATERIALIZED (SELECT 2) SELECT * FROM x')
    assert.deepEqual(withQuery.with.map((cte) => [cte.name, cte.columns]), [['x', ['a']], ['y', null]])
    assert.equal(queryOf('SELECT a FROM t LIMIT ALL').limit, null)
    assert.deepEqual(strip(queryOf('SELECT a FROM t FETCH FIRST 3 ROWS ONLY').limit), num('3'))
  })
})

describe('sql/parse: expressions', () => {
  it('reads columns, stars, literals and parameters', () => {
    assert.deepEqual(exprOf('Host'), col('host'))
    assert.deepEqual(exprOf('"Host"'), col('Host'))
    assert.deepEqual(exprOf('public.cpu.host'), col('public', 'cpu', 'host'))
    assert.deepEqual(exprOf('*'), { kind: 'ExprStar', qualifier: null })
    assert.deepEqual(exprOf('c.*'), { kind: 'ExprStar', qualifier: 'c' })
    assert.deepEqual(exprOf('0'), num('0'))
    assert.deepEqual(exprOf('1.50'), num('1.50'))
    assert.deepEqual(exprOf('-7'), { kind: 'ExprUnary', op: '-', expr: num('7') })
    assert.deepEqual(exprOf('- 1.5e-3'), { kind: 'ExprUnary', op: '-', expr: num('1.5e-3') })
    assert.deepEqual([exprOf('- -1'), exprOf('- -1.5'), exprOf('-0')], [num('1'), num('1.5'), num('0')])
    assert.deepEqual(exprOf("'it''s'"), str("it's"))
    assert.deepEqual(exprOf("''"), str(''))
    assert.deepEqual(exprOf("E'a\\nb'"), str('a\nb'))
    assert.deepEqual([exprOf('true'), exprOf('false'), exprOf('NULL')], [{ kind: 'ExprBool', value: true }, { kind: 'ExprBool', value: false }, { kind: 'ExprNull' }])
    assert.deepEqual(exprOf('$2'), { kind: 'ExprParam', index: 2 })
  })

  it('reads operators, boolean logic and predicates', () => {
    assert.deepEqual(exprOf('a != b'), { kind: 'ExprBinary', op: '<>', left: col('a'), right: col('b') })
    assert.deepEqual(exprOf("a OPERATOR(pg_catalog.~) 'x'"), { kind: 'ExprBinary', op: '~', left: col('a'), right: str('x') })
    const and = { kind: 'ExprBinary', op: 'and', left: { kind: 'ExprBinary', op: 'and', left: col('a'), right: col('b') }, right: col('c') }
    assert.deepEqual(exprOf('a AND b AND c OR NOT d'), { kind: 'ExprBinary', op: 'or', left: and, right: { kind: 'ExprUnary', op: 'not', expr: col('d') } })
    assert.deepEqual(exprOf('a IS NOT NULL'), { kind: 'ExprIsNull', expr: col('a'), negated: true })
    assert.deepEqual(exprOf('a IS NOT UNKNOWN'), { kind: 'ExprIsBool', expr: col('a'), test: 'unknown', negated: true })
    assert.deepEqual(exprOf('a IS NOT DISTINCT FROM b'), { kind: 'ExprIsDistinct', left: col('a'), right: col('b'), negated: true })
    assert.deepEqual(exprOf('a NOT IN (1, 2)'), { kind: 'ExprIn', expr: col('a'), list: [num('1'), num('2')], negated: true })
    assert.deepEqual(exprOf("a NOT ILIKE 'x!%' ESCAPE '!'"),
      { kind: 'ExprLike', expr: col('a'), pattern: str('x!%'), escape: str('!'), caseInsensitive: true, negated: true })
    assert.deepEqual(exprOf("a LIKE 'x'"), { kind: 'ExprLike', expr: col('a'), pattern: str('x'), escape: null, caseInsensitive: false, negated: false })
    assert.deepEqual(exprOf('a NOT BETWEEN SYMMETRIC 1 AND 2'),
      { kind: 'ExprBetween', expr: col('a'), low: num('1'), high: num('2'), negated: true, symmetric: true })
    assert.deepEqual(exprOf('a = ANY(ARRAY[1, 2])'), { kind: 'ExprQuantified', op: '=', expr: col('a'), quantifier: 'any', query: null,
      array: { kind: 'ExprArray', elements: [num('1'), num('2')] } })
    assert.deepEqual(exprOf('a[1]'), { kind: 'ExprSubscript', expr: col('a'), index: num('1') })
  })

  it('reads calls: aggregates, FILTER, ORDER BY, WITHIN GROUP, SQL-syntax functions and value functions', () => {
    assert.deepEqual(exprOf('count(*)'), call('count', [], { star: true }))
    assert.deepEqual(exprOf('count(DISTINCT a) FILTER (WHERE a > 1)'), call('count', [col('a')], {
      distinct: true, filter: { kind: 'ExprBinary', op: '>', left: col('a'), right: num('1') } }))
    assert.deepEqual(exprOf("string_agg(a, ',' ORDER BY b DESC)"), call('string_agg', [col('a'), str(',')], {
      orderBy: [{ expr: col('b'), descending: true, nullsFirst: null }] }))
    assert.deepEqual(exprOf('percentile_cont(0.5) WITHIN GROUP (ORDER BY a)'), call('percentile_cont', [num('0.5')], {
      orderBy: [{ expr: col('a'), descending: false, nullsFirst: null }], withinGroup: true }))
    assert.deepEqual(exprOf('extract(epoch FROM ts)'), call('extract', [str('epoch'), col('ts')], { schema: 'pg_catalog' }))
    assert.deepEqual(exprOf("ts AT TIME ZONE 'UTC'"), call('timezone', [str('UTC'), col('ts')], { schema: 'pg_catalog' }))
    assert.deepEqual(exprOf('trim(BOTH FROM a)'), call('btrim', [col('a')], { schema: 'pg_catalog' }))
    assert.deepEqual(exprOf('COALESCE(a, 1)'), call('coalesce', [col('a'), num('1')]))
    assert.deepEqual(exprOf('GREATEST(a, b)'), call('greatest', [col('a'), col('b')]))
    assert.deepEqual(exprOf('NULLIF(a, b)'), call('nullif', [col('a'), col('b')]))
    assert.deepEqual(exprOf('CURRENT_TIMESTAMP'), call('current_timestamp', []))
    assert.deepEqual(exprOf('current_user'), call('current_user', []))
  })

  it('reads window specs with frames', () => {
    const over = (text: string): unknown => (exprOf(text) as { over: unknown }).over
    assert.deepEqual(over('sum(a) OVER w'), { refName: 'w', partitionBy: [], orderBy: [], frame: null })
    assert.deepEqual(over('sum(a) OVER (PARTITION BY h ORDER BY t ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)'), {
      refName: null, partitionBy: [col('h')], orderBy: [{ expr: col('t'), descending: false, nullsFirst: null }],
      frame: { mode: 'rows', start: { kind: 'preceding', offset: num('3') }, end: { kind: 'currentRow', offset: null } },
    })
    assert.deepEqual((over('sum(a) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)') as { frame: unknown }).frame,
      { mode: 'range', start: { kind: 'unboundedPreceding', offset: null }, end: { kind: 'following', offset: num('2') } })
    assert.deepEqual((over('sum(a) OVER (GROUPS CURRENT ROW)') as { frame: unknown }).frame,
      { mode: 'groups', start: { kind: 'currentRow', offset: null }, end: { kind: 'currentRow', offset: null } })
  })

  it('reads casts with canonical type names, CASE, subqueries and COLLATE', () => {
    const cast = (type: unknown): unknown => ({ kind: 'ExprCast', expr: col('a'), type })
    assert.deepEqual(exprOf('a::int'), cast({ name: 'int4', args: [], isArray: false }))
    assert.deepEqual(exprOf('CAST(a AS varchar(20)[])'), cast({ name: 'varchar', args: [20], isArray: true }))
    assert.deepEqual(exprOf('a::interval(3)'), cast({ name: 'interval', args: [3], isArray: false }))
    assert.deepEqual(exprOf('a::regclass'), cast({ name: 'regclass', args: [], isArray: false }))
    assert.deepEqual(exprOf("timestamptz '2024-01-01'"), { kind: 'ExprCast', expr: str('2024-01-01'), type: { name: 'timestamptz', args: [], isArray: false } })
    assert.deepEqual(exprOf("CASE a WHEN 1 THEN 'x' ELSE 'y' END"), { kind: 'ExprCase', operand: col('a'), whens: [{ when: num('1'), then: str('x') }], else: str('y') })
    assert.equal((exprOf('EXISTS (SELECT 1)') as { kind: string }).kind, 'ExprExists')
    assert.equal((exprOf('(SELECT 1)') as { kind: string }).kind, 'ExprSubquery')
    assert.deepEqual((exprOf('a NOT IN (SELECT 1)') as { negated: boolean }).negated, true)
    assert.equal((exprOf('a = SOME (SELECT 1)') as { kind: string }).kind, 'ExprInSubquery')
    assert.deepEqual(strip(exprOf('a > ALL (SELECT 1)')), { kind: 'ExprQuantified', op: '>', expr: col('a'), quantifier: 'all', array: null,
      query: strip(queryOf('SELECT 1')) })
    assert.deepEqual(exprOf('a COLLATE "C"'), col('a'))
  })
})

describe('sql/parse: refusals', () => {
  it('refuses what has no AST node with 0A000 and a 1-based position', () => {
    const cases: Array<[string, string]> = [
      ['WITH RECURSIVE x AS (SELECT 1) SEARCH DEPTH FIRST BY a SET o SELECT * FROM x', 'x AS'],
      ['SELECT ROW(1, 2)', 'ROW'], ['SELECT 1; DROP INDEX t', 'DROP'], ['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', 'ON CONFLICT'],
      ['DELETE FROM t RETURNING *', 't RETURNING'], ['DELETE FROM t USING u', 'u'],
      ['DELETE FROM t WHERE CURRENT OF c', 't WHERE'], ['WITH a AS (SELECT 1) DELETE FROM t', 'WITH'],
      ["SELECT B'101'", "B'"], ['SELECT a COLLATE "de_DE"', 'COLLATE'],
      ['SELECT a[1][2]', 'a['], ['SELECT (a).f', 'a)'], ['SELECT sum(a) OVER (ROWS CURRENT ROW EXCLUDE TIES)', '(ROWS'],
      ['SELECT f(VARIADIC a)', 'f('], ["SELECT interval '1' DAY", 'interval'], ['CREATE TABLE t (a int PRIMARY KEY)', 'PRIMARY'],
      ['CREATE TABLE t (a int, CHECK (a > 0))', 'CHECK'], ['SELECT s.f(1)', 's.f'], ['DECLARE c SCROLL CURSOR FOR SELECT 1', 'DECLARE'],
      ['FETCH BACKWARD 2 FROM c', 'FETCH'], ['MOVE -1 c', 'MOVE'],
      ['ALTER TABLE t ALTER COLUMN x TYPE int', 't ALTER'], ['CREATE TABLE s.t (a int)', 's.t'],
    ]
    for (const [text, at] of cases) {
      const error = errorOf(() => parseSql(text))
      assert.deepEqual([error.code, error.position], ['0A000', text.indexOf(at) + 1], `${text}: ${error.message}`)
    }
    assert.equal(errorOf(() => parseSql('DROP INDEX t')).message, 'DROP INDEX is not supported')
    assert.equal(errorOf(() => parseSql('CREATE VIEW v WITH (security_barrier) AS SELECT 1')).message, 'CREATE VIEW … WITH (options) is not supported')
    assert.equal(errorOf(() => parseSql('CREATE RECURSIVE VIEW v (n) AS SELECT 1')).message, 'CREATE RECURSIVE VIEW is not supported')
    assert.equal(errorOf(() => parseSql('CREATE VIEW v AS SELECT 1 WITH CHECK OPTION')).message, 'WITH CHECK OPTION is not supported')
  })

  it('CREATE VIEW keeps the query as written, whatever precedes its AS', () => {
    const views: ReadonlyArray<readonly [string, string]> = [
      ['CREATE VIEW v AS SELECT 1', 'SELECT 1'],
      ['create or replace view "as" (a, "as") as  select 1, (2) ;', 'select 1, (2)'],
      ['CREATE VIEW v AS (SELECT 1 AS x) UNION SELECT 2; SELECT 3', '(SELECT 1 AS x) UNION SELECT 2'],
      ['/* é */ CREATE VIEW vé AS WITH w AS (SELECT \'é\' AS e) SELECT * FROM w', "WITH w AS (SELECT 'é' AS e) SELECT * FROM w"],
    ]
    for (const [text, query] of views) {
      const ast = parseSql(text)[0]?.parsed.ast
      assert.equal(ast?.kind === 'SqlCreateView' ? ast.queryText : null, query, text)
    }
  })

  it('lists every node type it translates, and refuses an unknown one (never drops it)', () => {
    assert.deepEqual([...STATEMENT_NODE_TYPES].sort(), ['AlterTableStmt', 'CheckPointStmt', 'ClosePortalStmt', 'CopyStmt', 'CreateStmt', 'DeallocateStmt',
      'DeclareCursorStmt', 'DeleteStmt', 'DiscardStmt', 'DropStmt', 'ExecuteStmt', 'ExplainStmt', 'FetchStmt', 'InsertStmt', 'ListenStmt', 'NotifyStmt', 'PrepareStmt',
      'RenameStmt', 'SelectStmt', 'TransactionStmt', 'TruncateStmt', 'UnlistenStmt', 'VariableSetStmt', 'VariableShowStmt', 'ViewStmt'])
    assert.deepEqual([...EXPR_NODE_TYPES].sort(), ['A_ArrayExpr', 'A_Const', 'A_Expr', 'A_Indirection', 'BoolExpr',
      'BooleanTest', 'CaseExpr', 'CoalesceExpr', 'CollateClause', 'ColumnRef', 'FuncCall', 'GroupingFunc', 'MinMaxExpr', 'NullTest',
      'ParamRef', 'SQLValueFunction', 'SubLink', 'TypeCast'])
    const unknownExpr = { stmts: [{ stmt: { SelectStmt: { op: 'SETOP_NONE', targetList: [{ ResTarget: { val: { FancyExpr: { location: 7 } } } }] } } }] }
    const exprError = errorOf(() => adaptParseResult('SELECT fancy', unknownExpr))
    assert.deepEqual([exprError.code, exprError.position], ['0A000', 8])
    const statementError = errorOf(() => adaptParseResult('FANCY', { stmts: [{ stmt: { FancyStmt: {} } }] }))
    assert.deepEqual([statementError.code, statementError.position, statementError.message], ['0A000', 1, 'FANCY is not supported'])
  })
})
