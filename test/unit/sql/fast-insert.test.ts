// Goal: the INSERT fast path (sql/parse/fast-insert.ts) accepts exactly plain-literal INSERT ... VALUES and yields
// the same AST as the general path (libpg-query via adapter.ts), positions and parameter count included; anything
// else falls through. Method: a table of shapes, then a fast-check property over generated literal rows.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseStatements } from '../../../sql/parse/adapter.js'
import { parseFastInsert } from '../../../sql/parse/fast-insert.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'

function assertSameAsGeneral(text: string): void {
  const fast = parseFastInsert(text, 0)
  assert.notEqual(fast, null, `fast path refused: ${text}`)
  const [general, ...rest] = parseStatements(text)
  assert.equal(rest.length, 0)
  assert.deepEqual(fast, { ast: general?.ast, paramCount: general?.paramCount }, text)
  assert.equal(parseSql(text)[0]?.text, general?.text, text)
}

describe('sql/parse/fast-insert', function () {
  it('matches the general parser on literal shapes', function () {
    const cases = [
      "INSERT INTO cpu VALUES ('2024-01-01T00:00:00Z','a',10.5), ('2024-01-01T00:00:30Z','a',20)",
      'insert into "Cpu" ("Ts", host) values ($1, $2), ($3, NULL);',
      "INSERT INTO t (a, b, c) VALUES (-1.5e-3, TRUE, 'it''s'), (+2, false, '')",
      "INSERT INTO t VALUES (007, -0, 2147483647, -2147483648, 2147483648, 99999999999, 1.50, .5, 5., 1E3)",
      'INSERT INTO t VALUES (0, 00, -00, +007, 0007.5, 02147483647, 0002147483648, 10, -10, 1000000000)',
      "insert into t values ('é😀', 'a\\b', $1) ;  ",
      'INSERT INTO t VALUES (1)',
      "INSERT  INTO\tt\nVALUES\n( 1 ,'x' )",
    ]
    for (const text of cases) assertSameAsGeneral(text)
  })

  it('keeps positions pointing at the literal in the whole Query text', function () {
    const text = "INSERT INTO t VALUES (1, 'x')"
    const result = parseFastInsert(text, 100)
    assert.ok(result !== null)
    assert.equal(result.ast.tablePos, 100 + text.indexOf('t VALUES'))
    assert.equal(result.ast.rows[0]?.[1]?.pos, 100 + text.indexOf("'x'"))
  })

  it('reads a backslash in a string literally, as PostgreSQL does with standard_conforming_strings on', function () {
    const result = parseFastInsert("INSERT INTO t VALUES ('a\\b', '\\')", 0)
    assert.ok(result !== null)
    assert.deepEqual(result.ast.rows[0]?.map((e) => (e.kind === 'ExprString' ? e.value : null)), ['a\\b', '\\'])
  })

  it('falls through on anything but plain literals', function () {
    const cases = [
      "INSERT INTO t VALUES ('2024-01-01'::timestamptz)",
      'INSERT INTO t VALUES (1 + 2)',
      'INSERT INTO t VALUES (now())',
      'INSERT INTO t SELECT 1',
      'INSERT INTO s.t VALUES (1)',
      'INSERT INTO t VALUES (1) RETURNING *',
      'INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING',
      "INSERT INTO t VALUES (E'a\\n')",
      "INSERT INTO t VALUES ('unterminated)",
      'INSERT INTO t VALUES (1), ',
      'INSERT INTO t VALUES (1abc)',
      'UPDATE t SET a = 1',
      'INSERT INTO t VALUES ($0)',
      'INSERT INTO t (select) VALUES (1)',
      'INSERT INTO "t" VALUES (1 1)',
      "INSERT INTO t VALUES ('a'\n'b')",
      `INSERT INTO ${'x'.repeat(64)} VALUES (1)`,
      'INSERT INTO t VALUES (1_000)',
      'INSERT INTO t VALUES (0x1F)',
    ]
    for (const text of cases) assert.equal(parseFastInsert(text, 0), null, text)
  })

  it('property: generated literal rows parse the same on both paths', function () {
    const literal = fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => String(v)),
      fc.string({ maxLength: 8, unit: 'grapheme' }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.constantFrom('NULL', 'TRUE', 'false', '$1', '$12'),
    )
    const rows = fc.array(fc.array(literal, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 })
    fc.assert(fc.property(rows, fc.constantFrom('', ' ', '\n\t'), (generated, blank) => {
      assertSameAsGeneral(`INSERT INTO t (a, b, c) VALUES ${generated.map((row) => `(${row.join(`,${blank}`)})`).join(', ')}`)
    }), { numRuns: 300 })
  })
})
