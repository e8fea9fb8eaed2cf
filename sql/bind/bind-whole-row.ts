// sql/bind/bind-whole-row: whole-row references as the JSON functions take them — row_to_json(t), to_json(t),
// to_jsonb(t), json_agg(t), jsonb_agg(t), and `t.*` in their place — where `t` names a FROM item of this query level
// and no column. The call is rewritten before binding into nodedb_record_to_json[b]('col', t.col, …) over the item's
// visible columns in order, which prints what PostgreSQL's composite_to_json prints. A whole-row reference anywhere
// else (SELECT t, an outer query's row, row_to_json's pretty flag) stays refused or unresolved as before.
import { featureNotSupported } from '../../src/common/errors.js'
import type { SqlCallExpr, SqlExpr } from '../parse/ast.js'
import { RECORD_JSON_AGG, RECORD_TO_JSON, RECORD_TO_JSONB } from '../functions/json-functions.js'
import type { Scope } from './scope.js'

/** The function each call's row argument turns into, and whether the call stays around it (the aggregates). */
const ROW_CALLS: Readonly<Record<string, { readonly record: string; readonly aggregate: string | null }>> = {
  row_to_json: { record: RECORD_TO_JSON, aggregate: null },
  to_json: { record: RECORD_TO_JSON, aggregate: null },
  to_jsonb: { record: RECORD_TO_JSONB, aggregate: null },
  json_agg: { record: RECORD_TO_JSON, aggregate: RECORD_JSON_AGG },
  jsonb_agg: { record: RECORD_TO_JSONB, aggregate: 'jsonb_agg' },
}

/** The FROM item a lone argument names as a whole row (`t` that is no column, or `t.*`), else null. */
function rowQualifier(scope: Scope, arg: SqlExpr): string | null {
  if (arg.kind === 'ExprStar') return arg.qualifier
  if (arg.kind !== 'ExprColumn' || arg.names.length !== 1) return null
  const name = arg.names[0]!
  if (scope.columns.some((column) => column.name === name && column.hidden !== true)) return null
  return scope.hasQualifier(name) ? name : null
}

/** `call` with a whole-row argument rewritten (see the header), or the call itself when it has none. */
export function rewriteWholeRow(scope: Scope, call: SqlCallExpr): SqlExpr {
  const target = ROW_CALLS[call.name]
  if (target === undefined || call.args.length === 0 || (call.schema !== null && call.schema !== 'pg_catalog')) return call
  const qualifier = rowQualifier(scope, call.args[0]!)
  if (qualifier === null) return call
  if (call.args.length > 1) throw featureNotSupported(`${call.name} of a whole row with more than one argument`, call.pos + 1)
  const pos = call.args[0]!.pos
  const columns = scope.columns.filter((column) => column.qualifier === qualifier && column.hidden !== true && column.system !== true)
  const args = columns.flatMap((column): SqlExpr[] => [
    { kind: 'ExprString', value: column.name, pos }, { kind: 'ExprColumn', names: [qualifier, column.name], pos },
  ])
  const record: SqlCallExpr = {
    kind: 'ExprCall', name: target.record, schema: null, args, star: false, distinct: false, filter: null, orderBy: [],
    withinGroup: false, over: null, pos,
  }
  if (target.aggregate === null) {
    if (call.distinct || call.filter !== null || call.orderBy.length > 0 || call.over !== null) return call
    return record
  }
  return { ...call, name: target.aggregate, args: [record] }
}
