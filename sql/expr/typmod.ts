// sql/expr/typmod: a type modifier applied to a value, as PostgreSQL's length-coercion functions do on casts and
// assignments — varchar(n) / character(n) (char-types.ts), numeric(p, s) (rounded to s places, 22003 past p
// digits), timestamp(p) / timestamptz(p), time(p) and interval(p) (fractional seconds rounded to p digits, halves away from
// zero as AdjustTimestampForTypmod / AdjustIntervalForTypmod round them, in PostgreSQL's own epoch).
import { numericValueOutOfRange } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'
import { formatNumeric, parseNumeric, roundDecimal } from '../functions/numeric-ops.js'
import { fitCharType } from './char-types.js'
import { isIntervalValue } from './interval.js'
import { timetzParts, timetzValue } from './timetz.js'

/** µs between the Unix epoch and PostgreSQL's (2000-01-01): a multiple of every rounding scale, so only ties move. */
const PG_EPOCH_US = 946_684_800_000_000
/** interval's typmod: range in the high 16 bits, precision in the low 16 (0xFFFF = none given). */
const INTERVAL_PRECISION_MASK = 0xffff
const MAX_PRECISION = 6

/** numeric(p, s): rounds to s places (half away from zero); more than p - s integer digits is 22003. */
export function applyNumericTypmod(text: string, typmod: number): string {
  if (typmod < 4) return text
  const precision = ((typmod - 4) >> 16) & 0xffff
  const scale = (typmod - 4) & 0xffff
  const out = formatNumeric(roundDecimal(parseNumeric(text), scale))
  const integerDigits = out.replace(/^-/, '').split('.')[0]!.replace(/^0+/, '').length
  if (integerDigits > precision - scale) throw numericValueOutOfRange('numeric field overflow')
  return out
}

/** µs rounded to `precision` fractional digits, halves away from zero. */
function roundMicros(us: number, precision: number): number {
  if (precision >= MAX_PRECISION || !Number.isFinite(us)) return us
  const scale = 10 ** (MAX_PRECISION - precision)
  const rounded = Math.floor((Math.abs(us) + scale / 2) / scale) * scale
  return us < 0 ? -rounded : rounded
}

/** The value of `type` with its modifier applied; `isExplicit` for CAST / :: (character types truncate then). */
export function applyTypmod(value: SqlValue, type: SqlType, isExplicit: boolean): SqlValue {
  if (value === null || type.typmod < 0) return value
  switch (type.name) {
    case 'varchar': case 'bpchar': return typeof value === 'string' ? fitCharType(value, type, isExplicit) : value
    case 'numeric': return typeof value === 'string' ? applyNumericTypmod(value, type.typmod) : value
    case 'timestamp': case 'timestamptz':
      return typeof value === 'number' ? roundMicros(value - PG_EPOCH_US, type.typmod) + PG_EPOCH_US : value
    // AdjustTimeForTypmod: a time is never negative, so halves round up.
    case 'time': return typeof value === 'number' ? roundMicros(value, type.typmod) : value
    case 'timetz': {
      if (typeof value !== 'string') return value
      const parts = timetzParts(value)
      return timetzValue(roundMicros(parts.time, type.typmod), parts.zone)
    }
    case 'interval': {
      const precision = type.typmod & INTERVAL_PRECISION_MASK
      if (!isIntervalValue(value) || precision === INTERVAL_PRECISION_MASK) return value
      return { ...value, us: roundMicros(value.us, precision) }
    }
    default: return value
  }
}
