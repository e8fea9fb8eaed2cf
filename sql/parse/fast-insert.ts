// sql/parse/fast-insert: a recogniser for the one statement shape that dominates ingest over SQL —
// `INSERT INTO t [(c, ...)] VALUES (literal, ...), ...` with only literals and $n — straight into our SqlInsert,
// the same tree the general path (libpg-query via adapter.ts) builds, positions included. It skips the WebAssembly
// round trip and the JSON of a large VALUES list (measured in the report of this change). It is deliberately not a
// parser: any other token makes it return null and the statement goes the general way, so it can only ever be
// faster, never accept what the general path would reject or read differently.
import { SQL_PARAMS_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlExpr, SqlInsert } from './ast.js'

const enum Char {
  Tab = 9, Newline = 10, Return = 13, Space = 32, Quote = 39, DoubleQuote = 34, Dollar = 36, LeftParen = 40,
  RightParen = 41, Plus = 43, Comma = 44, Minus = 45, Dot = 46, Semicolon = 59, Zero = 48, Nine = 57, Underscore = 95,
  UpperA = 65, UpperZ = 90, LowerA = 97, LowerZ = 122, UpperE = 69, LowerE = 101,
}

interface Cursor { readonly text: string; readonly offset: number; i: number }

function isSpace(c: number): boolean {
  return c === Char.Space || c === Char.Newline || c === Char.Tab || c === Char.Return
}
function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine
}
function isIdentStart(c: number): boolean {
  return (c >= Char.LowerA && c <= Char.LowerZ) || (c >= Char.UpperA && c <= Char.UpperZ) || c === Char.Underscore
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === Char.Dollar
}

function skipSpace(cur: Cursor): void {
  while (cur.i < cur.text.length && isSpace(cur.text.charCodeAt(cur.i))) cur.i++
}

/** Consumes `char` (after blanks) or returns false. */
function eat(cur: Cursor, char: number): boolean {
  skipSpace(cur)
  if (cur.text.charCodeAt(cur.i) !== char) return false
  cur.i++
  return true
}

/** An unquoted word, lower-cased, or null. */
function word(cur: Cursor): string | null {
  skipSpace(cur)
  const start = cur.i
  if (!isIdentStart(cur.text.charCodeAt(start))) return null
  while (cur.i < cur.text.length && isIdentPart(cur.text.charCodeAt(cur.i))) cur.i++
  return cur.text.slice(start, cur.i).toLowerCase()
}

/**
 * PostgreSQL's reserved and type_func_name keywords (kwlist.h): not valid as unquoted table or column names, so the
 * fast path leaves them to the general path, which reports the syntax error.
 */
const NON_NAME_KEYWORDS = new Set(('all analyse analyze and any array as asc asymmetric authorization binary both case ' +
  'cast check collate collation column concurrently constraint create cross current_catalog current_date current_role ' +
  'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except ' +
  'false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join ' +
  'lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer ' +
  'overlaps placing primary references returning right select session_user similar some symmetric system_user table ' +
  'tablesample then to trailing true union unique user using variadic verbose when where window with').split(' '))

/** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1 bytes); the fast path leaves those to the general path. */
const IDENTIFIER_BYTES_MAX = 63

/** An identifier as PostgreSQL folds it: unquoted lower-cased, "quoted" kept (with "" for a quote); null otherwise. */
function identifier(cur: Cursor): string | null {
  skipSpace(cur)
  const isQuoted = cur.text.charCodeAt(cur.i) === Char.DoubleQuote
  const value = isQuoted ? quoted(cur, Char.DoubleQuote) : word(cur)
  if (value === null || value === '' || (!isQuoted && NON_NAME_KEYWORDS.has(value))) return null
  return Buffer.byteLength(value) > IDENTIFIER_BYTES_MAX ? null : value
}

/** A quoted run with doubled quotes as escapes; null when unterminated. cur.i is at the opening quote. */
function quoted(cur: Cursor, quote: number): string | null {
  let i = cur.i + 1
  let value = ''
  for (;;) {
    const end = cur.text.indexOf(String.fromCharCode(quote), i)
    if (end < 0) return null
    value += cur.text.slice(i, end)
    if (cur.text.charCodeAt(end + 1) !== quote) {
      cur.i = end + 1
      return value
    }
    value += String.fromCharCode(quote)
    i = end + 2
  }
}

/** PostgreSQL's largest integer literal kept as an integer (int4); larger ones stay as written (scan.l). */
const INT4_MAX = 2147483647

/**
 * A numeric literal with an optional sign, as the general path gives it: unsigned ExprNumber (an integer that fits
 * int4 in canonical decimal, anything else as written), under ExprUnary for a sign. null when it is not one.
 */
function number(cur: Cursor, pos: number): SqlExpr | null {
  const sign = cur.text.charCodeAt(cur.i)
  if (sign === Char.Minus || sign === Char.Plus) cur.i++
  const start = cur.i
  while (isDigit(cur.text.charCodeAt(cur.i))) cur.i++
  let isExact = true
  if (cur.text.charCodeAt(cur.i) === Char.Dot) {
    isExact = false
    cur.i++
    while (isDigit(cur.text.charCodeAt(cur.i))) cur.i++
  }
  if (cur.i === start || (cur.i === start + 1 && cur.text.charCodeAt(start) === Char.Dot)) return null
  const e = cur.text.charCodeAt(cur.i)
  if (e === Char.UpperE || e === Char.LowerE) {
    isExact = false
    cur.i++
    if (cur.text.charCodeAt(cur.i) === Char.Minus || cur.text.charCodeAt(cur.i) === Char.Plus) cur.i++
    if (!isDigit(cur.text.charCodeAt(cur.i))) return null
    while (isDigit(cur.text.charCodeAt(cur.i))) cur.i++
  }
  if (isIdentPart(cur.text.charCodeAt(cur.i))) return null
  const written = cur.text.slice(start, cur.i)
  // An int4 is given in canonical decimal: as written unless it has leading zeros (no second string per value).
  const isCanonical = cur.text.charCodeAt(start) !== Char.Zero || written.length === 1
  const text = isExact && Number(written) <= INT4_MAX && !isCanonical ? String(Number(written)) : written
  // -0 is the integer 0 to PostgreSQL (nothing left to negate): a bare number at the sign, as the general path has it.
  if (sign === Char.Minus && text === '0') return { kind: 'ExprNumber', text, pos }
  const literal: SqlExpr = { kind: 'ExprNumber', text, pos: cur.offset + start }
  if (sign === Char.Minus) return { kind: 'ExprUnary', op: '-', expr: literal, pos }
  if (sign === Char.Plus) return { kind: 'ExprUnary', op: '+', expr: literal, pos }
  return literal
}

/** One literal value, or null for anything the general parser must see. */
function literal(cur: Cursor): SqlExpr | null {
  skipSpace(cur)
  const c = cur.text.charCodeAt(cur.i)
  const pos = cur.offset + cur.i
  if (c === Char.Quote) {
    const value = quoted(cur, Char.Quote)
    return value === null ? null : { kind: 'ExprString', value, pos }
  }
  if (isDigit(c) || c === Char.Minus || c === Char.Plus || c === Char.Dot) return number(cur, pos)
  if (c === Char.Dollar) {
    const start = ++cur.i
    while (isDigit(cur.text.charCodeAt(cur.i))) cur.i++
    // $0 and $n past the parameter limit are errors: both left to the general path to report.
    if (cur.i === start || cur.i - start > 9 || isIdentPart(cur.text.charCodeAt(cur.i))) return null
    const index = Number(cur.text.slice(start, cur.i))
    return index < 1 || index > SQL_PARAMS_MAX_COUNT ? null : { kind: 'ExprParam', index, pos }
  }
  const keyword = word(cur)
  if (keyword === 'null') return { kind: 'ExprNull', pos }
  if (keyword === 'true' || keyword === 'false') return { kind: 'ExprBool', value: keyword === 'true', pos }
  return null
}

function row(cur: Cursor): SqlExpr[] | null {
  if (!eat(cur, Char.LeftParen)) return null
  const values: SqlExpr[] = []
  do {
    const value = literal(cur)
    if (value === null) return null
    values.push(value)
  } while (eat(cur, Char.Comma))
  return eat(cur, Char.RightParen) ? values : null
}

function columnList(cur: Cursor): SqlInsert['columns'] | undefined {
  const save = cur.i
  if (!eat(cur, Char.LeftParen)) {
    cur.i = save
    return null
  }
  const columns: Array<{ name: string; pos: number }> = []
  do {
    skipSpace(cur)
    const pos = cur.offset + cur.i
    const name = identifier(cur)
    if (name === null) return undefined
    columns.push({ name, pos })
  } while (eat(cur, Char.Comma))
  return eat(cur, Char.RightParen) ? columns : undefined
}

/**
 * The SqlInsert for `text` (one statement, at `offset` in the whole Query) with its highest $n, or null when the
 * statement is anything but INSERT INTO ... VALUES over plain literals.
 */
export function parseFastInsert(text: string, offset: number): { readonly ast: SqlInsert; readonly paramCount: number } | null {
  const cur: Cursor = { text, offset, i: 0 }
  if (word(cur) !== 'insert' || word(cur) !== 'into') return null
  skipSpace(cur)
  const tablePos = offset + cur.i
  const table = identifier(cur)
  if (table === null || cur.text.charCodeAt(cur.i) === Char.Dot) return null
  const columns = columnList(cur)
  if (columns === undefined || word(cur) !== 'values') return null
  const rows: SqlExpr[][] = []
  let paramCount = 0
  do {
    const values = row(cur)
    if (values === null) return null
    for (const value of values) if (value.kind === 'ExprParam') paramCount = Math.max(paramCount, value.index)
    rows.push(values)
  } while (eat(cur, Char.Comma))
  eat(cur, Char.Semicolon)
  skipSpace(cur)
  if (cur.i !== text.length) return null
  return { ast: { kind: 'SqlInsert', table, tablePos, columns, rows, query: null }, paramCount }
}
