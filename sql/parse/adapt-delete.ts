// sql/parse/adapt-delete: PostgreSQL's DeleteStmt → SqlDelete. USING, RETURNING, WITH and WHERE CURRENT OF are
// refused by name (0A000), never ignored; ONLY changes nothing (nodedb has no inheritance).
import type { SqlDelete } from './ast.js'
import { adaptExpr } from './adapt-expr.js'
import { type AdaptContext, type Node, firstPos, list, nodeField, str, unsupported, unwrap } from './adapt-node.js'
import { tableName } from './adapt-table.js'

export function adaptDelete(ctx: AdaptContext, node: Node): SqlDelete {
  const relation = nodeField(node, 'relation') ?? {}
  const { name: table, pos: tablePos } = tableName(ctx, relation)
  if (nodeField(node, 'withClause') !== null) return unsupported('WITH on DELETE', ctx.statementPos)
  if (list(node, 'usingClause').length > 0) return unsupported('DELETE … USING', firstPos(ctx, node.usingClause, tablePos))
  if (nodeField(node, 'returningClause') !== null || list(node, 'returningList').length > 0) return unsupported('DELETE … RETURNING', tablePos)
  const aliasNode = nodeField(relation, 'alias')
  const alias = aliasNode === null ? null : str(aliasNode, 'aliasname')
  if (node.whereClause === undefined) return { kind: 'SqlDelete', table, tablePos, alias, where: null, wherePos: tablePos }
  const wherePos = firstPos(ctx, node.whereClause, tablePos)
  if (unwrap(node.whereClause)?.type === 'CurrentOfExpr') return unsupported('WHERE CURRENT OF', wherePos)
  return { kind: 'SqlDelete', table, tablePos, alias, where: adaptExpr(ctx, node.whereClause), wherePos }
}
