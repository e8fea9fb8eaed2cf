// src/common/calendar: proleptic Gregorian arithmetic on plain numbers, as PostgreSQL's date2j/j2date do it. Years are
// astronomical (1 BC = 0), matching PostgreSQL's struct pg_tm. Everything here is zone-free; zones live in time-zone.ts.
// In src/common (not sql/) because the cores print timestamps too (core-encoded DataRows).
import { datetimeFieldOverflow } from './errors.js'

export const US_PER_SECOND = 1_000_000
export const US_PER_MINUTE = 60_000_000
export const US_PER_HOUR = 3_600_000_000
export const US_PER_DAY = 86_400_000_000
/** PostgreSQL's epoch (2000-01-01) in days since the Unix epoch: binary formats count from there. */
export const PG_EPOCH_DAYS = 10_957
/**
 * PostgreSQL's timestamp range (4714-11-24 BC … 294276-12-31 24:00 exclusive) in µs since the Unix epoch. A
 * JavaScript number holds every µs exactly only within ±2^53 µs (about 1685 … 2255 AD); further out µs round to the
 * nearest representable value (whole seconds stay exact for ±18 000 years). That is the price of SqlValue's number.
 */
/** Exclusive upper bound. */
export const END_TIMESTAMP_US = 9_224_318_016_000_000_000
export const MIN_TIMESTAMP_US = -210_866_803_200_000_000

/** A broken-down local time, PostgreSQL's pg_tm plus microseconds. */
export interface CivilTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly us: number
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31)
}

/** Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil; exact for any integer year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** µs since the epoch (a wall clock, no zone) → its fields. */
export function civilFromUs(us: number): CivilTime {
  const days = Math.floor(us / US_PER_DAY)
  let rest = us - days * US_PER_DAY
  const hour = Math.floor(rest / US_PER_HOUR)
  rest -= hour * US_PER_HOUR
  const minute = Math.floor(rest / US_PER_MINUTE)
  rest -= minute * US_PER_MINUTE
  const second = Math.floor(rest / US_PER_SECOND)
  const date = civilFromDays(days)
  // Fields spelled out: `{ ...date, hour, … }` took V8's slow path here (~14 µs a call against 0.25 µs).
  return { year: date.year, month: date.month, day: date.day, hour, minute, second, us: rest - second * US_PER_SECOND }
}

export function usFromCivil(t: CivilTime): number {
  const days = daysFromCivil(t.year, t.month, t.day)
  return checkTimestampRange(days * US_PER_DAY + t.hour * US_PER_HOUR + t.minute * US_PER_MINUTE + t.second * US_PER_SECOND + t.us)
}

/** 22008 when a finite timestamp lies beyond what nodedb keeps exactly (see END_TIMESTAMP_US). */
export function checkTimestampRange(us: number): number {
  if (Number.isFinite(us) && (us >= END_TIMESTAMP_US || us < MIN_TIMESTAMP_US)) throw datetimeFieldOverflow('timestamp out of range')
  if (Number.isNaN(us)) throw datetimeFieldOverflow('timestamp out of range')
  return us
}

/** ISO weekday 1 (Monday) … 7 (Sunday) of days since the epoch (1970-01-01 was a Thursday). */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1
}

/** Days since the epoch of the Monday of ISO week 1 of `isoYear`. */
function isoYearStart(isoYear: number): number {
  const jan4 = daysFromCivil(isoYear, 1, 4)
  return jan4 - (isoWeekday(jan4) - 1)
}

/** PostgreSQL's date2isoweek / date2isoyear. */
export function isoWeekAndYear(days: number): { week: number; isoYear: number } {
  const year = civilFromDays(days).year
  let isoYear = year + 1
  let start = isoYearStart(isoYear)
  if (days < start) {
    isoYear = year
    start = isoYearStart(isoYear)
    if (days < start) {
      isoYear = year - 1
      start = isoYearStart(isoYear)
    }
  }
  return { week: Math.floor((days - start) / 7) + 1, isoYear }
}

/** C's rint(): round half to even, as PostgreSQL rounds fractional µs. */
export function rint(x: number): number {
  const r = Math.round(x)
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** '00' … '99': the two-digit fields of every printed time, without a padStart per field. */
const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'))

export function pad(value: number, width: number): string {
  if (width === 2 && value >= 0 && value < 100 && Number.isInteger(value)) return TWO_DIGITS[value]!
  return String(value).padStart(width, '0')
}

/** 'HH:MM:SS[.ffffff]' with trailing zeros of the fraction trimmed, as PostgreSQL prints times. */
export function formatClock(hour: number, minute: number, second: number, us: number): string {
  const fraction = us === 0 ? '' : `.${pad(us, 6).replace(/0+$/, '')}`
  return `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}`
}
