// sql/expr/timetz: time with time zone (timetz, OID 1266) — PostgreSQL's TimeTzADT: a time of day in µs (0 …
// 86,400,000,000) and a zone displacement in seconds WEST of UTC (-15:59:59 … +15:59:59; '+02' is -7200). Input as
// timetz_in (DecodeTimeOnly with a zone: written, or the session TimeZone's offset at the written date or today),
// output as timetz_out (time_out plus EncodeTimezone, the same in every DateStyle), the casts of date.c (time → timetz
// through the session zone today, timestamptz → timetz in the session zone, timetz → time drops the zone), ± interval,
// AT TIME ZONE (timetz_zone / timetz_izone) and date + timetz. Errors as PostgreSQL: 22007, 22008, 22009, 22023.
//
// The value is a string of 18 digits whose order is timetz_cmp's: the UTC-normalised time (time + zone), shifted to
// be positive, in 12 digits, then the zone, shifted, in 6 — equal strings are equal (time, zone) pairs, so ORDER BY,
// DISTINCT, GROUP BY, min/max and comparisons need nothing of their own. It is never text: formatTimetz prints it.
import { assert } from '../../src/common/assert.js'
import { datetimeFieldOverflow, DbError, invalidDatetimeFormat, invalidParameterValue } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { IntervalValue } from '../api.js'
import { END_TIMESTAMP_US, MIN_TIMESTAMP_US, US_PER_DAY, US_PER_SECOND, daysFromCivil } from './calendar.js'
import { decodeDateTime } from './datetime-decode.js'
import { formatInterval } from './interval.js'
import { type Zone, formatOffset, localToUtcIn, requireSessionZone, requireZone, utcToLocalIn } from './time-zone.js'
import { dateOrderOf, formatTime, type TimeContext } from './timestamp.js'

/** A timetz's parts: µs since midnight, and seconds west of UTC (PostgreSQL's sign). */
export interface TimetzParts {
  readonly time: number
  readonly zone: number
}

/** TZDISP_LIMIT: a displacement must lie strictly within ±16 h. */
const TZDISP_LIMIT_SECONDS = 16 * 3600
const NORMALISED_SHIFT_US = TZDISP_LIMIT_SECONDS * US_PER_SECOND
const TIME_DIGITS = 12
const ZONE_DIGITS = 6
const TYPE_NAME = 'time with time zone'

/** The parts as the ordered value string (see the file's header). */
export function timetzValue(time: number, zone: number): string {
  assert(time >= 0 && time <= US_PER_DAY, `timetz time ${time} out of range`)
  assert(Number.isInteger(zone) && Math.abs(zone) < TZDISP_LIMIT_SECONDS, `timetz zone ${zone} out of range`)
  const normalised = time + zone * US_PER_SECOND + NORMALISED_SHIFT_US
  return String(normalised).padStart(TIME_DIGITS, '0') + String(zone + TZDISP_LIMIT_SECONDS).padStart(ZONE_DIGITS, '0')
}

export function timetzParts(value: string): TimetzParts {
  assert(value.length === TIME_DIGITS + ZONE_DIGITS, `not a timetz value: ${value}`)
  const zone = Number(value.slice(TIME_DIGITS)) - TZDISP_LIMIT_SECONDS
  const time = Number(value.slice(0, TIME_DIGITS)) - NORMALISED_SHIFT_US - zone * US_PER_SECOND
  return { time, zone }
}

/** timetz_out: '10:11:12.5+02', '10:00:00-03:30', '00:00:00+00:53:28'. */
export function formatTimetz(value: string): string {
  const { time, zone } = timetzParts(value)
  return formatTime(time) + formatOffset(-zone * US_PER_SECOND)
}

/** The zone's displacement (seconds west) for the wall clock `localUs`, as DetermineTimeZoneOffset finds it. */
function zoneAtLocal(zone: Zone, localUs: number): number {
  return Math.round((localToUtcIn(zone, localUs) - localUs) / US_PER_SECOND)
}

/** Today's date in the session zone, as µs of its local midnight (GetCurrentDateTime). */
function todayLocalUs(ctx: TimeContext): number {
  const local = utcToLocalIn(requireSessionZone(ctx.timeZone), ctx.nowUs)
  return Math.floor(local / US_PER_DAY) * US_PER_DAY
}

/**
 * A zone written in time or timetz input: a zone with rules needs the written date (22007 without one, as
 * pg_get_timezone_offset fails for any zone with transitions); fixed offsets, abbreviations and Etc/ zones do not.
 */
export function zoneOfTimeInput(text: string, typeName: string, name: string, hasDate: boolean): Zone {
  const zone = requireZone(name)
  const isFixed = zone.kind === 'fixed' || (zone.kind === 'iana' && /^etc\//i.test(zone.name))
  if (!hasDate && !isFixed) throw invalidDatetimeFormat(typeName, text)
  return zone
}

/** The displacement (seconds west) of a zone written in timetz input, at the written date (any date for a fixed one). */
function writtenZone(text: string, name: string, dateUs: number | null, time: number): number {
  const zone = zoneOfTimeInput(text, TYPE_NAME, name, dateUs !== null)
  if (zone.kind === 'fixed') return -Math.round(zone.offsetUs / US_PER_SECOND)
  return zoneAtLocal(zone, (dateUs ?? 0) + time)
}

/** timetz_in. */
export function parseTimetz(text: string, ctx: TimeContext): string {
  if (text.trim().toLowerCase() === 'now') return timetzOfTimestamptz(ctx.nowUs, ctx)!
  const d = decodeDateTime(text, dateOrderOf(ctx), TYPE_NAME, true)
  const time = ((d.hour * 60 + d.minute) * 60 + d.second) * US_PER_SECOND + d.us
  if (time < 0 || time > US_PER_DAY) throw datetimeFieldOverflow(`date/time field value out of range: "${text}"`)
  const dateUs = d.hasDate ? daysFromCivil(d.year, d.month, d.day) * US_PER_DAY : null
  if (d.zone !== null) return timetzValue(time, writtenZone(text, d.zone, dateUs, time))
  const session = requireSessionZone(ctx.timeZone)
  return timetzValue(time, zoneAtLocal(session, (dateUs ?? todayLocalUs(ctx)) + time))
}

/** time_timetz: the session zone's displacement at this time of day today. */
export function timetzOfTime(time: number, ctx: TimeContext): string {
  return timetzValue(time, zoneAtLocal(requireSessionZone(ctx.timeZone), todayLocalUs(ctx) + time))
}

/** timestamptz_timetz: the wall clock and displacement in the session zone; NULL for ±infinity. */
export function timetzOfTimestamptz(us: number, ctx: TimeContext): string | null {
  if (!Number.isFinite(us)) return null
  const local = utcToLocalIn(requireSessionZone(ctx.timeZone), us)
  const time = local - Math.floor(local / US_PER_DAY) * US_PER_DAY
  return timetzValue(time, Math.round((us - local) / US_PER_SECOND))
}

/** timetz_time: the zone is dropped. */
export function timeOfTimetz(value: string): number {
  return timetzParts(value).time
}

/** The time part of `time + deltaUs` wrapped into one day (the zone unchanged). */
function wrapped(time: number, zone: number, deltaUs: number): string {
  const rest = (time + deltaUs) % US_PER_DAY
  return timetzValue(rest < 0 ? rest + US_PER_DAY : rest, zone)
}

/** timetz_pl_interval / timetz_mi_interval: only the interval's time part counts, wrapped around midnight. */
export function addTimetzInterval(value: string, span: IntervalValue, sign: 1 | -1): string {
  const { time, zone } = timetzParts(value)
  return wrapped(time, zone, sign * span.us)
}

/** The same instant of the day at another displacement (timetz_zone's and timetz_izone's common tail). */
function atDisplacement(value: string, tz: number): string {
  if (Math.abs(tz) >= TZDISP_LIMIT_SECONDS) throw displacementOutOfRange()
  const { time, zone } = timetzParts(value)
  return wrapped(time, tz, (zone - tz) * US_PER_SECOND)
}

/** timetz AT TIME ZONE 'name': the zone's displacement now (at the statement's timestamp); POSIX signs for offsets. */
export function timetzAtZone(value: string, name: string, ctx: TimeContext): string {
  const zone = requireZone(name, true)
  return atDisplacement(value, -Math.round((utcToLocalIn(zone, ctx.nowUs) - ctx.nowUs) / US_PER_SECOND))
}

/** timetz AT TIME ZONE interval: months or days are 22023; the interval is hours east. */
export function timetzAtInterval(value: string, span: IntervalValue): string {
  if (span.months !== 0 || span.days !== 0) {
    throw invalidParameterValue(`interval time zone "${formatInterval(span, 'postgres')}" must not include months or days`)
  }
  return atDisplacement(value, -Math.trunc(span.us / US_PER_SECOND))
}

/** datetimetz_timestamptz: date + timetz, the timetz's displacement applied; infinite dates stay infinite. */
export function dateWithTimetz(days: number, value: string): number {
  if (!Number.isFinite(days)) return days
  const { time, zone } = timetzParts(value)
  const us = days * US_PER_DAY + time + zone * US_PER_SECOND
  if (us >= END_TIMESTAMP_US || us < MIN_TIMESTAMP_US) throw datetimeFieldOverflow('date out of range for timestamp')
  return us
}

/** timetz_recv's first check, on the int64 time it reads before the zone (22008). */
export function checkTimetzTime(time: number): number {
  if (time < 0 || time > US_PER_DAY) throw datetimeFieldOverflow('time out of range')
  return time
}

/** timetz_recv: the int64 time and the int32 displacement, each range-checked (22008, 22009). */
export function timetzFromBinary(time: number, zone: number): string {
  checkTimetzTime(time)
  if (Math.abs(zone) >= TZDISP_LIMIT_SECONDS) throw displacementOutOfRange()
  return timetzValue(time, zone)
}

function displacementOutOfRange(): DbError {
  return new DbError({ severity: 'ERROR', code: SqlState.invalidTimeZoneDisplacementValue, message: 'time zone displacement out of range' })
}
