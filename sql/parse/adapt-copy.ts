// sql/parse/adapt-copy: CopyStmt → SqlCopy. libpg-query already turns the old option spellings (`WITH CSV HEADER`,
// `BINARY`, `FORCE NOT NULL a`) into DefElems named as the new ones, so only their values are narrowed here; what the
// options mean is checked in sql/exec/copy-options.ts, as PostgreSQL's ProcessCopyOptions does at execution.
// COPY to or from a server file or program is refused (0A000) with PostgreSQL's own hint: use psql's \copy.
import { DbError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { SqlCopy, SqlCopyOption, SqlCopyOptionValue } from './ast.js'
import { type AdaptContext, type Node, bool, firstPos, list, loc, nodeField, num, str, stringList, unsupported, unwrap, wrapped } from './adapt-node.js'
import { adaptQuery } from './adapt-query.js'
import { tableName } from './adapt-table.js'

function optionValue(def: Node, pos: number): SqlCopyOptionValue {
  if (def.arg === undefined) return { kind: 'none' }
  const found = unwrap(def.arg)
  switch (found?.type) {
    case 'String': return { kind: 'text', text: str(found.node, 'sval') }
    case 'Integer': return { kind: 'text', text: String(num(found.node, 'ival')) }
    case 'Float': return { kind: 'text', text: str(found.node, 'fval') }
    case 'Boolean': return { kind: 'text', text: found.node.boolval === true ? 'true' : 'false' }
    case 'A_Star': return { kind: 'star' }
    case 'List': {
      const items = stringList(list(found.node, 'items'))
      return items === null ? unsupported('this COPY option value', pos) : { kind: 'list', items }
    }
    default: return unsupported('this COPY option value', pos)
  }
}

function options(ctx: AdaptContext, node: Node): SqlCopyOption[] {
  return list(node, 'options').map((value) => {
    const def = wrapped(value, 'DefElem') ?? {}
    const pos = loc(ctx, def, ctx.statementPos)
    return { name: str(def, 'defname'), value: optionValue(def, pos), pos }
  })
}

/** PostgreSQL's hint for a server-side COPY file, with 0A000: nodedb never reads or writes files for a client. */
function refuseServerFile(ctx: AdaptContext, isFrom: boolean, isProgram: boolean): never {
  const what = `COPY ${isFrom ? 'from' : 'to'} a ${isProgram ? 'program' : 'file'}`
  const action = isFrom ? 'COPY FROM instructs the PostgreSQL server process to read a file'
    : 'COPY TO instructs the PostgreSQL server process to write a file'
  throw new DbError({
    severity: 'ERROR', code: SqlState.featureNotSupported, message: `${what} on the server is not supported`,
    hint: `${action}. You may want a client-side facility such as psql's \\copy.`, position: ctx.statementPos + 1,
  })
}

export function adaptCopy(ctx: AdaptContext, node: Node): SqlCopy {
  const isFrom = bool(node, 'is_from')
  if (bool(node, 'is_program') || str(node, 'filename') !== '') refuseServerFile(ctx, isFrom, bool(node, 'is_program'))
  if (node.whereClause !== undefined) return unsupported('COPY FROM … WHERE', firstPos(ctx, node.whereClause, ctx.statementPos))
  const relation = nodeField(node, 'relation')
  const table = relation === null ? null : tableName(ctx, relation)
  const columns = node.attlist === undefined ? null : list(node, 'attlist').map((value) => {
    return { name: str(wrapped(value, 'String') ?? {}, 'sval'), pos: table?.pos ?? ctx.statementPos }
  })
  let query: SqlCopy['query'] = null
  if (relation === null) {
    const select = wrapped(node.query, 'SelectStmt')
    if (select === null) return unsupported(`COPY (${unwrap(node.query)?.type ?? 'statement'}) TO`, ctx.statementPos)
    query = adaptQuery(ctx, select, firstPos(ctx, select, ctx.statementPos))
  }
  return { kind: 'SqlCopy', table, columns, query, isFrom, options: options(ctx, node) }
}
