// sql/functions/aggregate-interval: interval arithmetic of sum(interval)/avg(interval), as PostgreSQL 15's
// interval_pl and interval_div compute it: fields added independently with int32/int64 overflow checks, and the
// division cascading fractional months into days (30 per month) and fractional days into seconds.
import type { IntervalValue } from '../api.js'
import { DbError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { rint } from '../expr/calendar.js'

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const INT64_LIMIT = 2 ** 63
const DAYS_PER_MONTH = 30
const SECS_PER_DAY = 86_400
const US_PER_SEC = 1_000_000
const TS_PREC_INV = 1_000_000

export interface IntervalSum {
  months: number
  days: number
  us: number
}

function intervalOutOfRange(): DbError {
  return new DbError({ severity: 'ERROR', code: SqlState.datetimeFieldOverflow, message: 'interval out of range' })
}

/** interval_pl into `into` (mutated: the sum is an aggregate's running state). */
export function addInterval(into: IntervalSum, value: IntervalValue): void {
  const months = into.months + value.months
  const days = into.days + value.days
  const us = into.us + value.us
  if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX) throw intervalOutOfRange()
  if (us >= INT64_LIMIT || us < -INT64_LIMIT) throw intervalOutOfRange()
  into.months = months
  into.days = days
  into.us = us
}


function tsRound(x: number): number {
  return rint(x * TS_PREC_INV) / TS_PREC_INV
}

/**
 * interval_mul/interval_div of PostgreSQL 15 share one shape: scale months and days, truncate, and cascade the
 * fractional months into days (30 per month) and the fractional days into seconds. `scale` is x·f or x/f.
 */
function scaleInterval(span: IntervalValue, scale: (x: number) => number): IntervalValue {
  const monthsExact = scale(span.months)
  const daysExact = scale(span.days)
  if (Number.isNaN(monthsExact) || monthsExact > INT32_MAX || monthsExact < INT32_MIN) throw intervalOutOfRange()
  if (Number.isNaN(daysExact) || daysExact > INT32_MAX || daysExact < INT32_MIN) throw intervalOutOfRange()
  const months = Math.trunc(monthsExact)
  let days = Math.trunc(daysExact)
  const monthRemainderDays = tsRound((monthsExact - months) * DAYS_PER_MONTH)
  let secRemainder = tsRound((daysExact - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY)
  if (Math.abs(secRemainder) >= SECS_PER_DAY) {
    const whole = Math.trunc(secRemainder / SECS_PER_DAY)
    days += whole
    secRemainder -= whole * SECS_PER_DAY
  }
  days += Math.trunc(monthRemainderDays)
  const us = rint(scale(span.us) + secRemainder * US_PER_SEC)
  if (Number.isNaN(us) || us >= INT64_LIMIT || us < -INT64_LIMIT) throw intervalOutOfRange()
  return { months: months | 0, days: days | 0, us: us === 0 ? 0 : us }
}

/** interval_div(span, factor). factor ≠ 0. */
export function divideInterval(span: IntervalValue, factor: number): IntervalValue {
  return scaleInterval(span, (x) => x / factor)
}

/** interval_lerp of percentile_cont: lo + (hi − lo) · fraction, through interval_mi, interval_mul, interval_pl. */
export function lerpInterval(lo: IntervalValue, hi: IntervalValue, fraction: number): IntervalValue {
  const difference: IntervalSum = { months: 0, days: 0, us: 0 }
  addInterval(difference, hi)
  addInterval(difference, { months: -lo.months, days: -lo.days, us: -lo.us })
  const result: IntervalSum = { ...scaleInterval(difference, (x) => x * fraction) }
  addInterval(result, lo)
  return { months: result.months, days: result.days, us: result.us }
}
