// sql/parse/adapt-view: CREATE [OR REPLACE] VIEW (ViewStmt) → SqlCreateView. The catalog keeps the view's query as
// written, so the adapter cuts it out of the statement text: PostgreSQL's scanner (libpg-query's scanSync) finds the
// AS that follows the name, column list and options, and the query runs from the next token to the statement's
// end (a `;` at parenthesis depth 0, or the end of the text). TEMPORARY and RECURSIVE views, WITH (options) and
// WITH CHECK OPTION are 0A000; a view's query may not use $n parameters (42P02, as PostgreSQL).
import { scanSync } from 'libpg-query'
import { dbError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { SqlCreateView } from './ast.js'
import { type AdaptContext, type Node, bool, list, loc, nodeField, str, unsupported, wrapped } from './adapt-node.js'
import { tableName } from './adapt-table.js'

interface Token { readonly start: number; readonly end: number; readonly text: string }

/** The query text after the view's AS, from `viewPos` (the name's character position) to the statement's end. */
function queryTextOf(ctx: AdaptContext, viewPos: number): string | null {
  const tokens = (scanSync(ctx.text) as { tokens: ReadonlyArray<Token> }).tokens
  const at = (token: Token): number => ctx.offsets.toChar(token.start)
  let depth = 0
  let sawAs = false
  let start = -1
  for (const token of tokens) {
    if (at(token) <= viewPos) continue
    if (start < 0 && sawAs) start = at(token)
    if (token.text === '(') depth += 1
    else if (token.text === ')') depth -= 1
    else if (depth === 0 && start < 0 && token.text.toLowerCase() === 'as') sawAs = true
    else if (depth === 0 && start >= 0 && token.text === ';') return ctx.text.slice(start, at(token)).trim()
  }
  return start >= 0 ? ctx.text.slice(start).trim() : null
}

export function adaptCreateView(ctx: AdaptContext, node: Node): SqlCreateView {
  const relation = nodeField(node, 'view') ?? {}
  const { name, pos } = tableName(ctx, relation)
  if (str(relation, 'relpersistence') === 't') return unsupported('CREATE TEMPORARY VIEW', ctx.statementPos)
  if (list(node, 'options').length > 0) return unsupported('CREATE VIEW … WITH (options)', ctx.statementPos)
  if (str(node, 'withCheckOption') !== 'NO_CHECK_OPTION' && str(node, 'withCheckOption') !== '') return unsupported('WITH CHECK OPTION', ctx.statementPos)
  if (/^\s*create\s+(or\s+replace\s+)?recursive\b/i.test(ctx.text.slice(ctx.statementPos))) return unsupported('CREATE RECURSIVE VIEW', ctx.statementPos)
  const select = nodeField(node, 'query') ?? {}
  const query = ctx.adaptQuery(ctx, wrapped(select, 'SelectStmt') ?? select, loc(ctx, relation, ctx.statementPos))
  if (ctx.maxParam > 0) throw dbError(SqlState.undefinedParameter, `there is no parameter $${ctx.maxParam}`)
  const queryText = queryTextOf(ctx, pos)
  if (queryText === null) return unsupported('this CREATE VIEW text', ctx.statementPos)
  const aliases = list(node, 'aliases').map((item) => str(wrapped(item, 'String') ?? {}, 'sval'))
  return { kind: 'SqlCreateView', name, pos, columnNames: aliases.length === 0 ? null : aliases, query, queryText, orReplace: bool(node, 'replace') }
}
