// sql/exec/params: parameter types (declared in Parse, else inferred while binding, else text) and the decoding of
// Bind values (text format: cast by type; binary: decoded per OID) into SqlValues.
import { protocolViolation } from '../../src/common/errors.js'
import type { ParamValue, SqlValue } from '../api.js'
import { PG_TYPES, PG_TYPE_NAMES, sqlType, type SqlType } from '../bind/types.js'
import { castText, decodeBinaryParam } from '../expr/cast-value.js'

/** The SqlType of a declared parameter OID; 0 (or an OID nodedb does not know) leaves it to inference. */
export function typeOfOid(oid: number): SqlType | null {
  if (oid === 0) return null
  const name = PG_TYPE_NAMES.find((key) => PG_TYPES[key].oid === oid)
  return name === undefined || name === 'unknown' ? null : sqlType(name)
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

export function decodeParams(params: ReadonlyArray<ParamValue>, types: ReadonlyArray<SqlType>): SqlValue[] {
  if (params.length < types.length) {
    throw protocolViolation(`bind message supplies ${params.length} parameters, but prepared statement requires ${types.length}`)
  }
  return params.map((param, index) => {
    const type = types[index] ?? sqlType('text')
    if (param === null) return null
    return typeof param === 'string' ? castText(param, type) : decodeBinaryParam(param, type)
  })
}
