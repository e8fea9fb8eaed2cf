// sql/catalog/virtual-tables: the registry of virtual tables by schema and name. pg_catalog is searched before the
// user's tables for unqualified names, as PostgreSQL's search_path puts it implicitly first.
import type { VirtualTable } from './virtual-table.js'

const TABLES: ReadonlyArray<VirtualTable> = []

const BY_NAME = new Map<string, VirtualTable>(TABLES.map((t) => [`${t.schema}.${t.name}`, t]))

/** The virtual table a FROM item names, or undefined: `schema` null means the search path (pg_catalog only). */
export function findVirtualTable(schema: string | null, name: string): VirtualTable | undefined {
  if (schema === null) return BY_NAME.get(`pg_catalog.${name}`)
  return BY_NAME.get(`${schema}.${name}`)
}

export function isVirtualSchema(schema: string): boolean {
  return schema === 'pg_catalog' || schema === 'information_schema'
}
