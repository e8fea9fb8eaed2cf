// sql/parse/adapt-operator: PostgreSQL's operator-shaped parse nodes (A_Expr in all its kinds, BoolExpr, SubLink)
// → SqlExpr. The expression adapter is passed in, so this module does not import adapt-expr.ts back.
import type { SqlExpr } from './ast.js'
import { adaptRowComparison } from './adapt-row.js'
import { type AdaptContext, type AdaptExpr, type Node, SUBQUERY_NESTING_WEIGHT, enterNesting, list, loc, plainCall, str, stringList, unsupported, wrapped } from './adapt-node.js'

const LIKE_OPERATORS: Readonly<Record<string, { caseInsensitive: boolean; negated: boolean }>> = {
  '~~': { caseInsensitive: false, negated: false }, '!~~': { caseInsensitive: false, negated: true },
  '~~*': { caseInsensitive: true, negated: false }, '!~~*': { caseInsensitive: true, negated: true },
}

/** The operator's name: the last part of `OPERATOR(pg_catalog.~)`, or the plain symbol. */
function operatorName(node: Node, field: string, pos: number): string {
  const names = stringList(list(node, field))
  const name = names === null ? undefined : names[names.length - 1]
  if (name === undefined) return unsupported('this operator', pos)
  return name
}

/** The two-element list of BETWEEN and the item list of IN. */
function rightList(ctx: AdaptContext, node: Node, adaptExpr: AdaptExpr): SqlExpr[] {
  const items = wrapped(node.rexpr, 'List')
  if (items === null) return [adaptExpr(ctx, node.rexpr)]
  return list(items, 'items').map((value) => adaptExpr(ctx, value))
}

/** LIKE/ILIKE; ESCAPE arrives as pattern = pg_catalog.like_escape(pattern, escape), unwrapped here. */
function like(ctx: AdaptContext, node: Node, op: string, pos: number, adaptExpr: AdaptExpr): SqlExpr {
  const shape = LIKE_OPERATORS[op]
  if (shape === undefined) return unsupported(`LIKE operator ${op}`, pos)
  const expr = adaptExpr(ctx, node.lexpr)
  const call = wrapped(node.rexpr, 'FuncCall')
  const callName = call === null ? null : stringList(list(call, 'funcname'))
  if (call !== null && callName !== null && callName.join('.') === 'pg_catalog.like_escape' && list(call, 'args').length === 2) {
    const [pattern, escape] = list(call, 'args').map((value) => adaptExpr(ctx, value))
    if (pattern !== undefined && escape !== undefined) return { kind: 'ExprLike', expr, pattern, escape, ...shape, pos }
  }
  return { kind: 'ExprLike', expr, pattern: adaptExpr(ctx, node.rexpr), escape: null, ...shape, pos }
}

function between(ctx: AdaptContext, node: Node, kind: string, pos: number, adaptExpr: AdaptExpr): SqlExpr {
  const expr = adaptExpr(ctx, node.lexpr)
  const [low, high, extra] = rightList(ctx, node, adaptExpr)
  if (low === undefined || high === undefined || extra !== undefined) return unsupported('this BETWEEN form', pos)
  return { kind: 'ExprBetween', expr, low, high, negated: kind.startsWith('AEXPR_NOT_'), symmetric: kind.endsWith('_SYM'), pos }
}

/** A plain operator: binary or prefix. Operators spelled like LIKE ('~~') become ExprLike. */
function operator(ctx: AdaptContext, node: Node, op: string, pos: number, adaptExpr: AdaptExpr): SqlExpr {
  if (node.lexpr === undefined) return { kind: 'ExprUnary', op, expr: adaptExpr(ctx, node.rexpr), pos }
  if (LIKE_OPERATORS[op] !== undefined) return like(ctx, node, op, pos, adaptExpr)
  return { kind: 'ExprBinary', op, left: adaptExpr(ctx, node.lexpr), right: adaptExpr(ctx, node.rexpr), pos }
}

export function adaptAExpr(ctx: AdaptContext, node: Node, adaptExpr: AdaptExpr): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const kind = str(node, 'kind')
  const op = operatorName(node, 'name', pos)
  const row = adaptRowComparison(ctx, node, kind, op, pos, adaptExpr)
  if (row !== null) return row
  switch (kind) {
    case 'AEXPR_OP': return operator(ctx, node, op, pos, adaptExpr)
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL': {
      const quantifier = kind === 'AEXPR_OP_ANY' ? 'any' : 'all'
      return { kind: 'ExprQuantified', op, expr: adaptExpr(ctx, node.lexpr), quantifier, query: null, array: adaptExpr(ctx, node.rexpr), pos }
    }
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return { kind: 'ExprIsDistinct', left: adaptExpr(ctx, node.lexpr), right: adaptExpr(ctx, node.rexpr), negated: kind === 'AEXPR_NOT_DISTINCT', pos }
    case 'AEXPR_NULLIF': return plainCall('nullif', [adaptExpr(ctx, node.lexpr), adaptExpr(ctx, node.rexpr)], pos)
    case 'AEXPR_IN':
      return { kind: 'ExprIn', expr: adaptExpr(ctx, node.lexpr), list: rightList(ctx, node, adaptExpr), negated: op === '<>', pos }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE': return like(ctx, node, op, pos, adaptExpr)
    // x SIMILAR TO p [ESCAPE e] arrives as x ~ pg_catalog.similar_to_escape(p[, e]) (or !~ for NOT SIMILAR TO).
    case 'AEXPR_SIMILAR': return operator(ctx, node, op, pos, adaptExpr)
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': return between(ctx, node, kind, pos, adaptExpr)
    default: return unsupported(`operator expression ${kind}`, pos)
  }
}

/** AND/OR are n-ary in PostgreSQL's tree: folded left into binary 'and'/'or'. NOT of an IN subquery folds into it. */
export function adaptBoolExpr(ctx: AdaptContext, node: Node, adaptExpr: AdaptExpr): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const args = list(node, 'args').map((value) => adaptExpr(ctx, value))
  const boolop = str(node, 'boolop')
  if (boolop === 'NOT_EXPR') {
    const [expr] = args
    if (expr === undefined || args.length !== 1) return unsupported('this NOT form', pos)
    if (expr.kind === 'ExprInSubquery' && !expr.negated) return { ...expr, negated: true, pos }
    return { kind: 'ExprUnary', op: 'not', expr, pos }
  }
  if (boolop !== 'AND_EXPR' && boolop !== 'OR_EXPR') return unsupported(`boolean operator ${boolop}`, pos)
  const [first, ...rest] = args
  if (first === undefined || rest.length === 0) return unsupported('this AND/OR form', pos)
  const op = boolop === 'AND_EXPR' ? 'and' : 'or'
  return rest.reduce<SqlExpr>((left, right) => ({ kind: 'ExprBinary', op, left, right, pos }), first)
}

export function adaptSubLink(ctx: AdaptContext, node: Node, adaptExpr: AdaptExpr): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const select = wrapped(node.subselect, 'SelectStmt')
  if (select === null) return unsupported('this subquery', pos)
  const type = str(node, 'subLinkType')
  enterNesting(ctx, SUBQUERY_NESTING_WEIGHT)
  const query = ctx.adaptQuery(ctx, select, pos)
  ctx.depth -= SUBQUERY_NESTING_WEIGHT
  switch (type) {
    case 'EXISTS_SUBLINK': return { kind: 'ExprExists', query, pos }
    case 'EXPR_SUBLINK': return { kind: 'ExprSubquery', query, pos }
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      // x IN (SELECT …) has no operName; x = ANY (SELECT …) is the same thing.
      const op = list(node, 'operName').length === 0 ? '=' : operatorName(node, 'operName', pos)
      const row = wrapped(node.testexpr, 'RowExpr')
      if (row !== null) {
        // (a, b) IN (SELECT …) and its negation (a, b) <> ALL (SELECT …), as NOT IN is parsed.
        const items = list(row, 'args').map((item) => adaptExpr(ctx, item))
        const isIn = type === 'ANY_SUBLINK' && op === '='
        if (!isIn && !(type === 'ALL_SUBLINK' && op === '<>')) return unsupported(`a row compared with a subquery by ${op} ${type === 'ANY_SUBLINK' ? 'ANY' : 'ALL'}`, pos)
        return { kind: 'ExprInSubquery', expr: items[0]!, row: items, query, negated: !isIn, pos }
      }
      const expr = adaptExpr(ctx, node.testexpr)
      if (type === 'ANY_SUBLINK' && op === '=') return { kind: 'ExprInSubquery', expr, query, negated: false, pos }
      return { kind: 'ExprQuantified', op, expr, quantifier: type === 'ANY_SUBLINK' ? 'any' : 'all', query, array: null, pos }
    }
    case 'ARRAY_SUBLINK': return { kind: 'ExprSubquery', query, pos, asArray: true }
    default: return unsupported(`subquery kind ${type}`, pos)
  }
}
