// sql/parse/adapt-session: statements that act on the session's own objects — PREPARE / EXECUTE (prepared
// statements), DECLARE / FETCH / MOVE (cursors) and SAVEPOINT / RELEASE / ROLLBACK TO. What cannot be done exactly
// (SCROLL cursors, backward fetches) is refused here with 0A000 naming it.
import type { SqlDeclareCursor, SqlExecute, SqlFetch, SqlPrepare, SqlSavepoint, SqlStatement } from './ast.js'
import { adaptExprList } from './adapt-expr.js'
import { type AdaptContext, type Node, list, num, str, unsupported, wrapped } from './adapt-node.js'
import { adaptTypeName } from './adapt-type.js'

/** DeclareCursorStmt.options bits (PostgreSQL's parsenodes.h CURSOR_OPT_*). */
const CURSOR_OPT_BINARY = 0x1
const CURSOR_OPT_SCROLL = 0x2
const CURSOR_OPT_HOLD = 0x20

/** libpg-query's FETCH ALL (PostgreSQL's FETCH_ALL, clamped to int32 in the JSON). */
const FETCH_ALL_COUNT = 2147483647

type AdaptStatement = (ctx: AdaptContext, value: unknown) => SqlStatement

/** PREPARE: the inner statement's $n are its own, so the PREPARE statement itself has no parameters. */
export function adaptPrepare(ctx: AdaptContext, node: Node, adaptStatement: AdaptStatement): SqlPrepare {
  const paramTypes = list(node, 'argtypes').map((value) => adaptTypeName(ctx, wrapped(value, 'TypeName') ?? {}, ctx.statementPos))
  const outerMax = ctx.maxParam
  ctx.maxParam = 0
  const ast = adaptStatement(ctx, node.query)
  const paramCount = ctx.maxParam
  ctx.maxParam = outerMax
  return { kind: 'SqlPrepare', name: str(node, 'name'), paramTypes, statement: { kind: 'ParsedStatement', ast, paramCount }, pos: ctx.statementPos }
}

/**
 * EXECUTE: PostgreSQL does not analyse a utility statement's parameters, so EXECUTE takes none from Bind (a Bind with
 * values is 08P01) and a $n among its arguments is 42P02 when they are bound.
 */
export function adaptExecute(ctx: AdaptContext, node: Node): SqlExecute {
  const outerMax = ctx.maxParam
  ctx.maxParam = 0
  const args = adaptExprList(ctx, list(node, 'params'))
  const argParamMax = ctx.maxParam
  ctx.maxParam = outerMax
  return { kind: 'SqlExecute', name: str(node, 'name'), args, argParamMax, pos: ctx.statementPos }
}

export function adaptDeclareCursor(ctx: AdaptContext, node: Node): SqlDeclareCursor {
  const options = num(node, 'options')
  if ((options & CURSOR_OPT_SCROLL) !== 0) return unsupported('DECLARE … SCROLL CURSOR (cursors only fetch forward)', ctx.statementPos)
  const select = wrapped(node.query, 'SelectStmt')
  if (select === null) return unsupported('DECLARE CURSOR for a statement other than SELECT or VALUES', ctx.statementPos)
  return {
    kind: 'SqlDeclareCursor', name: str(node, 'portalname'), isBinary: (options & CURSOR_OPT_BINARY) !== 0,
    isHold: (options & CURSOR_OPT_HOLD) !== 0, query: ctx.adaptQuery(ctx, select, ctx.statementPos),
  }
}

/** FETCH/MOVE forward only: NEXT, n, FORWARD n, ALL, FORWARD ALL. A count ≤ 0 and every other direction move backward or re-read rows. */
export function adaptFetch(ctx: AdaptContext, node: Node): SqlFetch {
  const isMove = node.ismove === true
  const verb = isMove ? 'MOVE' : 'FETCH'
  const count = num(node, 'howMany')
  if (str(node, 'direction') !== 'FETCH_FORWARD' || count <= 0) {
    return unsupported(`${verb} BACKWARD, PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE or a count ≤ 0 (cursors only fetch forward)`, ctx.statementPos)
  }
  return { kind: 'SqlFetch', cursor: str(node, 'portalname'), count: count >= FETCH_ALL_COUNT ? null : count, isMove }
}

const SAVEPOINT_ACTIONS: Readonly<Record<string, SqlSavepoint['action']>> = {
  TRANS_STMT_SAVEPOINT: 'savepoint', TRANS_STMT_RELEASE: 'release', TRANS_STMT_ROLLBACK_TO: 'rollbackTo',
}

/** A TransactionStmt of a savepoint kind, else null. */
export function adaptSavepoint(node: Node): SqlSavepoint | null {
  const action = SAVEPOINT_ACTIONS[str(node, 'kind')]
  return action === undefined ? null : { kind: 'SqlSavepoint', action, name: str(node, 'savepoint_name') }
}
