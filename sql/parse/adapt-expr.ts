// sql/parse/adapt-expr: PostgreSQL's expression parse nodes → SqlExpr. One handler per node type in EXPR_HANDLERS;
// a node type without one is refused with 0A000 at its position, never dropped. Operator-shaped nodes (A_Expr,
// BoolExpr, SubLink) live in adapt-operator.ts, calls and windows in adapt-call.ts.
import { programLimitExceeded, syntaxError } from '../../src/common/errors.js'
import { SQL_PARAMS_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlExpr, SqlOrderItem } from './ast.js'
import { adaptFuncCall } from './adapt-call.js'
import { type AdaptContext, type Node, bool, enterNesting, isNode, list, loc, nodeField, num, plainCall, str, stringList, unsupported, unwrap, wrapped } from './adapt-node.js'
import { adaptAExpr, adaptBoolExpr, adaptSubLink } from './adapt-operator.js'
import { adaptTypeName } from './adapt-type.js'

type ExprHandler = (ctx: AdaptContext, node: Node) => SqlExpr

function columnRef(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const fields = list(node, 'fields')
  const last = fields[fields.length - 1]
  if (wrapped(last, 'A_Star') !== null) {
    const qualifier = stringList(fields.slice(0, -1))
    if (qualifier === null || qualifier.length > 1) return unsupported('this qualified *', pos)
    return { kind: 'ExprStar', qualifier: qualifier[0] ?? null, pos }
  }
  const names = stringList(fields)
  if (names === null || names.length === 0) return unsupported('this column reference', pos)
  return { kind: 'ExprColumn', names, pos }
}

/**
 * A numeric constant, `written` as PostgreSQL keeps it (ival as a number, fval as text). The grammar folds a leading
 * minus into the constant (-1 is one A_Const at the '-', - -1 is +1 there); ast.ts wants literals unsigned, so a
 * negative value becomes ExprUnary '-' over the digits, which start at the first digit after the sign.
 */
function numberConstant(ctx: AdaptContext, written: string, pos: number): SqlExpr {
  if (!written.startsWith('-')) return { kind: 'ExprNumber', text: written, pos }
  let numberPos = pos + 1
  while (numberPos < ctx.text.length && !/[0-9.]/.test(ctx.text[numberPos] ?? '')) numberPos++
  return { kind: 'ExprUnary', op: '-', expr: { kind: 'ExprNumber', text: written.slice(1), pos: numberPos }, pos }
}

function constant(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  if (bool(node, 'isnull')) return { kind: 'ExprNull', pos }
  const ival = nodeField(node, 'ival')
  if (ival !== null) return numberConstant(ctx, String(num(ival, 'ival')), pos)
  const fval = nodeField(node, 'fval')
  if (fval !== null) return numberConstant(ctx, str(fval, 'fval'), pos)
  const sval = nodeField(node, 'sval')
  if (sval !== null) return { kind: 'ExprString', value: str(sval, 'sval'), pos }
  const boolval = nodeField(node, 'boolval')
  if (boolval !== null) return { kind: 'ExprBool', value: bool(boolval, 'boolval'), pos }
  if (nodeField(node, 'bsval') !== null) return unsupported('a bit-string literal', pos)
  return unsupported('this constant', pos)
}

function paramRef(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const index = num(node, 'number')
  if (index < 1) throw syntaxError(`there is no parameter $${index}`, pos + 1)
  if (index > SQL_PARAMS_MAX_COUNT) throw programLimitExceeded(`parameter $${index} is past the limit of ${SQL_PARAMS_MAX_COUNT} parameters`)
  ctx.maxParam = Math.max(ctx.maxParam, index)
  return { kind: 'ExprParam', index, pos }
}

function nullTest(ctx: AdaptContext, node: Node): SqlExpr {
  const expr = adaptExpr(ctx, node.arg)
  return { kind: 'ExprIsNull', expr, negated: str(node, 'nulltesttype') === 'IS_NOT_NULL', pos: loc(ctx, node, expr.pos) }
}

const BOOLEAN_TESTS: Readonly<Record<string, { test: 'true' | 'false' | 'unknown'; negated: boolean }>> = {
  IS_TRUE: { test: 'true', negated: false }, IS_NOT_TRUE: { test: 'true', negated: true },
  IS_FALSE: { test: 'false', negated: false }, IS_NOT_FALSE: { test: 'false', negated: true },
  IS_UNKNOWN: { test: 'unknown', negated: false }, IS_NOT_UNKNOWN: { test: 'unknown', negated: true },
}

function booleanTest(ctx: AdaptContext, node: Node): SqlExpr {
  const expr = adaptExpr(ctx, node.arg)
  const pos = loc(ctx, node, expr.pos)
  const shape = BOOLEAN_TESTS[str(node, 'booltesttype')]
  if (shape === undefined) return unsupported('this boolean test', pos)
  return { kind: 'ExprIsBool', expr, test: shape.test, negated: shape.negated, pos }
}

function typeCast(ctx: AdaptContext, node: Node): SqlExpr {
  const expr = adaptExpr(ctx, node.arg)
  const typeName = nodeField(node, 'typeName')
  const pos = loc(ctx, node, typeName === null ? expr.pos : loc(ctx, typeName, expr.pos))
  if (typeName === null) return unsupported('this cast', pos)
  return { kind: 'ExprCast', expr, type: adaptTypeName(ctx, typeName, pos), pos }
}

function caseExpr(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const whens = list(node, 'args').map((value) => {
    const when = wrapped(value, 'CaseWhen')
    if (when === null) return unsupported('this CASE branch', pos)
    return { when: adaptExpr(ctx, when.expr), then: adaptExpr(ctx, when.result) }
  })
  const operand = node.arg === undefined ? null : adaptExpr(ctx, node.arg)
  const otherwise = node.defresult === undefined ? null : adaptExpr(ctx, node.defresult)
  return { kind: 'ExprCase', operand, whens, else: otherwise, pos }
}

function coalesceExpr(ctx: AdaptContext, node: Node): SqlExpr {
  return plainCall('coalesce', adaptExprList(ctx, list(node, 'args')), loc(ctx, node, ctx.statementPos))
}

function minMaxExpr(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const op = str(node, 'op')
  if (op !== 'IS_GREATEST' && op !== 'IS_LEAST') return unsupported('this GREATEST/LEAST form', pos)
  return plainCall(op === 'IS_GREATEST' ? 'greatest' : 'least', adaptExprList(ctx, list(node, 'args')), pos)
}

/** The type a precision is applied to: CURRENT_TIMESTAMP(p) is timestamptz(p), LOCALTIME(p) time(p), CURRENT_TIME(p) timetz(p). */
const VALUE_FUNCTION_TYPES: Readonly<Record<string, string>> = {
  CURRENT_TIMESTAMP: 'timestamptz', LOCALTIMESTAMP: 'timestamp', LOCALTIME: 'time', CURRENT_TIME: 'timetz',
}

/**
 * CURRENT_TIMESTAMP and friends: zero-argument calls named after the keyword (ast.ts); with a precision, that call
 * cast to its type with the precision.
 */
function sqlValueFunction(ctx: AdaptContext, node: Node): SqlExpr {
  const pos = loc(ctx, node, ctx.statementPos)
  const op = str(node, 'op')
  if (!op.startsWith('SVFOP_')) return unsupported('this SQL value function', pos)
  const name = op.endsWith('_N') ? op.slice(6, -2) : op.slice(6)
  const call = plainCall(name.toLowerCase(), [], pos)
  if (!op.endsWith('_N')) return call
  const type = VALUE_FUNCTION_TYPES[name]
  if (type === undefined) return unsupported(`${name} with a precision`, pos)
  return { kind: 'ExprCast', expr: call, type: { name: type, args: [num(node, 'typmod')], isArray: false }, pos }
}

/** Collations that order text by bytes, as nodedb's text always does: COLLATE with them changes nothing. */
const BYTE_ORDER_COLLATIONS = new Set(['default', 'C', 'POSIX'])

function collateClause(ctx: AdaptContext, node: Node): SqlExpr {
  const expr = adaptExpr(ctx, node.arg)
  const pos = loc(ctx, node, expr.pos)
  const names = stringList(list(node, 'collname')) ?? []
  const name = names[names.length - 1] ?? ''
  const isCatalog = names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog')
  if (!isCatalog || !BYTE_ORDER_COLLATIONS.has(name)) return unsupported(`COLLATE "${names.join('.')}"`, pos)
  return expr
}

function arrayExpr(ctx: AdaptContext, node: Node): SqlExpr {
  return { kind: 'ExprArray', elements: adaptExprList(ctx, list(node, 'elements')), pos: loc(ctx, node, ctx.statementPos) }
}

function indirection(ctx: AdaptContext, node: Node): SqlExpr {
  const expr = adaptExpr(ctx, node.arg)
  const steps = list(node, 'indirection')
  const indices = wrapped(steps[0], 'A_Indices')
  if (indices === null) return unsupported('field selection', expr.pos)
  if (steps.length > 1) return unsupported('a multidimensional subscript', expr.pos)
  if (bool(indices, 'is_slice')) {
    const bound = (field: 'lidx' | 'uidx'): SqlExpr | null => (isNode(indices[field]) ? adaptExpr(ctx, indices[field]) : null)
    return { kind: 'ExprSlice', expr, lower: bound('lidx'), upper: bound('uidx'), pos: expr.pos }
  }
  return { kind: 'ExprSubscript', expr, index: adaptExpr(ctx, indices.uidx), pos: expr.pos }
}

/** Node types refused by name (clearer than the generic message); each is still 0A000 with its position. */
const REFUSED: Readonly<Record<string, string>> = {
  RowExpr: 'a ROW constructor', GroupingSet: 'GROUPING SETS/ROLLUP/CUBE in this place',
  SetToDefault: 'DEFAULT in this place', XmlExpr: 'XML', XmlSerialize: 'XML',
  MultiAssignRef: 'a multiple-column assignment', A_Star: '* in this place',
}

const EXPR_HANDLERS: Readonly<Record<string, ExprHandler>> = {
  ColumnRef: columnRef, A_Const: constant, ParamRef: paramRef,
  A_Expr: (ctx, node) => adaptAExpr(ctx, node, adaptExpr),
  BoolExpr: (ctx, node) => adaptBoolExpr(ctx, node, adaptExpr),
  SubLink: (ctx, node) => adaptSubLink(ctx, node, adaptExpr),
  FuncCall: (ctx, node) => adaptFuncCall(ctx, node, { adaptExpr, adaptSortBy }),
  NullTest: nullTest, BooleanTest: booleanTest, TypeCast: typeCast, CaseExpr: caseExpr, CoalesceExpr: coalesceExpr,
  MinMaxExpr: minMaxExpr, SQLValueFunction: sqlValueFunction, CollateClause: collateClause, A_ArrayExpr: arrayExpr,
  A_Indirection: indirection,
  GroupingFunc: (ctx, node) => ({ kind: 'ExprGrouping', args: adaptExprList(ctx, list(node, 'args')), pos: loc(ctx, node, ctx.statementPos) }),
}

/** Every expression node type the adapter translates (the tests pin this list). */
export const EXPR_NODE_TYPES: ReadonlyArray<string> = Object.keys(EXPR_HANDLERS)

/** One wrapped expression node (`{ ColumnRef: {…} }`) → SqlExpr; anything unknown is 0A000 at its position. */
export function adaptExpr(ctx: AdaptContext, value: unknown): SqlExpr {
  const found = unwrap(value)
  if (found === null) return unsupported('this expression', ctx.statementPos)
  const handler = Object.hasOwn(EXPR_HANDLERS, found.type) ? EXPR_HANDLERS[found.type] : undefined
  if (handler !== undefined) {
    enterNesting(ctx, 1)
    const expr = handler(ctx, found.node)
    ctx.depth--
    return expr
  }
  const pos = loc(ctx, found.node, ctx.statementPos)
  return unsupported(REFUSED[found.type] ?? `expression ${found.type}`, pos)
}

export function adaptExprList(ctx: AdaptContext, values: ReadonlyArray<unknown>): SqlExpr[] {
  return values.map((value) => adaptExpr(ctx, value))
}

/** A SortBy node (ORDER BY item). */
export function adaptSortBy(ctx: AdaptContext, value: unknown): SqlOrderItem {
  const sortBy = wrapped(value, 'SortBy')
  if (sortBy === null) return unsupported('this ORDER BY item', ctx.statementPos)
  const expr = adaptExpr(ctx, sortBy.node)
  const direction = str(sortBy, 'sortby_dir')
  if (direction === 'SORTBY_USING') return unsupported('ORDER BY USING', loc(ctx, sortBy, expr.pos))
  const nulls = str(sortBy, 'sortby_nulls')
  return {
    expr,
    descending: direction === 'SORTBY_DESC',
    nullsFirst: nulls === 'SORTBY_NULLS_FIRST' ? true : nulls === 'SORTBY_NULLS_LAST' ? false : null,
  }
}
