// sql/functions/time-bucket: PostgreSQL's date_bin and TimescaleDB's time_bucket.
//
// time_bucket follows TimescaleDB 2.x as documented (docs.timescale.com, "time_bucket()"):
//  - fixed widths (no months): buckets are [origin + k·width, origin + (k+1)·width), k = floor((ts − origin) / width);
//    the default origin is 2000-01-03 00:00:00 (a Monday, so weekly buckets start on Mondays), in UTC for timestamptz;
//  - month/year widths: calendar buckets counted in months from the origin, default 2000-01-01 00:00:00; such a width
//    may not also hold days or time (0A000 "month intervals cannot have day or time component");
//  - `offset` shifts every bucket: time_bucket(w, ts, offset) = time_bucket(w, ts − offset) + offset;
//  - the `timezone` form buckets the wall clock in that zone (origin read as a wall clock there too) and returns
//    the instant of the bucket's local start — TimescaleDB's time_bucket(w, ts AT TIME ZONE tz, …) AT TIME ZONE tz;
//  - dates bucket like timestamps at midnight; a date bucket width must be whole days (22023 otherwise);
//  - a width ≤ 0 is 22023 "period must be greater than 0"; infinite inputs are returned unchanged.
import { datetimeFieldOverflow, invalidParameterValue, notSupported } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import { US_PER_DAY, checkTimestampRange, civilFromUs, daysFromCivil, usFromCivil } from '../expr/calendar.js'
import { intervalSpanUs } from '../expr/interval.js'
import { type Zone, localToUtcIn, zoneOffsetAt } from '../expr/time-zone.js'
import { addInterval, subInterval } from './time-arith.js'

/** TimescaleDB's default origins, µs since the Unix epoch (as wall clocks, or UTC instants for timestamptz). */
export const TIME_BUCKET_ORIGIN_US = daysFromCivil(2000, 1, 3) * US_PER_DAY
export const TIME_BUCKET_MONTH_ORIGIN_US = daysFromCivil(2000, 1, 1) * US_PER_DAY

/** origin + floor((t − origin) / width)·width, exactly (BigInt once the numbers leave the exact-integer range). */
function floorToStride(t: number, origin: number, width: number): number {
  const diff = t - origin
  if (Math.abs(t) <= Number.MAX_SAFE_INTEGER && Math.abs(origin) <= Number.MAX_SAFE_INTEGER && Math.abs(diff) <= Number.MAX_SAFE_INTEGER) {
    const modulo = diff % width
    return checkTimestampRange(t - modulo - (modulo < 0 ? width : 0))
  }
  const d = BigInt(Math.round(t)) - BigInt(Math.round(origin))
  const w = BigInt(width)
  const modulo = d % w
  return checkTimestampRange(Number(BigInt(Math.round(t)) - modulo - (modulo < 0n ? w : 0n)))
}

/** PostgreSQL 15's date_bin for timestamp and timestamptz (identical: both bin the µs count). */
export function dateBin(stride: IntervalValue, t: number, origin: number): number {
  if (!Number.isFinite(t)) return t
  if (!Number.isFinite(origin)) throw datetimeFieldOverflow('origin out of range')
  if (stride.months !== 0) throw notSupported('timestamps cannot be binned into intervals containing months or years')
  const width = stride.days * US_PER_DAY + stride.us
  if (width <= 0) throw datetimeFieldOverflow('stride must be greater than zero')
  return floorToStride(t, origin, width)
}

function monthIndex(us: number): number {
  const c = civilFromUs(us)
  return c.year * 12 + c.month - 1
}

/** Calendar-month buckets of a wall clock: the latest origin + k·months ≤ t. */
function bucketMonths(months: number, t: number, origin: number): number {
  const o = civilFromUs(origin)
  const startAt = (k: number): number => {
    const index = o.year * 12 + o.month - 1 + k * months
    const year = Math.floor(index / 12)
    return usFromCivil({ ...o, year, month: index - year * 12 + 1 })
  }
  let k = Math.floor((monthIndex(t) - monthIndex(origin)) / months)
  while (startAt(k) > t) k--
  return startAt(k)
}

function checkWidth(width: IntervalValue): void {
  if (width.months !== 0 && (width.days !== 0 || width.us !== 0)) throw notSupported('month intervals cannot have day or time component')
  const span = intervalSpanUs(width)
  if ((span !== null && span <= 0) || width.months < 0) throw invalidParameterValue('period must be greater than 0')
}

/** Where time_bucket puts a wall clock (or a UTC instant read as one): the core of every overload. */
export function bucketWallClock(width: IntervalValue, t: number, origin: number | null): number {
  checkWidth(width)
  if (!Number.isFinite(t)) return t
  if (width.months !== 0) return bucketMonths(width.months, t, origin ?? TIME_BUCKET_MONTH_ORIGIN_US)
  return floorToStride(t, origin ?? TIME_BUCKET_ORIGIN_US, width.days * US_PER_DAY + width.us)
}

/** Extra arguments of time_bucket after (width, ts): TimescaleDB's named `origin`, `offset` and `timezone`. */
export interface BucketOptions {
  readonly origin?: number
  readonly offset?: IntervalValue
  readonly zone?: Zone
}

/** time_bucket(width, timestamptz[, …]): in UTC unless a zone is given, then in that zone's wall clock. */
export function timeBucketTz(width: IntervalValue, t: number, options: BucketOptions): number {
  checkWidth(width)
  if (!Number.isFinite(t)) return t
  const zone = options.zone
  if (zone === undefined) return timeBucketLocal(width, t, options.origin ?? null, options.offset)
  const local = t + zoneOffsetAt(zone, t)
  const origin = options.origin === undefined ? null : options.origin + zoneOffsetAt(zone, options.origin)
  return localToUtcIn(zone, timeBucketLocal(width, local, origin, options.offset))
}

/** time_bucket(width, timestamp[, origin | offset]). */
export function timeBucketLocal(width: IntervalValue, t: number, origin: number | null, offset?: IntervalValue): number {
  if (offset === undefined) return bucketWallClock(width, t, origin)
  checkWidth(width)
  if (!Number.isFinite(t)) return t
  return addInterval(bucketWallClock(width, subInterval(t, offset, null), origin), offset, null)
}

/** time_bucket(width, date[, origin date | offset]): whole-day or month widths; the result is a date. */
export function timeBucketDate(width: IntervalValue, days: number, originDays: number | null, offset?: IntervalValue): number {
  checkWidth(width)
  if (width.us !== 0) throw invalidParameterValue('interval must not have sub-day precision')
  if (!Number.isFinite(days)) return days
  const origin = originDays === null ? null : originDays * US_PER_DAY
  return Math.floor(timeBucketLocal(width, days * US_PER_DAY, origin, offset) / US_PER_DAY)
}
