// sql/catalog/pg-system-views: PostgreSQL's system views over relations — pg_tables and pg_views — computed from the
// facts pg_class lists (allRelations), with the columns PostgreSQL 15's view definitions give them: tables are relkind
// r, views relkind v; the owner is pg_get_userbyid of the one role (the session user); the tablespace NULL (the
// default); the flags are pg_class's. A view's definition is pg_get_viewdef's: a user view's query as written, NULL
// for the catalog's own views (nodedb computes those; no SQL text exists). pg_matviews, pg_indexes and pg_sequences
// are present and empty: nodedb has no materialized views, indexes or sequences.
import { NAMESPACES } from './catalog-ids.js'
import { defineTable, emptyTable } from './define-table.js'
import { viewDefinitionText } from './information-schema.js'
import { allRelations, type VirtualTableList } from './pg-class-tables.js'
import { findView } from './view-definition.js'
import type { VirtualTable } from './virtual-table.js'

export function schemaName(namespace: number): string {
  return NAMESPACES.find(([oid]) => oid === namespace)?.[1] ?? 'public'
}

export function pgTablesView(virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', 'pg_tables', 12033,
    'schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool hastriggers:bool rowsecurity:bool',
    (ctx) => allRelations(ctx, virtuals).filter((rel) => rel.kind === 'r')
      .map((rel) => [schemaName(rel.namespace), rel.name, ctx.session.user, null, false, false, false, false]))
}

export function pgViewsView(virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', 'pg_views', 12028, 'schemaname:name viewname:name viewowner:name definition:text',
    (ctx) => allRelations(ctx, virtuals).filter((rel) => rel.kind === 'v').map((rel) => {
      const view = rel.isUserView === true ? findView(ctx.engine, rel.name) : undefined
      return [schemaName(rel.namespace), rel.name, ctx.session.user, view === undefined ? null : viewDefinitionText(view)]
    }))
}

export const EMPTY_SYSTEM_VIEWS: ReadonlyArray<VirtualTable> = [
  emptyTable('pg_matviews', 12038, 'schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ispopulated:bool definition:text'),
  emptyTable('pg_indexes', 12043, 'schemaname:name tablename:name indexname:name tablespace:name indexdef:text'),
  emptyTable('pg_sequences', 12048, `schemaname:name sequencename:name sequenceowner:name data_type:regtype start_value:int8
    min_value:int8 max_value:int8 increment_by:int8 cycle:bool cache_size:int8 last_value:int8`),
]
