// sql/catalog/view-definition: what the catalog keeps for a view (engine ViewSchema.definition, opaque there): the
// query as written, its output columns as CREATE VIEW saw them, and the relations it reads. A use of the view binds
// the query again and must find the same columns (name, type, origin) in the same places: a column added under a
// `SELECT *` since then is dropped from the end as PostgreSQL's stored view would never have had it, anything else
// that moved is 0A000 rather than a different answer.
import type { Engine, ViewSchema } from '../../engine/api.js'
import { dataCorrupted } from '../../src/common/errors.js'
import { TABLE_OID_BASE } from '../bind/catalog.js'
import { PG_TYPE_NAMES, type PgTypeName, type SqlType } from '../bind/types.js'

/** Version of the definition's shape: append-only, as catalog.json's. */
const VIEW_DEFINITION_VERSION = 1

export interface ViewColumn {
  /** The view's column name (CREATE VIEW's list, else the query's). */
  readonly name: string
  readonly type: SqlType
  /** The query's own name for it, and where it came from (a table's OID and attnum, 0 when computed). */
  readonly queryName: string
  readonly tableOid: number
  readonly columnAttr: number
}

export interface ViewDefinition {
  readonly v: number
  readonly query: string
  readonly columns: ReadonlyArray<ViewColumn>
  /** Tables and views the query reads, by name: what DROP TABLE / DROP VIEW must not leave it without. */
  readonly relations: ReadonlyArray<string>
}

export interface View { readonly schema: ViewSchema; readonly definition: ViewDefinition }

export function newViewDefinition(query: string, columns: ReadonlyArray<ViewColumn>, relations: ReadonlyArray<string>): ViewDefinition {
  return { v: VIEW_DEFINITION_VERSION, query, columns, relations }
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value)

function isColumn(value: unknown): value is ViewColumn {
  if (typeof value !== 'object' || value === null) return false
  const c = value as Record<string, unknown>
  const type = c.type as Record<string, unknown> | null
  return isString(c.name) && isString(c.queryName) && isInt(c.tableOid) && isInt(c.columnAttr) && typeof type === 'object' && type !== null &&
    PG_TYPE_NAMES.includes(type.name as PgTypeName) && isInt(type.typmod)
}

const CHECKED = new WeakMap<object, ViewDefinition>()

/** The definition of a stored view, checked once per object (XX001 when catalog.json holds something else). */
export function viewDefinition(schema: ViewSchema): ViewDefinition {
  const raw = schema.definition
  const known = typeof raw === 'object' && raw !== null ? CHECKED.get(raw) : undefined
  if (known !== undefined) return known
  const d = raw as Record<string, unknown> | null
  if (typeof d !== 'object' || d === null || d.v !== VIEW_DEFINITION_VERSION || !isString(d.query) || !Array.isArray(d.columns) ||
    !d.columns.every(isColumn) || !Array.isArray(d.relations) || !d.relations.every(isString)) {
    throw dataCorrupted(`the catalog's definition of view "${schema.name}" is not one this version reads`)
  }
  const definition = d as unknown as ViewDefinition
  CHECKED.set(d, definition)
  return definition
}

export function viewOid(schema: ViewSchema): number {
  return TABLE_OID_BASE + schema.id - 1
}

/** Every view with its definition, in creation order. */
export function views(engine: Engine): ReadonlyArray<View> {
  return (engine.views?.() ?? []).map((schema) => ({ schema, definition: viewDefinition(schema) }))
}

export function findView(engine: Engine, name: string): View | undefined {
  const schema = engine.views?.().find((view) => view.name === name)
  return schema === undefined ? undefined : { schema, definition: viewDefinition(schema) }
}
