// sql/expr/timestamp: text ↔ value for timestamp, timestamptz (µs since the Unix epoch, ±Infinity) and date (days
// since the Unix epoch, ±Infinity), with PostgreSQL 15's input forms (decoded by datetime-decode, numeric dates in
// DateStyle's field order) and output in every DateStyle (src/common/timestamp-text.ts). Syntax errors are 22007, values out of range 22008, unknown
// zones 22023 — as PostgreSQL.
import { datetimeFieldOverflow } from '../../src/common/errors.js'
import { US_PER_DAY, US_PER_SECOND, checkTimestampRange, daysFromCivil } from './calendar.js'
import { type DateOrder, decodeDateTime } from './datetime-decode.js'
import { localToUtcIn, requireSessionZone, requireZone, utcToLocalIn } from './time-zone.js'

/** What parsing 'now', 'today' and zone-less timestamptz literals needs (FunctionContext satisfies it). */
export interface TimeContext {
  readonly timeZone: string
  readonly nowUs: number
  /** Session settings, lower-cased names: DateStyle's field order decides '02/01/2024'. MDY when absent. */
  readonly settings?: ReadonlyMap<string, string>
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

/** The DateStyle output is printed in ('SQL, DMY'); 'ISO, MDY' when the context has no settings. */
export function dateStyleOf(ctx: TimeContext): string {
  return ctx.settings?.get('datestyle') ?? 'ISO, MDY'
}

/** The IntervalStyle intervals are printed and read in; postgres when the context has no settings. */
export function intervalStyleOf(ctx: TimeContext): string {
  return ctx.settings?.get('intervalstyle') ?? 'postgres'
}

/** DateStyle's field order ('ISO, DMY' → DMY); MDY, PostgreSQL's default, when the context has no settings. */
export function dateOrderOf(ctx: TimeContext): DateOrder {
  const order = ctx.settings?.get('datestyle')?.split(', ')[1]
  return order === 'DMY' || order === 'YMD' ? order : 'MDY'
}

function parseLiteral(text: string, typeName: TimestampTypeName, ctx: TimeContext): ParsedLiteral {
  const d = decodeDateTime(text, dateOrderOf(ctx), typeName)
  const days = d.relativeDay === null ? daysFromCivil(d.year, d.month, d.day) : Math.floor(localMidnight(ctx, d.relativeDay) / US_PER_DAY)
  const localUs = days * US_PER_DAY + ((d.hour * 60 + d.minute) * 60 + d.second) * US_PER_SECOND + d.us
  return { localUs, days, zone: d.zone }
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
  const lit = parseLiteral(text, 'timestamp with time zone', ctx)
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
  const lit = parseLiteral(text, 'timestamp without time zone', ctx)
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
  const lit = parseLiteral(text, 'date', ctx)
  if (lit.zone !== null) requireZone(lit.zone)
  return checkDateRange(lit.days)
}

/** PostgreSQL's date range: 4714-11-24 BC … 5874897-12-31. */
export function checkDateRange(days: number): number {
  if (Number.isFinite(days) && (days < -2_440_588 || days > 2_145_031_948)) throw datetimeFieldOverflow('date out of range')
  return days
}

export { formatDate, formatTime, formatTimestamp, formatTimestamptz } from '../../src/common/timestamp-text.js'

/** timestamptz → the wall clock in the session zone (timestamp), infinities kept. */
export function timestamptzToLocal(us: number, timeZone: string): number {
  return Number.isFinite(us) ? utcToLocalIn(requireSessionZone(timeZone), us) : us
}

/** timestamp (a wall clock) → the instant it names in the session zone. */
export function localToTimestamptz(us: number, timeZone: string): number {
  return Number.isFinite(us) ? checkTimestampRange(localToUtcIn(requireSessionZone(timeZone), us)) : us
}
