// sql/exec/value-ops: typed comparison, equality keys and casts of SqlValues — the one ordering used by
// comparisons, ORDER BY, DISTINCT, GROUP BY, joins and set operations, so they can never disagree.
import { castRegValue } from '../catalog/reg-cast.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import { rint } from '../expr/calendar.js'
import { castValue } from '../expr/cast-value.js'
import { compareValues } from '../expr/compare-values.js'
import type { FunctionContext } from '../functions/function-def.js'
import { compareDecimal, decimalToInteger, floatToDecimal, formatNumeric, parseNumeric } from '../functions/numeric-ops.js'
import { invalidParameterValue, numericValueOutOfRange } from '../../src/common/errors.js'
import { bpcharTrim } from '../expr/char-types.js'
import { applyTypmod } from '../expr/typmod.js'
import { compareJsonb, isJsonNumber, jsonbKey, parseJson, type JsonNumber } from '../expr/json.js'
import { compareCodePoints } from '../../src/common/text-order.js'

/** The casts out of jsonb (jsonb_bool, jsonb_numeric, jsonb_int4, …) and the name each one's errors use. */
export const JSONB_SCALAR_TARGETS: Readonly<Partial<Record<SqlType['name'], string>>> = {
  bool: 'boolean', numeric: 'numeric', int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision',
}
const NUMERIC_TYPE: SqlType = { name: 'numeric', typmod: -1 }

/**
 * A jsonb scalar for a cast to bool or a number (JsonbExtractScalar): a boolean for bool, a number's numeric text
 * otherwise; anything else is cannotCastJsonbValue's 22023.
 */
function jsonbScalar(text: string, to: SqlType['name']): boolean | string {
  const value = parseJson(text, true)
  const wantsBool = to === 'bool'
  if (wantsBool ? typeof value === 'boolean' : isJsonNumber(value)) return typeof value === 'boolean' ? value : formatNumeric(parseNumeric((value as JsonNumber).num))
  const kind = value === null ? 'null' : typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string'
    : isJsonNumber(value) ? 'numeric' : Array.isArray(value) ? 'array' : 'object'
  throw invalidParameterValue(`cannot cast jsonb ${kind} to type ${JSONB_SCALAR_TARGETS[to]!}`)
}

/** Order of two non-null values of one type: numeric text compares by value, NaN sorts above every number. */
export function compareTyped(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>, type: SqlType): number {
  if (type.name === 'bpchar' && typeof a === 'string' && typeof b === 'string') return compareValues(bpcharTrim(a), bpcharTrim(b))
  if (type.name === 'jsonb' && typeof a === 'string' && typeof b === 'string') return compareJsonb(parseJson(a, true), parseJson(b, true))
  if (type.name === 'numeric' && typeof a === 'string' && typeof b === 'string') return compareDecimal(parseNumeric(a), parseNumeric(b))
  if ((type.name === 'float8' || type.name === 'float4') && typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1
    return a < b ? -1 : a > b ? 1 : 0
  }
  return compareValues(a, b)
}

/** ORDER BY comparison with NULL placement. */
export function compareForSort(a: SqlValue, b: SqlValue, type: SqlType, descending: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0
    return (a === null) === nullsFirst ? -1 : 1
  }
  const order = compareTyped(a, b, type)
  return descending ? -order : order
}

/** One ORDER BY key: its type, direction and NULL placement. */
export interface SortKeySpec {
  readonly expr: { readonly type: SqlType }
  readonly descending: boolean
  readonly nullsFirst: boolean
}

type Compare = (a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>) => number

const compareFloats: Compare = (a, b) => {
  const x = a as number
  const y = b as number
  if (x < y) return -1
  if (x > y) return 1
  if (x === y) return 0
  return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1
}

const compareStrings: Compare = (a, b) => compareCodePoints(a as string, b as string)

const NUMBER_COMPARED_TYPES: ReadonlySet<string> = new Set(['float8', 'float4', 'timestamptz', 'timestamp', 'date', 'int4', 'int2'])

const STRING_COMPARED_TYPES: ReadonlySet<string> = new Set(['text', 'varchar', 'name'])

/** How valueComparator orders two non-null values of `type` when they are of one JavaScript type, or null. */
export function keyOrderOf(type: SqlType): 'number' | 'string' | null {
  return NUMBER_COMPARED_TYPES.has(type.name) ? 'number' : STRING_COMPARED_TYPES.has(type.name) ? 'string' : null
}

/** compareTyped narrowed once per key by its type (a sort compares millions of times, its types never change). */
function valueComparator(type: SqlType): Compare {
  // Two numbers of these types compare as compareValues does (NaN last): timestamps, dates and int4/int2 are numbers.
  if (NUMBER_COMPARED_TYPES.has(type.name)) return (a, b) => (typeof a === 'number' && typeof b === 'number' ? compareFloats(a, b) : compareTyped(a, b, type))
  if (STRING_COMPARED_TYPES.has(type.name)) return (a, b) => (typeof a === 'string' && typeof b === 'string' ? compareStrings(a, b) : compareTyped(a, b, type))
  return (a, b) => compareTyped(a, b, type)
}

/** One ORDER BY key's order of two values: its type's comparison, DESC and NULLS FIRST/LAST applied. */
function keyComparator(key: SortKeySpec): (x: SqlValue, y: SqlValue) => number {
  const compare = valueComparator(key.expr.type)
  const sign = key.descending ? -1 : 1
  const nullOrder = key.nullsFirst ? -1 : 1
  return (x, y) => {
    if (x === null || y === null) return x === y ? 0 : x === null ? nullOrder : -nullOrder
    return sign * compare(x, y)
  }
}

/**
 * The comparator of rows of precomputed ORDER BY key values (key k at slots[k], at k by default): compareForSort per
 * key, specialized once.
 */
export function keysComparator(keys: ReadonlyArray<SortKeySpec>, slots: ReadonlyArray<number> = keys.map((_, i) => i)):
  (a: ReadonlyArray<SqlValue>, b: ReadonlyArray<SqlValue>) => number {
  const parts = keys.map(keyComparator)
  return (a, b) => {
    for (let i = 0; i < parts.length; i++) {
      const order = parts[i]!(a[slots[i]!] ?? null, b[slots[i]!] ?? null)
      if (order !== 0) return order
    }
    return 0
  }
}

/** The same order over key columns (columns[k][row]): compares two row indexes, so a sort needs no object per row. */
export function columnsComparator(keys: ReadonlyArray<SortKeySpec>, columns: ReadonlyArray<ReadonlyArray<SqlValue>>): (a: number, b: number) => number {
  const parts = keys.map(keyComparator)
  return (a, b) => {
    for (let k = 0; k < parts.length; k++) {
      const column = columns[k]!
      const order = parts[k]!(column[a] ?? null, column[b] ?? null)
      if (order !== 0) return order
    }
    return 0
  }
}

/** A string equal for values PostgreSQL considers equal (1.0 = 1 in numeric, -0 = 0, NaN = NaN in floats). */
export function valueKey(value: SqlValue, type: SqlType): string {
  if (value === null) return '\u0001N'
  if (typeof value === 'object') return `i${value.months}:${value.days}:${value.us}`
  if (type.name === 'numeric' && typeof value === 'string') return `n${normalizeDecimal(value)}`
  if (typeof value === 'number') return Object.is(value, -0) ? 'd0' : `d${value}`
  if (type.name === 'bpchar' && typeof value === 'string') return `string${bpcharTrim(value)}`
  if (type.name === 'jsonb' && typeof value === 'string') return `j${jsonbKey(parseJson(value, true))}`
  return `${typeof value}${String(value)}`
}

function normalizeDecimal(text: string): string {
  if (!text.includes('.')) return text.replace(/^(-?)0+(?=\d)/, '$1')
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '')
  return trimmed === '-0' ? '0' : trimmed
}

export function rowKey(row: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>): string {
  let key = ''
  for (let i = 0; i < row.length; i++) key += `${valueKey(row[i] ?? null, types[i]!)}\u0000`
  return key
}

const INTEGER_TYPES: ReadonlySet<string> = new Set(['int2', 'int4', 'int8'])

/**
 * Casts as PostgreSQL's cast functions do: float → integer rounds half to even (rint), numeric → integer half away
 * from zero, float → numeric keeps 15 significant digits (float8) or 6 (float4), numeric(p, s) rounds to its scale.
 */
export function castTyped(value: SqlValue, from: SqlType, to: SqlType, ctx: FunctionContext, isExplicit = false): SqlValue {
  if (value === null) return null
  if (from.name === to.name && (to.typmod < 0 || from.typmod === to.typmod)) return value
  // character(n) → any other type: its trailing blanks go first (rtrim1 in bpchar's casts and output to text).
  if (from.name === 'bpchar' && typeof value === 'string') value = bpcharTrim(value)
  return applyTypmod(castScalar(value, from, to, ctx), to, isExplicit)
}

function castScalar(value: Exclude<SqlValue, null>, from: SqlType, to: SqlType, ctx: FunctionContext): SqlValue {
  const reg = castRegValue(value, from, to, ctx.catalog)
  if (reg !== undefined) return reg
  if (from.name === 'jsonb' && typeof value === 'string' && to.name !== 'jsonb' && JSONB_SCALAR_TARGETS[to.name] !== undefined) {
    const scalar = jsonbScalar(value, to.name)
    return typeof scalar === 'boolean' ? scalar : castScalar(scalar, NUMERIC_TYPE, to, ctx)
  }
  if (INTEGER_TYPES.has(to.name) && typeof value === 'number' && (from.name === 'float8' || from.name === 'float4')) {
    if (!Number.isFinite(value)) throw numericValueOutOfRange(`${to.name === 'int8' ? 'bigint' : to.name === 'int4' ? 'integer' : 'smallint'} out of range`)
    return castValue(rint(value), 'float8', to, ctx)
  }
  if (INTEGER_TYPES.has(to.name) && typeof value === 'string' && from.name === 'numeric') {
    return castValue(decimalToInteger(parseNumeric(value), to.name as 'int2' | 'int4' | 'int8'), 'int8', to, ctx)
  }
  if (to.name === 'numeric') {
    let text: string
    if (typeof value === 'number' && (from.name === 'float8' || from.name === 'float4')) text = formatNumeric(floatToDecimal(value, from.name === 'float4' ? 6 : 15))
    else {
      const cast = castValue(value, from.name, to, ctx)
      text = typeof cast === 'string' ? cast : String(cast)
    }
    return text
  }
  if (to.name === 'float4' && typeof value !== 'object') {
    const cast = castValue(value, from.name, to, ctx)
    return typeof cast === 'number' ? Math.fround(cast) : cast
  }
  return castValue(value, from.name, to, ctx)
}
