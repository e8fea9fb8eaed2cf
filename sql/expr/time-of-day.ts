// sql/expr/time-of-day: the time type (time without time zone) — µs since midnight, 0 … 86,400,000,000 (24:00:00 is
// a value of its own, as PostgreSQL keeps it). Input as time_in reads it (DecodeTimeOnly: a time is required, a
// written date is checked and ignored, a zone is checked and ignored, 'now' and 'allballs'), the casts from
// timestamp, timestamptz (in the session zone) and interval, and the arithmetic of date_time.c: time ± interval wraps
// around midnight, time - time is an interval, date + time a timestamp. Errors as PostgreSQL: 22007 syntax, 22008 range.
import { datetimeFieldOverflow } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND } from './calendar.js'
import { decodeDateTime } from './datetime-decode.js'
import { interval } from './interval.js'
import { requireSessionZone, utcToLocalIn } from './time-zone.js'
import { zoneOfTimeInput } from './timetz.js'
import { dateOrderOf, type TimeContext } from './timestamp.js'

/** The wall-clock time of day of a µs instant read as local time. */
function timeOfDay(localUs: number): number {
  return localUs - Math.floor(localUs / US_PER_DAY) * US_PER_DAY
}

/** time_in. */
export function parseTime(text: string, ctx: TimeContext): number {
  if (text.trim().toLowerCase() === 'now') return timeOfDay(utcToLocalIn(requireSessionZone(ctx.timeZone), ctx.nowUs))
  const d = decodeDateTime(text, dateOrderOf(ctx), 'time', true)
  if (d.zone !== null) zoneOfTimeInput(text, 'time', d.zone, d.hasDate)
  const us = ((d.hour * 60 + d.minute) * 60 + d.second) * US_PER_SECOND + d.us
  if (us < 0 || us > US_PER_DAY) throw datetimeFieldOverflow(`date/time field value out of range: "${text}"`)
  return us
}

/** timestamp_time / timestamptz_time (the caller turns a timestamptz local first): NULL for ±infinity. */
export function timeOfTimestamp(localUs: number): number | null {
  return Number.isFinite(localUs) ? timeOfDay(localUs) : null
}

export function timeOfTimestamptz(us: number, ctx: TimeContext): number | null {
  return Number.isFinite(us) ? timeOfDay(utcToLocalIn(requireSessionZone(ctx.timeZone), us)) : null
}

/** interval_time: the interval's time part modulo a day (days and months ignored), never negative. */
export function timeOfInterval(span: IntervalValue): number {
  const rest = span.us % US_PER_DAY
  return rest < 0 ? rest + US_PER_DAY : rest
}

/** time_interval. */
export function intervalOfTime(time: number): IntervalValue {
  return interval(0, 0, time)
}

/** time_pl_interval / time_mi_interval: the time part of the interval added, wrapped around midnight. */
export function addTimeInterval(time: number, span: IntervalValue, sign: 1 | -1): number {
  return timeOfInterval(interval(0, 0, time + sign * span.us))
}

/** time_mi_time. */
export function timeDiff(a: number, b: number): IntervalValue {
  return interval(0, 0, a - b)
}

/** datetime_timestamp: date + time (an infinite date stays infinite). */
export function dateWithTime(days: number, time: number): number {
  return Number.isFinite(days) ? days * US_PER_DAY + time : days
}

/** make_time(hour, min, sec): 22008 "time field value out of range" past 24:00:00 or for negative fields. */
export function makeTime(hour: number, minute: number, second: number): number {
  const valid = hour >= 0 && minute >= 0 && minute < 60 && second >= 0 && second <= 60 && hour <= 24 &&
    (hour < 24 || (minute === 0 && second === 0))
  // %d:%02d:%02g as PostgreSQL prints the fields.
  if (!valid) throw datetimeFieldOverflow(`time field value out of range: ${hour}:${pad2(String(minute))}:${pad2(String(second))}`)
  return hour * US_PER_HOUR + minute * US_PER_MINUTE + Math.round(second * US_PER_SECOND)
}

const pad2 = (text: string): string => text.padStart(2, '0')
