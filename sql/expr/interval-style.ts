// sql/expr/interval-style: interval output in the IntervalStyles other than postgres, as PostgreSQL 15's
// EncodeInterval (datetime.c) prints them: postgres_verbose '@ 1 year 2 mons -3 days 4 hours ago', sql_standard
// '+1-2 -3 +4:05:06' (one leading sign when the value allows it, explicit signs when it mixes them), iso_8601
// 'P1Y2M-3DT4H5M6S'. The fields are interval2itm's: years and months from the months, hours, minutes, seconds and
// µs truncated toward zero from the time part (each with the time part's sign).
import type { IntervalValue } from '../api.js'
import { US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND } from './calendar.js'

interface IntervalFields {
  readonly year: number
  readonly mon: number
  readonly mday: number
  readonly hour: number
  readonly min: number
  readonly sec: number
  readonly fsec: number
}

/** interval2itm: C's truncating division, so every part of a negative time is negative. */
function fieldsOf(v: IntervalValue): IntervalFields {
  let time = v.us
  const hour = Math.trunc(time / US_PER_HOUR)
  time -= hour * US_PER_HOUR
  const min = Math.trunc(time / US_PER_MINUTE)
  time -= min * US_PER_MINUTE
  const sec = Math.trunc(time / US_PER_SECOND)
  const fsec = time - sec * US_PER_SECOND
  return { year: Math.trunc(v.months / 12) + 0, mon: (v.months % 12) + 0, mday: v.days + 0, hour: hour + 0, min: min + 0, sec: sec + 0, fsec: fsec + 0 }
}

/** AppendSeconds: |sec|, two digits when `fillZeros`, then '.ffffff' with trailing zeros trimmed when fsec ≠ 0. */
function secondsText(sec: number, fsec: number, fillZeros: boolean): string {
  const whole = String(Math.abs(sec))
  const head = fillZeros ? whole.padStart(2, '0') : whole
  if (fsec === 0) return head
  return `${head}.${String(Math.abs(fsec)).padStart(6, '0').replace(/0+$/, '')}`
}

function sqlStandard(f: IntervalFields): string {
  const parts = [f.year, f.mon, f.mday, f.hour, f.min, f.sec, f.fsec]
  const hasNegative = parts.some((n) => n < 0)
  const hasPositive = parts.some((n) => n > 0)
  const hasYearMonth = f.year !== 0 || f.mon !== 0
  const hasDayTime = f.mday !== 0 || f.hour !== 0 || f.min !== 0 || f.sec !== 0 || f.fsec !== 0
  const isStandard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime)
  if (!hasNegative && !hasPositive) return '0'
  if (!isStandard) {
    const yearSign = f.year < 0 || f.mon < 0 ? '-' : '+'
    const daySign = f.mday < 0 ? '-' : '+'
    const secSign = f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0 ? '-' : '+'
    const clock = `${Math.abs(f.hour)}:${String(Math.abs(f.min)).padStart(2, '0')}:${secondsText(f.sec, f.fsec, true)}`
    return `${yearSign}${Math.abs(f.year)}-${Math.abs(f.mon)} ${daySign}${Math.abs(f.mday)} ${secSign}${clock}`
  }
  // One leading sign for the whole value; the fields printed as magnitudes.
  const sign = hasNegative ? '-' : ''
  const clock = `${Math.abs(f.hour)}:${String(Math.abs(f.min)).padStart(2, '0')}:${secondsText(f.sec, f.fsec, true)}`
  if (hasYearMonth) return `${sign}${Math.abs(f.year)}-${Math.abs(f.mon)}`
  if (f.mday !== 0) return `${sign}${Math.abs(f.mday)} ${clock}`
  return `${sign}${clock}`
}

function iso8601(f: IntervalFields): string {
  const hasTime = f.hour !== 0 || f.min !== 0 || f.sec !== 0 || f.fsec !== 0
  if (f.year === 0 && f.mon === 0 && f.mday === 0 && !hasTime) return 'PT0S'
  const part = (value: number, unit: string): string => (value === 0 ? '' : `${value}${unit}`)
  let out = `P${part(f.year, 'Y')}${part(f.mon, 'M')}${part(f.mday, 'D')}${hasTime ? 'T' : ''}${part(f.hour, 'H')}${part(f.min, 'M')}`
  if (f.sec !== 0 || f.fsec !== 0) out += `${f.sec < 0 || f.fsec < 0 ? '-' : ''}${secondsText(f.sec, f.fsec, false)}S`
  return out
}

function postgresVerbose(f: IntervalFields): string {
  let out = '@'
  let isZero = true
  let isBefore = false
  const add = (raw: number, unit: string): void => {
    if (raw === 0) return
    let value = raw
    // The first nonzero field decides 'ago'; later fields print relative to it.
    if (isZero) {
      isBefore = value < 0
      value = Math.abs(value)
    } else if (isBefore) value = -value
    out += ` ${value} ${unit}${value === 1 ? '' : 's'}`
    isZero = false
  }
  add(f.year, 'year')
  add(f.mon, 'mon')
  add(f.mday, 'day')
  add(f.hour, 'hour')
  add(f.min, 'min')
  if (f.sec !== 0 || f.fsec !== 0) {
    out += ' '
    if (f.sec < 0 || (f.sec === 0 && f.fsec < 0)) {
      if (isZero) isBefore = true
      else if (!isBefore) out += '-'
    } else if (isBefore) out += '-'
    out += `${secondsText(f.sec, f.fsec, false)} sec${Math.abs(f.sec) !== 1 || f.fsec !== 0 ? 's' : ''}`
    isZero = false
  }
  if (isZero) out += ' 0'
  if (isBefore) out += ' ago'
  return out
}

/** EncodeInterval for postgres_verbose, sql_standard and iso_8601 (postgres itself is interval.ts's formatInterval). */
export function formatIntervalStyled(v: IntervalValue, intervalStyle: string): string {
  const f = fieldsOf(v)
  switch (intervalStyle) {
    case 'sql_standard': return sqlStandard(f)
    case 'iso_8601': return iso8601(f)
    default: return postgresVerbose(f)
  }
}
