// sql/functions/to-char: PostgreSQL's to_char for timestamp, timestamptz and interval, and to_timestamp(text, text),
// for the common template patterns. Patterns PostgreSQL knows but nodedb does not implement are refused with 0A000
// naming the pattern, never silently printed as literals; anything that is no pattern is copied as PostgreSQL does.
import { datetimeFieldOverflow, invalidDatetimeFormat, notSupported } from '../../src/common/errors.js'
import type { IntervalValue } from '../api.js'
import {
  type CivilTime, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, civilFromUs, daysFromCivil, daysInMonth,
  isoWeekAndYear, isoWeekday, pad, usFromCivil,
} from '../expr/calendar.js'
import { type Zone, formatOffset, localToUtcIn, zoneAbbreviation, zoneOffsetAt } from '../expr/time-zone.js'

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** Patterns implemented, longest first so that 'HH24' wins over 'HH' and 'YYYY' over 'YY' (PostgreSQL's order). */
const SUPPORTED = [
  'HH24', 'HH12', 'HH', 'MI', 'SSSSS', 'SSSS', 'SS', 'MS', 'US', 'A.M.', 'P.M.', 'AM', 'PM', 'IYYY', 'YYYY', 'YYY', 'YY', 'Y',
  'MONTH', 'Month', 'MON', 'Mon', 'MM', 'DAY', 'Day', 'DY', 'Dy', 'DDD', 'DD', 'D', 'IW', 'ID', 'WW', 'Q', 'CC', 'J', 'TZH', 'TZM',
  'TZ', 'OF', 'Y,YYY', 'RM',
]
/** PostgreSQL patterns not implemented here: 0A000. */
const UNSUPPORTED = ['IYY', 'IY', 'I', 'B.C.', 'A.D.', 'BC', 'AD', 'IDDD', 'W', 'TH', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6']
type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'pattern'; readonly name: string; readonly fm: boolean; readonly lower: boolean }

/** The longest pattern at the start of `rest`: exact spelling, or the lower-case form of an upper-case pattern. */
function matchPattern(rest: string, patterns: ReadonlyArray<string>): { name: string; lower: boolean } | undefined {
  let best: { name: string; lower: boolean } | undefined
  for (const p of patterns) {
    const exact = rest.startsWith(p)
    const lower = !exact && p === p.toUpperCase() && rest.startsWith(p.toLowerCase())
    if ((exact || lower) && (best === undefined || p.length > best.name.length)) best = { name: p, lower }
  }
  return best
}

/** Splits a template into patterns and literal text, as PostgreSQL's parse_format (FM prefixes, "quoted" text). */
export function tokenize(format: string): ReadonlyArray<Token> {
  const tokens: Token[] = []
  let i = 0
  let fm = false
  while (i < format.length) {
    const rest = format.slice(i)
    if (rest.startsWith('"')) {
      const end = format.indexOf('"', i + 1)
      const stop = end < 0 ? format.length : end
      tokens.push({ kind: 'literal', text: format.slice(i + 1, stop).replace(/\\"/g, '"') })
      i = stop + 1
      continue
    }
    if (rest.startsWith('\\') && rest.length > 1) { tokens.push({ kind: 'literal', text: rest[1] ?? '' }); i += 2; continue }
    if (/^fm/i.test(rest)) { fm = true; i += 2; continue }
    if (/^fx/i.test(rest)) { i += 2; continue }
    const supported = matchPattern(rest, SUPPORTED)
    const unsupported = matchPattern(rest, UNSUPPORTED)
    if (unsupported !== undefined && (supported === undefined || unsupported.name.length > supported.name.length)) {
      throw notSupported(`template pattern "${rest.slice(0, unsupported.name.length)}"`.concat(' in to_char/to_timestamp is not supported'))
    }
    if (supported !== undefined) {
      tokens.push({ kind: 'pattern', name: supported.name, fm, lower: supported.lower })
      fm = false
      i += supported.name.length
      continue
    }
    tokens.push({ kind: 'literal', text: rest[0] ?? '' })
    i += 1
  }
  return tokens
}

/** The fields a template can print: a local civil time plus, for timestamptz, its zone offset and name. */
interface Printable {
  readonly c: CivilTime
  /** Hours, unbounded (intervals print 25 for HH24). */
  readonly hours: number
  readonly zone: { readonly offsetUs: number; readonly abbreviation: string } | null
  readonly isInterval: boolean
}

/** C's %0*d: the width counts the '-'; `widen` gives negatives one more digit (PostgreSQL's HH/MI/SS for intervals). */
function num(value: number, width: number, fm: boolean, widen = false): string {
  const text = String(Math.abs(value))
  if (value >= 0) return fm ? text : text.padStart(width, '0')
  return `-${fm ? text : text.padStart(widen ? width : width - 1, '0')}`
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII']

/** 'MONTH' → upper case, 'month' → lower, 'Month' → capitalized; padded to `width` unless FM. */
function textName(name: string, pattern: string, fm: boolean, lower: boolean, width: number): string {
  const shown = lower ? name.toLowerCase() : pattern === pattern.toUpperCase() ? name.toUpperCase() : name
  return fm ? shown : shown.padEnd(width, ' ')
}

function printPattern(t: Extract<Token, { kind: 'pattern' }>, p: Printable): string {
  const { c, fm } = { c: p.c, fm: t.fm }
  const yearShown = c.year <= 0 && !p.isInterval ? 1 - c.year : c.year
  const days = daysFromCivil(c.year, c.month, c.day)
  const hour12 = p.hours % 12 === 0 ? 12 : p.hours % 12
  const name = t.name
  switch (t.name) {
    case 'HH24': return num(p.hours, 2, fm, true)
    case 'HH12': case 'HH': return num(hour12, 2, fm, true)
    case 'MI': return num(c.minute, 2, fm, true)
    case 'SS': return num(c.second, 2, fm, true)
    case 'Y,YYY': return `${Math.floor(yearShown / 1000)},${pad(yearShown % 1000, 3)}`
    case 'RM': { const r = ROMAN[c.month - 1] ?? ''; const v = t.lower ? r.toLowerCase() : r; return fm ? v : v.padEnd(4, ' ') }
    case 'SSSS': case 'SSSSS': return num(p.hours * 3600 + c.minute * 60 + c.second, 0, true)
    case 'MS': return num(Math.floor(c.us / 1000), 3, fm)
    case 'US': return num(c.us, 6, fm)
    case 'AM': case 'PM': { const v = c.hour % 24 >= 12 ? 'PM' : 'AM'; return t.lower ? v.toLowerCase() : v }
    case 'A.M.': case 'P.M.': { const v = c.hour % 24 >= 12 ? 'P.M.' : 'A.M.'; return t.lower ? v.toLowerCase() : v }
    case 'YYYY': return num(yearShown, 4, fm)
    case 'YYY': return num(yearShown % 1000, 3, fm)
    case 'YY': return num(yearShown % 100, 2, fm)
    case 'Y': return num(yearShown % 10, 1, fm)
    case 'IYYY': { const y = isoWeekAndYear(days).isoYear; return num(y <= 0 ? 1 - y : y, 4, fm) }
    case 'MM': return num(c.month, 2, fm)
    case 'DD': return num(c.day, 2, fm)
    case 'DDD': return num(days - daysFromCivil(c.year, 1, 1) + 1, 3, fm)
    case 'D': return num((isoWeekday(days) % 7) + 1, 1, fm)
    case 'ID': return num(isoWeekday(days), 1, fm)
    case 'IW': return num(isoWeekAndYear(days).week, 2, fm)
    case 'WW': return num(Math.floor((days - daysFromCivil(c.year, 1, 1)) / 7) + 1, 2, fm)
    case 'Q': return num(Math.floor((c.month - 1) / 3) + 1, 1, fm)
    case 'CC': return num(c.year > 0 ? Math.floor((c.year + 99) / 100) : -Math.floor((99 - (c.year - 1)) / 100), 2, fm, true)
    case 'J': return String(days + 2_440_588)
    case 'MONTH': case 'Month': return textName(MONTHS[c.month - 1] ?? '', name, fm, t.lower, 9)
    case 'MON': case 'Mon': return textName((MONTHS[c.month - 1] ?? '').slice(0, 3), name, true, t.lower, 3)
    case 'DAY': case 'Day': return textName(DAYS[isoWeekday(days) % 7] ?? '', name, fm, t.lower, 9)
    case 'DY': case 'Dy': return textName((DAYS[isoWeekday(days) % 7] ?? '').slice(0, 3), name, true, t.lower, 3)
    case 'TZ': return p.zone === null ? '' : t.lower ? p.zone.abbreviation.toLowerCase() : p.zone.abbreviation
    case 'OF': return formatOffset(Math.trunc((p.zone?.offsetUs ?? 0) / US_PER_MINUTE) * US_PER_MINUTE)
    case 'TZH': return formatOffset(p.zone?.offsetUs ?? 0).slice(0, 3)
    case 'TZM': return pad(Math.floor(Math.abs(p.zone?.offsetUs ?? 0) / US_PER_MINUTE) % 60, 2)
    default: throw notSupported(`template pattern "${t.name}" is not supported by to_char`)
  }
}

function render(format: string, p: Printable): string {
  const intervalRefused = new Set(['RM', 'MONTH', 'Month', 'MON', 'Mon', 'DAY', 'Day', 'DY', 'Dy', 'D', 'ID', 'IW', 'WW', 'DDD', 'IYYY', 'J', 'TZ', 'OF', 'TZH', 'TZM'])
  return tokenize(format).map((t) => {
    if (t.kind === 'literal') return t.text
    if (p.isInterval && intervalRefused.has(t.name)) throw notSupported(`template pattern "${t.name}" is not supported by to_char for intervals`)
    return printPattern(t, p)
  }).join('')
}

/** to_char(timestamp | timestamptz, text); `zone` is the session zone for timestamptz, null for timestamp. */
export function toCharTimestamp(us: number, format: string, zone: Zone | null): string | null {
  if (!Number.isFinite(us)) return null
  const offsetUs = zone === null ? 0 : zoneOffsetAt(zone, us)
  const c = civilFromUs(us + offsetUs)
  const zoneInfo = zone === null ? null : { offsetUs, abbreviation: zoneAbbreviation(zone, us) }
  return render(format, { c, hours: c.hour, zone: zoneInfo, isInterval: false })
}

/** to_char(interval, text): years/months/days/hours as the interval holds them (hours may exceed 24). */
export function toCharInterval(v: IntervalValue, format: string): string {
  const hours = Math.trunc(v.us / US_PER_HOUR)
  const rest = v.us - hours * US_PER_HOUR
  const minute = Math.trunc(rest / US_PER_MINUTE)
  const second = Math.trunc((rest - minute * US_PER_MINUTE) / US_PER_SECOND)
  const us = rest - minute * US_PER_MINUTE - second * US_PER_SECOND
  const c: CivilTime = { year: Math.trunc(v.months / 12), month: v.months % 12, day: v.days, hour: hours, minute, second, us }
  return render(format, { c, hours, zone: null, isInterval: true })
}

/** Mutable fields while reading to_timestamp input. */
interface Reading {
  year: number | null; month: number; day: number; hour: number; minute: number; second: number; us: number
  pm: boolean | null; offsetUs: number | null
}

function readNumber(input: string, pos: number, maxDigits: number, text: string): [number, number] {
  const m = new RegExp(`^[+-]?\\d{1,${maxDigits}}`).exec(input.slice(pos))
  if (m === null) throw invalidDatetimeFormat('timestamp', text)
  return [Number(m[0]), pos + m[0].length]
}

function readName(input: string, pos: number, names: ReadonlyArray<string>, length: number | null, text: string): [number, number] {
  const rest = input.slice(pos).toLowerCase()
  const index = names.findIndex((n) => rest.startsWith((length === null ? n : n.slice(0, length)).toLowerCase()))
  if (index < 0) throw invalidDatetimeFormat('timestamp', text)
  return [index, pos + (length ?? names[index]?.length ?? 0)]
}

/** Reads one pattern's value from `input` at `pos`; returns the new position. */
/** `isAbutted`: the next template node is a field too (no separator), so YYYY reads exactly four digits. */
function readPattern(name: string, input: string, pos: number, r: Reading, text: string, isAbutted = false): number {
  const setNumber = (digits: number, apply: (n: number) => void): number => {
    const [n, next] = readNumber(input, pos, digits, text)
    apply(n)
    return next
  }
  switch (name) {
    case 'YYYY': case 'IYYY': return setNumber(isAbutted ? 4 : 9, (n) => { r.year = n })
    case 'YYY': return setNumber(3, (n) => { r.year = n < 100 ? 2000 + n : 1000 + n })
    case 'YY': return setNumber(2, (n) => { r.year = n < 70 ? 2000 + n : 1900 + n })
    case 'Y': return setNumber(1, (n) => { r.year = 2000 + n })
    case 'MM': return setNumber(2, (n) => { r.month = n })
    case 'DD': return setNumber(2, (n) => { r.day = n })
    case 'HH24': return setNumber(2, (n) => { r.hour = n })
    case 'HH12': case 'HH': return setNumber(2, (n) => { r.hour = n % 12 })
    case 'MI': return setNumber(2, (n) => { r.minute = n })
    case 'SS': return setNumber(2, (n) => { r.second = n })
    case 'MS': { const [n, next] = readNumber(input, pos, 3, text); r.us += n * 10 ** (3 - (next - pos)) * 1000; return next }
    case 'US': { const [n, next] = readNumber(input, pos, 6, text); r.us += n * 10 ** (6 - (next - pos)); return next }
    case 'AM': case 'PM': case 'A.M.': case 'P.M.': {
      const m = /^(a\.?m\.?|p\.?m\.?)/i.exec(input.slice(pos))
      if (m === null) throw invalidDatetimeFormat('timestamp', text)
      r.pm = m[0].toLowerCase().startsWith('p')
      return pos + m[0].length
    }
    case 'MONTH': case 'Month': { const [i, next] = readName(input, pos, MONTHS, null, text); r.month = i + 1; return next }
    case 'MON': case 'Mon': { const [i, next] = readName(input, pos, MONTHS, 3, text); r.month = i + 1; return next }
    case 'DAY': case 'Day': return readName(input, pos, DAYS, null, text)[1]
    case 'DY': case 'Dy': return readName(input, pos, DAYS, 3, text)[1]
    case 'TZH': return setNumber(2, (n) => { r.offsetUs = n * US_PER_HOUR })
    case 'TZM': return setNumber(2, (n) => { r.offsetUs = (r.offsetUs ?? 0) + Math.sign(r.offsetUs ?? 1) * n * US_PER_MINUTE })
    default: throw notSupported(`formatting field "${name}" in to_timestamp`)
  }
}

/** The wall-clock µs a template reading names, and its written UTC offset if any (to_timestamp / to_date). */
function readTemplate(text: string, format: string): { local: number; offsetUs: number | null } {
  const r: Reading = { year: null, month: 1, day: 1, hour: 0, minute: 0, second: 0, us: 0, pm: null, offsetUs: null }
  let pos = 0
  const tokens = tokenize(format)
  for (const [i, t] of tokens.entries()) {
    if (t.kind === 'literal') {
      if (/^\s+$/.test(t.text)) { while (/\s/.test(text[pos] ?? '')) pos++; continue }
      pos += Math.min(t.text.length, Math.max(0, text.length - pos))
      continue
    }
    while (/\s/.test(text[pos] ?? '') && t.name !== 'TZH') pos++
    if (t.name === 'TZ' || t.name === 'OF') throw notSupported(`formatting field "${t.name}" is only supported in to_char`)
    pos = readPattern(t.name, text, pos, r, text, tokens[i + 1]?.kind === 'pattern')
  }
  if (r.pm === true) r.hour = (r.hour % 12) + 12
  const outOfRange = (): Error => datetimeFieldOverflow(`date/time field value out of range: "${text}"`)
  if (r.month < 1 || r.month > 12 || r.day < 1 || r.day > daysInMonth(r.year ?? 0, r.month) || r.hour > 24 || r.minute > 59 || r.second > 60) {
    throw outOfRange()
  }
  // No year in the template: PostgreSQL's default is year 1 BC (astronomical 0); a written year ≤ 0 is BC too.
  const year = r.year === null ? 0 : r.year <= 0 ? r.year + 1 : r.year
  const local = usFromCivil({ year, month: r.month, day: r.day, hour: r.hour, minute: r.minute, second: r.second, us: r.us })
  return { local, offsetUs: r.offsetUs }
}

/** to_timestamp(text, text): reads the fields, then resolves them in the session zone (or the TZH/TZM given). */
export function toTimestampFromText(text: string, format: string, sessionZone: Zone): number {
  const { local, offsetUs } = readTemplate(text, format)
  return offsetUs === null ? localToUtcIn(sessionZone, local) : local - offsetUs
}

/** to_date(text, format): the date the template reads (its time fields are read and dropped), as days. */
export function toDateFromText(text: string, format: string): number {
  return Math.floor(readTemplate(text, format).local / 86_400_000_000)
}
