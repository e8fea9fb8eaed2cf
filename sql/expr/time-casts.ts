// sql/expr/time-casts: the casts between text, timestamp, timestamptz, date and interval that the binder's cast code
// calls. Conversions between timestamptz and the zone-less types go through the session TimeZone, as PostgreSQL.
import type { IntervalValue } from '../api.js'
import { US_PER_DAY, checkTimestampRange } from './calendar.js'
import { formatInterval, parseInterval } from './interval.js'
import {
  type TimeContext, checkDateRange, formatDate, formatTimestamp, formatTimestamptz, localToTimestamptz, parseDate,
  parseTimestamp, parseTimestamptz, timestamptzToLocal,
} from './timestamp.js'

export function castTextToTimestamp(text: string, ctx: TimeContext): number {
  return parseTimestamp(text, ctx)
}
export function castTextToTimestamptz(text: string, ctx: TimeContext): number {
  return parseTimestamptz(text, ctx)
}
export function castTextToDate(text: string, ctx: TimeContext): number {
  return parseDate(text, ctx)
}
export function castTextToInterval(text: string): IntervalValue {
  return parseInterval(text)
}

export function castTimestampToText(us: number): string {
  return formatTimestamp(us)
}
export function castTimestamptzToText(us: number, ctx: TimeContext): string {
  return formatTimestamptz(us, ctx.timeZone)
}
export function castDateToText(days: number): string {
  return formatDate(days)
}
export function castIntervalToText(v: IntervalValue): string {
  return formatInterval(v)
}

/** timestamptz → timestamp: the wall clock in the session zone. */
export function castTimestamptzToTimestamp(us: number, ctx: TimeContext): number {
  return timestamptzToLocal(us, ctx.timeZone)
}
/** timestamp → timestamptz: the wall clock read in the session zone (DST gaps/overlaps as PostgreSQL). */
export function castTimestampToTimestamptz(us: number, ctx: TimeContext): number {
  return localToTimestamptz(us, ctx.timeZone)
}
/** timestamp → date: the day of the wall clock (floor, so times before 1970 keep their day). */
export function castTimestampToDate(us: number): number {
  return Number.isFinite(us) ? checkDateRange(Math.floor(us / US_PER_DAY)) : us
}
/** timestamptz → date: the day in the session zone. */
export function castTimestamptzToDate(us: number, ctx: TimeContext): number {
  return castTimestampToDate(timestamptzToLocal(us, ctx.timeZone))
}
/** date → timestamp: midnight. */
export function castDateToTimestamp(days: number): number {
  return Number.isFinite(days) ? checkTimestampRange(days * US_PER_DAY) : days
}
/** date → timestamptz: midnight in the session zone. */
export function castDateToTimestamptz(days: number, ctx: TimeContext): number {
  return localToTimestamptz(castDateToTimestamp(days), ctx.timeZone)
}
