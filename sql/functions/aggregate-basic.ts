// sql/functions/aggregate-basic: count, min/max, bool_and/bool_or/every, bit_and/bit_or and TimescaleDB's
// first/last. Each state is one value or counter, so all of them combine.
import type { SqlValue } from '../api.js'
import { sqlType, type PgTypeName } from '../bind/types.js'
import type { AggregateFunction } from './function-def.js'
import { comparatorOf, type Comparator } from './aggregate-compare.js'
import { erase } from './aggregate-sum-avg.js'

/** A number, not a bigint: exact to 2^53 rows, and a bigint increment per row costs an allocation. */
interface Count { n: number }

function count(args: ReadonlyArray<'any'>): AggregateFunction {
  return erase<Count>({
    // count(*) has no arguments and counts every row; count(x) skips NULL x.
    name: 'count', args, result: 'int8', skipsNulls: args.length > 0,
    create: () => ({ n: 0 }),
    step: (s) => {
      s.n++
      return s
    },
    combine: (a, b) => ({ n: a.n + b.n }),
    finish: (s) => BigInt(s.n),
  })
}

interface Extreme { v: SqlValue }

/** Types with a min/max in PostgreSQL 15 that nodedb has (no bool: PostgreSQL has no min(boolean)). */
const ORDERABLE: ReadonlyArray<PgTypeName> = [
  'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'oid',
  'timestamp', 'timestamptz', 'date', 'time', 'timetz', 'interval',
]

function extreme(name: 'min' | 'max', type: PgTypeName): AggregateFunction {
  const compare = comparatorOf(type)
  const sign = name === 'min' ? -1 : 1
  // int4smaller & co. return the new value on a tie (visible for numeric 1.0 vs 1.00 and intervals '1 mon' vs
  // '30 days'); bpchar_smaller/larger keep the old one.
  const keepOnTie = type === 'bpchar'
  const better = (current: SqlValue, next: SqlValue): SqlValue => {
    if (current === null) return next
    const c = compare(current, next) * sign
    return c > 0 || (c === 0 && keepOnTie) ? current : next
  }
  return erase<Extreme>({
    name, args: [type], result: type, skipsNulls: true,
    create: () => ({ v: null }),
    step: (s, [v]) => {
      s.v = better(s.v, v ?? null)
      return s
    },
    combine: (a, b) => (b.v === null ? a : { v: better(a.v, b.v) }),
    finish: (s) => s.v,
  })
}

interface BoolState { v: boolean | null }

function boolAggregate(name: 'bool_and' | 'bool_or' | 'every'): AggregateFunction {
  const and = name !== 'bool_or'
  const merge = (a: boolean | null, b: boolean | null): boolean | null =>
    a === null ? b : b === null ? a : and ? a && b : a || b
  return erase<BoolState>({
    name, args: ['bool'], result: 'bool', skipsNulls: true,
    create: () => ({ v: null }),
    step: (s, [v]) => {
      s.v = merge(s.v, v as boolean)
      return s
    },
    combine: (a, b) => ({ v: merge(a.v, b.v) }),
    finish: (s) => s.v,
  })
}

interface BitState { v: number | bigint | null }

function bitAggregate(name: 'bit_and' | 'bit_or', type: 'int2' | 'int4' | 'int8'): AggregateFunction {
  const merge = (a: number | bigint | null, b: number | bigint | null): number | bigint | null => {
    if (a === null) return b
    if (b === null) return a
    if (type === 'int8') return name === 'bit_and' ? BigInt(a) & BigInt(b) : BigInt(a) | BigInt(b)
    return name === 'bit_and' ? Number(a) & Number(b) : Number(a) | Number(b)
  }
  return erase<BitState>({
    name, args: [type], result: type, skipsNulls: true,
    create: () => ({ v: null }),
    step: (s, [v]) => {
      s.v = merge(s.v, type === 'int8' ? BigInt(v as bigint) : (v as number))
      return s
    },
    combine: (a, b) => ({ v: merge(a.v, b.v) }),
    finish: (s) => s.v,
  })
}

interface Bookend { value: SqlValue; time: SqlValue; seen: boolean }

const TIME_TYPES: ReadonlyArray<PgTypeName> = [
  'timestamptz', 'timestamp', 'date', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric',
]

/** first(value, time)/last(value, time): the value at the smallest/largest time; a tie keeps the first seen. */
function bookend(name: 'first' | 'last', timeType: PgTypeName): AggregateFunction {
  const compare: Comparator = comparatorOf(timeType)
  const sign = name === 'first' ? -1 : 1
  const wins = (candidate: Bookend, current: Bookend): boolean =>
    candidate.seen && (!current.seen || compare(candidate.time, current.time) * sign > 0)
  return erase<Bookend>({
    // The value may be NULL (and is then the answer); rows with a NULL time are ignored.
    name, args: ['any', timeType], result: (args) => sqlType(args[0]?.name ?? 'unknown'), skipsNulls: false,
    create: () => ({ value: null, time: null, seen: false }),
    step: (s, [value, time]) => {
      if (time === null || time === undefined) return s
      if (!s.seen || compare(time, s.time) * sign > 0) {
        s.value = value ?? null
        s.time = time
        s.seen = true
      }
      return s
    },
    combine: (a, b) => (wins(b, a) ? b : a),
    finish: (s) => s.value,
  })
}

export const BASIC_FUNCTIONS: ReadonlyArray<AggregateFunction> = [
  count([]), count(['any']),
  ...ORDERABLE.map((type) => extreme('min', type)), ...ORDERABLE.map((type) => extreme('max', type)),
  boolAggregate('bool_and'), boolAggregate('bool_or'), boolAggregate('every'),
  ...(['int2', 'int4', 'int8'] as const).flatMap((type) => [
    bitAggregate('bit_and', type), bitAggregate('bit_or', type),
  ]),
  ...TIME_TYPES.flatMap((type) => [bookend('first', type), bookend('last', type)]),
]
