// sql/functions/time-fields: PostgreSQL 15's field units — extract (numeric), date_part (float8) and date_trunc for
// timestamp, timestamptz (fields in the session zone or a given one), date, time and interval. The numeric scales follow
// timestamp_part_common / interval_part_common: seconds scale 6, milliseconds 3, epoch 6, julian by numeric division.
import { invalidParameterValue, notSupported } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import {
  type CivilTime, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, civilFromUs, daysFromCivil, isoWeekAndYear, isoWeekday,
  usFromCivil,
} from '../expr/calendar.js'
import { interval } from '../expr/interval.js'
import { type Zone, localToUtcIn, zoneOffsetAt } from '../expr/time-zone.js'

export type Unit =
  | 'microseconds' | 'milliseconds' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
  | 'decade' | 'century' | 'millennium' | 'dow' | 'isodow' | 'doy' | 'isoyear' | 'epoch' | 'timezone' | 'timezone_hour'
  | 'timezone_minute' | 'julian'

const UNIT_SPELLINGS: ReadonlyArray<readonly [Unit, string]> = [
  ['microseconds', 'microsecond microseconds us usec usecs useconds microsecon'],
  ['milliseconds', 'millisecond milliseconds ms msec msecs mseconds millisecon'],
  ['second', 'second seconds s sec secs'], ['minute', 'minute minutes m min mins'], ['hour', 'hour hours h hr hrs'],
  ['day', 'day days d'], ['week', 'week weeks w'], ['month', 'month months mon mons'], ['quarter', 'quarter qtr'],
  ['year', 'year years y yr yrs'], ['decade', 'decade decades dec decs'], ['century', 'century centuries c cent'],
  ['millennium', 'millennium millennia mil mils'], ['dow', 'dow'], ['isodow', 'isodow'], ['doy', 'doy'],
  ['isoyear', 'isoyear'], ['epoch', 'epoch'], ['timezone', 'timezone'], ['timezone_hour', 'timezone_hour timezone_h'],
  ['timezone_minute', 'timezone_minute timezone_m'], ['julian', 'julian j'],
]
const UNITS = new Map<string, Unit>(UNIT_SPELLINGS.flatMap(([unit, words]) => words.split(' ').map((w) => [w, unit] as const)))

export type TimeTypeLabel = 'timestamp without time zone' | 'timestamp with time zone' | 'date' | 'time without time zone'
  | 'time with time zone' | 'interval'

/** The unit, or 22023 'unit "x" not recognized for type …' as PostgreSQL. */
export function parseUnit(text: string, type: TimeTypeLabel): Unit {
  const unit = UNITS.get(text.trim().toLowerCase())
  if (unit === undefined) throw invalidParameterValue(`unit "${text}" not recognized for type ${type}`)
  return unit
}

function unsupported(text: string, type: TimeTypeLabel): Error {
  return notSupported(`unit "${text}" not supported for type ${type}`)
}

/** A field value both as extract's numeric text and date_part's float8. null = SQL NULL. */
export interface FieldValue {
  readonly numeric: string
  readonly float: number
}

/** A whole-number field; `+ 0` turns a truncated -0 into 0, as PostgreSQL's integer field arithmetic gives. */
function whole(n: number): FieldValue {
  const value = n + 0
  return { numeric: String(value), float: value }
}

/** n / 10^scale as numeric text with exactly `scale` digits after the point. */
function fixed(n: number, scale: number): string {
  const negative = n < 0
  const digits = String(Math.abs(Math.round(n))).padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return negative ? `-${text}` : text
}

/** PostgreSQL's select_div_scale for a ÷ b (both > 0 or a = 0): 16 significant digits, in base-10000 weights. */
function divScale(a: bigint, b: bigint): number {
  const weightAndFirst = (v: bigint): [number, number] => {
    if (v === 0n) return [0, 0]
    const s = v.toString()
    const groups = Math.ceil(s.length / 4)
    return [groups - 1, Number(s.slice(0, s.length - (groups - 1) * 4))]
  }
  const [w1, f1] = weightAndFirst(a)
  const [w2, f2] = weightAndFirst(b)
  const qweight = w1 - w2 - (f1 <= f2 ? 1 : 0)
  return Math.max(16 - qweight * 4, 0)
}

/** julian as numeric: the Julian day number plus the day fraction, divided exactly as numeric_div rounds it. */
function julian(c: CivilTime): FieldValue {
  const jd = daysFromCivil(c.year, c.month, c.day) + 2_440_588
  const dayUs = BigInt(((c.hour * 60 + c.minute) * 60 + c.second) * US_PER_SECOND + c.us)
  const scale = divScale(dayUs, BigInt(US_PER_DAY))
  const p = 10n ** BigInt(scale)
  const q = (dayUs * p * 2n + BigInt(US_PER_DAY)) / (BigInt(US_PER_DAY) * 2n)
  const total = (BigInt(jd) * p + q).toString().padStart(scale + 1, '0')
  const numeric = scale === 0 ? total : `${total.slice(0, -scale)}.${total.slice(-scale)}`
  const float = jd + (((c.hour * 60 + c.minute) * 60 + c.second) + c.us / 1e6) / 86_400
  return { numeric, float }
}

/** Calendar fields shared by timestamp, timestamptz and date (PostgreSQL's BC conventions for year-like units). */
function calendarField(unit: Unit, c: CivilTime): FieldValue | undefined {
  const y = c.year
  const days = daysFromCivil(c.year, c.month, c.day)
  switch (unit) {
    case 'day': return whole(c.day)
    case 'month': return whole(c.month)
    case 'quarter': return whole(Math.floor((c.month - 1) / 3) + 1)
    case 'year': return whole(y > 0 ? y : y - 1)
    case 'decade': return whole(y >= 0 ? Math.trunc(y / 10) : -Math.trunc((8 - (y - 1)) / 10))
    case 'century': return whole(y > 0 ? Math.trunc((y + 99) / 100) : -Math.trunc((99 - (y - 1)) / 100))
    case 'millennium': return whole(y > 0 ? Math.trunc((y + 999) / 1000) : -Math.trunc((999 - (y - 1)) / 1000))
    case 'week': return whole(isoWeekAndYear(days).week)
    case 'isoyear': {
      const iso = isoWeekAndYear(days).isoYear
      return whole(iso <= 0 ? iso - 1 : iso)
    }
    case 'dow': return whole(isoWeekday(days) % 7)
    case 'isodow': return whole(isoWeekday(days))
    case 'doy': return whole(days - daysFromCivil(c.year, 1, 1) + 1)
    default: return undefined
  }
}

/** Units that stay defined (±Infinity) for infinite timestamps; the rest are NULL (NonFiniteTimestampTzPart). */
const MONOTONIC_UNITS: ReadonlySet<Unit> = new Set(['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch'])

/**
 * extract/date_part of a timestamp (offsetUs = null) or timestamptz (offsetUs = the zone's offset at that instant,
 * east of UTC). `us` is the stored value: the wall clock for timestamp, the UTC instant for timestamptz.
 */
export function timestampPart(unitText: string, us: number, zone: Zone | null): FieldValue | null {
  const type: TimeTypeLabel = zone === null ? 'timestamp without time zone' : 'timestamp with time zone'
  const unit = parseUnit(unitText, type)
  if (!Number.isFinite(us)) {
    if (!MONOTONIC_UNITS.has(unit)) return null
    return { numeric: us > 0 ? 'Infinity' : '-Infinity', float: us }
  }
  const offset = zone === null ? 0 : zoneOffsetAt(zone, us)
  const c = civilFromUs(us + offset)
  const secondsUs = c.second * US_PER_SECOND + c.us
  switch (unit) {
    case 'microseconds': return whole(secondsUs)
    case 'milliseconds': return { numeric: fixed(secondsUs, 3), float: c.second * 1000 + c.us / 1000 }
    case 'second': return { numeric: fixed(secondsUs, 6), float: c.second + c.us / 1e6 }
    case 'minute': return whole(c.minute)
    case 'hour': return whole(c.hour)
    case 'epoch': return { numeric: fixed(us, 6), float: us / 1e6 }
    case 'julian': return julian(c)
    case 'timezone': case 'timezone_hour': case 'timezone_minute': {
      if (zone === null) throw unsupported(unitText, type)
      const seconds = Math.round(offset / US_PER_SECOND)
      const v = unit === 'timezone' ? seconds : unit === 'timezone_hour' ? Math.trunc(seconds / 3600) : Math.trunc(seconds / 60) % 60
      return whole(v + 0)
    }
    default: {
      const field = calendarField(unit, c)
      if (field === undefined) throw unsupported(unitText, type)
      return field
    }
  }
}

/** extract(field from date): calendar units, epoch and julian as integers; time units are 0A000 as PostgreSQL. */
export function datePart(unitText: string, days: number): FieldValue | null {
  const unit = parseUnit(unitText, 'date')
  const dateUnits: ReadonlySet<Unit> = new Set(['day', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'week', 'isoyear', 'dow', 'isodow', 'doy', 'epoch', 'julian'])
  if (!dateUnits.has(unit)) throw unsupported(unitText, 'date')
  if (!Number.isFinite(days)) {
    if (!MONOTONIC_UNITS.has(unit)) return null
    return { numeric: days > 0 ? 'Infinity' : '-Infinity', float: days }
  }
  if (unit === 'epoch') return whole(days * 86_400)
  if (unit === 'julian') return whole(days + 2_440_588)
  const field = calendarField(unit, civilFromUs(days * US_PER_DAY))
  if (field === undefined) throw unsupported(unitText, 'date')
  return field
}

/** extract/date_part of a time (time_part_common): hour, minute, second units and epoch; calendar units are 0A000. */
export function timePart(unitText: string, time: number, zone: number | null = null): FieldValue {
  const type = zone === null ? 'time without time zone' : 'time with time zone'
  const unit = parseUnit(unitText, type)
  const secondsUs = time % US_PER_MINUTE
  switch (unit) {
    case 'microseconds': return whole(secondsUs)
    case 'milliseconds': return { numeric: fixed(secondsUs, 3), float: secondsUs / 1000 }
    case 'second': return { numeric: fixed(secondsUs, 6), float: secondsUs / 1e6 }
    case 'minute': return whole(Math.floor(time / US_PER_MINUTE) % 60)
    case 'hour': return whole(Math.floor(time / US_PER_HOUR))
    // timetz's epoch counts from UTC midnight: the zone's seconds west are added.
    case 'epoch': return { numeric: fixed(time + (zone ?? 0) * US_PER_SECOND, 6), float: time / 1e6 + (zone ?? 0) }
    case 'timezone': case 'timezone_hour': case 'timezone_minute': {
      if (zone === null) throw unsupported(unitText, type)
      // timetz_part_common: -tz, -tz / 3600 and (-tz / 60) % 60 in C's truncating division.
      const east = -zone
      return whole(unit === 'timezone' ? east : unit === 'timezone_hour' ? Math.trunc(east / 3600) : Math.trunc(east / 60) % 60)
    }
    default: throw unsupported(unitText, type)
  }
}

/** extract/date_part of an interval (interval_part_common): C truncating division throughout. */
export function intervalPart(unitText: string, v: IntervalValue): FieldValue {
  const unit = parseUnit(unitText, 'interval')
  const years = Math.trunc(v.months / 12)
  const hours = Math.trunc(v.us / US_PER_HOUR)
  const minutes = Math.trunc((v.us - hours * US_PER_HOUR) / US_PER_MINUTE)
  const secondsUs = v.us - hours * US_PER_HOUR - minutes * US_PER_MINUTE
  switch (unit) {
    case 'microseconds': return whole(secondsUs)
    case 'milliseconds': return { numeric: fixed(secondsUs, 3), float: secondsUs / 1000 }
    case 'second': return { numeric: fixed(secondsUs, 6), float: secondsUs / 1e6 }
    case 'minute': return whole(minutes)
    case 'hour': return whole(hours)
    case 'day': return whole(v.days)
    case 'month': return whole(v.months % 12)
    case 'quarter': return whole(Math.trunc((v.months % 12) / 3) + 1)
    case 'year': return whole(years)
    case 'decade': return whole(Math.trunc(years / 10))
    case 'century': return whole(Math.trunc(years / 100))
    case 'millennium': return whole(Math.trunc(years / 1000))
    case 'epoch': {
      // Exact in quarter days: a year is 365.25 days, a month 30 (PostgreSQL multiplies by 4 to stay integral).
      const quarterDays = 1461 * years + 120 * (v.months % 12) + 4 * v.days
      const us = quarterDays * 21_600 * US_PER_SECOND + v.us
      const float = v.us / 1e6 + 365.25 * 86_400 * years + 30 * 86_400 * (v.months % 12) + 86_400 * v.days
      return { numeric: fixed(us, 6), float }
    }
    default: throw unsupported(unitText, 'interval')
  }
}

/** Truncates local fields (timestamp_trunc's switch, with PostgreSQL's BC rules for decade/century/millennium). */
function truncCivil(unit: Unit, c: CivilTime, unitText: string, type: TimeTypeLabel): CivilTime {
  let { year, month, day, hour, minute, second, us } = c
  switch (unit) {
    case 'week': {
      const days = daysFromCivil(year, month, day)
      return civilFromUs((days - isoWeekday(days) + 1) * US_PER_DAY)
    }
    case 'millennium': year = year > 0 ? Math.trunc((year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (year - 1)) / 1000) * 1000 + 1; break
    case 'century': year = year > 0 ? Math.trunc((year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (year - 1)) / 100) * 100 + 1; break
    case 'decade': year = year > 0 ? Math.trunc(year / 10) * 10 : -Math.trunc((8 - (year - 1)) / 10) * 10; break
    default: break
  }
  const order: ReadonlyArray<Unit> = ['millennium', 'century', 'decade', 'year', 'quarter', 'month', 'day', 'hour', 'minute', 'second', 'milliseconds', 'microseconds']
  const rank = order.indexOf(unit)
  if (rank < 0) throw invalidParameterValue(`unit "${unitText}" not recognized for type ${type}`)
  if (rank <= order.indexOf('year')) month = 1
  if (rank === order.indexOf('quarter')) month = 3 * Math.floor((month - 1) / 3) + 1
  if (rank <= order.indexOf('month')) day = 1
  if (rank <= order.indexOf('day')) hour = 0
  if (rank <= order.indexOf('hour')) minute = 0
  if (rank <= order.indexOf('minute')) second = 0
  if (rank <= order.indexOf('second')) us = 0
  if (unit === 'milliseconds') us = Math.floor(us / 1000) * 1000
  return { year, month, day, hour, minute, second, us }
}

/** date_trunc for timestamp (zone null) or timestamptz in `zone` (fields ≥ day re-resolve the offset, as PostgreSQL). */
export function truncTimestamp(unitText: string, us: number, zone: Zone | null): number {
  if (!Number.isFinite(us)) return us
  const type: TimeTypeLabel = zone === null ? 'timestamp without time zone' : 'timestamp with time zone'
  const unit = parseUnit(unitText, type)
  const offset = zone === null ? 0 : zoneOffsetAt(zone, us)
  const local = usFromCivil(truncCivil(unit, civilFromUs(us + offset), unitText, type))
  if (zone === null) return local
  const redoZone = !['hour', 'minute', 'second', 'milliseconds', 'microseconds'].includes(unit)
  return redoZone ? localToUtcIn(zone, local) : local - offset
}

/** date_trunc(text, interval): interval_trunc on the itm fields; 'week' is 0A000 as PostgreSQL. */
export function truncInterval(unitText: string, v: IntervalValue): IntervalValue {
  const unit = parseUnit(unitText, 'interval')
  const years = Math.trunc(v.months / 12)
  const hoursUs = Math.trunc(v.us / US_PER_HOUR) * US_PER_HOUR
  const minutesUs = Math.trunc(v.us / US_PER_MINUTE) * US_PER_MINUTE
  const secondsUs = Math.trunc(v.us / US_PER_SECOND) * US_PER_SECOND
  switch (unit) {
    case 'millennium': return interval(Math.trunc(years / 1000) * 12_000, 0, 0)
    case 'century': return interval(Math.trunc(years / 100) * 1200, 0, 0)
    case 'decade': return interval(Math.trunc(years / 10) * 120, 0, 0)
    case 'year': return interval(years * 12, 0, 0)
    case 'quarter': return interval(years * 12 + 3 * Math.trunc((v.months % 12) / 3), 0, 0)
    case 'month': return interval(v.months, 0, 0)
    case 'day': return interval(v.months, v.days, 0)
    case 'hour': return interval(v.months, v.days, hoursUs)
    case 'minute': return interval(v.months, v.days, minutesUs)
    case 'second': return interval(v.months, v.days, secondsUs)
    case 'milliseconds': return interval(v.months, v.days, Math.trunc(v.us / 1000) * 1000)
    case 'microseconds': return v
    case 'week': throw unsupported(unitText, 'interval')
    default: throw invalidParameterValue(`unit "${unitText}" not recognized for type interval`)
  }
}
