// sql/expr/cast-value: converts text (literals, text-format parameters) and other values to a SQL type's value
// representation (see SqlValue in sql/api.ts), and decodes binary-format parameters. Errors are 22P02/22007/22003.
// Time types read and print through the session TimeZone when a TimeContext is given (UTC otherwise).
import { encodeFloat4Text, encodeFloat8Text } from '../../src/common/float-text.js'
import { cannotCoerce, featureNotSupported, invalidBinaryRepresentation, invalidTextRepresentation, numericValueOutOfRange } from '../../src/common/errors.js'
import { assertNever } from '../../src/common/assert.js'
import { decodeUuidBinary, parseUuid } from '../../src/common/uuid.js'
import { decodeUtf8 } from '../exec/copy-decode.js'
import { formatBytea, parseBytea } from './bytea.js'
import { canonicalJsonb, parseJson } from './json.js'
import type { SqlValue } from '../api.js'
import { ELEMENT_OF, isArrayType, PG_TYPE_NAMES, PG_TYPES, sqlType, type PgTypeName, type SqlType } from '../bind/types.js'
import { formatArrayText, parseArrayText } from '../functions/array-text.js'
import { formatNumeric, parseNumeric } from '../functions/numeric-ops.js'
import { PG_EPOCH_DAYS } from './calendar.js'
import { formatInterval, isIntervalValue, parseInterval } from './interval.js'
import { decodeArrayBinary } from './array-binary.js'
import { decodeNumericBinary } from './numeric-binary.js'
import {
  castDateToTimestamp, castDateToTimestamptz, castTimestampToDate, castTimestampToTimestamptz, castTimestamptzToDate,
  castTimestamptzToTimestamp,
} from './time-casts.js'
import {
  type TimeContext, dateStyleOf, formatDate, formatTime, formatTimestamp, formatTimestamptz, intervalStyleOf, parseDate, parseTimestamp,
  parseTimestamptz,
} from './timestamp.js'
import { intervalOfTime, parseTime, timeOfInterval, timeOfTimestamp, timeOfTimestamptz } from './time-of-day.js'
import { formatTimetz, parseTimetz, timeOfTimetz, timetzFromBinary, timetzOfTime, timetzOfTimestamptz } from './timetz.js'
import { applyTypmod } from './typmod.js'

/** Used when a caller has no session at hand (plan-time folding of literals without zone dependence). */
function defaultTimeContext(): TimeContext {
  return { timeZone: 'UTC', nowUs: Date.now() * 1000 }
}

const INT_BOUNDS: Readonly<Record<'int2' | 'int4', number>> = { int2: 32767, int4: 2147483647 }

function parseBool(text: string): boolean {
  const lower = text.trim().toLowerCase()
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(lower)) return true
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(lower)) return false
  throw invalidTextRepresentation('boolean', text)
}

/**
 * int2in / int4in / int8in (`isInput`: the text names the value, `value "…" is out of range for type integer`), or
 * the integer a cast from numeric or float rounded to (`integer out of range`, as PostgreSQL's casts word it).
 */
function parseInteger(text: string, name: 'int2' | 'int4' | 'int8', isInput = true): number | bigint {
  const trimmed = text.trim()
  if (!/^[+-]?\d+$/.test(trimmed)) throw invalidTextRepresentation(PG_TYPES[name].formatName, text)
  const value = BigInt(trimmed)
  const bound = name === 'int8' ? 9223372036854775807n : BigInt(INT_BOUNDS[name])
  if (value > bound || value < -bound - 1n) {
    const typeName = PG_TYPES[name].formatName
    throw numericValueOutOfRange(isInput ? `value "${text}" is out of range for type ${typeName}` : `${typeName} out of range`)
  }
  return name === 'int8' ? value : Number(value)
}

function parseFloatText(text: string, typeName: string): number {
  const trimmed = text.trim()
  if (/^[+-]?(infinity|inf)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity
  if (/^nan$/i.test(trimmed)) return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) throw invalidTextRepresentation(typeName, text)
  return checkFloatRange(Number(trimmed), trimmed, typeName)
}

/**
 * float8in / float4in: a finite decimal that overflows to ±Infinity, or a non-zero one that underflows to 0
 * (subnormals are kept), is 22003 naming the text, as PostgreSQL answers — never Infinity or 0 in its place.
 */
function checkFloatRange(value: number, text: string, typeName: string): number {
  const narrowed = typeName === 'real' ? Math.fround(value) : value
  const mantissa = text.replace(/e.*$/i, '')
  if (!Number.isFinite(narrowed) || (narrowed === 0 && /[1-9]/.test(mantissa))) {
    throw numericValueOutOfRange(`"${text}" is out of range for type ${typeName}`)
  }
  return value
}

/** numeric / float8 → float4 or float8: numeric reads its text as float8in does; float8 → float4 checks as float8_to_float4. */
function castToFloat(value: Exclude<SqlValue, null>, from: PgTypeName, to: 'float4' | 'float8'): number {
  const number = Number(value)
  const isSpecial = from === 'numeric' && /^(-?Infinity|NaN)$/.test(String(value))
  if (from === 'numeric' && !isSpecial) return checkFloatRange(number, String(value), PG_TYPES[to].formatName)
  if (from === 'numeric' || to === 'float8' || !Number.isFinite(number)) return number
  const narrowed = Math.fround(number)
  if (!Number.isFinite(narrowed)) throw numericValueOutOfRange('value out of range: overflow')
  if (narrowed === 0 && number !== 0) throw numericValueOutOfRange('value out of range: underflow')
  return number
}

/** Text → the value of `type`. */
export function castText(text: string, type: SqlType, ctx: TimeContext = defaultTimeContext()): SqlValue {
  const name = type.name
  switch (name) {
    case 'bool': return parseBool(text)
    case 'int2': case 'int4': case 'int8': return parseInteger(text, name)
    case 'float4': case 'float8': return parseFloatText(text, PG_TYPES[name].formatName)
    // numeric_in's canonical form: '1e2' is 100, '007.10' is 7.10, '-0' is 0 (the written scale is kept).
    case 'numeric': return formatNumeric(parseNumeric(text))
    case 'text': case 'varchar': case 'bpchar': case 'unknown': return text
    case 'timestamp': return parseTimestamp(text, ctx)
    case 'timestamptz': return parseTimestamptz(text, ctx)
    case 'date': return parseDate(text, ctx)
    case 'time': return applyTypmod(parseTime(text, ctx), type, false)
    case 'timetz': return applyTypmod(parseTimetz(text, ctx), type, false)
    case 'interval': return parseInterval(text, intervalStyleOf(ctx))
    case 'name': return text.slice(0, 63)
    case 'char': return text.slice(0, 1)
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regprocedure': case 'regnamespace': return parseOid(text, name)
    case '_text': case '_oid': case '_int2': case '_char': case '_name': case '_bool': case '_int4': case '_int8': case '_float4':
    case '_float8': case '_numeric': case '_varchar': case '_bpchar': case '_timestamp': case '_timestamptz': case '_date':
    case '_interval': case '_uuid': case '_bytea': case '_json': case '_jsonb': return normalizeArrayText(text, type, ctx)
    case 'json': parseJson(text, false); return text
    case 'jsonb': return canonicalJsonb(text)
    case 'uuid': return parseUuid(text)
    case 'bytea': return parseBytea(text)
    case 'void': throw cannotCoerce('text', 'void')
    case '_regtype': throw featureNotSupported('input of regtype[]')
    default: return assertNever(name)
  }
}

/** oid input: an unsigned 32-bit number (reg* names are resolved against the catalog in sql/exec/value-ops.ts). */
function parseOid(text: string, name: PgTypeName): number {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) throw invalidTextRepresentation(PG_TYPES[name].formatName, text)
  const value = Number(trimmed)
  if (value > 4294967295) throw numericValueOutOfRange(`value "${text}" is out of range for type oid`)
  return value
}

/**
 * The text form of a value, as PostgreSQL would print it (used for casts to text and SHOW): dates and timestamps in
 * the session's DateStyle (`dateStyle` overrides it: JSON prints them ISO), intervals in its IntervalStyle.
 */
export function formatValue(value: SqlValue, type: PgTypeName, ctx: TimeContext = defaultTimeContext(), dateStyle = dateStyleOf(ctx)): string | null {
  if (value === null) return null
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (isIntervalValue(value)) return formatInterval(value, intervalStyleOf(ctx))
  if (type === 'timestamptz') return formatTimestamptz(Number(value), ctx.timeZone, dateStyle)
  if (type === 'timestamp') return formatTimestamp(Number(value), dateStyle)
  if (type === 'date') return formatDate(Number(value), dateStyle)
  if (type === 'time') return formatTime(Number(value))
  if (type === 'timetz' && typeof value === 'string') return formatTimetz(value)
  if (type === 'float8' && typeof value === 'number') return encodeFloat8Text(value)
  if (type === 'float4' && typeof value === 'number') return encodeFloat4Text(value)
  return String(value)
}

/** Casts among timestamp, timestamptz and date (through the session zone); 'interval' only from interval. */
function castTime(value: Exclude<SqlValue, null>, from: PgTypeName, to: 'timestamp' | 'timestamptz' | 'date' | 'interval', ctx: TimeContext): SqlValue {
  if (to === 'interval') {
    if (isIntervalValue(value)) return value
    if (from === 'time') return intervalOfTime(Number(value))
    throw featureNotSupported(`cast from ${from} to interval`)
  }
  const n = Number(value)
  if (from === to) return n
  switch (`${from}>${to}`) {
    case 'timestamptz>timestamp': return castTimestamptzToTimestamp(n, ctx)
    case 'timestamp>timestamptz': return castTimestampToTimestamptz(n, ctx)
    case 'timestamp>date': return castTimestampToDate(n)
    case 'timestamptz>date': return castTimestamptzToDate(n, ctx)
    case 'date>timestamp': return castDateToTimestamp(n)
    case 'date>timestamptz': return castDateToTimestamptz(n, ctx)
    default: throw featureNotSupported(`cast from ${from} to ${to}`)
  }
}

/** Casts to time: from timestamp (its wall clock), timestamptz (in the session zone), interval; NULL for ±infinity. */
function castToTime(value: Exclude<SqlValue, null>, from: PgTypeName, ctx: TimeContext): SqlValue {
  if (isIntervalValue(value)) return timeOfInterval(value)
  switch (from) {
    case 'time': return value
    case 'timetz': return timeOfTimetz(String(value))
    case 'timestamp': return timeOfTimestamp(Number(value))
    case 'timestamptz': return timeOfTimestamptz(Number(value), ctx)
    default: throw cannotCoerce(PG_TYPES[from].formatName, 'time without time zone')
  }
}

/** Casts to timetz: from time (the session zone's offset today), timestamptz (in the session zone); NULL for ±infinity. */
function castToTimetz(value: Exclude<SqlValue, null>, from: PgTypeName, ctx: TimeContext): SqlValue {
  switch (from) {
    case 'timetz': return value
    case 'time': return timetzOfTime(Number(value), ctx)
    case 'timestamptz': return timetzOfTimestamptz(Number(value), ctx)
    default: throw cannotCoerce(PG_TYPES[from].formatName, 'time with time zone')
  }
}

/** Converts a value of one type into another (numeric widening, text parsing, timestamp kinds). */
export function castValue(value: SqlValue, from: PgTypeName, to: SqlType, ctx: TimeContext = defaultTimeContext()): SqlValue {
  if (value === null) return null
  if (typeof value === 'string' && isArrayType(from) && isArrayType(to.name)) return castArray(value, from, to, ctx)
  // A timetz value is an ordered string, not its text (sql/expr/timetz.ts).
  if (typeof value === 'string' && from !== 'numeric' && from !== 'timetz') return castText(value, to, ctx)
  switch (to.name) {
    case 'int2': case 'int4': case 'int8': {
      const rounded = typeof value === 'bigint' ? value : BigInt(Math.round(Number(value)))
      return parseInteger(String(rounded), to.name, false)
    }
    case 'float4': case 'float8': return typeof value === 'boolean' ? Number(value) : castToFloat(value, from, to.name)
    case 'numeric': return String(value)
    case 'text': case 'varchar': case 'bpchar': case 'unknown': case 'name': case 'char': return formatValue(value, from, ctx)
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regprocedure': case 'regnamespace': return Number(value)
    case '_text': case '_oid': case '_int2': case '_char': case '_name': case '_bool': case '_int4': case '_int8': case '_float4':
    case '_float8': case '_numeric': case '_varchar': case '_bpchar': case '_timestamp': case '_timestamptz': case '_date':
    case '_interval': case '_uuid': case '_bytea': case '_json': case '_jsonb': case 'uuid': case 'bytea': case 'json': case 'jsonb': throw cannotCoerce(PG_TYPES[from].formatName, PG_TYPES[to.name].formatName)
    case 'bool': return typeof value === 'boolean' ? value : Number(value) !== 0
    case 'timestamp': case 'timestamptz': case 'date': case 'interval': return castTime(value, from, to.name, ctx)
    case 'time': return applyTypmod(castToTime(value, from, ctx), to, true)
    case 'timetz': return applyTypmod(castToTimetz(value, from, ctx), to, true)
    case 'void': case '_regtype': throw cannotCoerce(PG_TYPES[from].formatName, PG_TYPES[to.name].formatName)
    default: return assertNever(to.name)
  }
}

/** µs between the Unix epoch and PostgreSQL's epoch (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n

/** Decodes a binary-format parameter of `type` (int2/4/8, float4/8, bool, timestamp(tz), text-like, arrays). */
export function decodeBinaryParam(bytes: Uint8Array, type: SqlType): SqlValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const need = (count: number): void => {
    if (bytes.byteLength !== count) throw invalidTextRepresentation(PG_TYPES[type.name].formatName, `<${bytes.byteLength} bytes>`)
  }
  switch (type.name) {
    case 'bool': need(1); return view.getUint8(0) !== 0
    case 'int2': need(2); return view.getInt16(0)
    case 'int4': need(4); return view.getInt32(0)
    case 'int8': need(8); return view.getBigInt64(0)
    case 'float4': need(4); return view.getFloat32(0)
    case 'float8': need(8); return view.getFloat64(0)
    case 'timestamp': case 'timestamptz': {
      need(8)
      const raw = view.getBigInt64(0)
      if (raw === INT64_MAX || raw === INT64_MIN) return raw > 0n ? Infinity : -Infinity
      return Number(raw + PG_EPOCH_US)
    }
    case 'date': {
      need(4)
      const raw = view.getInt32(0)
      if (raw === 0x7fffffff || raw === -0x80000000) return raw > 0 ? Infinity : -Infinity
      return raw + PG_EPOCH_DAYS
    }
    case 'interval': need(16); return { us: Number(view.getBigInt64(0)), days: view.getInt32(8), months: view.getInt32(12) }
    case 'time': need(8); return Number(view.getBigInt64(0))
    case 'timetz': need(12); return applyTypmod(timetzFromBinary(Number(view.getBigInt64(0)), view.getInt32(8)), type, false)
    // textrecv verifies the bytes as the server encoding: invalid UTF-8 or a NUL is 22021, never replaced.
    case 'text': case 'varchar': case 'bpchar': case 'unknown': case 'name': case 'char': return decodeUtf8(bytes)
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regprocedure': case 'regnamespace': need(4); return view.getUint32(0)
    case '_text': case '_oid': case '_int2': case '_char': case '_name': case '_bool': case '_int4': case '_int8': case '_float4':
    case '_float8': case '_numeric': case '_varchar': case '_bpchar': case '_timestamp': case '_timestamptz': case '_date':
    case '_interval': case '_uuid': case '_bytea': case '_json': case '_jsonb': return decodeArrayBinary(bytes, type, decodeBinaryParam, arrayElementText)
    case 'uuid': return decodeUuidBinary(bytes)
    case 'json': return castText(decodeUtf8(bytes), type)
    case 'jsonb': return decodeJsonbBinary(bytes)
    case 'bytea': return formatBytea(bytes)
    case 'numeric': return decodeNumericBinary(bytes)
    case 'void': case '_regtype': throw featureNotSupported(`binary format for ${type.name} parameters`)
    default: return assertNever(type.name)
  }
}

/** jsonb_recv: a version byte (1), then the text. */
function decodeJsonbBinary(bytes: Uint8Array): string {
  if (bytes[0] !== 1) throw invalidBinaryRepresentation(`unsupported jsonb version number ${bytes[0] ?? 0}`)
  return canonicalJsonb(decodeUtf8(bytes.subarray(1)))
}

/** array_out's element text: the element type's output function (booleans as t/f, times in the session zone). */
export function arrayElementText(value: SqlValue, element: PgTypeName, ctx: TimeContext = defaultTimeContext()): string | null {
  if (typeof value === 'boolean') return value ? 't' : 'f'
  return formatValue(value, element, ctx)
}

/** Values of one element type → the array's text form. */
export function formatArrayValues(values: ReadonlyArray<SqlValue>, element: PgTypeName, ctx: TimeContext = defaultTimeContext()): string {
  return formatArrayText(values.map((value) => arrayElementText(value, element, ctx)))
}

/** Array type OID → its element type, for binary output of every array value (built once, not searched per value). */
const ELEMENT_BY_ARRAY_OID: ReadonlyMap<number, PgTypeName> = new Map(
  PG_TYPE_NAMES.flatMap((name) => (ELEMENT_OF[name] === undefined ? [] : [[PG_TYPES[name].oid, ELEMENT_OF[name]!] as const])),
)

/**
 * The elements of an array value (its text form) as values of the element type, with that type's OID; undefined when
 * `arrayOid` is not an array type nodedb has. Wire's binary output (array_send) encodes each with the element codec.
 */
export function arrayElementValues(text: string, arrayOid: number): { readonly elementOid: number; readonly values: SqlValue[] } | undefined {
  const element = ELEMENT_BY_ARRAY_OID.get(arrayOid)
  if (element === undefined) return undefined
  const type = sqlType(element)
  return { elementOid: PG_TYPES[element].oid, values: parseArrayText(text).map((item) => (item === null ? null : castText(item, type))) }
}

/** array_in: each element read as the element type (22P02 on a bad one) and printed back canonically. */
function normalizeArrayText(text: string, type: SqlType, ctx: TimeContext): string {
  const element = ELEMENT_OF[type.name] ?? 'text'
  if (element === 'text' || element === 'name' || element === 'char') return text.trim()
  return formatArrayValues(parseArrayText(text).map((item) => (item === null ? null : castText(item, sqlType(element), ctx))), element, ctx)
}

/** An array cast to another array type: element by element, as array_map does with the element cast. */
function castArray(text: string, from: PgTypeName, to: SqlType, ctx: TimeContext): string {
  const fromElement = ELEMENT_OF[from] ?? 'text'
  const toElement = ELEMENT_OF[to.name] ?? 'text'
  const values = parseArrayText(text).map((item) => {
    if (item === null) return null
    return castValue(castText(item, sqlType(fromElement), ctx), fromElement, sqlType(toElement), ctx)
  })
  return formatArrayValues(values, toElement, ctx)
}
