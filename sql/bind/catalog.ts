// sql/bind/catalog: name lookup over engine.tables() (sql keeps no persisted copy of its own) and the PostgreSQL
// identities derived from it: table OID = 16384 + tableId - 1, attnum = 1-based column index.
import type { Engine } from '../../engine/api.js'
import type { ColumnSchema, TableSchema } from '../../engine/ops.js'
import { assert } from '../../src/common/assert.js'
import { featureNotSupported, undefinedTable, type DbError } from '../../src/common/errors.js'
import { parseStoredType, type SqlType } from './types.js'

/** First OID PostgreSQL gives user objects (FirstNormalObjectId); pg_catalog views will reuse this mapping. */
export const TABLE_OID_BASE = 16384

export function tableOid(table: TableSchema): number {
  return TABLE_OID_BASE + table.id - 1
}

export function findTable(engine: Engine, name: string): TableSchema | undefined {
  return engine.tables().find((table) => table.name === name)
}

/** The table, or 42P01 positioned at `pos` (0-based); 0A000 for a view (nodedb's views are read-only, for SELECT). */
export function requireTable(engine: Engine, name: string, pos: number): TableSchema {
  const table = findTable(engine, name)
  if (table === undefined) throw missingTable(engine, name, pos)
  return table
}

/** The error for a name that is no table: 0A000 when it names a view (only SELECT reads them), else 42P01. */
export function missingTable(engine: Engine, name: string, pos: number | null): DbError {
  const position = pos === null ? undefined : pos + 1
  if (engine.views?.().some((view) => view.name === name) === true) return featureNotSupported(`this statement on view "${name}"`, position)
  return undefinedTable(name, position)
}

// A column's type, read once per ColumnSchema object (DDL replaces schemas, never changes them; the stored text and
// kind are compared anyway): planning reads every column of each table it scans, per statement.
const COLUMN_TYPES = new WeakMap<object, { readonly stored: string; readonly kind: string; readonly type: SqlType }>()

export function columnType(table: TableSchema, column: number): SqlType {
  const schema = table.columns[column]
  assert(schema !== undefined, `column ${column} out of range for ${table.name}`)
  const kept = COLUMN_TYPES.get(schema)
  if (kept !== undefined && kept.stored === schema.sqlType && kept.kind === schema.kind) return kept.type
  const type = parseStoredType(schema.sqlType, schema.kind)
  COLUMN_TYPES.set(schema, { stored: schema.sqlType, kind: schema.kind, type })
  return type
}

/** A column a query can see, with its index in table.columns: the index ScanOp, attnum (index + 1) and batches use. */
export interface VisibleColumn { readonly index: number; readonly column: ColumnSchema }

/**
 * The table's columns minus those ALTER TABLE DROP COLUMN hid (ColumnSchema.isDropped), in catalog order. Indices are
 * not renumbered: a dropped column keeps its place in segments and WAL records, as PostgreSQL's attisdropped does.
 * Everything that lists a table's columns to a user (SELECT *, INSERT without a column list, \d) goes through here.
 */
export function visibleColumns(table: TableSchema): ReadonlyArray<VisibleColumn> {
  const visible: VisibleColumn[] = []
  table.columns.forEach((column, index) => { if (column.isDropped !== true) visible.push({ index, column }) })
  return visible
}

/** The index of the visible column named `name`, or undefined (a dropped column is never found by name). */
export function findColumn(table: TableSchema, name: string): number | undefined {
  return visibleColumns(table).find((visible) => visible.column.name === name)?.index
}
