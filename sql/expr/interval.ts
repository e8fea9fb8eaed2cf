// sql/expr/interval: interval text → µs, for time_bucket widths and interval literals. Accepts PostgreSQL's
// '<n> <unit>' lists (microsecond … week, with sec/min/hr abbreviations) and 'HH:MM:SS[.f]'. Months and years are
// not fixed lengths and are refused (22007).
import { invalidDatetimeFormat } from '../../src/common/errors.js'

const UNIT_US: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(us|usec|usecs|microsecond|microseconds)$/, 1],
  [/^(ms|msec|msecs|millisecond|milliseconds)$/, 1_000],
  [/^(s|sec|secs|second|seconds)$/, 1_000_000],
  [/^(m|min|mins|minute|minutes)$/, 60_000_000],
  [/^(h|hr|hrs|hour|hours)$/, 3_600_000_000],
  [/^(d|day|days)$/, 86_400_000_000],
  [/^(w|week|weeks)$/, 604_800_000_000],
]

function unitUs(unit: string): number | undefined {
  const lower = unit.toLowerCase()
  for (const [pattern, us] of UNIT_US) if (pattern.test(lower)) return us
  return undefined
}

function parseClock(text: string): number | undefined {
  const match = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?$/.exec(text)
  if (match === null) return undefined
  const fraction = Number((match[5] ?? '').padEnd(6, '0'))
  const us = ((Number(match[2]) * 60 + Number(match[3])) * 60 + Number(match[4] ?? '0')) * 1_000_000 + fraction
  return match[1] === '-' ? -us : us
}

/** Parses interval text to µs; 22007 when it is not an interval nodedb can represent. */
export function parseIntervalUs(text: string): number {
  const trimmed = text.trim().replace(/^@\s*/, '')
  const clock = parseClock(trimmed)
  if (clock !== undefined) return clock
  const tokens = trimmed.match(/[+-]?\d+(?:\.\d+)?|[A-Za-z]+|\d+:\d+(?::\d+(?:\.\d+)?)?|\S/g) ?? []
  let total = 0
  let i = 0
  if (tokens.length === 0) throw invalidDatetimeFormat('interval', text)
  while (i < tokens.length) {
    const token = tokens[i] ?? ''
    const amount = Number(token)
    if (!/^[+-]?\d/.test(token) || Number.isNaN(amount)) throw invalidDatetimeFormat('interval', text)
    const next = tokens[i + 1]
    const us = next === undefined ? 1_000_000 : unitUs(next)
    if (us === undefined) throw invalidDatetimeFormat('interval', text)
    total += amount * us
    i += next === undefined ? 1 : 2
  }
  return Math.round(total)
}
