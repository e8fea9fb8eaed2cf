// sql/functions/time-arith: PostgreSQL 15's datetime arithmetic — timestamp(tz) ± interval (months, then days, in
// local time; then µs), timestamp differences (justify_hours of the µs span), date arithmetic, age(), make_*(),
// to_timestamp(float8) and AT TIME ZONE. Pure functions of values and a Zone; time-functions.ts registers them.
import { datetimeFieldOverflow, invalidParameterValue } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import {
  type CivilTime, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, checkTimestampRange, civilFromUs, daysFromCivil,
  daysInMonth, rint, usFromCivil,
} from '../expr/calendar.js'
import { interval, justifyHours } from '../expr/interval.js'
import { checkDateRange } from '../expr/timestamp.js'
import { type Zone, localToUtcIn, zoneOffsetAt } from '../expr/time-zone.js'

/** Adds whole months to a civil time, clamping the day to the month's length ('2024-01-31' + 1 mon = 02-29). */
function addMonths(c: CivilTime, months: number): CivilTime {
  const index = c.year * 12 + (c.month - 1) + months
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return { ...c, year, month, day: Math.min(c.day, daysInMonth(year, month)) }
}

/**
 * timestamptz_pl_interval (zone given) / timestamp_pl_interval (zone null): the month part moves the local
 * calendar date, the day part moves the local date again (so '1 day' across a DST change keeps the wall clock),
 * each re-resolving the zone offset; the µs part is added to the instant last. Infinite timestamps stay infinite.
 */
export function addInterval(us: number, v: IntervalValue, zone: Zone | null): number {
  if (!Number.isFinite(us)) return us
  const toLocal = (t: number): number => (zone === null ? t : t + zoneOffsetAt(zone, t))
  const fromLocal = (t: number): number => (zone === null ? t : localToUtcIn(zone, t))
  let t = us
  if (v.months !== 0) t = fromLocal(usFromCivil(addMonths(civilFromUs(toLocal(t)), v.months)))
  if (v.days !== 0) t = fromLocal(checkTimestampRange(toLocal(t) + v.days * US_PER_DAY))
  return checkTimestampRange(t + v.us)
}

export function subInterval(us: number, v: IntervalValue, zone: Zone | null): number {
  return addInterval(us, interval(-v.months, -v.days, -v.us), zone)
}

/** timestamp_mi: the µs between two timestamps as days + time (justify_hours), never months. */
export function timestampDiff(a: number, b: number): IntervalValue {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw datetimeFieldOverflow('cannot subtract infinite timestamps')
  return justifyHours(interval(0, 0, a - b))
}

export function dateAddDays(days: number, n: number): number {
  if (!Number.isFinite(days)) return days
  const result = days + n
  if (result < -2_440_588 || result > 2_145_031_948) throw datetimeFieldOverflow('date out of range')
  return result
}

export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw datetimeFieldOverflow('cannot subtract infinite dates')
  return a - b
}

const DAY_TAB = (year: number, month: number): number => daysInMonth(year, month)

/**
 * PostgreSQL's timestamp_age / timestamptz_age: field-wise difference of the two local times, borrowing from the
 * next larger field (days borrow the length of the earlier operand's month), then months → years.
 */
export function age(a: number, b: number, zone: Zone | null): IntervalValue {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw datetimeFieldOverflow('interval out of range')
  const local = (t: number): CivilTime => civilFromUs(zone === null ? t : t + zoneOffsetAt(zone, t))
  const t1 = local(a)
  const t2 = local(b)
  const sign = a < b ? -1 : 1
  let us = sign * (t1.us - t2.us)
  let sec = sign * (t1.second - t2.second)
  let min = sign * (t1.minute - t2.minute)
  let hour = sign * (t1.hour - t2.hour)
  let mday = sign * (t1.day - t2.day)
  let mon = sign * (t1.month - t2.month)
  let year = sign * (t1.year - t2.year)
  while (us < 0) { us += US_PER_SECOND; sec-- }
  while (sec < 0) { sec += 60; min-- }
  while (min < 0) { min += 60; hour-- }
  while (hour < 0) { hour += 24; mday-- }
  const borrow = a < b ? t1 : t2
  while (mday < 0) { mday += DAY_TAB(borrow.year, borrow.month); mon-- }
  while (mon < 0) { mon += 12; year-- }
  const time = ((hour * 60 + min) * 60 + sec) * US_PER_SECOND + us
  return interval(sign * (year * 12 + mon), sign * mday, sign * time)
}

/** make_date: negative years are BC; year 0 and impossible dates are 22008 as PostgreSQL. */
export function makeDate(year: number, month: number, day: number): number {
  const astronomical = year < 0 ? year + 1 : year
  const bad = year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(astronomical, month)
  if (bad) throw datetimeFieldOverflow(`date field value out of range: ${year}-${pad2(month)}-${pad2(day)}`)
  return checkDateRange(daysFromCivil(astronomical, month, day))
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/** make_timestamp: a wall clock; seconds may carry a fraction (rounded to µs). */
export function makeTimestamp(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  const days = makeDate(y, mo, d)
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || !(sec >= 0 && sec <= 60) ||
      (h === 24 && (mi !== 0 || sec !== 0))) {
    throw datetimeFieldOverflow(`time field value out of range: ${h}:${pad2(mi)}:${pad2(sec)}`)
  }
  return checkTimestampRange(days * US_PER_DAY + h * US_PER_HOUR + mi * US_PER_MINUTE + rint(sec * US_PER_SECOND))
}

/** make_interval(years, months, weeks, days, hours, mins, secs). */
export function makeInterval(parts: ReadonlyArray<number>): IntervalValue {
  const [years = 0, months = 0, weeks = 0, days = 0, hours = 0, mins = 0, secs = 0] = parts
  if (!Number.isFinite(secs)) throw datetimeFieldOverflow('interval out of range')
  const us = hours * US_PER_HOUR + mins * US_PER_MINUTE + rint(secs * US_PER_SECOND)
  return interval(years * 12 + months, weeks * 7 + days, us)
}

/** to_timestamp(float8): seconds since the epoch, rounded to µs; NaN and out-of-range are 22008. */
export function toTimestampFromSeconds(seconds: number): number {
  if (Number.isNaN(seconds)) throw datetimeFieldOverflow('timestamp cannot be NaN')
  if (!Number.isFinite(seconds)) return seconds
  // As float8_timestamptz: shift to PostgreSQL's epoch first, then round (the float rounding differs otherwise).
  const us = rint((seconds - 946_684_800) * US_PER_SECOND) + 946_684_800_000_000
  if (us < -210_866_803_200_000_000 || us >= 9_224_318_016_000_000_000) {
    throw datetimeFieldOverflow(`timestamp out of range: "${seconds}"`)
  }
  return us
}

/** AT TIME ZONE with an interval: a fixed offset east of UTC; months or days are 22023 as PostgreSQL. */
export function intervalZone(v: IntervalValue, text: string): Zone {
  if (v.months !== 0 || v.days !== 0) throw invalidParameterValue(`interval time zone "${text}" must not include months or days`)
  return { kind: 'fixed', offsetUs: v.us }
}

/** timestamptz AT TIME ZONE zone → the wall clock there (timestamp). */
export function atZoneFromTz(us: number, zone: Zone): number {
  return Number.isFinite(us) ? us + zoneOffsetAt(zone, us) : us
}

/** timestamp AT TIME ZONE zone → the instant that wall clock names there (timestamptz). */
export function atZoneFromLocal(us: number, zone: Zone): number {
  return Number.isFinite(us) ? checkTimestampRange(localToUtcIn(zone, us)) : us
}
