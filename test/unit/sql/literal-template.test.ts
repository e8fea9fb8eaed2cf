// Goal: a text parsed from its shape's template (sql/parse/parse-shapes.ts) is exactly the tree libpg-query and the
// adapter give for it, and the literal scanner finds literals where PostgreSQL's lexer does and refuses what it does
// not follow. Method: every query of the differential corpus, then each again with every literal changed to a random
// value of the same lexer class and length (several times, so the shape is templated and then reused), each compared
// with a fresh parse of the same text (the adapter called directly, no cache); hand-made texts for the scanner.
import assert from 'node:assert/strict'
import path from 'node:path'
import { loadParser, parseStatements } from '../../../sql/parse/adapter.js'
import { numberKind, scanLiterals, type LiteralToken } from '../../../sql/parse/literal-scan.js'
import { isSameTree } from '../../../sql/parse/literal-template.js'
import { shapeHitCount } from '../../../sql/parse/parse-shapes.js'
import { parseSql, type ParsedSlice } from '../../../sql/parse/parse-sql.js'
import { seededRandom } from '../../helpers/random.js'
import { sqlTestFiles, SOURCE_DIR } from '../../differential/runner.js'
import { parseSqlTest } from '../../differential/sqltest.js'

const VARIANTS_PER_QUERY_COUNT = 4
const STRING_CHARS = "abcxyz019 :-_%.'"

/** The outcome of a parse: its slices, or the error's SQLSTATE and message. */
function outcome(parse: () => ReadonlyArray<ParsedSlice>): unknown {
  try {
    return parse()
  } catch (error) {
    const { code, message, position } = error as { code?: string; message?: string; position?: number }
    return { error: { code, message, position } }
  }
}

function freshParse(text: string): ReadonlyArray<ParsedSlice> {
  return parseStatements(text).map((s) => ({ text: s.text, parsed: { kind: 'ParsedStatement', ast: s.ast, paramCount: s.paramCount } }))
}

/** A random literal of `token`'s class and length (strings may hold doubled quotes). */
function randomLiteral(text: string, token: LiteralToken, random: () => number): string {
  const length = token.end - token.start
  if (token.kind === 'string') {
    let inner = ''
    while (inner.length < length - 2) {
      const c = STRING_CHARS[Math.floor(random() * STRING_CHARS.length)]!
      inner += c === "'" ? (inner.length < length - 3 ? "''" : 'q') : c
    }
    return `'${inner}'`
  }
  const written = text.slice(token.start, token.end)
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = written.replace(/[0-9]/g, () => String(Math.floor(random() * 10)))
    if (numberKind(candidate) === token.kind) return candidate
  }
  return written
}

function variant(text: string, random: () => number): string | null {
  const scanned = scanLiterals(text)
  if (scanned === null || scanned.literals.length === 0) return null
  let out = ''
  let copiedTo = 0
  for (const token of scanned.literals) {
    out += text.slice(copiedTo, token.start) + randomLiteral(text, token, random)
    copiedTo = token.end
  }
  return out + text.slice(copiedTo)
}

function literalTexts(text: string): string[] | null {
  return scanLiterals(text)?.literals.map((t) => `${t.kind}:${text.slice(t.start, t.end)}`) ?? null
}

describe('sql/parse/literal-template', function () {
  before(async function () {
    await loadParser()
  })

  it('parses every corpus query and its literal variants exactly as a fresh parse does', function () {
    this.timeout(120_000)
    const random = seededRandom(8)
    const hitsBefore = shapeHitCount()
    let compared = 0
    for (const file of sqlTestFiles()) {
      for (const block of parseSqlTest(path.join(SOURCE_DIR, file)).blocks) {
        const texts = [block.sql]
        for (let i = 0; i < VARIANTS_PER_QUERY_COUNT; i++) texts.push(variant(block.sql, random) ?? block.sql)
        for (const text of texts) {
          const mine = outcome(() => parseSql(text))
          const fresh = outcome(() => freshParse(text))
          assert.ok(isSameTree(mine, fresh, new Set()), `${file}:${block.line}: ${text}`)
          compared++
        }
      }
    }
    // The variants must have gone through templates, or this proves nothing.
    assert.ok(shapeHitCount() - hitsBefore > compared / 10, `template hits ${shapeHitCount() - hitsBefore} of ${compared} parses`)
  })

  it('keeps a negated number and a typmod out of the slots, so their text must match', function () {
    for (const [first, second] of [
      ['SELECT -5 + 1', 'SELECT -7 + 2'], ['SELECT 1::varchar(10), 2', 'SELECT 3::varchar(20), 4'],
      ['SELECT 1::numeric(10, 2), 5 - 6', 'SELECT 1::numeric(12, 3), 5 - -0'], ['SELECT 1 ORDER BY 1', 'SELECT 2 ORDER BY 1'],
    ]) {
      for (const text of [first, first.replace(/[0-9]/g, '3'), second, second.replace(/[0-9]/g, '4')]) {
        assert.ok(isSameTree(parseSql(text), freshParse(text), new Set()), text)
      }
    }
  })

  it('finds literals where the lexer does: past comments, quoted identifiers and parameters', function () {
    assert.deepEqual(literalTexts("SELECT 'a''b', 12, 1.5e3, .5, 3000000000 FROM t1"),
      ["string:'a''b'", 'integer:12', 'float:1.5e3', 'float:.5', 'float:3000000000'])
    assert.deepEqual(literalTexts(`SELECT "x'1" /* '2' /* 3 */ 4 */ -- '5'\n, $1, timestamptz '2024-01-01', - 7, 8 - 9`),
      ["string:'2024-01-01'", 'integer:8'])
    assert.equal(scanLiterals("SELECT 'a' , 2")?.shape, 'SELECT \u0000s3\u0000 , \u0000i1\u0000')
  })

  it('refuses what it does not follow: prefixed strings, dollar quotes, continued strings, numbers run into words', function () {
    for (const text of ["SELECT E'a\\'b'", "SELECT B'101'", "SELECT X'ff'", "SELECT N'a'", "SELECT U&'a'", 'SELECT $$a$$',
      "SELECT 'a'\n'b'", "SELECT 'a' /* */ 'b'", 'SELECT 1abc', 'SELECT 1..2', "SELECT 'a", 'SELECT /* a', "SELECT '\u0000'",
      "SELECT '\ud800'"]) {
      assert.equal(scanLiterals(text), null, text)
    }
  })
})
