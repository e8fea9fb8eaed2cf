// sql/catalog/information-schema: the SQL-standard views Grafana's query builder and other tools read — schemata,
// tables, columns (data_type spelled as PostgreSQL spells it), views (their definitions as written). PostgreSQL types their
// columns with domains over name, int4 and varchar; clients see those base types (19, 23, 1043), as here.
import type { TableSchema } from '../../engine/ops.js'
import { columnType, visibleColumns } from '../bind/catalog.js'
import { isArrayType, type SqlType } from '../bind/types.js'
import { NAMESPACES, VIRTUAL_RELATIONS } from './catalog-ids.js'
import { views, type View } from './view-definition.js'
import { defineTable, type CatalogRow } from './define-table.js'
import { columnDefault, defaultTextIn } from './pg-attrdef.js'
import type { VirtualTable } from './virtual-table.js'

export const INFORMATION_SCHEMATA: VirtualTable = defineTable('information_schema', 'schemata', 13382, `catalog_name:name
  schema_name:name schema_owner:name default_character_set_catalog:name default_character_set_schema:name
  default_character_set_name:name sql_path:varchar`,
(ctx) => NAMESPACES.map(([, name, owner]) => [ctx.session.database, name, owner === 10 ? ctx.session.user : 'pg_database_owner', null, null, null, null]))

export const INFORMATION_TABLES: VirtualTable = defineTable('information_schema', 'tables', 13425, `table_catalog:name table_schema:name
  table_name:name table_type:varchar self_referencing_column_name:name reference_generation:varchar user_defined_type_catalog:name
  user_defined_type_schema:name user_defined_type_name:name is_insertable_into:varchar is_typed:varchar commit_action:varchar`,
(ctx) => [
  ...ctx.engine.tables().map((table) => [ctx.session.database, 'public', table.name, 'BASE TABLE', null, null, null, null, null, 'YES', 'NO', null]),
  ...views(ctx.engine).map((view) => [ctx.session.database, 'public', view.schema.name, 'VIEW', null, null, null, null, null, 'NO', 'NO', null]),
  ...VIRTUAL_RELATIONS.map(([schema, name, , kind]) =>
    [ctx.session.database, schema, name, kind === 'r' ? 'BASE TABLE' : 'VIEW', null, null, null, null, null, kind === 'r' ? 'YES' : 'NO', 'NO', null]),
])

/** information_schema.columns' data_type: format_type without modifiers ('character varying', 'timestamp with time zone'). */
function dataType(type: SqlType): string {
  switch (type.name) {
    case 'bpchar': return 'character'
    case 'char': return '"char"'
    default: if (isArrayType(type.name)) return 'ARRAY'
      return PG_TYPES_FORMAT[type.name] ?? type.name
  }
}

const PG_TYPES_FORMAT: Readonly<Record<string, string>> = {
  bool: 'boolean', int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', numeric: 'numeric',
  text: 'text', varchar: 'character varying', timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone',
  date: 'date', time: 'time without time zone', timetz: 'time with time zone', interval: 'interval',
}

/** numeric_precision / radix / scale and datetime_precision as PostgreSQL's information_schema computes them. */
function precision(type: SqlType): readonly [number | null, number | null, number | null, number | null] {
  switch (type.name) {
    case 'int2': return [16, 2, 0, null]
    case 'int4': return [32, 2, 0, null]
    case 'int8': return [64, 2, 0, null]
    case 'float4': return [24, 2, null, null]
    case 'float8': return [53, 2, null, null]
    case 'numeric': return type.typmod >= 4 ? [(type.typmod - 4) >> 16, 10, (type.typmod - 4) & 0xffff, null] : [null, 10, null, null]
    case 'timestamp': case 'timestamptz': case 'time': case 'timetz': return [null, null, null, type.typmod >= 0 ? type.typmod : 6]
    case 'date': return [null, null, null, 0]
    case 'interval': return [null, null, null, 6]
    default: return [null, null, null, null]
  }
}

interface ColumnFacts { readonly name: string; readonly type: SqlType; readonly notNull: boolean; readonly default?: string | null }

function tableColumns(table: TableSchema, timeZone: string, dateStyle?: string): ColumnFacts[] {
  return visibleColumns(table).map(({ index, column }) => {
    const stored = columnDefault(column)
    return { name: column.name, type: columnType(table, index), notNull: column.notNull, default: stored === null ? null : defaultTextIn(stored.expr, timeZone, dateStyle) }
  })
}

function columnRows(database: string, relation: string, columns: ReadonlyArray<ColumnFacts>, updatable: 'YES' | 'NO'): CatalogRow[] {
  return columns.map((column, position) => {
    const type = column.type
    const length = (type.name === 'varchar' || type.name === 'bpchar') && type.typmod >= 4 ? type.typmod - 4 : null
    const octets = type.name === 'text' || type.name === 'varchar' || type.name === 'bpchar' ? (length === null ? 1073741824 : length * 4) : null
    const [numericPrecision, radix, scale, datetimePrecision] = precision(type)
    return [
      database, 'public', relation, column.name, position + 1, column.default ?? null, column.notNull ? 'NO' : 'YES', dataType(type), length, octets,
      numericPrecision, radix, scale, datetimePrecision, null, null, null, null, null, null, null, null, null, null, null,
      database, 'pg_catalog', type.name, null, null, null, null, String(position + 1), 'NO', 'NO', null, null, null, null, null, 'NO',
      'NEVER', null, updatable,
    ]
  })
}

export const INFORMATION_COLUMNS: VirtualTable = defineTable('information_schema', 'columns', 13295, `table_catalog:name table_schema:name
  table_name:name column_name:name ordinal_position:int4 column_default:varchar is_nullable:varchar data_type:varchar
  character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4 numeric_precision_radix:int4 numeric_scale:int4
  datetime_precision:int4 interval_type:varchar interval_precision:int4 character_set_catalog:name character_set_schema:name
  character_set_name:name collation_catalog:name collation_schema:name collation_name:name domain_catalog:name domain_schema:name
  domain_name:name udt_catalog:name udt_schema:name udt_name:name scope_catalog:name scope_schema:name scope_name:name
  maximum_cardinality:int4 dtd_identifier:name is_self_referencing:varchar is_identity:varchar identity_generation:varchar
  identity_start:varchar identity_increment:varchar identity_maximum:varchar identity_minimum:varchar identity_cycle:varchar
  is_generated:varchar generation_expression:varchar is_updatable:varchar`,
(ctx) => [
  ...ctx.engine.tables().flatMap((table) => columnRows(ctx.session.database, table.name, tableColumns(table, ctx.session.settings.get('timezone') ?? 'UTC', ctx.session.settings.get('datestyle')), 'YES')),
  ...views(ctx.engine).flatMap((view) => columnRows(ctx.session.database, view.schema.name, view.definition.columns.map((c) => ({ ...c, notNull: false })), 'NO')),
])

export const INFORMATION_VIEWS: VirtualTable = defineTable('information_schema', 'views', 13483, `table_catalog:name table_schema:name
  table_name:name view_definition:varchar check_option:varchar is_updatable:varchar is_insertable_into:varchar
  is_trigger_updatable:varchar is_trigger_deletable:varchar is_trigger_insertable_into:varchar`,
(ctx) => views(ctx.engine).map((view) => [ctx.session.database, 'public', view.schema.name, viewDefinitionText(view), 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO']))

/** pg_get_viewdef's text for a view: nodedb keeps the query as written (PostgreSQL prints its own deparse). */
export function viewDefinitionText(view: View): string {
  return ` ${view.definition.query};`
}
