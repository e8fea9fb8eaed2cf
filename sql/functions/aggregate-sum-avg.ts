// sql/functions/aggregate-sum-avg: sum and avg with PostgreSQL 15's overloads and result types. Integer sums run in
// BigInt (int8 overflow → 22003 as int8pl; sum(int8) and every numeric sum are exact), float sums in the input's
// own precision (sum(float4) rounds to single precision at every step, as float4pl), and avg over integers and
// numeric divides at numeric_div's scale. Every state is a few numbers, so every overload combines.
import type { IntervalValue, SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { AggregateFunction } from './function-def.js'
import { numericValueOutOfRange } from '../../src/common/errors.js'
import { divideDecimal, finite, formatDecimal, parseDecimal, rescale, type Decimal } from './aggregate-decimal.js'
import { addInterval, divideInterval, type IntervalSum } from './aggregate-interval.js'
import { floatAccumulate, floatCombine, isInf, newFloatState, type FloatState } from './aggregate-float-state.js'

const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n

/** Registers a typed definition in the untyped list (AggregateFunction's state is invariant). */
export function erase<S>(def: AggregateFunction<S>): AggregateFunction {
  return def as unknown as AggregateFunction
}

/**
 * int2/int4 values add into `small`, a JS number, exact while below 2^53; it moves into the bigint `sum` before it
 * could lose a digit, so the hot loop allocates no bigint per row. int8 values add into `sum` directly.
 */
interface IntegerState { n: number; small: number; sum: bigint }

const SMALL_SUM_LIMIT = 2 ** 52

function checkedInt8(value: bigint): bigint {
  if (value < INT8_MIN || value > INT8_MAX) throw numericValueOutOfRange('bigint out of range')
  return value
}

function integerStep(s: IntegerState, value: number | bigint, checked: boolean): IntegerState {
  s.n++
  if (typeof value === 'bigint') {
    s.sum += value
    return s
  }
  s.small += value
  if (s.small >= SMALL_SUM_LIMIT || s.small <= -SMALL_SUM_LIMIT) {
    // int4_sum checks int8 overflow per row; a running sum can only cross the limit by < 2^52 between checks.
    s.sum = checked ? checkedInt8(s.sum + BigInt(s.small)) : s.sum + BigInt(s.small)
    s.small = 0
  }
  return s
}

function integerTotal(s: IntegerState, checked: boolean): bigint {
  const total = s.sum + BigInt(s.small)
  return checked ? checkedInt8(total) : total
}

function integerAggregate(name: 'sum' | 'avg', type: PgTypeName): AggregateFunction {
  // sum(int2|int4) is an int8 accumulator (overflow errors); sum(int8) and avg(int*) accumulate exactly.
  const int8Sum = name === 'sum' && type !== 'int8'
  return erase<IntegerState>({
    name, args: [type], result: name === 'avg' || type === 'int8' ? 'numeric' : 'int8', skipsNulls: true,
    create: () => ({ n: 0, small: 0, sum: 0n }),
    step: (s, [v]) => integerStep(s, type === 'int8' ? BigInt(v as bigint) : Number(v), int8Sum),
    combine: (a, b) => {
      const sum = integerTotal(a, int8Sum) + integerTotal(b, int8Sum)
      return { n: a.n + b.n, small: 0, sum: int8Sum ? checkedInt8(sum) : sum }
    },
    finish: (s) => {
      if (s.n === 0) return null
      const total = integerTotal(s, int8Sum)
      if (name === 'avg') return formatDecimal(divideDecimal(total, 0, BigInt(s.n), 0))
      return int8Sum ? total : total.toString()
    },
  })
}

interface SumFloatState { n: number; sum: number }

function floatSum(type: 'float4' | 'float8'): AggregateFunction {
  const round = type === 'float4' ? Math.fround : (x: number): number => x
  const add = (a: number, b: number): number => {
    const r = round(a + b)
    // float4pl/float8pl: an infinite sum of finite operands is an overflow, not a value.
    if (isInf(r) && !isInf(a) && !isInf(b)) {
      throw numericValueOutOfRange('value out of range: overflow')
    }
    return r
  }
  return erase<SumFloatState>({
    name: 'sum', args: [type], result: type, skipsNulls: true,
    create: () => ({ n: 0, sum: 0 }),
    step: (s, [v]) => {
      s.sum = s.n === 0 ? round(v as number) : add(s.sum, v as number)
      s.n++
      return s
    },
    combine: (a, b) => (a.n === 0 ? b : b.n === 0 ? a : { n: a.n + b.n, sum: add(a.sum, b.sum) }),
    finish: (s) => (s.n === 0 ? null : s.sum),
  })
}

function floatAvg(type: 'float4' | 'float8'): AggregateFunction {
  return erase<FloatState>({
    name: 'avg', args: [type], result: 'float8', skipsNulls: true,
    create: newFloatState,
    step: (s, [v]) => floatAccumulate(s, v as number),
    combine: floatCombine,
    finish: (s) => (s.n === 0 ? null : s.sx / s.n),
  })
}

/** do_numeric_accum's state: a count, NaN/±Infinity counts, and an exact sum at the largest input scale. */
export interface NumericState { n: number; nan: number; pinf: number; ninf: number; sum: bigint; scale: number }

export function newNumericState(): NumericState {
  return { n: 0, nan: 0, pinf: 0, ninf: 0, sum: 0n, scale: 0 }
}

/** Adds one value; returns the finite Decimal (or null) so variance can square it. */
export function numericAccumulate(s: NumericState, v: SqlValue): Decimal | null {
  const d = parseDecimal(v as string | number)
  if (d.kind === 'nan') s.nan++
  else if (d.kind === 'inf') {
    if (d.negative) s.ninf++
    else s.pinf++
  } else {
    s.n++
    const scale = Math.max(s.scale, d.scale)
    s.sum = rescale(s.sum, s.scale, scale) + rescale(d.value, d.scale, scale)
    s.scale = scale
    return d
  }
  return null
}

export function numericCombine(a: NumericState, b: NumericState): NumericState {
  const scale = Math.max(a.scale, b.scale)
  return {
    n: a.n + b.n, nan: a.nan + b.nan, pinf: a.pinf + b.pinf, ninf: a.ninf + b.ninf,
    sum: rescale(a.sum, a.scale, scale) + rescale(b.sum, b.scale, scale), scale,
  }
}

/** numeric_sum/numeric_avg: NULL when empty, NaN beats everything, +∞ and −∞ together give NaN. */
function numericFinish(s: NumericState, avg: boolean): SqlValue {
  if (s.n + s.nan + s.pinf + s.ninf === 0) return null
  if (s.nan > 0 || (s.pinf > 0 && s.ninf > 0)) return 'NaN'
  if (s.pinf > 0) return 'Infinity'
  if (s.ninf > 0) return '-Infinity'
  return formatDecimal(avg ? divideDecimal(s.sum, s.scale, BigInt(s.n), 0) : finite(s.sum, s.scale))
}

function numericAggregate(name: 'sum' | 'avg'): AggregateFunction {
  return erase<NumericState>({
    name, args: ['numeric'], result: 'numeric', skipsNulls: true,
    create: newNumericState,
    step: (s, [v]) => {
      numericAccumulate(s, v)
      return s
    },
    combine: numericCombine,
    finish: (s) => numericFinish(s, name === 'avg'),
  })
}

interface IntervalState extends IntervalSum { n: number }

function intervalAggregate(name: 'sum' | 'avg'): AggregateFunction {
  return erase<IntervalState>({
    name, args: ['interval'], result: 'interval', skipsNulls: true,
    create: () => ({ n: 0, months: 0, days: 0, us: 0 }),
    step: (s, [v]) => {
      addInterval(s, v as IntervalValue)
      s.n++
      return s
    },
    combine: (a, b) => {
      addInterval(a, b)
      a.n += b.n
      return a
    },
    finish: (s) => {
      if (s.n === 0) return null
      if (name === 'sum') return { months: s.months, days: s.days, us: s.us }
      return divideInterval(s, s.n)
    },
  })
}

export const SUM_AVG_FUNCTIONS: ReadonlyArray<AggregateFunction> = [
  integerAggregate('sum', 'int2'), integerAggregate('sum', 'int4'), integerAggregate('sum', 'int8'),
  floatSum('float4'), floatSum('float8'), numericAggregate('sum'), intervalAggregate('sum'),
  integerAggregate('avg', 'int2'), integerAggregate('avg', 'int4'), integerAggregate('avg', 'int8'),
  floatAvg('float4'), floatAvg('float8'), numericAggregate('avg'), intervalAggregate('avg'),
]
