// sql/exec/params: parameter types (declared in Parse, else inferred while binding, else text) and the decoding of
// Bind values (text format: cast by type; binary: decoded per OID) into SqlValues.
import { featureNotSupported, invalidBinaryRepresentation, protocolViolation } from '../../src/common/errors.js'
import type { ParamValue, SqlValue } from '../api.js'
import { PG_TYPES, PG_TYPE_NAMES, sqlType, type SqlType } from '../bind/types.js'
import { isRegType, type CatalogLookup } from '../catalog/catalog-lookup.js'
import { PG_TYPE_ROWS } from '../catalog/pg-type-data.js'
import { castRegValue } from '../catalog/reg-cast.js'
import { castText, decodeBinaryParam } from '../expr/cast-value.js'
import { checkTimetzTime } from '../expr/timetz.js'
import type { TimeContext } from '../expr/timestamp.js'

/**
 * The SqlType of a declared parameter OID; 0 and unknown (705) leave it to inference. A type nodedb does not have
 * (bytea from postgres.js's Buffer, uuid, json, …) is 0A000: reading its value as text would answer differently.
 */
export function typeOfOid(oid: number): SqlType | null {
  if (oid === 0) return null
  const name = PG_TYPE_NAMES.find((key) => PG_TYPES[key].oid === oid)
  if (name === undefined) {
    const known = PG_TYPE_ROWS.find((row) => row[0] === oid)
    throw featureNotSupported(`parameter type ${known === undefined ? `with OID ${oid}` : known[1]}`)
  }
  return name === 'unknown' ? null : sqlType(name)
}

export function initialParamTypes(paramCount: number, declared: ReadonlyArray<number>): Array<SqlType | null> {
  return Array.from({ length: paramCount }, (_, index) => typeOfOid(declared[index] ?? 0))
}

/** Final types after binding: anything still unknown is text, as PostgreSQL resolves an unknown parameter. */
export function settleParamTypes(paramCount: number, types: ReadonlyArray<SqlType | null>): SqlType[] {
  return Array.from({ length: Math.max(paramCount, types.length) }, (_, index) => {
    const type = types[index]
    return type === null || type === undefined || type.name === 'unknown' ? sqlType('text') : type
  })
}

/** Text values whose reading depends on the session (TimeZone, DateStyle, IntervalStyle): checked at Bind only where it is known. */
export const SESSION_DEPENDENT_TEXT: ReadonlySet<string> = new Set(['timestamp', 'timestamptz', 'date', 'time', 'timetz', 'interval'])

/** Binary values of these types have the type's fixed length (pg_type.typlen), as their receive functions read. */
const FIXED_BINARY_SIZE = new Set<string>(['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'timestamp', 'timestamptz', 'date', 'time',
  'timetz', 'interval', 'oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'uuid'])

/**
 * PostgreSQL's Bind checks of a binary value's length: too short is the receive function running out of message
 * (08P01), too long is the bytes it left unread (22P03, naming the 1-based parameter).
 */
export function checkBinaryParamSize(bytes: Uint8Array, type: SqlType, index: number): void {
  if (!FIXED_BINARY_SIZE.has(type.name)) return
  const size = PG_TYPES[type.name].typlen
  // timetz_recv range-checks the time before it reads the zone: a value too short for the zone but with a time out
  // of range is 22008 there, not 08P01.
  if (type.name === 'timetz' && bytes.byteLength >= 8) checkTimetzTime(Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigInt64BE(0)))
  if (bytes.byteLength < size) throw protocolViolation('insufficient data left in message')
  if (bytes.byteLength > size) throw invalidBinaryRepresentation(`incorrect binary data format in bind parameter ${index + 1}`)
}

/**
 * Bind values as SqlValues of their types. A text value of a reg* type is a name resolved through the catalog, as
 * regtypein does ('int4' for psycopg's `%(name)s::regtype`), 42704 when nothing has that name. Text dates and
 * timestamps are read in the session's TimeZone and DateStyle order (`timeContext`), as PostgreSQL's date_in does.
 */
export function decodeParams(params: ReadonlyArray<ParamValue>, types: ReadonlyArray<SqlType>, catalog?: CatalogLookup,
  timeContext?: TimeContext): SqlValue[] {
  if (params.length < types.length) {
    throw protocolViolation(`bind message supplies ${params.length} parameters, but prepared statement requires ${types.length}`)
  }
  return params.map((param, index) => {
    const type = types[index] ?? sqlType('text')
    if (param === null) return null
    if (typeof param === 'string' && isRegType(type.name)) return castRegValue(param, sqlType('text'), type, catalog) ?? null
    return typeof param === 'string' ? castText(param, type, timeContext) : decodeBinaryParam(param, type)
  })
}
