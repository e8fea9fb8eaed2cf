// sql/plan/plan-view: a view named in FROM → its stored query planned in place (Planner.planView), checked against
// the columns CREATE VIEW recorded, and exposed under the view's column names with the view's OID and attnums as
// their origin (PostgreSQL's RowDescription names the view, not its base tables). Parsed queries are cached per
// stored definition.
import { featureNotSupported, invalidColumnReference } from '../../src/common/errors.js'
import type { ScopeColumn } from '../bind/scope.js'
import { viewOid, type View, type ViewDefinition } from '../catalog/view-definition.js'
import type { SqlQuery } from '../parse/ast.js'
import { parseSql } from '../parse/parse-sql.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import type { Planner } from './planner.js'

const QUERIES = new WeakMap<ViewDefinition, SqlQuery>()

function queryOf(view: View): SqlQuery {
  let query = QUERIES.get(view.definition)
  if (query === undefined) {
    const ast = parseSql(view.definition.query)[0]?.parsed.ast
    if (ast === undefined || ast.kind !== 'SqlQuery') throw featureNotSupported(`reading view "${view.schema.name}" (its stored query is not a query)`)
    query = ast
    QUERIES.set(view.definition, query)
  }
  return query
}

/** The plan's first columns must be the recorded ones; extra ones at the end (a `*` over a widened table) are cut. */
function checkShape(view: View, plan: PlanNode): PlanNode {
  const recorded = view.definition.columns
  const same = recorded.every((c, i) => {
    const now = plan.columns[i]
    // An unknown-typed literal column was recorded as text (PostgreSQL 10+ makes it text in a view).
    const typeName = now?.type.name === 'unknown' ? 'text' : now?.type.name
    return now !== undefined && now.name === c.queryName && typeName === c.type.name && now.type.typmod === c.type.typmod &&
      now.tableOid === c.tableOid && now.columnAttr === c.columnAttr
  })
  if (!same) throw featureNotSupported(`reading view "${view.schema.name}" after its tables changed under it (create the view again)`)
  if (plan.columns.length === recorded.length) return plan
  const columns = plan.columns.slice(0, recorded.length)
  return { kind: 'ProjectNode', input: plan, exprs: columns.map((c, slot) => ({ kind: 'Slot', slot, type: c.type, name: c.name })), columns }
}

export function planViewItem(planner: Planner, view: View, alias: string, columnAliases: ReadonlyArray<string> | null,
  pos: number): { readonly plan: PlanNode; readonly columns: ReadonlyArray<ScopeColumn> } {
  const recorded = view.definition.columns
  if (columnAliases !== null && columnAliases.length > recorded.length) {
    throw invalidColumnReference(`table "${alias}" has ${recorded.length} columns available but ${columnAliases.length} columns specified`, pos + 1)
  }
  const plan = checkShape(view, planner.planView(view.schema.name, queryOf(view)))
  const oid = viewOid(view.schema)
  const planColumns: PlanColumn[] = recorded.map((c, i) => ({ name: columnAliases?.[i] ?? c.name, type: c.type, tableOid: oid, columnAttr: i + 1 }))
  const columns = planColumns.map((c, slot): ScopeColumn => ({ qualifier: alias, name: c.name, type: c.type, slot, tableOid: oid, columnAttr: c.columnAttr }))
  return { plan: { ...plan, columns: planColumns } as PlanNode, columns }
}
