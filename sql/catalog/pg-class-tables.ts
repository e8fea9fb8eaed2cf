// sql/catalog/pg-class-tables: pg_namespace, pg_class, pg_attribute, pg_type and pg_am, generated from engine.tables()
// on every read: a table created over SQL or by ILP appears at once, a dropped one disappears. Only the columns that
// psql, Grafana and the drivers read, with PostgreSQL's names, types and values for an ordinary heap table.
import type { TableSchema } from '../../engine/ops.js'
import type { SqlValue } from '../api.js'
import { columnType, tableOid } from '../bind/catalog.js'
import { PG_TYPES } from '../bind/types.js'
import {
  HEAP_AM_OID, NAMESPACES, namespaceOidOf, PUBLIC_NAMESPACE_OID, SUPERUSER_OID, VIRTUAL_RELATIONS,
} from './catalog-ids.js'
import { columnDefault } from './pg-attrdef.js'
import { defineTable, type CatalogRow } from './define-table.js'
import { PG_TYPE_ROWS } from './pg-type-data.js'
import { views, viewOid, type View } from './view-definition.js'
import type { VirtualColumn, VirtualContext, VirtualTable } from './virtual-table.js'

export const PG_NAMESPACE: VirtualTable = defineTable('pg_catalog', 'pg_namespace', 2615, 'oid:oid nspname:name nspowner:oid nspacl:_text',
  () => NAMESPACES.map(([oid, name, owner]) => [oid, name, owner, null]))

const PG_CLASS_COLUMNS = `oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid relfilenode:oid
  reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid relhasindex:bool relisshared:bool
  relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool relhastriggers:bool relhassubclass:bool
  relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool relreplident:char relispartition:bool relrewrite:oid
  relfrozenxid:oid relminmxid:oid relacl:_text reloptions:_text relpartbound:text`

export interface RelationFacts {
  readonly oid: number
  readonly name: string
  readonly namespace: number
  readonly kind: 'r' | 'v'
  readonly natts: number
  /** A user view: it has its _RETURN rule (relhasrules). */
  readonly isUserView?: boolean
}

function classRow(rel: RelationFacts): CatalogRow {
  const am = rel.kind === 'r' ? HEAP_AM_OID : 0
  // relpages 0 and reltuples -1: PostgreSQL 15's values for a table never vacuumed or analyzed.
  return [
    rel.oid, rel.name, rel.namespace, 0, 0, SUPERUSER_OID, am, rel.kind === 'r' ? rel.oid : 0, 0, 0, -1, 0, 0, false, false,
    'p', rel.kind, rel.natts, 0, rel.isUserView === true, false, false, false, false, true, rel.kind === 'r' ? 'd' : 'n', false, 0, 0, 0, null, null, null,
  ]
}

export function userRelations(tables: ReadonlyArray<TableSchema>, userViews: ReadonlyArray<View> = []): RelationFacts[] {
  return [
    ...tables.map((table) => ({ oid: tableOid(table), name: table.name, namespace: PUBLIC_NAMESPACE_OID, kind: 'r' as const, natts: table.columns.length })),
    ...userViews.map((view) => ({
      oid: viewOid(view.schema), name: view.schema.name, namespace: PUBLIC_NAMESPACE_OID, kind: 'v' as const, natts: view.definition.columns.length, isUserView: true,
    })),
  ]
}

/** The registry's tables, passed in by virtual-tables.ts (which imports this file) so no import cycle forms. */
export type VirtualTableList = () => ReadonlyArray<VirtualTable>

function virtualRelations(virtuals: VirtualTableList): RelationFacts[] {
  return VIRTUAL_RELATIONS.map(([schema, name, oid, kind]) => {
    const natts = virtuals().find((table) => table.oid === oid)?.columns.length ?? 0
    return { oid, name, namespace: namespaceOidOf(schema), kind, natts }
  })
}

/** Every relation pg_class lists: the user's tables and views, then the catalog's own. */
export function allRelations(ctx: VirtualContext, virtuals: VirtualTableList): RelationFacts[] {
  return [...userRelations(ctx.engine.tables(), views(ctx.engine)), ...virtualRelations(virtuals)]
}

export function pgClassTable(virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', 'pg_class', 1259, PG_CLASS_COLUMNS, (ctx) => allRelations(ctx, virtuals).map(classRow))
}

const PG_ATTRIBUTE_COLUMNS = `attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 attndims:int4
  attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char attnotnull:bool atthasdef:bool
  atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4 attcollation:oid
  attacl:_text attoptions:_text attfdwoptions:_text attmissingval:_text`

/** The system columns every heap table has (psql filters them out with attnum > 0): name, type oid, attnum. */
const SYSTEM_COLUMNS: ReadonlyArray<readonly [string, number, number]> = [
  ['tableoid', 26, -6], ['cmax', 29, -5], ['xmax', 28, -4], ['cmin', 29, -3], ['xmin', 28, -2], ['ctid', 27, -1],
]

function typeRow(oid: number): (typeof PG_TYPE_ROWS)[number] | undefined {
  return PG_TYPE_ROWS.find((row) => row[0] === oid)
}

function attributeRows(table: TableSchema): CatalogRow[] {
  const relid = tableOid(table)
  const system: CatalogRow[] = SYSTEM_COLUMNS.map(([name, typeOid, attnum]) => [
    relid, name, typeOid, 0, typeOid === 27 ? 6 : 4, attnum, 0, -1, -1, typeOid !== 27, typeOid === 27 ? 's' : 'i', 'p', '',
    true, false, false, '', '', false, true, 0, 0, null, null, null, null,
  ])
  const user = table.columns.map((column, index): CatalogRow => {
    const type = columnType(table, index)
    const info = PG_TYPES[type.name]
    const row = typeRow(info.oid)
    const dropped = column.isDropped === true
    // A dropped column keeps its attnum with atttypid 0 and PostgreSQL's placeholder name, as attisdropped rows do.
    const name: SqlValue = dropped ? `........pg.dropped.${index + 1}........` : column.name
    const collation = row?.[20] ?? 0 // the type's own collation: 100 (default) for text, 950 (C) for name
    return [
      relid, name, dropped ? 0 : info.oid, -1, info.typlen, index + 1, 0, -1, type.typmod, row?.[3] ?? false, row?.[18] ?? 'i',
      row?.[19] ?? 'p', '', column.notNull, columnDefault(column) !== null, false, '', '', dropped, true, 0, collation, null, null, null, null,
    ]
  })
  return [...system, ...user]
}

/**
 * A catalog relation's or a view's own columns (\\d pg_class lists them), without system columns: views have none
 * and catalog relations are not heap tables here.
 */
function virtualAttributeRows(table: { readonly oid: number; readonly columns: ReadonlyArray<VirtualColumn> }): CatalogRow[] {
  return table.columns.map((column, index): CatalogRow => {
    const info = PG_TYPES[column.type.name]
    const row = typeRow(info.oid)
    const collation = row?.[20] ?? 0 // the type's own collation: 100 (default) for text, 950 (C) for name
    return [
      table.oid, column.name, info.oid, -1, info.typlen, index + 1, 0, -1, column.type.typmod, row?.[3] ?? false, row?.[18] ?? 'i', row?.[19] ?? 'p',
      '', false, false, false, '', '', false, true, 0, collation, null, null, null, null,
    ]
  })
}

export function pgAttributeTable(virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', 'pg_attribute', 1249, PG_ATTRIBUTE_COLUMNS,
    (ctx) => [
      ...ctx.engine.tables().flatMap(attributeRows),
      ...views(ctx.engine).flatMap((view) => virtualAttributeRows({ oid: viewOid(view.schema), columns: view.definition.columns })),
      ...virtuals().flatMap(virtualAttributeRows),
    ])
}

const PG_TYPE_COLUMNS = `oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char typcategory:char
  typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typsubscript:regproc typelem:oid typarray:oid typinput:regproc
  typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc typmodout:regproc typanalyze:regproc typalign:char
  typstorage:char typnotnull:bool typbasetype:oid typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:text
  typdefault:text typacl:_text`

export const PG_TYPE: VirtualTable = defineTable('pg_catalog', 'pg_type', 1247, PG_TYPE_COLUMNS, () => PG_TYPE_ROWS.map((r) => [
  r[0], r[1], 11, SUPERUSER_OID, r[2], r[3], r[4], r[5], r[6], true, r[7], 0, 0, r[8], r[9], r[10], r[12], r[14], r[16], 0, 0, 0,
  r[18], r[19], false, 0, -1, 0, r[20], null, null, null,
]))

export const PG_AM: VirtualTable = defineTable('pg_catalog', 'pg_am', 2601, 'oid:oid amname:name amhandler:regproc amtype:char',
  () => [[HEAP_AM_OID, 'heap', 0, 't'], [403, 'btree', 0, 'i']])
