// sql/expr/timestamp: text ↔ µs since the Unix epoch for timestamp and timestamptz. UTC is the only session TimeZone
// for now, so a value without a zone is read as UTC. Errors are 22007 (invalid_datetime_format).
import { invalidDatetimeFormat } from '../../src/common/errors.js'

const PATTERN =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{1,2}(?::?\d{2})?)?$/i

/** Zone suffix → offset east of UTC in minutes. */
function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc)$/i.test(zone)) return 0
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone)
  if (match === null) return Number.NaN
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? '0')
  return match[1] === '-' ? -minutes : minutes
}

/** Parses a timestamp literal to µs since the epoch; `typeName` only words the error. */
export function parseTimestampUs(text: string, typeName: 'timestamp' | 'timestamp with time zone' = 'timestamp with time zone'): number {
  const trimmed = text.trim()
  if (/^epoch$/i.test(trimmed)) return 0
  if (/^infinity$/i.test(trimmed)) return Number.POSITIVE_INFINITY
  if (/^-infinity$/i.test(trimmed)) return Number.NEGATIVE_INFINITY
  const match = PATTERN.exec(trimmed)
  if (match === null) throw invalidDatetimeFormat(typeName, text)
  const field = (index: number): number => Number(match[index] ?? '0')
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)]
  const fraction = (match[7] ?? '').padEnd(6, '0').slice(0, 6)
  const offsetMinutes = zoneOffsetMinutes(match[8])
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const date = new Date(ms)
  const isValid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60 && !Number.isNaN(offsetMinutes)
  if (!isValid) throw invalidDatetimeFormat(typeName, text)
  return (ms - offsetMinutes * 60_000) * 1000 + Number(fraction)
}

/** PostgreSQL's text output of timestamptz with TimeZone UTC and DateStyle ISO: '2024-01-02 03:04:05.678+00'. */
export function formatTimestampUs(us: number, withZone: boolean): string {
  if (!Number.isFinite(us)) return us > 0 ? 'infinity' : '-infinity'
  const ms = Math.floor(us / 1000)
  const micros = us - ms * 1000
  const iso = new Date(ms).toISOString()
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`.replace(/0+$/, '')
  return `${base}${fraction === '' ? '' : `.${fraction}`}${withZone ? '+00' : ''}`
}
