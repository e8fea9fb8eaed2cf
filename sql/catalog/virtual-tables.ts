// sql/catalog/virtual-tables: the registry of virtual tables by schema and name. pg_catalog is searched before the
// user's tables for unqualified names, as PostgreSQL's search_path puts it implicitly first.
import { assert } from '../../src/common/assert.js'
import { VIRTUAL_RELATIONS } from './catalog-ids.js'
import { INFORMATION_COLUMNS, INFORMATION_SCHEMATA, INFORMATION_TABLES, INFORMATION_VIEWS } from './information-schema.js'
import { PG_AM, PG_NAMESPACE, PG_TYPE, pgAttributeTable, pgClassTable } from './pg-class-tables.js'
import {
  EMPTY_CATALOG_TABLES, PG_AUTHID, PG_COLLATION, PG_DATABASE, PG_LOCKS, PG_PREPARED_STATEMENTS, PG_ROLES, PG_SETTINGS, PG_STAT_ACTIVITY, PG_TABLESPACE, PG_USER,
} from './pg-misc-tables.js'
import { MORE_EMPTY_CATALOG_TABLES } from './pg-empty-tables.js'
import { PG_ATTRDEF } from './pg-attrdef.js'
import { PG_PROC } from './pg-proc.js'
import type { VirtualTable } from './virtual-table.js'
import { NODEDB_SYNC } from './nodedb-sync-table.js'
import { EMPTY_SYSTEM_VIEWS, pgTablesView, pgViewsView } from './pg-system-views.js'
import { statViews } from './pg-stat-views.js'

const TABLES: ReadonlyArray<VirtualTable> = [
  PG_NAMESPACE, pgClassTable(() => TABLES), pgAttributeTable(() => TABLES), PG_TYPE, PG_AM, PG_DATABASE, PG_ROLES, PG_AUTHID, PG_USER, PG_SETTINGS, PG_TABLESPACE,
  PG_COLLATION, PG_PROC, PG_ATTRDEF, ...EMPTY_CATALOG_TABLES, ...MORE_EMPTY_CATALOG_TABLES,
  INFORMATION_SCHEMATA, INFORMATION_TABLES, INFORMATION_COLUMNS, INFORMATION_VIEWS, NODEDB_SYNC,
  pgTablesView(() => TABLES), pgViewsView(() => TABLES), ...EMPTY_SYSTEM_VIEWS, PG_PREPARED_STATEMENTS, PG_STAT_ACTIVITY, PG_LOCKS,
  ...statViews(() => TABLES),
]

const BY_NAME = new Map<string, VirtualTable>(TABLES.map((t) => [`${t.schema}.${t.name}`, t]))

// pg_class lists VIRTUAL_RELATIONS: each must be a registered table with the same OID, and every table must be listed.
for (const [schema, name, oid] of VIRTUAL_RELATIONS) assert(BY_NAME.get(`${schema}.${name}`)?.oid === oid, `virtual relation ${schema}.${name}`)
assert(TABLES.length === VIRTUAL_RELATIONS.length, 'every virtual table is listed in VIRTUAL_RELATIONS')

/** Every virtual table (unit tests, \d of catalog relations). */
export function allVirtualTables(): ReadonlyArray<VirtualTable> {
  return TABLES
}

/** The virtual table a FROM item names, or undefined: `schema` null means the search path (pg_catalog only). */
export function findVirtualTable(schema: string | null, name: string): VirtualTable | undefined {
  if (schema === null) return BY_NAME.get(`pg_catalog.${name}`)
  return BY_NAME.get(`${schema}.${name}`)
}

export function isVirtualSchema(schema: string): boolean {
  return schema === 'pg_catalog' || schema === 'information_schema'
}
