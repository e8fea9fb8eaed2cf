// sql/expr/datetime-decode: PostgreSQL 15's DecodeDateTime / DecodeDate / DecodeNumber / DecodeNumberField /
// DecodeTime / ValidateDate (datetime.c) over the fields of datetime-tokens: every input form PostgreSQL reads for
// date, timestamp and timestamptz ('2024-02-01', '02/01/2024' by DateStyle's field order, 'Feb 1 2024',
// '1 Feb 2024', '20240201T101500', 'J2460342', 'allballs', zones written after the time). Errors as PostgreSQL:
// 22007 syntax, 22008 out of range (with the DateStyle hint for a month or day out of range), and 0A000 for the
// rare forms nodedb does not read (labelled ISO fields 'y2024m02d01', fractional Julian days, 'DST', hhmmss-zz).
import { DbError, featureNotSupportedMessage } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { civilFromDays, daysFromCivil, daysInMonth, pad, rint, US_PER_SECOND, type CivilTime } from './calendar.js'
import { type Field, keyword, parseDateTimeFields } from './datetime-tokens.js'
import { type Failure, failure } from './datetime-errors.js'
import { decodeIsoFast } from './datetime-iso.js'
import { resolveZone } from './time-zone.js'

/** DateStyle's field order for ambiguous numeric dates. */
export type DateOrder = 'MDY' | 'DMY' | 'YMD'

/** What the text says, before any zone is applied. `relativeDay` is set by 'today' (0), 'tomorrow', 'yesterday'. */
export interface DecodedDateTime extends CivilTime {
  readonly zone: string | null
  /** Whether the text wrote a full date (time input reads a zone's offset at it, DecodeTimeOnly's DTK_DATE_M). */
  readonly hasDate: boolean
  readonly relativeDay: number | null
}

const YEAR = 1
const MONTH = 2
const DAY = 4
const DATE_M = YEAR | MONTH | DAY
const TIME_M = 8
const TZ = 16
const DOW = 32
const DOY = 64
const AMPM = 128
const ADBC = 256

/** DecodeDateTime's working state (PostgreSQL's struct pg_tm, fsec, fmask and flags). */
class State {
  year = 0
  month = 0
  day = 0
  hour = 0
  minute = 0
  second = 0
  us = 0
  doy = 0
  fmask = 0
  is2digits = false
  haveTextMonth = false
  isJulian = false
  bc = false
  meridian: number | null = null
  zone: string | null = null
  relativeDay: number | null = null
  ptype: 'julian' | 'isotime' | null = null
  constructor(readonly order: DateOrder, readonly fail: (kind: Failure) => DbError, readonly timeOnly: boolean) {}
}

function strtoint(s: string): { value: number; rest: string } | null {
  const m = /^[+-]?\d+/.exec(s)
  return m === null ? null : { value: Number(m[0]), rest: s.slice(m[0].length) }
}

/** ParseFractionalSecond: '.5' → 500000 µs. */
function fraction(rest: string, st: State): number {
  if (!/^\.\d*$/.test(rest)) throw st.fail('format')
  return rest === '.' ? 0 : rint(Number(`0${rest}`) * US_PER_SECOND)
}

/** DecodeNumberField: run-together digits — yyyymmdd (6+ digits, no date yet), hhmmss or hhmm — with a fraction. */
function decodeNumberField(str: string, fmask: number, st: State): number {
  let digits = str
  const dot = str.indexOf('.')
  if (dot >= 0) {
    st.us = fraction(str.slice(dot), st)
    digits = str.slice(0, dot)
  } else if ((fmask & DATE_M) !== DATE_M && digits.length >= 6) {
    const len = digits.length
    st.day = Number(digits.slice(len - 2))
    st.month = Number(digits.slice(len - 4, len - 2))
    st.year = Number(digits.slice(0, len - 4))
    if (len - 4 === 2) st.is2digits = true
    return DATE_M
  }
  if ((fmask & TIME_M) !== TIME_M && (digits.length === 6 || digits.length === 4)) {
    st.hour = Number(digits.slice(0, 2))
    st.minute = Number(digits.slice(2, 4))
    st.second = digits.length === 6 ? Number(digits.slice(4, 6)) : 0
    return TIME_M
  }
  throw st.fail('format')
}

/** DecodeNumber: one numeric field of a date, placed by what is known so far and by DateStyle's order. */
function decodeNumber(str: string, fmask: number, st: State): number {
  const parsed = strtoint(str)
  if (parsed === null) throw st.fail('format')
  const flen = str.length
  const val = parsed.value
  if (parsed.rest.startsWith('.')) {
    if (str.indexOf('.') > 2) return decodeNumberField(str, fmask | DATE_M, st)
    st.us = fraction(parsed.rest, st)
  } else if (parsed.rest !== '') throw st.fail('format')
  if (flen === 3 && (fmask & DATE_M) === YEAR && val >= 1 && val <= 366) {
    st.doy = val
    return DOY | MONTH | DAY
  }
  const set = (mask: number): number => {
    if (mask === YEAR) { st.year = val; st.is2digits = flen <= 2 }
    else if (mask === MONTH) st.month = val
    else st.day = val
    return mask
  }
  const yearFirst = flen >= 3 || st.order === 'YMD'
  switch (fmask & DATE_M) {
    case 0: return set(yearFirst ? YEAR : st.order === 'DMY' ? DAY : MONTH)
    case YEAR: return set(MONTH)
    case MONTH: return set(st.haveTextMonth && yearFirst ? YEAR : DAY)
    case YEAR | MONTH:
      if (st.haveTextMonth && flen >= 3 && st.is2digits) {
        st.day = st.year
        st.year = val
        st.is2digits = false
        return DAY
      }
      return set(DAY)
    case DAY: return set(MONTH)
    case MONTH | DAY: return set(YEAR)
    case DATE_M: return decodeNumberField(str, fmask, st)
    default: throw st.fail('format')
  }
}

/** DecodeDate: a field like '2024-02-01', '02/01/2024', '01-feb-2024', 'feb-01-2024'; textual months first. */
function decodeDate(str: string, fmask: number, st: State): number {
  const parts = str.match(/[0-9]+|[a-z]+/g) ?? []
  if (parts.length === 0 || /[^a-z0-9]$/.test(str)) throw st.fail('format')
  let tmask = 0
  let haveTextMonth = false
  const numeric: string[] = []
  for (const part of parts) {
    if (!/^[a-z]/.test(part)) { numeric.push(part); continue }
    const word = keyword(part)
    if (word?.kind === 'ignore') continue
    if (word?.kind !== 'month' || ((fmask | tmask) & MONTH) !== 0) throw st.fail('format')
    st.month = word.value
    haveTextMonth = true
    tmask |= MONTH
  }
  const outerTextMonth = st.haveTextMonth
  st.haveTextMonth = haveTextMonth
  for (const part of numeric) {
    const dmask = decodeNumber(part, fmask | tmask, st)
    if (((fmask | tmask) & dmask) !== 0) throw st.fail('format')
    tmask |= dmask
  }
  st.haveTextMonth = outerTextMonth
  // As PostgreSQL: any field before a date but a zone (a time, a weekday) makes it a syntax error.
  if (((fmask | tmask) & ~(DOY | TZ)) !== DATE_M) throw st.fail('format')
  return tmask
}

/** DecodeTime: 'hh:mm', 'hh:mm:ss', 'hh:mm:ss.fff', and 'mm:ss.fff'. */
function decodeTime(str: string, st: State): number {
  const hour = strtoint(str)
  if (hour === null || !hour.rest.startsWith(':')) throw st.fail('format')
  const minute = strtoint(hour.rest.slice(1))
  if (minute === null) throw st.fail('format')
  let [h, m, s, us] = [hour.value, minute.value, 0, 0]
  if (minute.rest.startsWith('.')) {
    us = fraction(minute.rest, st)
    ;[h, m, s] = [0, hour.value, minute.value]
  } else if (minute.rest.startsWith(':')) {
    const second = strtoint(minute.rest.slice(1))
    if (second === null) throw st.fail('format')
    s = second.value
    if (second.rest !== '') us = fraction(second.rest, st)
  } else if (minute.rest !== '') throw st.fail('format')
  if (h < 0 || m < 0 || m > 59 || s < 0 || s > 60 || us > US_PER_SECOND) throw st.fail('range')
  if (h > 24 || (h === 24 && (m > 0 || s > 0 || us > 0))) throw st.fail('range')
  Object.assign(st, { hour: h, minute: m, second: s, us })
  return TIME_M
}

/** A field that starts with a letter or a sign: a keyword, a zone abbreviation or name, or a special. */
function decodeWord(field: Field, fields: ReadonlyArray<Field>, i: number, st: State): number {
  const word = keyword(field.text)
  if (word === undefined) {
    if (resolveZone(field.raw) === null) throw st.fail('format')
    st.zone = field.raw
    return TZ
  }
  switch (word.kind) {
    case 'month': {
      let tmask = MONTH
      if ((st.fmask & MONTH) !== 0 && !st.haveTextMonth && (st.fmask & DAY) === 0 && st.month >= 1 && st.month <= 31) {
        st.day = st.month
        st.fmask &= ~MONTH
        tmask = DAY | MONTH
      }
      st.haveTextMonth = true
      st.month = word.value
      return tmask
    }
    case 'dow': return DOW
    case 'ampm': st.meridian = word.value; return AMPM
    case 'adbc': st.bc = word.value === 1; return ADBC
    case 'ignore': return 0
    case 'zulu': Object.assign(st, { hour: 0, minute: 0, second: 0, us: 0, zone: 'UTC' }); return TIME_M | TZ
    case 'julian': st.ptype = 'julian'; return 0
    case 'isotime': {
      const next = fields[i + 1]
      if ((!st.timeOnly && (st.fmask & DATE_M) !== DATE_M) || next === undefined || !['number', 'time', 'date'].includes(next.type)) throw st.fail('format')
      st.ptype = 'isotime'
      return 0
    }
    case 'dst': throw featureNotSupportedMessage('the DST modifier of a zone abbreviation in date/time input is not supported')
    case 'special': return decodeSpecial(word.value, st)
  }
}

function decodeSpecial(value: string, st: State): number {
  const shift = value === 'today' ? 0 : value === 'tomorrow' ? 1 : value === 'yesterday' ? -1 : null
  // Alone, 'now', 'epoch' and the infinities are answered before decoding. Next to other fields PostgreSQL answers
  // some ('epoch 1999' is the epoch) and refuses others: nodedb reads none of them.
  if (shift === null) throw featureNotSupportedMessage(`"${value}" next to other fields in date/time input is not supported`)
  st.relativeDay = shift
  return DATE_M
}

/** A number after a label ('j' for a Julian day, 't' before an ISO time). */
function decodeLabelled(field: Field, st: State): number {
  const parsed = strtoint(field.text)
  if (parsed === null || (parsed.rest !== '' && !parsed.rest.startsWith('.'))) throw st.fail('format')
  const ptype = st.ptype
  st.ptype = null
  if (ptype === 'isotime') {
    const tmask = decodeNumberField(field.text, st.fmask | DATE_M, st)
    if (tmask !== TIME_M) throw st.fail('format')
    return tmask
  }
  if (parsed.value < 0) throw st.fail('range')
  if (parsed.rest !== '') throw featureNotSupportedMessage('a fractional Julian day in date/time input is not supported')
  const c = civilFromDays(parsed.value - 2_440_588)
  Object.assign(st, { year: c.year, month: c.month, day: c.day, isJulian: true })
  return DATE_M
}

function decodeNumberToken(field: Field, st: State): number {
  if (st.ptype !== null) return decodeLabelled(field, st)
  const str = field.text
  const dot = str.indexOf('.')
  if (st.timeOnly) return decodeTimeOnlyNumber(str, dot, st)
  if (dot >= 0 && (st.fmask & DATE_M) === 0) return decodeDate(str, st.fmask, st)
  if (dot >= 0 && dot > 2) return decodeNumberField(str, st.fmask, st)
  if (str.length >= 6 && ((st.fmask & DATE_M) === 0 || (st.fmask & TIME_M) === 0)) return decodeNumberField(str, st.fmask, st)
  return decodeNumber(str, st.fmask, st)
}

/** DecodeTimeOnly's numbers: run-together digits are a time (hhmmss), as if the date were already known. */
function decodeTimeOnlyNumber(str: string, dot: number, st: State): number {
  if (dot >= 0 && dot <= 2) throw st.fail('format')
  if (dot >= 0 || str.length > 4) return decodeNumberField(str, st.fmask | DATE_M, st)
  return decodeNumber(str, st.fmask | DATE_M, st)
}

function decodeDateToken(field: Field, st: State): number {
  if (st.ptype === 'julian') return decodeLabelled(field, st)
  if (/^(?:y|m|d|h|mm|s)\d/.test(field.text)) {
    throw featureNotSupportedMessage('labelled ISO 8601 fields (such as "y2024m02d01") in date/time input are not supported')
  }
  if (st.ptype !== null || (st.fmask & (MONTH | DAY)) === (MONTH | DAY)) {
    if (/^[0-9]/.test(field.text) || st.ptype !== null) {
      throw featureNotSupportedMessage('a run-together time with a zone (hhmmss-zz) in date/time input is not supported')
    }
    return namedZone(field, st)
  }
  return decodeDate(field.text, st.fmask, st)
}

/** A zone name in a date-like field ('America/New_York'): 22023 when unknown, as DecodeDateTime's pg_tzset check. */
function namedZone(field: Field, st: State): number {
  if (resolveZone(field.raw) === null) {
    throw new DbError({ severity: 'ERROR', code: SqlState.invalidParameterValue, message: `time zone "${field.text}" not recognized` })
  }
  st.zone = field.raw
  return TZ
}

/** DecodeTimeOnly reads a date-like field as a date only first, before a time or with another date-like field last. */
function isTimeOnlyDate(fields: ReadonlyArray<Field>, i: number): boolean {
  return i === 0 && fields.length >= 2 && (fields[fields.length - 1]!.type === 'date' || fields[1]!.type === 'time')
}

/**
 * DecodeTimeOnly's other date-like fields: a zone name ('Etc/GMT+5'), or digits run together with a zone
 * ('101112-01': the zone from the '-', the rest a concatenated time).
 */
function decodeTimeOnlyZone(field: Field, st: State): number {
  if (!/^[0-9]/.test(field.text)) return namedZone(field, st)
  const dash = field.text.indexOf('-')
  if ((st.fmask & TIME_M) === TIME_M || dash < 0) throw st.fail('format')
  decodeOffset({ type: 'tz', text: field.text.slice(dash), raw: field.raw.slice(dash) }, st)
  return decodeNumberField(field.text.slice(0, dash), st.fmask | DATE_M, st) | TZ
}

/**
 * DecodeTimezone: '-08', '+05:30', '+05:30:15', '+0530' (more than two digits run together are hhmm); range checked
 * (22009) before trailing text (22007), as PostgreSQL. The zone is kept as a canonical '+hh:mm:ss' offset.
 */
function decodeOffset(field: Field, st: State): number {
  const text = field.text
  const hourPart = strtoint(text.slice(1))
  if (hourPart === null) throw st.fail('format')
  let [hour, minute, second, rest] = [hourPart.value, 0, 0, hourPart.rest]
  if (rest.startsWith(':')) {
    const m = strtoint(rest.slice(1))
    if (m === null) throw st.fail('format')
    ;[minute, rest] = [m.value, m.rest]
    if (rest.startsWith(':')) {
      const sec = strtoint(rest.slice(1))
      if (sec === null) throw st.fail('format')
      ;[second, rest] = [sec.value, sec.rest]
    }
  } else if (rest === '' && text.length > 3) {
    ;[hour, minute] = [Math.floor(hour / 100), hour % 100]
  }
  if (hour < 0 || hour > 15 || minute < 0 || minute > 59 || second < 0 || second > 59) throw st.fail('tzdisp')
  if (rest !== '') throw st.fail('format')
  st.zone = `${text[0]}${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`
  return TZ
}

function decodeField(fields: ReadonlyArray<Field>, i: number, st: State): number {
  const field = fields[i]!
  switch (field.type) {
    case 'date': return st.timeOnly && !isTimeOnlyDate(fields, i) ? decodeTimeOnlyZone(field, st) : decodeDateToken(field, st)
    case 'time':
      if (st.ptype !== null && st.ptype !== 'isotime') throw st.fail('format')
      st.ptype = null
      return decodeTime(field.text, st)
    case 'tz': return decodeOffset(field, st)
    case 'number': return decodeNumberToken(field, st)
    case 'string': case 'special': return decodeWord(field, fields, i, st)
  }
}

/** ValidateDate plus DecodeDateTime's closing checks (AM/PM, a full date present). */
function validate(st: State, timeOnly: boolean): void {
  const f = st.relativeDay === null ? st.fmask : st.fmask & ~DATE_M
  if ((f & YEAR) !== 0 && !st.isJulian) {
    if (st.bc) {
      if (st.year <= 0) throw st.fail('range')
      st.year = 1 - st.year
    } else if (st.is2digits) {
      if (st.year < 0) throw st.fail('range')
      if (st.year < 70) st.year += 2000
      else if (st.year < 100) st.year += 1900
    } else if (st.year <= 0) throw st.fail('range')
  }
  if ((f & DOY) !== 0) {
    const c = civilFromDays(daysFromCivil(st.year, 1, 1) + st.doy - 1)
    Object.assign(st, { month: c.month, day: c.day })
  }
  if ((f & MONTH) !== 0 && (st.month < 1 || st.month > 12)) throw st.fail('mdrange')
  if ((f & DAY) !== 0 && (st.day < 1 || st.day > 31)) throw st.fail('mdrange')
  if ((f & DATE_M) === DATE_M && st.day > daysInMonth(st.year, st.month)) throw st.fail('range')
  if (st.meridian !== null && st.hour > 12) throw st.fail('range')
  if (st.meridian === 0 && st.hour === 12) st.hour = 0
  else if (st.meridian === 1 && st.hour !== 12) st.hour += 12
  if (timeOnly ? (st.fmask & TIME_M) === 0 || st.relativeDay !== null : (st.fmask & DATE_M) !== DATE_M) throw st.fail('format')
  if (st.ptype !== null) throw st.fail('format')
}

/**
 * DecodeDateTime over `text` for date/timestamp/timestamptz input (`typeName` names the type in errors); with
 * `timeOnly`, DecodeTimeOnly for time input: a time is required, a date may be written (and is only checked).
 */
export function decodeDateTime(text: string, order: DateOrder, typeName: string, timeOnly = false): DecodedDateTime {
  const fast = timeOnly ? null : decodeIsoFast(text)
  if (fast !== null) return fast
  const st = new State(order, failure(text, typeName === 'timestamp without time zone' ? 'timestamp' : typeName), timeOnly)
  const fields = parseDateTimeFields(text)
  if (fields === null || fields.length === 0) throw st.fail('format')
  for (let i = 0; i < fields.length; i++) {
    const tmask = decodeField(fields, i, st)
    if ((tmask & st.fmask) !== 0) throw st.fail('format')
    st.fmask |= tmask
  }
  validate(st, timeOnly)
  return {
    year: st.year, month: st.month, day: st.day, hour: st.hour, minute: st.minute, second: st.second, us: st.us,
    zone: st.zone, hasDate: (st.fmask & DATE_M) === DATE_M, relativeDay: st.relativeDay,
  }
}
