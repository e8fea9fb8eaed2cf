// sql/expr/timestamp: text ↔ value for timestamp, timestamptz (µs since the Unix epoch, ±Infinity) and date (days
// since the Unix epoch, ±Infinity), with PostgreSQL 15's ISO input forms and DateStyle=ISO output. Syntax errors are
// 22007, values out of range 22008, unknown zones 22023 — as PostgreSQL.
import { datetimeFieldOverflow, invalidDatetimeFormat } from '../../src/common/errors.js'
import { US_PER_DAY, US_PER_SECOND, checkTimestampRange, daysFromCivil, daysInMonth, rint } from './calendar.js'
import { localToUtcIn, requireSessionZone, requireZone, utcToLocalIn } from './time-zone.js'

/** What parsing 'now', 'today' and zone-less timestamptz literals needs (FunctionContext satisfies it). */
export interface TimeContext {
  readonly timeZone: string
  readonly nowUs: number
}

export type TimestampTypeName = 'timestamp without time zone' | 'timestamp with time zone' | 'date'

/** The pieces of a literal before any zone is applied. `localUs` is the wall clock read as if UTC. */
interface ParsedLiteral {
  readonly localUs: number
  /** The date alone (a date literal ignores its time, even '24:00'). */
  readonly days: number
  /** The zone written in the text, if any (a name or an offset). */
  readonly zone: string | null
}

const LITERAL = new RegExp(
  '^(\\d{4,})-(\\d{1,2})-(\\d{1,2})' +
    '(?:(?:t|\\s+)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d*))?)?)?' +
    '\\s*(z|[+-]\\d{1,2}(?::?\\d{2}){0,2}|[a-z][a-z0-9_/+-]*?)?' +
    '(?:\\s+(bc|ad))?$',
  'i',
)

function parseLiteral(text: string, typeName: TimestampTypeName): ParsedLiteral {
  const m = LITERAL.exec(text.trim())
  if (m === null) throw invalidDatetimeFormat(typeName, text)
  const n = (i: number): number => Number(m[i] ?? '0')
  let year = n(1)
  const [month, day, hour, minute, second] = [n(2), n(3), n(4), n(5), n(6)]
  // The lazy zone group may have taken a bare era ('… 00:00:00 BC').
  const zoneIsEra = m[9] === undefined && /^(bc|ad)$/i.test(m[8] ?? '')
  const isBc = ((zoneIsEra ? m[8] : m[9]) ?? '').toLowerCase() === 'bc'
  const outOfRange = (): Error => datetimeFieldOverflow(`date/time field value out of range: "${text}"`)
  if (year === 0 || month < 1 || month > 12) throw outOfRange()
  if (isBc) year = 1 - year
  if (day < 1 || day > daysInMonth(year, month) || minute > 59 || second > 60) throw outOfRange()
  const fraction = m[7] === undefined || m[7] === '' ? 0 : rint(Number(`0.${m[7]}`) * US_PER_SECOND)
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || fraction !== 0))) throw outOfRange()
  const days = daysFromCivil(year, month, day)
  const localUs = days * US_PER_DAY + ((hour * 60 + minute) * 60 + second) * US_PER_SECOND + fraction
  return { localUs, days, zone: zoneIsEra ? null : (m[8] ?? null) }
}

/** 'now', 'today', … → a wall clock in the session zone (or ±Infinity / epoch); undefined when not special. */
function special(text: string, ctx: TimeContext): { readonly value: number; readonly local: boolean } | undefined {
  switch (text.trim().toLowerCase()) {
    case 'epoch': return { value: 0, local: false }
    case 'infinity': case '+infinity': return { value: Number.POSITIVE_INFINITY, local: false }
    case '-infinity': return { value: Number.NEGATIVE_INFINITY, local: false }
    case 'now': return { value: ctx.nowUs, local: false }
    case 'today': return { value: localMidnight(ctx, 0), local: true }
    case 'yesterday': return { value: localMidnight(ctx, -1), local: true }
    case 'tomorrow': return { value: localMidnight(ctx, 1), local: true }
    default: return undefined
  }
}

function localMidnight(ctx: TimeContext, dayShift: number): number {
  const local = utcToLocalIn(requireSessionZone(ctx.timeZone), ctx.nowUs)
  return (Math.floor(local / US_PER_DAY) + dayShift) * US_PER_DAY
}

/** timestamptz input: a written zone wins; otherwise the wall clock is read in the session TimeZone. */
export function parseTimestamptz(text: string, ctx: TimeContext): number {
  const sp = special(text, ctx)
  if (sp !== undefined) return sp.local ? localToUtcIn(requireSessionZone(ctx.timeZone), sp.value) : sp.value
  const lit = parseLiteral(text, 'timestamp with time zone')
  const zone = lit.zone === null ? requireSessionZone(ctx.timeZone) : requireZone(lit.zone)
  return checkTimestampRange(localToUtcIn(zone, lit.localUs))
}

/** timestamp input: a written zone is ignored, as PostgreSQL does. 'now' is the session's wall clock. */
export function parseTimestamp(text: string, ctx: TimeContext): number {
  const sp = special(text, ctx)
  if (sp !== undefined) {
    if (sp.local || !Number.isFinite(sp.value) || sp.value === 0) return sp.value
    return utcToLocalIn(requireSessionZone(ctx.timeZone), sp.value)
  }
  const lit = parseLiteral(text, 'timestamp without time zone')
  if (lit.zone !== null) requireZone(lit.zone)
  return checkTimestampRange(lit.localUs)
}

/** date input: 'YYYY-MM-DD' (a time and zone may follow and are ignored), 'epoch', '±infinity', 'today', … */
export function parseDate(text: string, ctx: TimeContext): number {
  const sp = special(text, ctx)
  if (sp !== undefined) {
    if (!Number.isFinite(sp.value)) return sp.value
    const local = sp.local || sp.value === 0 ? sp.value : utcToLocalIn(requireSessionZone(ctx.timeZone), sp.value)
    return Math.floor(local / US_PER_DAY)
  }
  const lit = parseLiteral(text, 'date')
  if (lit.zone !== null) requireZone(lit.zone)
  return checkDateRange(lit.days)
}

/** PostgreSQL's date range: 4714-11-24 BC … 5874897-12-31. */
export function checkDateRange(days: number): number {
  if (Number.isFinite(days) && (days < -2_440_588 || days > 2_145_031_948)) throw datetimeFieldOverflow('date out of range')
  return days
}

export { formatDate, formatTimestamp, formatTimestamptz } from '../../src/common/timestamp-text.js'

/** timestamptz → the wall clock in the session zone (timestamp), infinities kept. */
export function timestamptzToLocal(us: number, timeZone: string): number {
  return Number.isFinite(us) ? utcToLocalIn(requireSessionZone(timeZone), us) : us
}

/** timestamp (a wall clock) → the instant it names in the session zone. */
export function localToTimestamptz(us: number, timeZone: string): number {
  return Number.isFinite(us) ? checkTimestampRange(localToUtcIn(requireSessionZone(timeZone), us)) : us
}
