// sql/functions/aggregate-compare: the btree orderings min/max/percentile_disc/mode/first/last sort by, per type,
// as PostgreSQL defines them: floats with NaN above everything, numeric text compared as numbers, text bytewise
// (C collation: UTF-8 byte order is code point order, which JavaScript's UTF-16 `<` is not), intervals by their
// 30-day-month length.
import type { IntervalValue, SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import { compareDecimal, parseDecimal } from './aggregate-decimal.js'
import { compareCodePoints } from '../../src/common/text-order.js'

export type Comparator = (a: SqlValue, b: SqlValue) => number

const US_PER_DAY = 86_400_000_000n
const DAYS_PER_MONTH = 30n

function compareNumbers(a: SqlValue, b: SqlValue): number {
  const x = a as number
  const y = b as number
  // float8_cmp_internal: NaN equals NaN and sorts above every other value.
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1
  if (Number.isNaN(y)) return -1
  return x < y ? -1 : x > y ? 1 : 0
}

function compareBigints(a: SqlValue, b: SqlValue): number {
  const x = BigInt(a as bigint)
  const y = BigInt(b as bigint)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Code point order, i.e. UTF-8 byte order (C collation). */
export function compareText(a: SqlValue, b: SqlValue): number {
  return compareCodePoints(a as string, b as string)
}

/** bpchar ignores trailing spaces when comparing. */
function compareBpchar(a: SqlValue, b: SqlValue): number {
  return compareText((a as string).replace(/ +$/, ''), (b as string).replace(/ +$/, ''))
}

function compareNumeric(a: SqlValue, b: SqlValue): number {
  return compareDecimal(parseDecimal(a as string | number), parseDecimal(b as string | number))
}

/** interval_cmp_value: months as 30 days, days as 24 hours. */
export function intervalLength(v: IntervalValue): bigint {
  return BigInt(v.us) + (BigInt(v.days) + BigInt(v.months) * DAYS_PER_MONTH) * US_PER_DAY
}

function compareInterval(a: SqlValue, b: SqlValue): number {
  const x = intervalLength(a as IntervalValue)
  const y = intervalLength(b as IntervalValue)
  return x < y ? -1 : x > y ? 1 : 0
}

function compareBool(a: SqlValue, b: SqlValue): number {
  return Number(a as boolean) - Number(b as boolean)
}

/** The default btree comparator of a type (NULLs are never passed). */
export function comparatorOf(type: PgTypeName): Comparator {
  switch (type) {
    case 'int8': return compareBigints
    case 'numeric': return compareNumeric
    case 'text': case 'varchar': case 'unknown': case 'name': case 'char': return compareText
    case 'bpchar': return compareBpchar
    case 'interval': return compareInterval
    case 'bool': return compareBool
    default: return compareNumbers
  }
}
