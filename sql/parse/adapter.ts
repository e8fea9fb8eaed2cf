// sql/parse/adapter: the ONLY file that touches node-sql-parser. Its output enters as unknown and is narrowed, node by
// node, into our SqlAst; anything not recognised becomes 0A000 with a position. Nothing of the library leaks out.
import { Parser } from 'node-sql-parser'
import { featureNotSupported, syntaxError } from '../../src/common/errors.js'
import type { SqlBinaryOp, SqlColumnDef, SqlCreateTable, SqlExpr, SqlInsert, SqlSelect, SqlStatement, SqlTypeName } from './ast.js'
import { locateWord } from './split-statements.js'

const PARSER = new Parser()
const OPTIONS = { database: 'postgresql', parseOptions: { includeLocations: true } }

type Node = Record<string, unknown>

interface AdaptContext {
  /** The statement's own text and its offset in the whole Query. */
  readonly text: string
  readonly offset: number
  maxParam: number
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function node(value: unknown): Node {
  return isNode(value) ? value : {}
}

function list(value: unknown): ReadonlyArray<unknown> {
  return Array.isArray(value) ? value : []
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

/** Position of a node: its own location when the parser gave one, else the first occurrence of `word`. */
function posOf(ctx: AdaptContext, value: Node, word?: string): number {
  const loc = node(value.loc)
  const start = node(loc.start)
  if (typeof start.offset === 'number') return ctx.offset + start.offset
  if (word !== undefined) {
    const found = locateWord(ctx.text, word)
    if (found !== undefined) return ctx.offset + found
  }
  return ctx.offset
}

function unsupported(ctx: AdaptContext, what: string, value: Node): never {
  throw featureNotSupported(what, posOf(ctx, value) + 1)
}

/** An identifier: unquoted ones are folded to lower case, quoted ones kept. */
function identifier(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase()
  const n = node(value)
  const inner = isNode(n.expr) ? n.expr : n
  const text = str(inner.value)
  return inner.type === 'double_quote_string' || inner.type === 'backticks_quote_string' ? text : text.toLowerCase()
}

/**
 * A table name. node-sql-parser hands table names over as bare strings without saying whether they were quoted, so
 * the statement text decides: a name that appears double-quoted keeps its case, otherwise it is folded.
 */
function tableIdentifier(ctx: AdaptContext, raw: string): string {
  return ctx.text.includes(`"${raw.replace(/"/g, '""')}"`) ? raw : raw.toLowerCase()
}

/** Syntax error positioned at the parser's failure, with the token there as PostgreSQL words it. */
function toSyntaxError(ctx: AdaptContext, error: unknown): Error {
  const location = node(node(node(error).location).start)
  const at = typeof location.offset === 'number' ? location.offset : 0
  const token = /^\s*([A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?|'[^']*'?|"[^"]*"?|\S)/.exec(ctx.text.slice(at))
  if (token === null) return syntaxError('syntax error at end of input', ctx.offset + ctx.text.trimEnd().length + 1)
  const tokenAt = at + (token[0].length - (token[1] ?? '').length)
  return syntaxError(`syntax error at or near "${token[1] ?? ''}"`, ctx.offset + tokenAt + 1)
}

const BINARY_OPS: Readonly<Record<string, SqlBinaryOp>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=',
  '>': '>', '>=': '>=', AND: 'and', OR: 'or', '||': '||',
}

function adaptBinary(ctx: AdaptContext, n: Node, pos: number): SqlExpr {
  const operator = str(n.operator).toUpperCase()
  const left = adaptExpr(ctx, n.left)
  if (operator === 'IN' || operator === 'NOT IN') {
    const items = list(node(n.right).value).map((item) => adaptExpr(ctx, item))
    return { kind: 'ExprIn', expr: left, list: items, negated: operator === 'NOT IN', pos }
  }
  if (operator === 'BETWEEN' || operator === 'NOT BETWEEN') {
    const [low, high] = list(node(n.right).value).map((item) => adaptExpr(ctx, item))
    if (low === undefined || high === undefined) return unsupported(ctx, 'this BETWEEN form', n)
    return { kind: 'ExprBetween', expr: left, low, high, negated: operator === 'NOT BETWEEN', pos }
  }
  if (operator === 'IS' || operator === 'IS NOT') {
    if (node(n.right).type !== 'null') return unsupported(ctx, `${operator} other than NULL`, n)
    return { kind: 'ExprIsNull', expr: left, negated: operator === 'IS NOT', pos }
  }
  const op = BINARY_OPS[operator]
  if (op === undefined) return unsupported(ctx, `operator ${operator}`, n)
  return { kind: 'ExprBinary', op, left, right: adaptExpr(ctx, n.right), pos }
}

function adaptCall(ctx: AdaptContext, n: Node, pos: number): SqlExpr {
  if (n.type === 'aggr_func') {
    const args = node(n.args)
    const argExpr = node(args.expr)
    const name = str(n.name).toLowerCase()
    const callArgs = argExpr.type === 'star' ? [{ kind: 'ExprStar' as const, pos }] : [adaptExpr(ctx, args.expr)]
    if (n.over !== null && n.over !== undefined) return unsupported(ctx, 'window functions', n)
    return { kind: 'ExprCall', name, args: callArgs, distinct: args.distinct === 'DISTINCT', pos }
  }
  const nameParts = list(node(n.name).name).map(identifier)
  const name = nameParts[nameParts.length - 1] ?? ''
  const args = list(node(n.args).value).map((arg) => adaptExpr(ctx, arg))
  return { kind: 'ExprCall', name, args, distinct: false, pos }
}

function adaptTypeName(value: unknown): SqlTypeName {
  const n = node(value)
  const name = str(n.dataType).toLowerCase()
  const suffix = list(n.suffix).map(str).join(' ').toLowerCase()
  // The parser reads int4/float8 as INT/FLOAT with a length and no parentheses.
  if ((name === 'int' || name === 'float') && typeof n.length === 'number' && n.parentheses !== true) {
    return { name: `${name}${n.length}`, args: [] }
  }
  const args: number[] = []
  if (typeof n.length === 'number') args.push(n.length)
  if (typeof n.scale === 'number') args.push(n.scale)
  return { name: suffix.startsWith('with time zone') ? `${name} with time zone` : name, args }
}

function adaptLiteral(ctx: AdaptContext, n: Node, pos: number): SqlExpr {
  switch (n.type) {
    // Exponent forms (2.592e+06, as Grafana's $__timeGroup writes) and integers past int64 come back as 'bigint'.
    case 'number': case 'bigint': return { kind: 'ExprNumber', text: str(n.value), pos }
    // node-sql-parser keeps a doubled quote ('it''s') doubled in the value; PostgreSQL's literal is it's.
    case 'single_quote_string': case 'string': return { kind: 'ExprString', value: str(n.value).replace(/''/g, "'"), pos }
    case 'bool': return { kind: 'ExprBool', value: n.value === true, pos }
    case 'null': return { kind: 'ExprNull', pos }
    case 'var': {
      const index = typeof n.name === 'number' ? n.name : Number.NaN
      if (n.prefix !== '$' || !Number.isInteger(index) || index < 1) return unsupported(ctx, 'this variable form', n)
      ctx.maxParam = Math.max(ctx.maxParam, index)
      return { kind: 'ExprParam', index, pos }
    }
    case 'interval': return { kind: 'ExprInterval', text: `${str(node(n.expr).value)} ${str(n.unit)}`.trim(), pos }
    default: return unsupported(ctx, `expression ${str(n.type)}`, n)
  }
}

function adaptExpr(ctx: AdaptContext, value: unknown): SqlExpr {
  const n = node(value)
  switch (n.type) {
    case 'column_ref': {
      if (n.column === '*') return { kind: 'ExprStar', pos: posOf(ctx, n, '*') }
      const name = identifier(n.column)
      const table = typeof n.table === 'string' ? n.table.toLowerCase() : null
      return { kind: 'ExprColumn', name, table, pos: posOf(ctx, n, name) }
    }
    case 'binary_expr': return adaptBinary(ctx, n, posOf(ctx, n))
    case 'unary_expr': {
      const op = str(n.operator).toUpperCase() === 'NOT' ? 'not' : str(n.operator) === '-' ? '-' : null
      if (op === null) return unsupported(ctx, `operator ${str(n.operator)}`, n)
      return { kind: 'ExprUnary', op, expr: adaptExpr(ctx, n.expr), pos: posOf(ctx, n) }
    }
    case 'function': case 'aggr_func': {
      const name = n.type === 'aggr_func' ? str(n.name) : identifier(list(node(n.name).name)[0])
      return adaptCall(ctx, n, posOf(ctx, n, name))
    }
    case 'cast': {
      const target = list(n.target)[0]
      return { kind: 'ExprCast', expr: adaptExpr(ctx, n.expr), type: adaptTypeName(target), pos: posOf(ctx, n) }
    }
    default: return adaptLiteral(ctx, n, posOf(ctx, n))
  }
}

function adaptCreate(ctx: AdaptContext, n: Node): SqlCreateTable {
  if (n.keyword !== 'table') return unsupported(ctx, `CREATE ${str(n.keyword).toUpperCase()}`, n)
  if (n.query_expr !== null && n.query_expr !== undefined) return unsupported(ctx, 'CREATE TABLE AS', n)
  const columns: SqlColumnDef[] = []
  for (const item of list(n.create_definitions)) {
    const def = node(item)
    if (def.resource !== 'column') return unsupported(ctx, 'table constraints', def)
    const name = identifier(node(def.column).column)
    const notNull = node(def.nullable).type === 'not null'
    columns.push({ name, type: adaptTypeName(def.definition), notNull, pos: posOf(ctx, def, name) })
  }
  const table = node(list(n.table)[0])
  return { kind: 'SqlCreateTable', name: tableIdentifier(ctx, str(table.table)), ifNotExists: n.if_not_exists !== null && n.if_not_exists !== undefined, columns }
}

function adaptInsert(ctx: AdaptContext, n: Node): SqlInsert {
  const values = node(n.values)
  if (values.type !== 'values') return unsupported(ctx, 'INSERT without VALUES', n)
  if (n.conflict !== null && n.conflict !== undefined) return unsupported(ctx, 'ON CONFLICT', n)
  if (n.returning !== null && n.returning !== undefined) return unsupported(ctx, 'RETURNING', n)
  const rows = list(values.values).map((row) => list(node(row).value).map((item) => adaptExpr(ctx, item)))
  const columns = Array.isArray(n.columns)
    ? n.columns.map((column: unknown) => {
        const name = identifier(column)
        return { name, pos: ctx.offset + (locateWord(ctx.text, name) ?? 0) }
      })
    : null
  const table = tableIdentifier(ctx, str(node(list(n.table)[0]).table))
  return { kind: 'SqlInsert', table, tablePos: ctx.offset + (locateWord(ctx.text, table) ?? 0), columns, rows }
}

function adaptFrom(ctx: AdaptContext, n: Node): SqlSelect['from'] {
  const from = list(n.from)
  if (from.length === 0) return null
  if (from.length > 1) return unsupported(ctx, 'more than one table in FROM', n)
  const item = node(from[0])
  if (typeof item.table !== 'string' || item.join !== undefined || item.expr !== undefined) {
    return unsupported(ctx, 'this FROM item', n)
  }
  const schema = typeof item.db === 'string' ? item.db : typeof item.schema === 'string' ? item.schema : null
  if (schema !== null && schema.toLowerCase() !== 'public') return unsupported(ctx, `schema ${schema}`, n)
  const table = tableIdentifier(ctx, item.table)
  const alias = typeof item.as === 'string' ? item.as.toLowerCase() : null
  return { table, alias, pos: ctx.offset + (locateWord(ctx.text, item.table) ?? 0) }
}

function adaptSelect(ctx: AdaptContext, n: Node): SqlSelect {
  for (const key of ['with', 'having', 'window'] as const) {
    if (n[key] !== null && n[key] !== undefined) return unsupported(ctx, key.toUpperCase(), n)
  }
  if (node(n.distinct).type !== null && node(n.distinct).type !== undefined) return unsupported(ctx, 'DISTINCT', n)
  if (n._next !== undefined && n._next !== null) return unsupported(ctx, 'UNION', n)
  const items = list(n.columns).map((item) => {
    const column = node(item)
    return { expr: adaptExpr(ctx, column.expr), alias: typeof column.as === 'string' ? column.as : null }
  })
  const groupBy = list(node(n.groupby).columns).map((item) => adaptExpr(ctx, item))
  const orderBy = list(n.orderby).map((item) => {
    const order = node(item)
    const nulls = str(order.nulls).toUpperCase()
    const nullsFirst = nulls === 'NULLS FIRST' ? true : nulls === 'NULLS LAST' ? false : null
    return { expr: adaptExpr(ctx, order.expr), descending: str(order.type).toUpperCase() === 'DESC', nullsFirst }
  })
  const limit = node(n.limit)
  const limits = list(limit.value).map((item) => adaptExpr(ctx, item))
  const isOffsetOnly = limit.seperator === 'offset' && limits.length === 1
  return {
    kind: 'SqlSelect', items, from: adaptFrom(ctx, n), where: n.where === null || n.where === undefined ? null : adaptExpr(ctx, n.where),
    groupBy, orderBy, limit: isOffsetOnly ? null : limits[0] ?? null, offset: isOffsetOnly ? limits[0] ?? null : limits[1] ?? null,
  }
}

const INSERT_COLUMNS = /^(\s*INSERT\s+INTO\s+(?:"[^"]+"|[A-Za-z_][\w.]*)\s*)\(([^()]*)\)/i

/**
 * node-sql-parser rejects an INSERT whose column and value counts differ, without a location. We parse it again
 * without the column list so the binder can raise PostgreSQL's own 42601 messages with their positions.
 */
function astify(ctx: AdaptContext): { readonly raw: unknown; readonly insertColumns: unknown[] | null } {
  try {
    return { raw: PARSER.astify(ctx.text, OPTIONS), insertColumns: null }
  } catch (error) {
    const match = INSERT_COLUMNS.exec(ctx.text)
    if (!/column count doesn't match value count/.test(String(node(error).message)) || match === null) throw toSyntaxError(ctx, error)
    const blanks = ' '.repeat((match[2] ?? '').length + 2)
    const retried = tryAstify(`${match[1] ?? ''}${blanks}${ctx.text.slice(match[0].length)}`)
    if (retried === undefined) throw toSyntaxError(ctx, error)
    const insertColumns = (match[2] ?? '').split(',').map((name) => {
      const trimmed = name.trim()
      return trimmed.startsWith('"') ? { type: 'double_quote_string', value: trimmed.slice(1, -1) } : trimmed
    })
    return { raw: retried, insertColumns }
  }
}

function tryAstify(text: string): unknown {
  try {
    return PARSER.astify(text, OPTIONS)
  } catch {
    return undefined
  }
}

/** Parses one statement's text (no top-level semicolon) with node-sql-parser and narrows it into our AST. */
export function adaptStatement(text: string, offset: number): { readonly ast: SqlStatement; readonly paramCount: number } {
  const ctx: AdaptContext = { text, offset, maxParam: 0 }
  const { raw, insertColumns } = astify(ctx)
  const statements = Array.isArray(raw) ? raw : [raw]
  if (statements.length !== 1) throw syntaxError('syntax error at or near ";"', offset + 1)
  const n = node(statements[0])
  let ast: SqlStatement
  switch (n.type) {
    case 'select': ast = adaptSelect(ctx, n); break
    case 'insert': ast = adaptInsert(ctx, insertColumns === null ? n : { ...n, columns: insertColumns }); break
    case 'create': ast = adaptCreate(ctx, n); break
    default: return unsupported(ctx, `statement ${str(n.type).toUpperCase()}`, n)
  }
  return { ast, paramCount: ctx.maxParam }
}
