// src/common/timestamp-text: timestamp, timestamptz (in a session TimeZone) and date output as PostgreSQL 15 prints
// them in each DateStyle (ISO, SQL, Postgres, German; DMY or MDY order: datetime.c's EncodeDateOnly and
// EncodeDateTime). Moved here from sql/expr/timestamp.ts (which re-exports it) so the cores can print timestamps into
// DataRows themselves; sql's parsing side stays in sql/expr/timestamp.ts. ISO has a string-free writer for the cores'
// hot path (writeTimestampText); the other styles go through strings (date-style-text.ts).
import { US_PER_DAY, US_PER_SECOND, civilFromDays, civilFromUs, formatClock, pad } from './calendar.js'
import { formatDateStyled, formatDateTimeStyled, isIsoDateStyle } from './date-style-text.js'
import { formatOffset, requireSessionZone, zoneOffsetAt, type Zone } from './time-zone.js'
import { zoneAbbreviationAt } from './zone-abbreviation.js'

/** The DateStyle setting as SHOW prints it ('ISO, MDY', 'SQL, DMY', …): the default, PostgreSQL's. */
export const DEFAULT_DATE_STYLE = 'ISO, MDY'

function datePart(year: number, month: number, day: number): { readonly text: string; readonly bc: boolean } {
  const bc = year <= 0
  return { text: `${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc }
}

/** The last day printed and its date part: result columns of timestamps mostly repeat the day row after row. */
let lastDay = Number.NaN
let lastDayPart = { text: '', bc: false }

function formatWallClock(localUs: number, suffix: string): string {
  const t = civilFromUs(localUs)
  const days = Math.floor(localUs / US_PER_DAY)
  if (days !== lastDay) {
    lastDayPart = datePart(t.year, t.month, t.day)
    lastDay = days
  }
  const d = lastDayPart
  return `${d.text} ${formatClock(t.hour, t.minute, t.second, t.us)}${suffix}${d.bc ? ' BC' : ''}`
}

let lastOffset = Number.NaN
let lastOffsetText = ''

function formatOffsetMemo(offsetUs: number): string {
  if (offsetUs !== lastOffset) {
    lastOffsetText = formatOffset(offsetUs)
    lastOffset = offsetUs
  }
  return lastOffsetText
}

/** The session zone of the last timestamptz printed: the setting's text is parsed once, not per value. */
let lastZoneName = ''
let lastZone: Zone | null = null

function sessionZone(timeZone: string): Zone {
  if (timeZone !== lastZoneName || lastZone === null) {
    lastZone = requireSessionZone(timeZone)
    lastZoneName = timeZone
  }
  return lastZone
}

/** timestamp output: '2024-01-02 03:04:05.678', '0001-01-01 00:00:00 BC'; 'Tue Jan 02 03:04:05.678 2024' (Postgres). */
export function formatTimestamp(us: number, dateStyle = DEFAULT_DATE_STYLE): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity'
  if (!isIsoDateStyle(dateStyle)) return formatDateTimeStyled(us, dateStyle, null)
  return formatWallClock(us, '')
}

/**
 * timestamptz output in `timeZone`: '2024-01-02 03:04:05.678+01', '… +05:30', '… +00:53:28' (LMT); in the other
 * styles with the zone's abbreviation ('01/02/2024 03:04:05 CET'), 0A000 where that is not known exactly.
 */
export function formatTimestamptz(us: number, timeZone: string, dateStyle = DEFAULT_DATE_STYLE): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity'
  const offset = zoneOffsetAt(sessionZone(timeZone), us)
  if (!isIsoDateStyle(dateStyle)) return formatDateTimeStyled(us + offset, dateStyle, zoneAbbreviationAt(timeZone, us, offset))
  return formatWallClock(us + offset, formatOffsetMemo(offset))
}

/** writeTimestampText's longest output: a 6-digit year, '.ffffff', a '+hh:mm:ss' offset and ' BC'. */
export const TIMESTAMP_TEXT_BYTES_MAX = 48

const ASCII_ZERO = 0x30

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i)
  return at + text.length
}

function writeTwoDigits(out: Uint8Array, at: number, value: number): number {
  const tens = (value / 10) | 0
  out[at] = ASCII_ZERO + tens
  out[at + 1] = ASCII_ZERO + (value - tens * 10)
  return at + 2
}

/**
 * formatTimestamptz(us, timeZone) — formatTimestamp(us) when timeZone is null — written as ASCII into `out` at `at`
 * (room for TIMESTAMP_TEXT_BYTES_MAX) with no string per value: the date part and the offset come from the same
 * memos, the clock's digits are written one by one. Returns the byte count; 0 for a value that is not a whole µs or
 * lies where µs arithmetic is inexact (the caller then writes the string).
 */
export function writeTimestampText(out: Uint8Array, at: number, us: number, timeZone: string | null): number {
  if (!Number.isFinite(us)) return writeAscii(out, at, us > 0 ? 'infinity' : '-infinity') - at
  if (!Number.isInteger(us)) return 0
  const offset = timeZone === null ? 0 : zoneOffsetAt(sessionZone(timeZone), us)
  const local = us + offset
  let rest = local - writtenDayStart
  if (!(rest >= 0 && rest < US_PER_DAY)) {
    rememberWrittenDay(local)
    rest = local - writtenDayStart
  }
  const secondOfDay = Math.floor(rest / US_PER_SECOND)
  let fraction = rest - secondOfDay * US_PER_SECOND
  // Beyond ±2^53 µs the arithmetic above is inexact: such a value (years past 2255) takes the string's way.
  if (!(secondOfDay >= 0 && secondOfDay < SECONDS_PER_DAY && fraction >= 0 && fraction < US_PER_SECOND)) return 0
  // The clock's fields as int32s (a double's % is a call to fmod).
  const hour = (secondOfDay / 3600) | 0
  const secondOfHour = secondOfDay - hour * 3600
  const minute = (secondOfHour / 60) | 0
  for (let i = 0; i < writtenDayLength; i++) out[at + i] = writtenDayBytes[i]!
  let p = at + writtenDayLength
  out[p++] = 0x20 // ' '
  p = writeTwoDigits(out, p, hour)
  out[p++] = 0x3a // ':'
  p = writeTwoDigits(out, p, minute)
  out[p++] = 0x3a
  p = writeTwoDigits(out, p, secondOfHour - minute * 60)
  if (fraction !== 0) {
    // '.ffffff' with its trailing zeros trimmed (formatClock).
    let digitCount = 6
    while (fraction % 10 === 0) {
      fraction /= 10
      digitCount--
    }
    out[p++] = 0x2e // '.'
    for (let i = digitCount - 1; i >= 0; i--) {
      out[p + i] = ASCII_ZERO + (fraction % 10)
      fraction = Math.floor(fraction / 10)
    }
    p += digitCount
  }
  if (timeZone !== null) p = writeAscii(out, p, formatOffsetMemo(offset))
  if (isWrittenDayBc) p = writeAscii(out, p, ' BC')
  return p - at
}

const SECONDS_PER_DAY = 86_400
// writeTimestampText's day: its first local µs and its date part as bytes. Rows of a result mostly share their day,
// so a value costs one division for its clock, not a division per field and a string's characters for its date.
let writtenDayStart = Number.NaN
let isWrittenDayBc = false
let writtenDayLength = 0
const writtenDayBytes = new Uint8Array(16)

/** Makes the local day of `local` µs writeTimestampText's day. */
function rememberWrittenDay(local: number): void {
  const days = Math.floor(local / US_PER_DAY)
  const date = civilFromDays(days)
  const part = datePart(date.year, date.month, date.day)
  // A year past 6 digits does not fit: no day is remembered, and every value of it takes the string's way.
  writtenDayStart = part.text.length <= writtenDayBytes.length ? days * US_PER_DAY : Number.NaN
  writtenDayLength = writeAscii(writtenDayBytes, 0, part.text.slice(0, writtenDayBytes.length))
  isWrittenDayBc = part.bc
}

/** date output: '2024-01-02', '0044-03-15 BC'; '01/02/2024' (SQL), '02.01.2024' (German), '01-02-2024' (Postgres). */
export function formatDate(days: number, dateStyle = DEFAULT_DATE_STYLE): string {
  if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity'
  const c = civilFromDays(days)
  if (!isIsoDateStyle(dateStyle)) return formatDateStyled(c, dateStyle)
  const d = datePart(c.year, c.month, c.day)
  return d.bc ? `${d.text} BC` : d.text
}

/** time output: '03:04:05.678' — µs since midnight, 24:00:00 a value of its own (time_out: the same in every DateStyle). */
export function formatTime(us: number): string {
  const seconds = Math.floor(us / US_PER_SECOND)
  return formatClock(Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60, us - seconds * US_PER_SECOND)
}
