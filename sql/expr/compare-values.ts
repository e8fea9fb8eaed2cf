// sql/expr/compare-values: the one ordering of non-null SqlValues used by comparisons, IN, ORDER BY and merge keys.
import type { SqlValue } from '../api.js'
import { compareIntervals, isIntervalValue } from './interval.js'
import { compareCodePoints } from '../../src/common/text-order.js'

/**
 * Negative, zero or positive as a < b, a = b, a > b. Numbers and bigints compare numerically; NaN sorts last.
 * Intervals order by PostgreSQL's interval_cmp (a month is 30 days, a day 24 h), so '1 mon' = '30 days'. Dates and
 * timestamps are numbers (±Infinity for infinity) and compare as such.
 */
export function compareValues(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>): number {
  if (typeof a === 'object' || typeof b === 'object') {
    if (isIntervalValue(a) && isIntervalValue(b)) return compareIntervals(a, b)
    return isIntervalValue(a) ? 1 : -1
  }
  if (typeof a === 'string' && typeof b === 'string') {
    return compareCodePoints(a, b)
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b)
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  const x = Number(a)
  const y = Number(b)
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1
  return x < y ? -1 : x > y ? 1 : 0
}

/** ORDER BY comparison with NULL placement. */
export function compareForSort(a: SqlValue, b: SqlValue, descending: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0
    return (a === null) === nullsFirst ? -1 : 1
  }
  const order = compareValues(a, b)
  return descending ? -order : order
}
