// sql/parse/adapt-query: PostgreSQL's SelectStmt (with WITH, set operations, VALUES, ORDER BY, LIMIT) and its FROM
// items → SqlQuery. SelectStmt has no location of its own: its position is given by the caller (statement start,
// subquery's parenthesis) or taken from the first located node inside.
import type { SqlCommonTable, SqlExpr, SqlFromItem, SqlQuery, SqlSelectCore, SqlSelectItem, SqlValues } from './ast.js'
import { adaptWindowDef } from './adapt-call.js'
import { adaptGroupClause } from './adapt-grouping.js'
import { adaptExpr, adaptExprList, adaptSortBy } from './adapt-expr.js'
import { type AdaptContext, type Node, SUBQUERY_NESTING_WEIGHT, bool, enterNesting, firstPos, isNode, list, loc, nodeField, str, stringList, unsupported, unwrap, wrapped } from './adapt-node.js'

/** A SelectStmt as it appears: wrapped ({ SelectStmt: … }) in most places, bare as larg/rarg of a set operation. */
function selectOf(value: unknown): Node | null {
  return wrapped(value, 'SelectStmt') ?? (isNode(value) && 'op' in value ? value : null)
}

function alias(node: Node): { alias: string | null; columnAliases: ReadonlyArray<string> | null } {
  const found = nodeField(node, 'alias')
  if (found === null) return { alias: null, columnAliases: null }
  const colnames = found.colnames === undefined ? null : stringList(list(found, 'colnames'))
  return { alias: str(found, 'aliasname'), columnAliases: colnames }
}

function rangeVar(ctx: AdaptContext, node: Node): SqlFromItem {
  const pos = loc(ctx, node, ctx.statementPos)
  if (str(node, 'catalogname') !== '') return unsupported('a cross-database reference', pos)
  const schema = str(node, 'schemaname')
  return { kind: 'FromTable', schema: schema === '' ? null : schema, name: str(node, 'relname'), ...alias(node), pos }
}

function rangeSubselect(ctx: AdaptContext, node: Node): SqlFromItem {
  const select = wrapped(node.subquery, 'SelectStmt')
  const pos = firstPos(ctx, node.subquery, ctx.statementPos)
  if (select === null) return unsupported('this subquery in FROM', pos)
  enterNesting(ctx, SUBQUERY_NESTING_WEIGHT)
  const query = adaptQuery(ctx, select, pos)
  ctx.depth -= SUBQUERY_NESTING_WEIGHT
  return { kind: 'FromSubquery', query, ...alias(node), lateral: bool(node, 'lateral'), pos }
}

function rangeFunction(ctx: AdaptContext, node: Node): SqlFromItem {
  const pos = firstPos(ctx, node.functions, ctx.statementPos)
  if (list(node, 'coldeflist').length > 0) return unsupported('a column definition list', pos)
  const functions = list(node, 'functions')
  const calls = functions.map((item) => {
    const pair = wrapped(item, 'List')
    const [call, columnDefs] = pair === null ? [] : list(pair, 'items')
    if (isNode(columnDefs) && Object.keys(columnDefs).length > 0) return unsupported('a column definition list', pos)
    const expr = adaptExpr(ctx, call)
    return expr.kind === 'ExprCall' ? expr : unsupported('this function in FROM', expr.pos)
  })
  const rowsFrom = bool(node, 'is_rowsfrom')
  const first = calls[0]
  if (first === undefined || (!rowsFrom && calls.length !== 1)) return unsupported('this function in FROM', pos)
  return {
    kind: 'FromFunction', call: first, ...alias(node), lateral: bool(node, 'lateral'), pos: first.pos,
    ...(rowsFrom ? { rowsFrom: calls } : {}), ...(bool(node, 'ordinality') ? { ordinality: true } : {}),
  }
}

const JOIN_TYPES: Readonly<Record<string, 'inner' | 'left' | 'right' | 'full'>> = {
  JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full',
}

function joinExpr(ctx: AdaptContext, node: Node): SqlFromItem {
  const left = adaptFromItem(ctx, node.larg)
  const right = adaptFromItem(ctx, node.rarg)
  const type = JOIN_TYPES[str(node, 'jointype')]
  if (type === undefined) return unsupported(`join type ${str(node, 'jointype')}`, right.pos)
  if (nodeField(node, 'alias') !== null || nodeField(node, 'join_using_alias') !== null) return unsupported('an alias on a join', right.pos)
  const on = node.quals === undefined ? null : adaptExpr(ctx, node.quals)
  const using = node.usingClause === undefined ? null : stringList(list(node, 'usingClause'))
  const natural = bool(node, 'isNatural')
  const isCross = type === 'inner' && on === null && using === null && !natural
  return { kind: 'FromJoin', type: isCross ? 'cross' : type, left, right, on, using, natural, pos: left.pos }
}

export function adaptFromItem(ctx: AdaptContext, value: unknown): SqlFromItem {
  const found = unwrap(value)
  if (found === null) return unsupported('this FROM item', ctx.statementPos)
  switch (found.type) {
    case 'RangeVar': return rangeVar(ctx, found.node)
    case 'RangeSubselect': return rangeSubselect(ctx, found.node)
    case 'RangeFunction': return rangeFunction(ctx, found.node)
    case 'JoinExpr': return joinExpr(ctx, found.node)
    default: return unsupported(`FROM item ${found.type}`, firstPos(ctx, found.node, ctx.statementPos))
  }
}

function distinct(ctx: AdaptContext, select: Node): SqlSelectCore['distinct'] {
  if (select.distinctClause === undefined) return null
  const items = list(select, 'distinctClause')
  // Plain DISTINCT is a list holding one empty node; DISTINCT ON (e, …) lists the expressions.
  const isPlain = items.length === 0 || (items.length === 1 && isNode(items[0]) && Object.keys(items[0]).length === 0)
  return { on: isPlain ? [] : adaptExprList(ctx, items) }
}

/** A select list (or RETURNING's): ResTargets with their aliases. */
export function selectItems(ctx: AdaptContext, targets: ReadonlyArray<unknown>, pos: number): SqlSelectItem[] {
  return targets.map((value) => {
    const target = wrapped(value, 'ResTarget')
    if (target === null) return unsupported('this select list item', pos)
    const expr = adaptExpr(ctx, target.val)
    const name = str(target, 'name')
    return { expr, alias: name === '' ? null : name, pos: loc(ctx, target, expr.pos) }
  })
}

function selectCore(ctx: AdaptContext, select: Node, pos: number): SqlSelectCore {
  if (bool(select, 'groupDistinct')) return unsupported('GROUP BY DISTINCT', pos)
  if (nodeField(select, 'intoClause') !== null) return unsupported('SELECT INTO', pos)
  const items = selectItems(ctx, list(select, 'targetList'), pos)
  const windows = list(select, 'windowClause').map((value) => {
    const def = wrapped(value, 'WindowDef')
    if (def === null) return unsupported('this WINDOW clause', pos)
    return { name: str(def, 'name'), spec: adaptWindowDef(ctx, def, false, { adaptExpr, adaptSortBy }) }
  })
  return {
    kind: 'SqlSelectCore',
    distinct: distinct(ctx, select),
    items,
    from: list(select, 'fromClause').map((value) => adaptFromItem(ctx, value)),
    where: select.whereClause === undefined ? null : adaptExpr(ctx, select.whereClause),
    ...adaptGroupClause(ctx, list(select, 'groupClause')),
    having: select.havingClause === undefined ? null : adaptExpr(ctx, select.havingClause),
    windows,
    pos,
  }
}

function values(ctx: AdaptContext, select: Node, pos: number): SqlValues {
  const rows = list(select, 'valuesLists').map((value) => {
    const row = wrapped(value, 'List')
    if (row === null) return unsupported('this VALUES row', pos)
    return adaptExprList(ctx, list(row, 'items'))
  })
  return { kind: 'SqlValues', rows, pos }
}

function commonTables(ctx: AdaptContext, select: Node): SqlCommonTable[] {
  const withClause = nodeField(select, 'withClause')
  if (withClause === null) return []
  const recursive = bool(withClause, 'recursive')
  return list(withClause, 'ctes').map((value) => {
    const cte = wrapped(value, 'CommonTableExpr')
    const pos = cte === null ? ctx.statementPos : loc(ctx, cte, ctx.statementPos)
    const query = cte === null ? null : wrapped(cte.ctequery, 'SelectStmt')
    if (cte === null || query === null) return unsupported('a data-modifying statement in WITH', pos)
    const columns = cte.aliascolnames === undefined ? null : stringList(list(cte, 'aliascolnames'))
    if (cte.search_clause !== undefined || cte.cycle_clause !== undefined) return unsupported('SEARCH/CYCLE in WITH RECURSIVE', pos)
    return { name: str(cte, 'ctename'), columns, query: adaptQuery(ctx, query, firstPos(ctx, query, pos)), recursive, pos }
  })
}

function body(ctx: AdaptContext, select: Node, pos: number): SqlQuery['body'] {
  const op = str(select, 'op')
  if (op === 'SETOP_NONE' || op === '') return select.valuesLists !== undefined ? values(ctx, select, pos) : selectCore(ctx, select, pos)
  const larg = selectOf(select.larg)
  const rarg = selectOf(select.rarg)
  const setOp = op === 'SETOP_UNION' ? 'union' : op === 'SETOP_INTERSECT' ? 'intersect' : op === 'SETOP_EXCEPT' ? 'except' : null
  if (larg === null || rarg === null || setOp === null) return unsupported(`set operation ${op}`, pos)
  const left = adaptQuery(ctx, larg, firstPos(ctx, larg, pos))
  const right = adaptQuery(ctx, rarg, firstPos(ctx, rarg, pos))
  return { kind: 'SqlSetOperation', op: setOp, all: bool(select, 'all'), left, right, pos: left.pos }
}

/** LIMIT ALL and LIMIT NULL arrive as a null constant: both mean no limit. */
function limitCount(ctx: AdaptContext, select: Node): SqlExpr | null {
  const count = wrapped(select.limitCount, 'A_Const')
  if (select.limitCount === undefined || (count !== null && bool(count, 'isnull'))) return null
  return adaptExpr(ctx, select.limitCount)
}

/** A query level (set-operation arm) costs about as much stack as this many nested expressions. */
const QUERY_NESTING_WEIGHT = 2

/** A SelectStmt node (unwrapped) → SqlQuery, `pos` being where the query starts. */
export function adaptQuery(ctx: AdaptContext, select: Node, pos: number): SqlQuery {
  if (list(select, 'lockingClause').length > 0) return unsupported('FOR UPDATE/SHARE', pos)
  if (str(select, 'limitOption') === 'LIMIT_OPTION_WITH_TIES') return unsupported('FETCH FIRST … WITH TIES', pos)
  enterNesting(ctx, QUERY_NESTING_WEIGHT)
  const commonTableList = commonTables(ctx, select)
  const query: SqlQuery = {
    kind: 'SqlQuery',
    with: commonTableList,
    body: body(ctx, select, pos),
    orderBy: list(select, 'sortClause').map((value) => adaptSortBy(ctx, value)),
    limit: limitCount(ctx, select),
    offset: select.limitOffset === undefined ? null : adaptExpr(ctx, select.limitOffset),
    pos,
  }
  ctx.depth -= QUERY_NESTING_WEIGHT
  return query
}
