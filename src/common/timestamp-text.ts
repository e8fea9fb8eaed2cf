// src/common/timestamp-text: timestamp, timestamptz (in a session TimeZone) and date output as PostgreSQL 15 prints
// them with DateStyle=ISO. Moved here from sql/expr/timestamp.ts (which re-exports it) so the cores can print
// timestamps into DataRows themselves; sql's parsing side stays in sql/expr/timestamp.ts.
import { US_PER_DAY, civilFromDays, civilFromUs, formatClock, pad } from './calendar.js'
import { formatOffset, requireSessionZone, zoneOffsetAt, type Zone } from './time-zone.js'

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

/** timestamp output: '2024-01-02 03:04:05.678', '0001-01-01 00:00:00 BC'. */
export function formatTimestamp(us: number): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity'
  return formatWallClock(us, '')
}

/** timestamptz output in `timeZone`: '2024-01-02 03:04:05.678+01', '… +05:30', '… +00:53:28' (LMT). */
export function formatTimestamptz(us: number, timeZone: string): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity'
  const offset = zoneOffsetAt(sessionZone(timeZone), us)
  return formatWallClock(us + offset, formatOffsetMemo(offset))
}

/** date output: '2024-01-02', '0044-03-15 BC'. */
export function formatDate(days: number): string {
  if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity'
  const c = civilFromDays(days)
  const d = datePart(c.year, c.month, c.day)
  return d.bc ? `${d.text} BC` : d.text
}

