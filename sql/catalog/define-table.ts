// sql/catalog/define-table: builds a VirtualTable from a compact column list ('oid:oid relname:name …', PostgreSQL's
// column names and types) and a row generator, so each catalog relation is declared in one line plus its rows.
import type { SqlValue } from '../api.js'
import { PG_TYPE_NAMES, sqlType, type PgTypeName } from '../bind/types.js'
import { assert } from '../../src/common/assert.js'
import type { VirtualColumn, VirtualContext, VirtualTable } from './virtual-table.js'

export type CatalogRow = ReadonlyArray<SqlValue>
export type RowSource = (ctx: VirtualContext) => ReadonlyArray<CatalogRow>

const TYPE_NAMES: ReadonlySet<string> = new Set(PG_TYPE_NAMES)

function isPgTypeName(name: string): name is PgTypeName {
  return TYPE_NAMES.has(name)
}

/** 'name:type name:type …' → columns; a bad spec is a programming error caught at module load. */
export function parseColumns(spec: string): ReadonlyArray<VirtualColumn> {
  return spec.trim().split(/\s+/).map((item) => {
    const [name, type] = item.split(':')
    assert(name !== undefined && type !== undefined && isPgTypeName(type), `bad catalog column spec ${item}`)
    return { name, type: sqlType(type) }
  })
}

export function defineTable(schema: VirtualTable['schema'], name: string, oid: number, spec: string, rows: RowSource): VirtualTable {
  const columns = parseColumns(spec)
  return {
    schema, name, oid, columns,
    rows: (ctx) => {
      const produced = rows(ctx)
      for (const row of produced) assert(row.length === columns.length, `${name}: row of ${row.length} values for ${columns.length} columns`)
      return produced
    },
  }
}

/** A catalog relation nodedb has nothing to put in: present so that clients' queries run and find no rows. */
export function emptyTable(name: string, oid: number, spec: string): VirtualTable {
  return defineTable('pg_catalog', name, oid, spec, () => [])
}
