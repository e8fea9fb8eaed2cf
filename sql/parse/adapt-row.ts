// sql/parse/adapt-row: comparisons between row constructors — `(a, b) < (x, y)`, `ROW(a) = ROW(1)`, `(a, b) IN ((1, 2),
// (3, 4))`, `(a, b) IS [NOT] DISTINCT FROM (x, y)` — expanded into the pairwise comparisons PostgreSQL defines them
// by: = is AND of pairs, <> is OR; < <= > >= compare left to right, the first unequal (or null) pair deciding
// (a1 < b1 OR (a1 = b1 AND (…))), which gives NULL exactly where PostgreSQL's row comparison does. A row anywhere
// else (SELECT (1, 2), a row against a subquery) stays refused.
import { syntaxError } from '../../src/common/errors.js'
import type { SqlExpr } from './ast.js'
import { type AdaptContext, type AdaptExpr, type Node, list, unsupported, wrapped } from './adapt-node.js'

const ORDERING = new Set(['<', '<=', '>', '>='])

/** The elements of a RowExpr, or null when `value` is not one. */
function rowItems(ctx: AdaptContext, value: unknown, adaptExpr: AdaptExpr): SqlExpr[] | null {
  const row = wrapped(value, 'RowExpr')
  return row === null ? null : list(row, 'args').map((item) => adaptExpr(ctx, item))
}

function binary(op: string, left: SqlExpr, right: SqlExpr, pos: number): SqlExpr {
  return { kind: 'ExprBinary', op, left, right, pos }
}

function pairs(left: SqlExpr[], right: SqlExpr[], pos: number): Array<[SqlExpr, SqlExpr]> {
  if (left.length !== right.length) throw syntaxError('unequal number of entries in row expressions', pos + 1)
  if (left.length === 0) return unsupported('a comparison of empty rows', pos)
  return left.map((item, i) => [item, right[i]!])
}

/** `left op right` over two rows of equal length. */
export function compareRows(op: string, left: SqlExpr[], right: SqlExpr[], pos: number): SqlExpr {
  const items = pairs(left, right, pos)
  if (op === '=' || op === '<>') {
    const joined = items.map(([a, b]) => binary(op, a, b, pos))
    return joined.reduce((acc, next) => binary(op === '=' ? 'and' : 'or', acc, next, pos))
  }
  if (!ORDERING.has(op)) return unsupported(`row comparison operator ${op}`, pos)
  const strict = op.startsWith('<') ? '<' : '>'
  // Built from the last pair outwards: last op (a_n <= b_n keeps its '='), then a_i strict b_i OR (a_i = b_i AND …).
  let expr = binary(op, items[items.length - 1]![0], items[items.length - 1]![1], pos)
  for (let i = items.length - 2; i >= 0; i--) {
    const [a, b] = items[i]!
    expr = binary('or', binary(strict, a, b, pos), binary('and', binary('=', a, b, pos), expr, pos), pos)
  }
  return expr
}

/** A_Expr kinds over row constructors: the expansion, or null when neither side is a row. */
export function adaptRowComparison(ctx: AdaptContext, node: Node, kind: string, op: string, pos: number, adaptExpr: AdaptExpr): SqlExpr | null {
  const left = rowItems(ctx, node.lexpr, adaptExpr)
  if (kind === 'AEXPR_IN') {
    if (left === null) return null
    const options = wrapped(node.rexpr, 'List')
    const rows = options === null ? null : list(options, 'items').map((item) => rowItems(ctx, item, adaptExpr))
    if (rows === null || rows.some((row) => row === null)) return unsupported('IN with a row on its left and a non-row on its right', pos)
    const negated = op === '<>'
    const each = rows.map((row) => compareRows(negated ? '<>' : '=', left, row!, pos))
    return each.reduce((acc, next) => binary(negated ? 'and' : 'or', acc, next, pos))
  }
  const right = rowItems(ctx, node.rexpr, adaptExpr)
  if (left === null && right === null) return null
  if (left === null || right === null) return unsupported('a comparison of a row with a non-row', pos)
  if (kind === 'AEXPR_OP') return compareRows(op, left, right, pos)
  if (kind === 'AEXPR_DISTINCT' || kind === 'AEXPR_NOT_DISTINCT') {
    const negated = kind === 'AEXPR_NOT_DISTINCT'
    const each = pairs(left, right, pos).map(([a, b]): SqlExpr => ({ kind: 'ExprIsDistinct', left: a, right: b, negated, pos }))
    return each.reduce((acc, next) => binary(negated ? 'and' : 'or', acc, next, pos))
  }
  return unsupported(`a row constructor in ${kind}`, pos)
}
