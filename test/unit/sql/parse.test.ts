// test/unit/sql/parse: goal — sql.parse() splits, recognises and rejects Query text as PostgreSQL does. Method: feed
// texts and compare statement counts, slices, parameter counts, AST kinds and DbError codes/positions (not messages).
import assert from 'node:assert/strict'
import { createSql } from '../../../sql/sql.js'
import type { ParsedStatement } from '../../../sql/parse/ast.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import { dbErrorOf } from './helpers.js'
import { FakeEngine } from './fake-engine.js'

const sql = createSql(new FakeEngine())

function astOf(text: string): ParsedStatement['ast'] {
  const [slice] = parseSql(text)
  assert.ok(slice !== undefined)
  return slice.parsed.ast
}

describe('sql/parse', () => {
  it('returns no statement for empty, ; and comment-only text', () => {
    for (const text of ['', '   ', ';', ' ; ; ', '-- ping', '/* x */', '-- a\n/* b */;']) {
      assert.deepEqual(sql.parse(text), [], text)
    }
  })

  it('splits several statements, each with its own text', () => {
    const statements = sql.parse("SELECT 1 AS a; SELECT ';' AS b;\nSET x.y = 2")
    assert.deepEqual(statements.map((s) => s.text), ['SELECT 1 AS a', "SELECT ';' AS b", 'SET x.y = 2'])
  })

  it('counts $n parameters by the highest n', () => {
    const [statement] = sql.parse('SELECT host FROM cpu WHERE ts > $1 AND ts < $3 LIMIT $2')
    assert.equal(statement?.paramCount, 3)
    assert.equal(sql.parse('SELECT 1')[0]?.paramCount, 0)
  })

  it('reports a syntax error with its 1-based position', async () => {
    const error = await dbErrorOf(() => sql.parse('SELEC 1'))
    assert.equal(error.code, '42601')
    assert.equal(error.position, 7)
    const atEnd = await dbErrorOf(() => sql.parse('SELECT 1 FROM'))
    assert.equal(atEnd.code, '42601')
    assert.equal(atEnd.position, 14)
  })

  it('positions a syntax error in a later statement relative to the whole text', async () => {
    const error = await dbErrorOf(() => sql.parse('SELECT 1; SELEC 2'))
    assert.equal(error.code, '42601')
    assert.equal(error.position, 17)
  })

})

describe('sql/parse: statement shapes', () => {
  it('recognises the utility statements node-sql-parser does not know', () => {
    assert.deepEqual(astOf("SET application_name = 'psql'"), { kind: 'SqlSet', name: 'application_name', value: 'psql' })
    assert.deepEqual(astOf('SET DateStyle TO ISO, MDY'), { kind: 'SqlSet', name: 'datestyle', value: 'ISO, MDY' })
    assert.deepEqual(astOf("SET TIME ZONE 'UTC'"), { kind: 'SqlSet', name: 'timezone', value: 'UTC' })
    assert.deepEqual(astOf('SHOW server_version'), { kind: 'SqlShow', name: 'server_version' })
    assert.deepEqual(astOf('begin'), { kind: 'SqlTransaction', action: 'begin' })
    assert.deepEqual(astOf('START TRANSACTION'), { kind: 'SqlTransaction', action: 'begin' })
    assert.deepEqual(astOf('END'), { kind: 'SqlTransaction', action: 'commit' })
    assert.deepEqual(astOf('COMMIT'), { kind: 'SqlTransaction', action: 'commit' })
    assert.deepEqual(astOf('ROLLBACK'), { kind: 'SqlTransaction', action: 'rollback' })
    assert.deepEqual(astOf('DISCARD ALL'), { kind: 'SqlDiscard' })
  })

  it('folds unquoted identifiers to lower case and keeps quoted ones', () => {
    const ast = astOf('SELECT Host, "Host" FROM CPU')
    assert.equal(ast.kind, 'SqlSelect')
    if (ast.kind !== 'SqlSelect') return
    assert.deepEqual(ast.items.map((item) => (item.expr.kind === 'ExprColumn' ? item.expr.name : '')), ['host', 'Host'])
    assert.equal(ast.from?.table, 'cpu')
  })

  it('reads type names with their modifiers', () => {
    const ast = astOf('CREATE TABLE t (ts timestamp with time zone NOT NULL, a int8, b varchar(20), c float4)')
    assert.equal(ast.kind, 'SqlCreateTable')
    if (ast.kind !== 'SqlCreateTable') return
    assert.deepEqual(ast.columns.map((c) => c.type), [
      { name: 'timestamp with time zone', args: [] }, { name: 'int8', args: [] }, { name: 'varchar', args: [20] },
      { name: 'float4', args: [] },
    ])
    assert.deepEqual(ast.columns.map((c) => c.notNull), [true, false, false, false])
  })

  it('separates LIMIT from OFFSET', () => {
    const both = astOf('SELECT a FROM t LIMIT 10 OFFSET 5')
    const offsetOnly = astOf('SELECT a FROM t OFFSET 5')
    assert.ok(both.kind === 'SqlSelect' && offsetOnly.kind === 'SqlSelect')
    if (both.kind !== 'SqlSelect' || offsetOnly.kind !== 'SqlSelect') return
    assert.deepEqual([both.limit?.kind, both.offset?.kind], ['ExprNumber', 'ExprNumber'])
    assert.deepEqual([offsetOnly.limit, offsetOnly.offset?.kind], [null, 'ExprNumber'])
  })

  it('refuses what the adapter does not know with 0A000', async () => {
    for (const text of ['SELECT a FROM t UNION SELECT b FROM u', 'SELECT a FROM t HAVING a > 1', 'DELETE FROM t']) {
      const error = await dbErrorOf(() => sql.parse(text))
      assert.equal(error.code, '0A000', text)
    }
  })
})
