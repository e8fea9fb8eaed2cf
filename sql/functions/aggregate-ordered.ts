// sql/functions/aggregate-ordered: the aggregates that must keep their inputs — string_agg and array_agg (the
// executor feeds rows in the call's ORDER BY) and the ordered-set aggregates percentile_cont, percentile_disc and
// mode, which sort in finish. Their combine concatenates, partial a before partial b.
import type { IntervalValue, SqlValue } from '../api.js'
import { ARRAY_OF, sqlType, type PgTypeName } from '../bind/types.js'
import type { AggregateFunction, FunctionContext } from './function-def.js'
import { parseArrayText } from './array-text.js'
import { featureNotSupported, invalidParameterValue, numericValueOutOfRange } from '../../src/common/errors.js'
import { formatArrayValues } from '../expr/cast-value.js'
import { comparatorOf } from './aggregate-compare.js'
import { lerpInterval } from './aggregate-interval.js'
import { erase } from './aggregate-sum-avg.js'

interface StringAggState { text: string | null; firstDelimiter: string | null }

/**
 * string_agg(value, delimiter): NULL values are skipped; the delimiter before the first value is dropped. Over bytea
 * the hex digits are joined (values and delimiters without their `\x`).
 */
function stringAgg(type: 'text' | 'bytea'): AggregateFunction {
  const body = (value: SqlValue | undefined): string | null =>
    value === null || value === undefined ? null : type === 'bytea' ? (value as string).slice(2) : (value as string)
  return erase<StringAggState>({
    name: 'string_agg', args: [type, type], result: type, skipsNulls: false,
    create: () => ({ text: null, firstDelimiter: null }),
    step: (s, [value, delimiter]) => {
      const text = body(value)
      if (text === null) return s
      if (s.text === null) {
        s.text = text
        s.firstDelimiter = body(delimiter)
      } else {
        s.text += (body(delimiter) ?? '') + text
      }
      return s
    },
    combine: (a, b) => {
      if (a.text === null) return b
      if (b.text === null) return a
      return { text: a.text + (b.firstDelimiter ?? '') + b.text, firstDelimiter: a.firstDelimiter }
    },
    finish: (s) => (s.text === null || type === 'text' ? s.text : `\\x${s.text}`),
  })
}

/** undefined until the first row brings the direct argument; null when that argument is NULL. */
interface OrderedState { fraction: number | string | null | undefined; values: SqlValue[] }

function takeFraction(s: OrderedState, fraction: SqlValue | undefined): void {
  const f = (fraction ?? null) as number | string | null
  if (s.fraction === undefined) s.fraction = f
  // PostgreSQL evaluates the direct argument once per group; a per-row value cannot be honoured.
  else if (s.fraction !== f && !(Number.isNaN(s.fraction) && Number.isNaN(f))) {
    throw invalidParameterValue('the percentile must be the same for every row of a group')
  }
}

function checkFraction(fraction: number): void {
  if (fraction < 0 || fraction > 1 || Number.isNaN(fraction)) {
    throw numericValueOutOfRange(`percentile value ${formatG(fraction)} is not between 0 and 1`)
  }
}

/** C's %g, enough for the message. */
function formatG(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  return String(Number(value.toPrecision(6)))
}

function orderedCombine(a: OrderedState, b: OrderedState): OrderedState {
  if (b.fraction !== undefined) takeFraction(a, b.fraction)
  for (const v of b.values) a.values.push(v)
  return a
}

function orderedStep(s: OrderedState, [fraction, value]: ReadonlyArray<SqlValue>): OrderedState {
  takeFraction(s, fraction)
  if (value !== null && value !== undefined) s.values.push(value)
  return s
}

/** percentile_cont at one fraction of sorted values: interpolates around fraction·(n − 1) (float8_lerp / interval_lerp). */
function contAt(sorted: ReadonlyArray<SqlValue>, fraction: number, type: 'float8' | 'interval'): SqlValue {
  checkFraction(fraction)
  const position = fraction * (sorted.length - 1)
  const first = Math.floor(position)
  const second = Math.ceil(position)
  const lo = sorted[first] ?? null
  const hi = sorted[second] ?? null
  if (first === second) return lo
  if (type === 'interval') return lerpInterval(lo as IntervalValue, hi as IntervalValue, position - first)
  return (lo as number) + ((hi as number) - (lo as number)) * (position - first)
}

/** percentile_disc at one fraction: the first value whose position reaches fraction·n. */
function discAt(sorted: ReadonlyArray<SqlValue>, fraction: number): SqlValue {
  checkFraction(fraction)
  return sorted[Math.max(Math.ceil(fraction * sorted.length), 1) - 1] ?? null
}

/**
 * The result for the group's direct argument: one fraction, or an array of them (each NULL element giving NULL),
 * computed over the values sorted once.
 */
function percentiles(s: OrderedState, type: PgTypeName, at: (sorted: ReadonlyArray<SqlValue>, fraction: number) => SqlValue, ctx: FunctionContext): SqlValue {
  if (s.fraction === undefined || s.fraction === null) return null
  const fractions = typeof s.fraction === 'string' ? parseArrayText(s.fraction).map((item) => (item === null ? null : Number(item))) : null
  if (fractions === null) checkFraction(s.fraction as number)
  else fractions.forEach((f) => { if (f !== null) checkFraction(f) })
  if (s.values.length === 0) return null
  const sorted = s.values.slice().sort(comparatorOf(type))
  if (fractions === null) return at(sorted, s.fraction as number)
  return formatArrayValues(fractions.map((f) => (f === null ? null : at(sorted, f))), type, ctx)
}

function percentileCont(type: 'float8' | 'interval', isArray: boolean): AggregateFunction {
  return erase<OrderedState>({
    name: 'percentile_cont', args: [isArray ? '_float8' : 'float8', type], result: isArray ? ARRAY_OF[type]! : type,
    skipsNulls: false, orderedSet: true,
    create: () => ({ fraction: undefined, values: [] }),
    step: orderedStep,
    combine: orderedCombine,
    finish: (s, _argTypes, ctx) => percentiles(s, type, (sorted, f) => contAt(sorted, f, type), ctx),
  })
}

function percentileDisc(isArray: boolean): AggregateFunction {
  return erase<OrderedState>({
    name: 'percentile_disc', args: [isArray ? '_float8' : 'float8', 'any'],
    result: (args) => {
      const element = args[1]?.name ?? 'unknown'
      if (!isArray) return sqlType(element)
      const array = ARRAY_OF[element]
      if (array === undefined) throw featureNotSupported(`percentile_disc over type ${element}`)
      return sqlType(array)
    },
    skipsNulls: false, orderedSet: true,
    create: () => ({ fraction: undefined, values: [] }),
    step: orderedStep,
    combine: orderedCombine,
    finish: (s, argTypes, ctx) => percentiles(s, argTypes[1]?.name ?? 'float8', discAt, ctx),
  })
}

interface ModeState { values: SqlValue[] }

/** mode(): the most frequent value; among equally frequent ones the first in sort order. */
const mode = erase<ModeState>({
  name: 'mode', args: ['any'], result: (args) => sqlType(args[0]?.name ?? 'unknown'),
  skipsNulls: true, orderedSet: true,
  create: () => ({ values: [] }),
  step: (s, [value]) => {
    s.values.push(value ?? null)
    return s
  },
  combine: (a, b) => ({ values: a.values.concat(b.values) }),
  finish: (s, argTypes) => {
    const compare = comparatorOf(argTypes[0]?.name ?? 'text')
    const sorted = s.values.slice().sort(compare)
    let best: SqlValue = null
    let bestCount = 0
    for (let i = 0; i < sorted.length;) {
      let j = i + 1
      while (j < sorted.length && compare(sorted[i] ?? null, sorted[j] ?? null) === 0) j++
      if (j - i > bestCount) {
        best = sorted[i] ?? null
        bestCount = j - i
      }
      i = j
    }
    return best
  },
})

/** array_agg(value): every value, NULLs included, in input order (the call's ORDER BY); NULL over no rows. */
const arrayAgg = erase<ModeState>({
  name: 'array_agg', args: ['any'], skipsNulls: false,
  result: (args) => {
    const element = args[0]?.name ?? 'unknown'
    const result = ARRAY_OF[element]
    if (result === undefined) throw featureNotSupported(`array_agg over type ${element}`)
    return sqlType(result)
  },
  create: () => ({ values: [] }),
  step: (s, [value]) => {
    s.values.push(value ?? null)
    return s
  },
  combine: (a, b) => ({ values: a.values.concat(b.values) }),
  finish: (s, argTypes, ctx) => (s.values.length === 0 ? null : formatArrayValues(s.values, argTypes[0]?.name ?? 'text', ctx)),
})

export const ORDERED_FUNCTIONS: ReadonlyArray<AggregateFunction> = [
  stringAgg('text'), stringAgg('bytea'), percentileCont('float8', false), percentileCont('interval', false), percentileDisc(false),
  percentileCont('float8', true), percentileCont('interval', true), percentileDisc(true), mode, arrayAgg,
]
