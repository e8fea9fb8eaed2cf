// sql/expr/interval: PostgreSQL 15's interval — {months, days, µs}, each signed and independent — its text input
// (DecodeInterval / DecodeISO8601Interval, with sql_standard's leading-sign rule), its output (EncodeInterval: postgres
// here, the other IntervalStyles in interval-style.ts) and its arithmetic
// (interval_pl/mi/um/mul/div, interval_cmp, justify_*). µs are a JavaScript number: exact up to 2^53 µs (285 years of
// time part), which covers every interval whose time part a timestamp difference can produce inside that window.
import { datetimeFieldOverflow, divisionByZero, intervalFieldOverflow, invalidDatetimeFormat } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, formatClock, rint } from './calendar.js'
import { formatIntervalStyled } from './interval-style.js'

const INT32_MAX = 2_147_483_647
const INT32_MIN = -2_147_483_648
const INT64_LIMIT = 9_223_372_036_854_775_807
const DAYS_PER_MONTH = 30

export const ZERO_INTERVAL: IntervalValue = { months: 0, days: 0, us: 0 }

export function interval(months: number, days: number, us: number): IntervalValue {
  return { months: months + 0, days: days + 0, us: us + 0 }
}

/** How one unit word adds `value` into the fields being accumulated (PostgreSQL's DecodeInterval switch). */
type UnitKind = 'us' | 'ms' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade' | 'century' | 'millennium'

const UNIT_WORDS: ReadonlyArray<readonly [UnitKind, ReadonlyArray<string>]> = [
  ['us', ['us', 'usec', 'usecs', 'useconds', 'microsecond', 'microseconds', 'microsecon']],
  ['ms', ['ms', 'msec', 'msecs', 'mseconds', 'millisecond', 'milliseconds', 'millisecon']],
  ['second', ['s', 'sec', 'secs', 'second', 'seconds']],
  ['minute', ['m', 'min', 'mins', 'minute', 'minutes']],
  ['hour', ['h', 'hr', 'hrs', 'hour', 'hours']],
  ['day', ['d', 'day', 'days']],
  ['week', ['w', 'week', 'weeks']],
  ['month', ['mon', 'mons', 'month', 'months']],
  ['year', ['y', 'yr', 'yrs', 'year', 'years']],
  ['decade', ['dec', 'decs', 'decade', 'decades']],
  ['century', ['c', 'cent', 'century', 'centuries']],
  ['millennium', ['mil', 'mils', 'millennium', 'millennia']],
]
const UNIT_BY_WORD = new Map<string, UnitKind>(UNIT_WORDS.flatMap(([kind, words]) => words.map((w) => [w, kind] as const)))
const SUB_DAY_US: Partial<Record<UnitKind, number>> = { us: 1, ms: 1000, second: US_PER_SECOND, minute: US_PER_MINUTE, hour: US_PER_HOUR }
const YEAR_SCALE: Partial<Record<UnitKind, number>> = { year: 1, decade: 10, century: 100, millennium: 1000 }

/** Mutable accumulator while parsing: pg_itm_in's fields. */
interface Fields { years: number; months: number; days: number; us: number }

/** AdjustFractMicroseconds: truncate, then round only the leftover fraction (so 1.5 µs → 1, as PostgreSQL). */
function fractUs(frac: number, scale: number): number {
  const scaled = frac * scale
  const whole = Math.trunc(scaled)
  return whole + rint(scaled - whole)
}

/** Adds `value` of `unit`; fractions spill into the next smaller field exactly as PostgreSQL 15's Adjust* helpers. */
function addUnit(f: Fields, unit: UnitKind, value: number): void {
  const whole = Math.trunc(value)
  const frac = value - whole
  const subDay = SUB_DAY_US[unit]
  if (subDay !== undefined) {
    f.us += whole * subDay + fractUs(frac, subDay)
    return
  }
  const yearScale = YEAR_SCALE[unit]
  if (yearScale !== undefined) {
    f.years += whole * yearScale
    f.months += rint(frac * yearScale * 12)
    return
  }
  if (unit === 'day') {
    f.days += whole
    f.us += fractUs(frac, US_PER_DAY)
    return
  }
  const scale = unit === 'week' ? 7 : DAYS_PER_MONTH
  if (unit === 'week') f.days += whole * 7
  else f.months += whole
  const fracDays = frac * scale
  const extraDays = Math.trunc(fracDays)
  f.days += extraDays
  f.us += fractUs(fracDays - extraDays, US_PER_DAY)
}

function checkFields(f: Fields, text: string): IntervalValue {
  const bad = (n: number, lo: number, hi: number): boolean => !Number.isFinite(n) || n < lo || n > hi
  const months = f.years * 12 + f.months
  if (bad(months, INT32_MIN, INT32_MAX) || bad(f.days, INT32_MIN, INT32_MAX) || bad(f.us, -INT64_LIMIT, INT64_LIMIT)) {
    throw intervalFieldOverflow(`interval field value out of range: "${text}"`)
  }
  return interval(months, f.days, f.us)
}

const TOKEN = /\s*(?:([+-]?\d+:\d+(?::\d+)?(?:\.\d*)?)|([+-]?\d+-\d+)|([+-]?(?:\d+\.?\d*|\.\d+))|([a-z]+))/y

/** 'H:M[:S[.f]]' (or 'M:S.f', as PostgreSQL reads two fields with a fraction) → signed µs; null when out of range. */
function clockUs(token: string): number | null {
  const negative = token.startsWith('-')
  const parts = token.replace(/^[+-]/, '').split(':')
  const last = parts[parts.length - 1] ?? '0'
  const minutesSeconds = parts.length === 2 && last.includes('.')
  const [h, m, s] = minutesSeconds ? ['0', parts[0] ?? '0', last] : [parts[0] ?? '0', parts[1] ?? '0', parts[2] ?? '0']
  const seconds = Number(s)
  if (Number(m) >= 60 || seconds >= 60) return null
  const whole = Math.trunc(seconds)
  const us = Number(h) * US_PER_HOUR + Number(m) * US_PER_MINUTE + whole * US_PER_SECOND + rint((seconds - whole) * US_PER_SECOND)
  return negative ? -us : us
}

/**
 * DecodeInterval's sql_standard rule: a leading '-' on the first field, with no other field signed, makes every
 * field negative ('-1 2:03:04' is −1 day −2:03:04); in IntervalStyle postgres only the first field is negative.
 * A leading '@' is no field.
 */
function isForcedNegative(body: string): boolean {
  const signs: boolean[] = []
  for (let pos = 0; pos < body.length;) {
    TOKEN.lastIndex = pos
    const m = TOKEN.exec(body)
    if (m === null) return false
    pos = TOKEN.lastIndex
    const field = m[1] ?? m[2] ?? m[3]
    if (field !== undefined) signs.push(signs.length === 0 ? field.startsWith('-') : /^[+-]/.test(field))
  }
  return signs[0] === true && !signs.slice(1).some((signed) => signed)
}

/** Decodes PostgreSQL's postgres-style interval input: '1 year 2 mons', '-1 day +02:00', '@ 1 hour ago', '1-2'. */
function parseVerbose(text: string, lower: string, intervalStyle: string): IntervalValue {
  const syntax = (): Error => invalidDatetimeFormat('interval', text)
  // ParseDateTime: a sign soaks up the whitespace after it ('- 1 day' is '-1 day').
  const body = lower.replace(/^@\s*/, '').replace(/([+-])\s+/g, '$1')
  const f: Fields = { years: 0, months: 0, days: 0, us: 0 }
  const isNegative = intervalStyle === 'sql_standard' && isForcedNegative(body)
  const signed = (value: number): number => (isNegative && value > 0 ? -value : value)
  const seen = new Set<string>()
  const mark = (kind: string): void => {
    if (seen.has(kind)) throw syntax()
    seen.add(kind)
  }
  let ago = false
  let pos = 0
  let pending: string | null = null
  TOKEN.lastIndex = 0
  while (pos < body.length) {
    TOKEN.lastIndex = pos
    const m = TOKEN.exec(body)
    if (m === null) throw syntax()
    pos = TOKEN.lastIndex
    const [, clock, yearMonth, number, word] = m
    // 'ago' ends the input (PostgreSQL accepts it repeated, negating once).
    if (ago && word !== 'ago') throw syntax()
    if (clock !== undefined) {
      if (pending !== null) {
        if (pending.includes('.')) throw syntax()
        mark('day')
        f.days += signed(Number(pending))
        pending = null
      }
      const us = clockUs(clock)
      if (us === null) throw intervalFieldOverflow(`interval field value out of range: "${text}"`)
      mark('clock')
      f.us += signed(us)
    } else if (yearMonth !== undefined) {
      if (pending !== null) throw syntax()
      const [y = '0', mo = '0'] = yearMonth.replace(/^[+-]/, '').split('-')
      const months = Number(y) * 12 + Number(mo)
      mark('year')
      f.months += signed(yearMonth.startsWith('-') ? -months : months)
    } else if (number !== undefined) {
      if (pending !== null) throw syntax()
      pending = number
    } else if (word !== undefined) {
      if (word === 'ago' && pending === null && seen.size > 0) { ago = true; continue }
      const unit = UNIT_BY_WORD.get(word)
      if (unit === undefined || pending === null) throw syntax()
      mark(unit)
      addUnit(f, unit, signed(Number(pending)))
      pending = null
    }
  }
  if (pending !== null) {
    mark('second')
    addUnit(f, 'second', signed(Number(pending)))
  }
  if (seen.size === 0) throw syntax()
  if (ago) { f.years = -f.years; f.months = -f.months; f.days = -f.days; f.us = -f.us }
  return checkFields(f, text)
}

const ISO_DESIGNATORS = /([+-]?(?:\d+\.?\d*|\.\d+))([ymwdhs])/y

/** ISO 8601 'P1Y2M3DT4H5M6S' (fractions allowed in any field) and the alternative 'P0001-02-03T04:05:06'. */
function parseIso(text: string, lower: string): IntervalValue {
  const syntax = (): Error => invalidDatetimeFormat('interval', text)
  const alt = /^p(\d+)-(\d+)-(\d+)(?:t(\d+):(\d+):(\d+(?:\.\d*)?))?$/.exec(lower)
  const f: Fields = { years: 0, months: 0, days: 0, us: 0 }
  if (alt !== null) {
    const n = (i: number): number => Number(alt[i] ?? '0')
    addUnit(f, 'year', n(1)); addUnit(f, 'month', n(2)); addUnit(f, 'day', n(3))
    addUnit(f, 'hour', n(4)); addUnit(f, 'minute', n(5)); addUnit(f, 'second', n(6))
    return checkFields(f, text)
  }
  const [datePart = '', timePart, extra] = lower.slice(1).split('t')
  if (extra !== undefined || (datePart === '' && (timePart === undefined || timePart === ''))) throw syntax()
  const run = (part: string, units: Readonly<Record<string, UnitKind>>): void => {
    let pos = 0
    while (pos < part.length) {
      ISO_DESIGNATORS.lastIndex = pos
      const m = ISO_DESIGNATORS.exec(part)
      const unit = m === null ? undefined : units[m[2] ?? '']
      if (m === null || unit === undefined) throw syntax()
      addUnit(f, unit, Number(m[1]))
      pos = ISO_DESIGNATORS.lastIndex
    }
  }
  run(datePart, { y: 'year', m: 'month', w: 'week', d: 'day' })
  if (timePart !== undefined) run(timePart, { h: 'hour', m: 'minute', s: 'second' })
  return checkFields(f, text)
}

/** PostgreSQL's interval_in in `intervalStyle`: 22007 for bad syntax, 22015 for a field out of range. */
export function parseInterval(text: string, intervalStyle = 'postgres'): IntervalValue {
  const lower = text.trim().toLowerCase()
  if (lower === '') throw invalidDatetimeFormat('interval', text)
  return lower.startsWith('p') ? parseIso(text, lower) : parseVerbose(text, lower, intervalStyle)
}

/** Whether `text` reads differently in IntervalStyle sql_standard (the binder then leaves it to the session). */
export function isIntervalStyleDependent(text: string): boolean {
  try {
    const a = parseInterval(text)
    const b = parseInterval(text, 'sql_standard')
    return a.months !== b.months || a.days !== b.days || a.us !== b.us
  } catch {
    return false
  }
}

/** PostgreSQL's EncodeInterval: IntervalStyle postgres '1 year 2 mons 3 days 04:05:06', '-1 days +02:00:00'. */
export function formatInterval(v: IntervalValue, intervalStyle = 'postgres'): string {
  if (intervalStyle !== 'postgres') return formatIntervalStyled(v, intervalStyle)
  const parts: string[] = []
  let previousNegative = false
  const add = (value: number, unit: string): void => {
    if (value === 0) return
    parts.push(`${previousNegative && value > 0 ? '+' : ''}${value} ${unit}${value === 1 ? '' : 's'}`)
    previousNegative = value < 0
  }
  add(Math.trunc(v.months / 12), 'year')
  add(v.months % 12, 'mon')
  add(v.days, 'day')
  if (v.us !== 0 || parts.length === 0) {
    const magnitude = Math.abs(v.us)
    const hours = Math.floor(magnitude / US_PER_HOUR)
    const rest = magnitude - hours * US_PER_HOUR
    const minutes = Math.floor(rest / US_PER_MINUTE)
    const seconds = Math.floor((rest - minutes * US_PER_MINUTE) / US_PER_SECOND)
    const us = rest - minutes * US_PER_MINUTE - seconds * US_PER_SECOND
    const sign = v.us < 0 ? '-' : previousNegative ? '+' : ''
    parts.push(`${sign}${formatClock(hours, minutes, seconds, us)}`)
  }
  return parts.join(' ')
}

function checkResult(months: number, days: number, us: number): IntervalValue {
  const bad = (n: number, lo: number, hi: number): boolean => !Number.isFinite(n) || n < lo || n > hi
  if (bad(months, INT32_MIN, INT32_MAX) || bad(days, INT32_MIN, INT32_MAX) || bad(us, -INT64_LIMIT, INT64_LIMIT)) {
    throw datetimeFieldOverflow('interval out of range')
  }
  return interval(months, days, us)
}

export function intervalAdd(a: IntervalValue, b: IntervalValue): IntervalValue {
  return checkResult(a.months + b.months, a.days + b.days, a.us + b.us)
}

export function intervalSub(a: IntervalValue, b: IntervalValue): IntervalValue {
  return checkResult(a.months - b.months, a.days - b.days, a.us - b.us)
}

export function intervalNegate(a: IntervalValue): IntervalValue {
  return checkResult(-a.months, -a.days, -a.us)
}

/** TSROUND: rounds a float to µs precision the way PostgreSQL does before cascading remainders. */
function tsRound(x: number): number {
  return rint(x * US_PER_SECOND) / US_PER_SECOND
}

/**
 * interval_mul / interval_div: each field is scaled; the fractional months cascade into days (30 per month) and the
 * fractional days into µs, with PostgreSQL's exact sequence of truncations and TSROUNDs.
 */
function scale(span: IntervalValue, apply: (x: number) => number): IntervalValue {
  const monthsExact = apply(span.months)
  const daysExact = apply(span.days)
  if (Number.isNaN(monthsExact) || monthsExact > INT32_MAX || monthsExact < INT32_MIN) throw datetimeFieldOverflow('interval out of range')
  if (Number.isNaN(daysExact) || daysExact > INT32_MAX || daysExact < INT32_MIN) throw datetimeFieldOverflow('interval out of range')
  const months = Math.trunc(monthsExact)
  let days = Math.trunc(daysExact)
  const monthRemainderDays = tsRound((monthsExact - months) * DAYS_PER_MONTH)
  let secRemainder = tsRound((daysExact - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86_400)
  if (Math.abs(secRemainder) >= 86_400) {
    const extraDays = Math.trunc(secRemainder / 86_400)
    days += extraDays
    secRemainder -= extraDays * 86_400
  }
  days += Math.trunc(monthRemainderDays)
  const us = rint(apply(span.us) + secRemainder * US_PER_SECOND)
  return checkResult(months, days, us)
}

export function intervalMul(span: IntervalValue, factor: number): IntervalValue {
  return scale(span, (x) => x * factor)
}

export function intervalDiv(span: IntervalValue, factor: number): IntervalValue {
  if (factor === 0) throw divisionByZero()
  return scale(span, (x) => x / factor)
}

const BIG_US_PER_DAY = BigInt(US_PER_DAY)

/** interval_cmp_value: the whole span in µs with a month = 30 days and a day = 24 h, exactly (BigInt). */
export function intervalCmpValue(v: IntervalValue): bigint {
  return (BigInt(v.months) * 30n + BigInt(v.days)) * BIG_US_PER_DAY + BigInt(Math.trunc(v.us))
}

/** PostgreSQL's interval_cmp: '1 mon' = '30 days', '1 day' = '24:00:00'. */
export function compareIntervals(a: IntervalValue, b: IntervalValue): number {
  const x = intervalCmpValue(a)
  const y = intervalCmpValue(b)
  return x < y ? -1 : x > y ? 1 : 0
}

export function justifyHours(v: IntervalValue): IntervalValue {
  const wholeDays = Math.trunc(v.us / US_PER_DAY)
  let us = v.us - wholeDays * US_PER_DAY
  let days = v.days + wholeDays
  if (days > 0 && us < 0) { us += US_PER_DAY; days-- } else if (days < 0 && us > 0) { us -= US_PER_DAY; days++ }
  return checkResult(v.months, days, us)
}

export function justifyDays(v: IntervalValue): IntervalValue {
  const wholeMonths = Math.trunc(v.days / DAYS_PER_MONTH)
  let days = v.days - wholeMonths * DAYS_PER_MONTH
  let months = v.months + wholeMonths
  if (months > 0 && days < 0) { days += DAYS_PER_MONTH; months-- } else if (months < 0 && days > 0) { days -= DAYS_PER_MONTH; months++ }
  return checkResult(months, days, v.us)
}

export function justifyInterval(v: IntervalValue): IntervalValue {
  const wholeDays = Math.trunc(v.us / US_PER_DAY)
  let us = v.us - wholeDays * US_PER_DAY
  let days = v.days + wholeDays
  const wholeMonths = Math.trunc(days / DAYS_PER_MONTH)
  days -= wholeMonths * DAYS_PER_MONTH
  let months = v.months + wholeMonths
  if (months > 0 && (days < 0 || (days === 0 && us < 0))) { days += DAYS_PER_MONTH; months-- }
  else if (months < 0 && (days > 0 || (days === 0 && us > 0))) { days -= DAYS_PER_MONTH; months++ }
  if (days > 0 && us < 0) { us += US_PER_DAY; days-- } else if (days < 0 && us > 0) { us -= US_PER_DAY; days++ }
  return checkResult(months, days, us)
}

/** A fixed width in µs (days counted as 24 h) for time_bucket/date_bin; null when the interval has months. */
export function intervalSpanUs(v: IntervalValue): number | null {
  return v.months !== 0 ? null : v.days * US_PER_DAY + v.us
}

export function isIntervalValue(value: unknown): value is IntervalValue {
  return typeof value === 'object' && value !== null && 'months' in value && 'days' in value && 'us' in value
}
