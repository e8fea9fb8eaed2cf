// test/unit/sql/coverage: goal — every expression kind and every clause the parser can hand over is either
// implemented or refused with 0A000 (or 42883 for a function nodedb lacks), never dropped or crashed on.
// Method: one statement per AST kind / clause, each checked to produce exactly that kind (so the table cannot
// drift from ast.ts), then run through the real facade over a FakeEngine; the outcome must be rows or a coded
// refusal, and the kinds list is compared with the union in ast.ts at compile time.
import assert from 'node:assert/strict'
import { isDbError } from '../../../src/common/errors.js'
import type { SqlExpr, SqlExprKind, SqlQuery } from '../../../sql/parse/ast.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import { newHarness } from './helpers.js'

/** One select list per expression kind; `satisfies` makes a new kind in ast.ts fail to compile here. */
const EXPR_SAMPLES = {
  ExprColumn: 'host',
  ExprStar: 'cpu.*',
  ExprNumber: '1.5',
  ExprString: "'a'",
  ExprBool: 'true',
  ExprNull: 'NULL',
  ExprParam: '$1::int',
  ExprBinary: 'cores + 1',
  ExprUnary: '-cores',
  ExprCall: 'abs(cores)',
  ExprCast: 'cores::text',
  ExprIn: "host IN ('a', 'b')",
  ExprBetween: 'cores BETWEEN 1 AND 2',
  ExprIsNull: 'host IS NULL',
  ExprIsBool: 'up IS TRUE',
  ExprIsDistinct: 'cores IS DISTINCT FROM 1',
  ExprLike: "host LIKE 'a%'",
  ExprCase: "CASE WHEN up THEN 'u' ELSE 'd' END",
  ExprSubquery: '(SELECT 1)',
  ExprExists: 'EXISTS (SELECT 1)',
  ExprInSubquery: 'cores IN (SELECT 1)',
  ExprQuantified: 'cores = ANY (ARRAY[1, 2])',
  ExprArray: 'ARRAY[1, 2]',
  ExprSubscript: '(ARRAY[1, 2])[1]',
  ExprSlice: '(ARRAY[1, 2])[1:]',
  // GROUPING is only valid in a grouped query: the sample brings its own GROUP BY and comments out the FROM after it.
  ExprGrouping: 'GROUPING(host) FROM cpu GROUP BY ROLLUP (host) --',
} satisfies Record<SqlExprKind, string>

const CLAUSES: ReadonlyArray<string> = [
  'SELECT DISTINCT host FROM cpu',
  'SELECT DISTINCT ON (host) host, ts FROM cpu ORDER BY host, ts DESC',
  'SELECT host, count(*) FROM cpu GROUP BY host HAVING count(*) > 0',
  'SELECT host, row_number() OVER w FROM cpu WINDOW w AS (PARTITION BY host ORDER BY ts)',
  'SELECT sum(cores) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM cpu',
  'SELECT count(*) FILTER (WHERE up) FROM cpu',
  "SELECT string_agg(host, ',' ORDER BY ts) FROM cpu",
  'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY usage_user) FROM cpu',
  'WITH x AS (SELECT host FROM cpu) SELECT * FROM x',
  'WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) SELECT * FROM x',
  'SELECT 1 UNION SELECT 2', 'SELECT 1 INTERSECT ALL SELECT 1', 'SELECT 1 EXCEPT SELECT 2',
  'VALUES (1, 2), (3, 4)',
  'SELECT * FROM cpu a JOIN cpu b USING (ts)', 'SELECT * FROM cpu a LEFT JOIN cpu b ON a.ts = b.ts',
  'SELECT * FROM cpu a FULL JOIN cpu b ON a.ts = b.ts', 'SELECT * FROM cpu a CROSS JOIN (SELECT 1) b',
  'SELECT * FROM cpu a, LATERAL (SELECT a.cores) b', 'SELECT * FROM generate_series(1, 3)',
  'SELECT * FROM unnest(ARRAY[1, 2])', 'SELECT * FROM unnest(ARRAY[1], ARRAY[2]) WITH ORDINALITY',
  'SELECT * FROM ROWS FROM (unnest(ARRAY[1]), generate_series(1, 2))', 'SELECT * FROM cpu NATURAL JOIN cpu c',
  'SELECT host FROM cpu ORDER BY ts DESC NULLS LAST LIMIT 1 OFFSET 1',
  'SELECT host FROM cpu FETCH FIRST 2 ROWS ONLY',
  'SELECT host FROM cpu FOR UPDATE',
  'SELECT host, count(*) FROM cpu GROUP BY ROLLUP (host)',
  'SELECT (1, 2)', "SELECT 'a' SIMILAR TO 'a'",
  'EXPLAIN SELECT 1', 'EXPLAIN ANALYZE SELECT 1',
]

function firstItem(query: SqlQuery): SqlExpr {
  assert.equal(query.body.kind, 'SqlSelectCore')
  const item = query.body.kind === 'SqlSelectCore' ? query.body.items[0] : undefined
  assert.ok(item !== undefined)
  return item.expr
}

function containsKind(expr: SqlExpr, kind: SqlExprKind): boolean {
  return JSON.stringify(expr).includes(`"kind":"${kind}"`)
}

/** Runs the text; returns 'rows' or the SQLSTATE. Anything but a DbError (an internal crash) fails the test. */
async function outcome(text: string, params: ReadonlyArray<string | null> = []): Promise<string> {
  const h = await newHarness()
  try {
    await h.run(text, params)
    return 'ok'
  } catch (error) {
    assert.ok(isDbError(error), `${text}: not a coded error: ${String(error)}`)
    assert.notEqual(error.code, 'XX000', `${text}: internal error`)
    return error.code
  }
}

const ACCEPTED_REFUSALS = new Set(['0A000', '42883'])

describe('sql coverage: implemented or refused, never dropped', () => {
  for (const [kind, sample] of Object.entries(EXPR_SAMPLES) as Array<[SqlExprKind, string]>) {
    it(`${kind}: ${sample}`, async () => {
      const text = `SELECT ${sample} FROM cpu`
      const [slice] = parseSql(text)
      assert.ok(slice !== undefined && slice.parsed.ast.kind === 'SqlQuery')
      assert.ok(containsKind(firstItem(slice.parsed.ast), kind), `${sample} parses to ${kind}`)
      const code = await outcome(text, kind === 'ExprParam' ? ['1'] : [])
      assert.ok(code === 'ok' || ACCEPTED_REFUSALS.has(code), `${text} → ${code}`)
    })
  }
  for (const text of CLAUSES) {
    it(text, async () => {
      const code = await outcome(text)
      assert.ok(code === 'ok' || ACCEPTED_REFUSALS.has(code), `${text} → ${code}`)
    })
  }
})
