// sql/functions/catalog-functions: the system-information functions psql's, Grafana's and the drivers' catalog queries
// call — visibility tests, format_type, pg_get_userbyid, the pg_get_*def family (NULL: nodedb has no defaults, indexes
// or constraints), privilege checks (true: one superuser), descriptions (NULL), sizes (a table's segment bytes, engine.tableSegmentBytes),
// the to_reg* lookups and arrays in their text form (array_to_string, array_upper, ||).
import { DbError, invalidParameterValue, numericValueOutOfRange, undefinedDatabase, undefinedTable } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { CatalogLookup, RegType } from '../catalog/catalog-lookup.js'
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import { DATABASE_OID, DATABASE_OWNER_ROLE_OID, SUPERUSER_OID, VIRTUAL_RELATIONS } from '../catalog/catalog-ids.js'
import { printAdbin } from '../catalog/pg-attrdef.js'
import { typeDisplayName } from '../catalog/type-names.js'
import { PG_TYPE_ROWS } from '../catalog/pg-type-data.js'
import { formatArrayText, parseArrayText } from './array-text.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'

type Evaluate = (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue

function def(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: Evaluate, strict = true): ScalarFunction {
  return { name, args, result, strict, volatility: 'stable', evaluate }
}

/** format_type(oid, typmod): PostgreSQL's spelling with modifiers; typmod NULL means "no modifier given". */
export function formatType(oid: number, typmod: number | null): string {
  const row = PG_TYPE_ROWS.find((r) => r[0] === oid)
  if (row === undefined) return '???'
  if (row[1].startsWith('_') && row[8] !== 0) return `${formatType(row[8], typmod)}[]`
  const mod = typmod ?? -1
  switch (oid) {
    case 1043: return mod >= 4 ? `character varying(${mod - 4})` : 'character varying'
    case 1042: return mod >= 4 ? `character(${mod - 4})` : typmod === null ? 'bpchar' : 'character'
    case 1700: return mod >= 4 ? `numeric(${(mod - 4) >> 16},${(mod - 4) & 0xffff})` : 'numeric'
    case 1114: return mod >= 0 ? `timestamp(${mod}) without time zone` : 'timestamp without time zone'
    case 1184: return mod >= 0 ? `timestamp(${mod}) with time zone` : 'timestamp with time zone'
    case 1083: return mod >= 0 ? `time(${mod}) without time zone` : 'time without time zone'
    case 1266: return mod >= 0 ? `time(${mod}) with time zone` : 'time with time zone'
    // intervaltypmodout for the full range (the only one nodedb accepts): a precision, if any, in parentheses.
    case 1186: return mod >= 0 && (mod & 0xffff) !== 0xffff ? `interval(${mod & 0xffff})` : 'interval'
    default: return typeDisplayName(oid) ?? row[1]
  }
}

function userName(oid: number, ctx: FunctionContext): string {
  if (oid === SUPERUSER_OID) return ctx.settings.get('user') ?? 'nodedb'
  if (oid === DATABASE_OWNER_ROLE_OID) return 'pg_database_owner'
  return `unknown (OID=${oid})`
}

/** pg_size_pretty(bigint) as PostgreSQL 15's dbsize.c computes it: below 10240 in bytes, then kB, MB… half-rounded. */
export function sizePretty(bytes: number): string {
  const limit = 10 * 1024
  const limit2 = limit * 2 - 1
  if (Math.abs(bytes) < limit) return `${bytes} bytes`
  const halfRounded = (x: number): number => Math.trunc((x + (x < 0 ? -1 : 1)) / 2)
  let size = Math.trunc(bytes / 2 ** 9) // keep one extra bit for rounding
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    if (Math.abs(size) < limit2 || unit === 'TB') return `${halfRounded(size)} ${unit}`
    size = Math.trunc(size / 1024)
  }
  return `${halfRounded(size)} PB`
}

function constantly(value: SqlValue): Evaluate {
  return () => value
}

function visibilityFunctions(): ScalarFunction[] {
  // Visible means found through search_path (pg_catalog, public): information_schema's relations are not.
  const hidden = new Set(VIRTUAL_RELATIONS.filter(([schema]) => schema === 'information_schema').map(([, , oid]) => oid))
  return [
    def('pg_table_is_visible', ['oid'], 'bool', ([oid]) => !hidden.has(Number(oid))),
    ...['pg_type_is_visible', 'pg_function_is_visible', 'pg_collation_is_visible', 'pg_conversion_is_visible', 'pg_operator_is_visible',
      'pg_opclass_is_visible', 'pg_opfamily_is_visible', 'pg_ts_config_is_visible', 'pg_ts_dict_is_visible', 'pg_ts_parser_is_visible',
      'pg_ts_template_is_visible', 'pg_statistics_obj_is_visible'].map((name) => def(name, ['oid'], 'bool', constantly(true))),
  ]
}

/** pg_get_viewdef(text): the name read as regclass (42P01 when nothing has it). */
function viewdefByName(name: string, ctx: FunctionContext): string | null {
  const oid = ctx.catalog?.oidOf('regclass', name) ?? null
  if (oid === null) throw undefinedTable(name)
  return ctx.catalog?.viewDefinition?.(oid) ?? null
}

function describeFunctions(): ScalarFunction[] {
  const nullText = (name: string, args: ReadonlyArray<PgTypeName>): ScalarFunction => def(name, args, 'text', constantly(null))
  return [
    def('format_type', ['oid', 'int4'], 'text', ([oid, typmod]) => (oid === null ? null : formatType(Number(oid), typmod === null ? null : Number(typmod))), false),
    def('pg_get_userbyid', ['oid'], 'name', ([oid], ctx) => userName(Number(oid), ctx)),
    // Column defaults print their deparsed text (sql/catalog/pg-attrdef.ts); any other text passes through unchanged.
    def('pg_get_expr', ['text', 'oid'], 'text', ([expr], ctx) => printAdbin(String(expr), false, ctx.timeZone, ctx.settings?.get('datestyle'))),
    def('pg_get_expr', ['text', 'oid', 'bool'], 'text', ([expr, , pretty], ctx) => printAdbin(String(expr), pretty === true, ctx.timeZone, ctx.settings?.get('datestyle'))),
    nullText('pg_get_indexdef', ['oid']), nullText('pg_get_indexdef', ['oid', 'int4', 'bool']),
    nullText('pg_get_constraintdef', ['oid']), nullText('pg_get_constraintdef', ['oid', 'bool']),
    nullText('pg_get_statisticsobjdef_columns', ['oid']),
    // A view's query as written (PostgreSQL prints its own deparse); NULL for any other relation, as PostgreSQL.
    def('pg_get_viewdef', ['oid'], 'text', ([oid], ctx) => ctx.catalog?.viewDefinition?.(Number(oid)) ?? null),
    def('pg_get_viewdef', ['oid', 'bool'], 'text', ([oid], ctx) => ctx.catalog?.viewDefinition?.(Number(oid)) ?? null),
    def('pg_get_viewdef', ['text'], 'text', ([name], ctx) => viewdefByName(String(name), ctx)),
    def('pg_get_viewdef', ['text', 'bool'], 'text', ([name], ctx) => viewdefByName(String(name), ctx)),
    def('pg_get_function_result', ['oid'], 'text', ([oid], ctx) => ctx.catalog?.functionSignature?.(Number(oid))?.result ?? null),
    ...['pg_get_function_arguments', 'pg_get_function_identity_arguments'].map((name) =>
      def(name, ['oid'], 'text', ([oid], ctx) => ctx.catalog?.functionSignature?.(Number(oid))?.arguments ?? null)),
    // nodedb's functions are built in: no SQL body, no argument defaults (PostgreSQL's NULL for such functions).
    nullText('pg_get_function_sqlbody', ['oid']), nullText('pg_get_function_arg_default', ['oid', 'int4']),
    nullText('pg_get_partkeydef', ['oid']), nullText('pg_get_ruledef', ['oid']), nullText('pg_get_ruledef', ['oid', 'bool']),
    nullText('obj_description', ['oid', 'name']), nullText('obj_description', ['oid']), nullText('shobj_description', ['oid', 'name']),
    nullText('col_description', ['oid', 'int4']),
    def('pg_encoding_to_char', ['int4'], 'name', ([encoding]) => (encoding === 6 ? 'UTF8' : '')),
    def('pg_relation_is_publishable', ['regclass'], 'bool', constantly(false)),
  ]
}

/** to_regclass / to_regtype / to_regproc / to_regnamespace: the name's OID, or NULL where the cast would fail (an ambiguous name too). */
function lookupFunctions(): ScalarFunction[] {
  const oidOrNull = (type: RegType, name: string, catalog: CatalogLookup | undefined): number | null => {
    try {
      return catalog?.oidOf(type, name) ?? null
    } catch (error) {
      if (error instanceof DbError && error.code === SqlState.ambiguousFunction) return null
      throw error
    }
  }
  return (['regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace'] as const).map((type) =>
    def(`to_${type}`, ['text'], type, ([name], ctx) => oidOrNull(type, String(name), ctx.catalog)))
}

function privilegeFunctions(): ScalarFunction[] {
  // One superuser role: every privilege check answers true.
  const shapes: ReadonlyArray<ReadonlyArray<PgTypeName>> = [['text', 'text'], ['oid', 'text'], ['name', 'text', 'text'], ['name', 'oid', 'text']]
  const names = ['has_table_privilege', 'has_schema_privilege', 'has_database_privilege', 'has_any_column_privilege', 'has_function_privilege', 'has_sequence_privilege']
  return [
    ...names.flatMap((name) => shapes.map((args) => def(name, args, 'bool', constantly(true)))),
    def('has_column_privilege', ['text', 'text', 'text'], 'bool', constantly(true)),
    def('has_column_privilege', ['oid', 'int2', 'text'], 'bool', constantly(true)),
    def('pg_has_role', ['name', 'text'], 'bool', constantly(true)), def('pg_has_role', ['name', 'name', 'text'], 'bool', constantly(true)),
  ]
}

export const PROCESS_START_US = Math.round((Date.now() - process.uptime() * 1000) * 1000)

function serverFunctions(): ScalarFunction[] {
  // Sizes: a table's segment files (no TOAST, free-space map or indexes, so relation = table = total); NULL for an
  // OID that names no relation, as PostgreSQL answers. Indexes: none.
  const relationBytes: Evaluate = ([oid], ctx) => {
    const bytes = ctx.catalog?.relationBytes?.(Number(oid))
    return bytes === undefined ? 0n : bytes === null ? null : BigInt(bytes)
  }
  const sizes = ['pg_total_relation_size', 'pg_relation_size', 'pg_table_size'].map((name) => def(name, ['regclass'], 'int8', relationBytes))
  return [
    ...sizes,
    def('pg_indexes_size', ['regclass'], 'int8', constantly(0n)),
    def('pg_size_pretty', ['int8'], 'text', ([bytes]) => sizePretty(Number(bytes))),
    def('pg_size_pretty', ['numeric'], 'text', ([bytes]) => sizePretty(Number(bytes))),
    // The pid clients got in BackendKeyData (node-postgres' processID), as PostgreSQL's backend pid is both.
    def('pg_backend_pid', [], 'int4', (_, ctx) => ctx.backendPid ?? process.pid),
    def('pg_postmaster_start_time', [], 'timestamptz', () => PROCESS_START_US),
    // Signals to another session (volatile: never folded); false when no session has the pid, as PostgreSQL answers.
    { ...def('pg_cancel_backend', ['int4'], 'bool', ([pid], ctx) => ctx.backends?.signal(Number(pid), 'cancel') ?? false), volatility: 'volatile' },
    ...[['int4'], ['int4', 'int8']].map((args) => ({
      ...def('pg_terminate_backend', args as PgTypeName[], 'bool', ([pid, timeout], ctx) => {
        if (timeout !== undefined && Number(timeout) < 0) throw numericValueOutOfRange('"timeout" must not be negative')
        return ctx.backends?.signal(Number(pid), 'terminate') ?? false
      }),
      volatility: 'volatile' as const,
    })),
    def('current_schemas', ['bool'], '_name', ([implicit]) => (implicit === true ? '{pg_catalog,public}' : '{public}')),
    def('pg_is_in_recovery', [], 'bool', constantly(false)),
    // name, and text for current_database() (text here; PostgreSQL's name, whose argument text casts to implicitly).
    ...(['name', 'text'] as const).map((type) => def('pg_database_size', [type], 'int8', ([name], ctx) => {
      if (name !== ctx.settings.get('database')) throw undefinedDatabase(String(name))
      return BigInt(ctx.catalog?.databaseBytes?.() ?? 0)
    })),
    def('pg_database_size', ['oid'], 'int8', ([oid], ctx) => (Number(oid) === DATABASE_OID ? BigInt(ctx.catalog?.databaseBytes?.() ?? 0) : null)),
    def('pg_tablespace_location', ['oid'], 'text', constantly('')),
    def('getdatabaseencoding', [], 'name', constantly('UTF8')),
    def('pg_char_to_encoding', ['name'], 'int4', ([name]) => (String(name).toUpperCase() === 'UTF8' ? 6 : -1)),
  ]
}

function arrayFunctions(): ScalarFunction[] {
  const toString = ([array, delimiter, nullText]: ReadonlyArray<SqlValue>): SqlValue =>
    parseArrayText(String(array)).flatMap((e) => (e === null ? (nullText === undefined || nullText === null ? [] : [String(nullText)]) : [e])).join(String(delimiter))
  const upper = ([array, dimension]: ReadonlyArray<SqlValue>): SqlValue => {
    const count = parseArrayText(String(array)).length
    return dimension === 1 && count > 0 ? count : null
  }
  return [
    def('array_to_string', ['_text', 'text'], 'text', toString),
    def('array_to_string', ['_text', 'text', 'text'], 'text', toString),
    def('array_upper', ['_text', 'int4'], 'int4', upper),
    def('array_length', ['_text', 'int4'], 'int4', upper),
    def('array_lower', ['_text', 'int4'], 'int4', (args) => (upper(args) === null ? null : 1)),
    def('string_to_array', ['text', 'text'], '_text', ([text, delimiter]) => formatArrayText(splitText(String(text), delimiter)), false),
    def('string_to_array', ['text', 'text', 'text'], '_text', ([text, delimiter, nullText]) =>
      formatArrayText(splitText(String(text), delimiter).map((e) => (e === nullText ? null : e))), false),
    def('parse_ident', ['text'], '_text', ([text]) => formatArrayText(parseIdent(String(text)))),
    def('cardinality', ['_text'], 'int4', ([array]) => parseArrayText(String(array)).length),
    // array || array: a NULL side yields the other (array_cat), so the operator is not strict.
    def('||', ['_text', '_text'], '_text', ([a, b]) => {
      if (a === null || b === null) return a ?? b ?? null
      return formatArrayText([...parseArrayText(String(a)), ...parseArrayText(String(b))])
    }, false),
  ]
}

/** string_to_array's split: a NULL delimiter splits into characters, an empty one keeps the string whole. */
export function splitText(text: string, delimiter: SqlValue): Array<string | null> {
  if (delimiter === null) return [...text]
  if (text === '') return []
  return String(delimiter) === '' ? [text] : text.split(String(delimiter))
}

/** parse_ident: dot-separated identifiers, unquoted ones folded to lower case, "quoted" ones kept (with "" as "). */
export function parseIdent(text: string): string[] {
  const parts: string[] = []
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y
  let match: RegExpExecArray | null
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    parts.push(match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] ?? '').toLowerCase())
    if (match[3] === '') break
  }
  if (parts.length === 0) throw invalidParameterValue(`string is not a valid identifier: "${text}"`)
  return parts
}

export const CATALOG_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...visibilityFunctions(), ...describeFunctions(), ...lookupFunctions(), ...privilegeFunctions(), ...serverFunctions(), ...arrayFunctions(),
]
