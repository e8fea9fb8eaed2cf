// sql/bind/type-rules: PostgreSQL's implicit-cast and type-resolution rules, reduced to the types nodedb has:
// categories (N numeric, S string, D datetime, T timespan, B boolean), which casts may be implicit, the preferred
// type of each category, and the common type of UNION/CASE/COALESCE/IN branches (parse_coerce.c's select_common_type).
import { cannotCoerce, datatypeMismatch } from '../../src/common/errors.js'
import { PG_TYPES, sqlType, type PgTypeName, type SqlType } from './types.js'

// 'V' is uuid's own category, 'Y' bytea's, 'J' json's and 'K' jsonb's (all PostgreSQL's 'U', a letter this module
// gives unknown): nothing casts to them implicitly.
export type TypeCategory = 'N' | 'S' | 'D' | 'T' | 'B' | 'U' | 'A' | 'P' | 'V' | 'Y' | 'J' | 'K'

/** oid and the reg* aliases of it: each casts implicitly to the others (pg_cast's binary-coercible 'i' entries). */
export const OID_FAMILY: ReadonlySet<PgTypeName> = new Set(['oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace'])

export function categoryOf(name: PgTypeName): TypeCategory {
  switch (name) {
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': return 'N'
    case 'text': case 'varchar': case 'bpchar': case 'name': case 'char': return 'S'
    case 'oid': case 'regclass': case 'regtype': case 'regproc': case 'regprocedure': case 'regnamespace': return 'N'
    case '_text': case '_oid': case '_int2': case '_char': case '_name': case '_regtype': case '_bool': case '_int4': case '_int8': case '_float4':
    case '_float8': case '_numeric': case '_varchar': case '_bpchar': case '_timestamp': case '_timestamptz': case '_date':
    case '_interval': case '_uuid': case '_bytea': case '_json': case '_jsonb': return 'A'
    case 'uuid': return 'V'
    case 'bytea': return 'Y'
    case 'json': return 'J'
    case 'jsonb': return 'K'
    case 'timestamp': case 'timestamptz': case 'date': case 'time': case 'timetz': return 'D'
    case 'interval': return 'T'
    case 'bool': return 'B'
    case 'unknown': return 'U'
    case 'void': return 'P'
  }
}

/** Numeric widening order: each may be cast implicitly to every later one (pg_cast's 'i' entries). */
const NUMERIC_RANK: Readonly<Partial<Record<PgTypeName, number>>> = {
  int2: 0, int4: 1, int8: 2, oid: 2.5, regclass: 2.5, regtype: 2.5, regproc: 2.5, regprocedure: 2.5, regnamespace: 2.5, numeric: 3, float4: 4, float8: 5,
}
const DATETIME_RANK: Readonly<Partial<Record<PgTypeName, number>>> = { date: 0, timestamp: 1, timestamptz: 2 }

export const PREFERRED: Readonly<Record<TypeCategory, PgTypeName | null>> = {
  N: 'float8', S: 'text', D: 'timestamptz', T: 'interval', B: 'bool', U: null, A: null, P: null, V: null, Y: null, J: null, K: null,
}

/** time and timetz: datetime types that meet the others (date, timestamp, timestamptz) only through explicit casts. */
export function isTimeOfDay(name: PgTypeName): boolean {
  return name === 'time' || name === 'timetz'
}

/** Whether a value of `from` may be used where `to` is expected without an explicit cast. */
export function canImplicitlyCast(from: PgTypeName, to: PgTypeName): boolean {
  if (from === to || from === 'unknown') return true
  if (OID_FAMILY.has(from) && OID_FAMILY.has(to)) return true
  // time → interval and time → timetz are implicit (pg_cast 'i'); no other datetime type casts to or from the times
  // implicitly.
  if (isTimeOfDay(from) || isTimeOfDay(to)) return from === 'time' && (to === 'interval' || to === 'timetz')
  const fromCategory = categoryOf(from)
  if (fromCategory !== categoryOf(to)) return false
  if (fromCategory === 'N') return (NUMERIC_RANK[from] ?? 0) < (NUMERIC_RANK[to] ?? 0)
  if (fromCategory === 'D') return (DATETIME_RANK[from] ?? 0) < (DATETIME_RANK[to] ?? 0)
  if (fromCategory === 'A') return true // catalog arrays share the text form (sql/functions/array-text.ts)
  if (fromCategory === 'S') return to === 'text' || from === 'text' ? to === 'text' || to === 'varchar' || to === 'bpchar' : true
  return false
}

/**
 * The common type of several branches (UNION, CASE, COALESCE, IN lists, VALUES columns). Unknown branches take the
 * others' type (text when all are unknown); branches of different categories are 42804, as PostgreSQL words it.
 */
export function commonType(types: ReadonlyArray<SqlType>, context: string, pos?: number): SqlType {
  const known = types.filter((type) => type.name !== 'unknown')
  if (known.length === 0) return sqlType('text')
  let result = known[0]!
  for (const type of known.slice(1)) {
    if (type.name === result.name) {
      if (type.typmod !== result.typmod) result = sqlType(result.name)
      continue
    }
    if (categoryOf(type.name) !== categoryOf(result.name)) {
      throw datatypeMismatch(`${context} types ${formatName(result)} and ${formatName(type)} cannot be matched`, pos === undefined ? undefined : pos + 1)
    }
    if (isTimeOfDay(result.name) !== isTimeOfDay(type.name)) {
      const [time, other] = isTimeOfDay(result.name) ? [result, type] : [type, result]
      throw cannotCoerce(formatName(time), formatName(other), pos === undefined ? undefined : pos + 1)
    }
    if (canImplicitlyCast(result.name, type.name)) result = type
    else if (!canImplicitlyCast(type.name, result.name)) result = sqlType(PREFERRED[categoryOf(type.name)] ?? type.name)
  }
  if (result.name === 'varchar' || result.name === 'bpchar') {
    if (!known.every((t) => t.name === result.name)) return sqlType('text')
  }
  // select_common_typmod: a modifier survives only when every input (unknown literals included, which have none)
  // has it.
  return types.every((t) => t.typmod === result.typmod) ? result : sqlType(result.name)
}

export function formatName(type: SqlType): string {
  return PG_TYPES[type.name].formatName
}
