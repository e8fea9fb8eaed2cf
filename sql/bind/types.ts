// sql/bind/types: the ONE table mapping SQL types to PostgreSQL OIDs, typlen and format_type, and to the engine's
// ColumnKind. sql is the only layer that maps one type system onto the other.
import type { ColumnKind } from '../../engine/batch.js'
import { assertNever } from '../../src/common/assert.js'
import { featureNotSupportedMessage, invalidParameterValue, undefinedObject } from '../../src/common/errors.js'
import type { SqlTypeName } from '../parse/ast.js'

export type PgTypeName =
  | 'bool' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'numeric' | 'text' | 'varchar' | 'bpchar'
  | 'timestamp' | 'timestamptz' | 'date' | 'interval' | 'unknown'
  // time of day without zone: µs since midnight, 0 … 86,400,000,000 (24:00:00 is a value of its own).
  | 'time'
  // time of day with a zone displacement: an ordered 18-digit string of (UTC-normalised time, zone) (sql/expr/timetz.ts).
  | 'timetz'
  // Values are the canonical lowercase text form (8-4-4-4-12 hex digits): its string order is uuid_cmp's byte order.
  | 'uuid'
  // Values are the hex output text ('\\x0aff'): lowercase digits, so string order is byteacmp's (sql/expr/bytea.ts).
  | 'bytea'
  // json: the input text as written (validated); jsonb: jsonb_out's text (sql/expr/json.ts).
  | 'json' | 'jsonb'
  // pg_sleep's result: its one value prints as '' (void_out) and sends no bytes (void_send).
  | 'void'
  // Catalog types (pg_catalog and information_schema columns, regclass casts). Their values are numbers (oid, reg*)
  // or strings (name, "char"); arrays are kept as their PostgreSQL text form ('{a,b}', see sql/functions/array-text.ts).
  | 'name' | 'char' | 'oid' | 'regclass' | 'regtype' | 'regproc' | 'regprocedure' | 'regnamespace'
  | '_text' | '_oid' | '_int2' | '_char' | '_name' | '_regtype'
  // Arrays of the scalar types (ARRAY[…], array_agg, = ANY($1) parameters), in the same text form.
  | '_bool' | '_int4' | '_int8' | '_float4' | '_float8' | '_numeric' | '_varchar' | '_bpchar'
  | '_timestamp' | '_timestamptz' | '_date' | '_interval' | '_uuid' | '_bytea' | '_json' | '_jsonb'

export interface PgTypeInfo {
  readonly oid: number
  /** pg_type.typlen: -1 variable length, -2 C string. */
  readonly typlen: number
  /** The engine kind a column of this type is stored as; null when it cannot be a column. */
  readonly columnKind: ColumnKind | null
  /** format_type() without modifier. */
  readonly formatName: string
}

export const PG_TYPES: Readonly<Record<PgTypeName, PgTypeInfo>> = {
  bool: { oid: 16, typlen: 1, columnKind: 'bool', formatName: 'boolean' },
  int2: { oid: 21, typlen: 2, columnKind: 'i64', formatName: 'smallint' },
  int4: { oid: 23, typlen: 4, columnKind: 'i64', formatName: 'integer' },
  int8: { oid: 20, typlen: 8, columnKind: 'i64', formatName: 'bigint' },
  float4: { oid: 700, typlen: 4, columnKind: 'f64', formatName: 'real' },
  float8: { oid: 701, typlen: 8, columnKind: 'f64', formatName: 'double precision' },
  // Stored as numeric_out's text (exact digits and scale; a double would lose both). Tables written before keep f64.
  numeric: { oid: 1700, typlen: -1, columnKind: 'text', formatName: 'numeric' },
  text: { oid: 25, typlen: -1, columnKind: 'symbol', formatName: 'text' },
  varchar: { oid: 1043, typlen: -1, columnKind: 'symbol', formatName: 'character varying' },
  bpchar: { oid: 1042, typlen: -1, columnKind: 'symbol', formatName: 'character' },
  timestamp: { oid: 1114, typlen: 8, columnKind: 'timestamp', formatName: 'timestamp without time zone' },
  timestamptz: { oid: 1184, typlen: 8, columnKind: 'timestamp', formatName: 'timestamp with time zone' },
  date: { oid: 1082, typlen: 4, columnKind: null, formatName: 'date' },
  // µs since midnight, stored as a timestamp column's µs are (an f64 vector: exact to 2^53, compared as numbers).
  time: { oid: 1083, typlen: 8, columnKind: 'timestamp', formatName: 'time without time zone' },
  // No column kind: the engine has no 12-byte value, and a text column would print the ordered value string.
  timetz: { oid: 1266, typlen: 12, columnKind: null, formatName: 'time with time zone' },
  interval: { oid: 1186, typlen: 16, columnKind: null, formatName: 'interval' },
  uuid: { oid: 2950, typlen: 16, columnKind: 'text', formatName: 'uuid' },
  bytea: { oid: 17, typlen: -1, columnKind: 'text', formatName: 'bytea' },
  json: { oid: 114, typlen: -1, columnKind: 'text', formatName: 'json' },
  jsonb: { oid: 3802, typlen: -1, columnKind: 'text', formatName: 'jsonb' },
  unknown: { oid: 705, typlen: -2, columnKind: null, formatName: 'unknown' },
  void: { oid: 2278, typlen: 4, columnKind: null, formatName: 'void' },
  name: { oid: 19, typlen: 64, columnKind: null, formatName: 'name' },
  char: { oid: 18, typlen: 1, columnKind: null, formatName: '"char"' },
  oid: { oid: 26, typlen: 4, columnKind: null, formatName: 'oid' },
  regclass: { oid: 2205, typlen: 4, columnKind: null, formatName: 'regclass' },
  regtype: { oid: 2206, typlen: 4, columnKind: null, formatName: 'regtype' },
  regproc: { oid: 24, typlen: 4, columnKind: null, formatName: 'regproc' },
  regprocedure: { oid: 2202, typlen: 4, columnKind: null, formatName: 'regprocedure' },
  regnamespace: { oid: 4089, typlen: 4, columnKind: null, formatName: 'regnamespace' },
  _text: { oid: 1009, typlen: -1, columnKind: null, formatName: 'text[]' },
  _oid: { oid: 1028, typlen: -1, columnKind: null, formatName: 'oid[]' },
  _int2: { oid: 1005, typlen: -1, columnKind: null, formatName: 'smallint[]' },
  _char: { oid: 1002, typlen: -1, columnKind: null, formatName: '"char"[]' },
  _name: { oid: 1003, typlen: -1, columnKind: null, formatName: 'name[]' },
  // pg_prepared_statements.parameter_types: the value is regtype[]'s text, element names already printed.
  _regtype: { oid: 2211, typlen: -1, columnKind: null, formatName: 'regtype[]' },
  _bool: { oid: 1000, typlen: -1, columnKind: null, formatName: 'boolean[]' },
  _int4: { oid: 1007, typlen: -1, columnKind: null, formatName: 'integer[]' },
  _int8: { oid: 1016, typlen: -1, columnKind: null, formatName: 'bigint[]' },
  _float4: { oid: 1021, typlen: -1, columnKind: null, formatName: 'real[]' },
  _float8: { oid: 1022, typlen: -1, columnKind: null, formatName: 'double precision[]' },
  _numeric: { oid: 1231, typlen: -1, columnKind: null, formatName: 'numeric[]' },
  _varchar: { oid: 1015, typlen: -1, columnKind: null, formatName: 'character varying[]' },
  _bpchar: { oid: 1014, typlen: -1, columnKind: null, formatName: 'character[]' },
  _timestamp: { oid: 1115, typlen: -1, columnKind: null, formatName: 'timestamp without time zone[]' },
  _timestamptz: { oid: 1185, typlen: -1, columnKind: null, formatName: 'timestamp with time zone[]' },
  _date: { oid: 1182, typlen: -1, columnKind: null, formatName: 'date[]' },
  _interval: { oid: 1187, typlen: -1, columnKind: null, formatName: 'interval[]' },
  _uuid: { oid: 2951, typlen: -1, columnKind: null, formatName: 'uuid[]' },
  _bytea: { oid: 1001, typlen: -1, columnKind: null, formatName: 'bytea[]' },
  _json: { oid: 199, typlen: -1, columnKind: null, formatName: 'json[]' },
  _jsonb: { oid: 3807, typlen: -1, columnKind: null, formatName: 'jsonb[]' },
}

/** The array type of each element type nodedb can put in an array (pg_type.typarray of the element). */
export const ARRAY_OF: Readonly<Partial<Record<PgTypeName, PgTypeName>>> = {
  text: '_text', name: '_name', varchar: '_varchar', bpchar: '_bpchar', unknown: '_text', oid: '_oid', int2: '_int2', char: '_char',
  bool: '_bool', int4: '_int4', int8: '_int8', float4: '_float4', float8: '_float8', numeric: '_numeric',
  timestamp: '_timestamp', timestamptz: '_timestamptz', date: '_date', interval: '_interval', uuid: '_uuid', bytea: '_bytea', json: '_json', jsonb: '_jsonb',
}

/** The element type of an array type. */
export const ELEMENT_OF: Readonly<Partial<Record<PgTypeName, PgTypeName>>> = Object.fromEntries(
  Object.entries(ARRAY_OF).filter(([element]) => element !== 'unknown').map(([element, array]) => [array, element]),
)

export function isArrayType(name: PgTypeName): boolean {
  return ELEMENT_OF[name] !== undefined
}

export const PG_TYPE_NAMES: ReadonlyArray<PgTypeName> = [
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'bpchar', 'timestamp', 'timestamptz',
  'date', 'time', 'timetz', 'interval', 'unknown', 'void', 'name', 'char', 'oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace',
  '_text', '_oid', '_int2', '_char', '_name', '_regtype', '_bool', '_int4', '_int8', '_float4', '_float8', '_numeric', '_varchar', '_bpchar',
  '_timestamp', '_timestamptz', '_date', '_interval', 'uuid', '_uuid', 'bytea', '_bytea', 'json', '_json', 'jsonb', '_jsonb',
]

/** A SQL type with its modifier (atttypmod; -1 when none; varchar(n) → n + 4 as PostgreSQL stores it). */
export interface SqlType {
  readonly name: PgTypeName
  readonly typmod: number
}

export function sqlType(name: PgTypeName, typmod = -1): SqlType {
  return { name, typmod }
}

/** Spellings accepted in DDL and casts → the canonical type. */
const ALIASES: Readonly<Record<string, PgTypeName>> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2', int4: 'int4', int: 'int4', integer: 'int4', int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4', float8: 'float8', float: 'float8', 'double precision': 'float8', double: 'float8',
  numeric: 'numeric', decimal: 'numeric',
  // Unquoted char / character arrive from the grammar as bpchar with typmod 1; a written "char" is the one-byte type.
  text: 'text', varchar: 'varchar', 'character varying': 'varchar', char: 'char', character: 'bpchar', bpchar: 'bpchar',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz', date: 'date', time: 'time', 'time without time zone': 'time', timetz: 'timetz', 'time with time zone': 'timetz', interval: 'interval', uuid: 'uuid', bytea: 'bytea', json: 'json', jsonb: 'jsonb',
  name: 'name', oid: 'oid', regclass: 'regclass', regtype: 'regtype', regproc: 'regproc', regprocedure: 'regprocedure', regnamespace: 'regnamespace',
}

const INTERVAL_FULL_RANGE = 0x7fff
const TIME_PRECISION_MAX = 6

function checkPrecision(name: PgTypeName, precision: number): number {
  if (precision < 0) throw invalidParameterValue(`${name === 'interval' ? 'INTERVAL' : name === 'time' || name === 'timetz' ? 'TIME' : 'TIMESTAMP'}(${precision})${name === 'timestamptz' || name === 'timetz' ? ' WITH TIME ZONE' : ''} precision must not be negative`)
  return Math.min(precision, TIME_PRECISION_MAX)
}

/** PostgreSQL's built-in types nodedb does not have: naming one is 0A000, not 42704 ("does not exist" would be false). */
const POSTGRES_ONLY_TYPES: ReadonlySet<string> = new Set([
  'money', 'inet', 'cidr', 'macaddr', 'macaddr8',
  'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'bit', 'varbit', 'bit varying', 'xml', 'tsvector',
  'tsquery', 'jsonpath', 'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange', 'int4multirange',
  'int8multirange', 'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange', 'pg_lsn', 'pg_snapshot',
  'txid_snapshot', 'xid', 'xid8', 'cid', 'tid', 'regoper', 'regoperator', 'regrole', 'regcollation',
  'regconfig', 'regdictionary', 'aclitem', 'int2vector', 'oidvector', 'record', 'cstring', 'refcursor',
])

/** A written type name → SqlType; 42704 when unknown, 0A000 for a PostgreSQL type nodedb lacks. */
export function resolveTypeName(type: SqlTypeName): SqlType {
  const element = ALIASES[type.name]
  if (element === undefined && POSTGRES_ONLY_TYPES.has(type.name)) {
    throw featureNotSupportedMessage(`type ${type.name}${type.isArray ? '[]' : ''} is not supported by nodedb`)
  }
  if (element === undefined) throw undefinedObject(`type "${type.name}${type.isArray ? '[]' : ''}" does not exist`)
  if (type.isArray) {
    const array = ARRAY_OF[element]
    // Every PostgreSQL type has an array type: one nodedb lacks (timetz[]) is missing here, not absent there.
    if (array === undefined) throw featureNotSupportedMessage(`arrays of ${PG_TYPES[element].formatName} is not supported`)
    return sqlType(array)
  }
  const name = element
  const length = type.args[0]
  if ((name === 'varchar' || name === 'bpchar') && length !== undefined) return sqlType(name, length + 4)
  // timestamp(p): typmod p (above 6 PostgreSQL warns and uses 6); interval(p): full range << 16 | p.
  if ((name === 'timestamp' || name === 'timestamptz' || name === 'time' || name === 'timetz') && length !== undefined) return sqlType(name, checkPrecision(name, length))
  if (name === 'interval' && length !== undefined) return sqlType(name, (INTERVAL_FULL_RANGE << 16) | checkPrecision(name, length))
  // numeric(p, s): PostgreSQL's typmod is ((p << 16) | s) + VARHDRSZ.
  if (name === 'numeric' && length !== undefined) return sqlType(name, ((length << 16) | (type.args[1] ?? 0)) + 4)
  return sqlType(name)
}

/** The verbatim form kept in ColumnSchema.sqlType: 'varchar(20)', 'int4', 'timestamptz'. */
export function formatStoredType(type: SqlType): string {
  if (type.typmod >= 4 && type.name === 'numeric') return `numeric(${(type.typmod - 4) >> 16},${(type.typmod - 4) & 0xffff})`
  if (type.typmod >= 0 && (type.name === 'timestamp' || type.name === 'timestamptz' || type.name === 'time' || type.name === 'timetz')) return `${type.name}(${type.typmod})`
  return type.typmod >= 4 && (type.name === 'varchar' || type.name === 'bpchar') ? `${type.name}(${type.typmod - 4})` : type.name
}

/** Reads ColumnSchema.sqlType back; a column written by another path (ILP) without a known type gets its kind's default. */
export function parseStoredType(stored: string, kind: ColumnKind): SqlType {
  const match = /^([a-z0-9]+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(stored)
  const name = match === null ? undefined : ALIASES[match[1] ?? '']
  // numeric(p,s) keeps PostgreSQL's typmod ((p << 16) | s) + 4, so \d and format_type print numeric(10,2).
  if (name === 'numeric' && match?.[3] !== undefined) return sqlType(name, ((Number(match[2]) << 16) | Number(match[3])) + 4)
  if ((name === 'timestamp' || name === 'timestamptz' || name === 'time' || name === 'timetz') && match?.[2] !== undefined) return sqlType(name, Number(match[2]))
  if (name !== undefined) return sqlType(name, match?.[2] === undefined ? -1 : Number(match[2]) + 4)
  return defaultTypeOfKind(kind)
}

export function defaultTypeOfKind(kind: ColumnKind): SqlType {
  switch (kind) {
    case 'timestamp': return sqlType('timestamptz')
    case 'symbol': return sqlType('text')
    case 'text': return sqlType('text')
    case 'f64': return sqlType('float8')
    case 'i64': return sqlType('int8')
    case 'bool': return sqlType('bool')
    default: return assertNever(kind)
  }
}

export function isNumericType(name: PgTypeName): boolean {
  return name === 'int2' || name === 'int4' || name === 'int8' || name === 'float4' || name === 'float8' || name === 'numeric'
}

export function isIntegerType(name: PgTypeName): boolean {
  return name === 'int2' || name === 'int4' || name === 'int8'
}

export function isTextType(name: PgTypeName): boolean {
  return name === 'text' || name === 'varchar' || name === 'bpchar' || name === 'unknown'
}

export function isTimestampType(name: PgTypeName): boolean {
  return name === 'timestamp' || name === 'timestamptz'
}

export function typeOid(type: SqlType): number {
  return PG_TYPES[type.name].oid
}
