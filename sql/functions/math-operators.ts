// sql/functions/math-operators: the arithmetic operators + - * / % ^ and prefix - + over int2/int4/int8/float4/
// float8/numeric, one overload per row of PostgreSQL 15's pg_operator, with its overflow, underflow and
// division-by-zero checks (int.c, int8.c, float.h, numeric.c). Also the value helpers math-functions shares.
import { divisionByZero, invalidArgumentForPowerFunction, numericValueOutOfRange } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { ScalarFunction } from './function-def.js'
import {
  addDecimal,
  divDecimal,
  formatNumeric,
  modDecimal,
  mulDecimal,
  negateDecimal,
  parseNumeric,
  type Decimal,
} from './numeric-ops.js'

type IntType = 'int2' | 'int4' | 'int8'
type FloatType = 'float4' | 'float8'
const INT_TYPES: ReadonlyArray<IntType> = ['int2', 'int4', 'int8']
const INT_RANK: Readonly<Record<IntType, number>> = { int2: 0, int4: 1, int8: 2 }
const INT_BOUNDS = { int2: [-32768, 32767, 'smallint'], int4: [-2147483648, 2147483647, 'integer'] } as const
const INT8_MIN = -9223372036854775808n
const INT8_MAX = 9223372036854775807n

export function toNumber(value: SqlValue): number {
  return typeof value === 'number' ? value : Number(value)
}
export function toBigInt(value: SqlValue): bigint {
  return typeof value === 'bigint' ? value : BigInt(toNumber(value))
}
export function toDecimal(value: SqlValue): Decimal {
  return parseNumeric(typeof value === 'string' ? value : String(value))
}

/** A JS number result of int2/int4 arithmetic, range-checked; -0 (from % or trunc) becomes 0. */
export function checkInt(value: number, type: 'int2' | 'int4'): number {
  const [min, max, name] = INT_BOUNDS[type]
  if (!(value >= min && value <= max)) throw numericValueOutOfRange(`${name} out of range`)
  return value + 0
}
export function checkInt8(value: bigint): bigint {
  if (value < INT8_MIN || value > INT8_MAX) throw numericValueOutOfRange('bigint out of range')
  return value
}
/** An integer result of the given type from an exact bigint. */
export function intResult(value: bigint, type: IntType): number | bigint {
  return type === 'int8' ? checkInt8(value) : checkInt(Number(value), type)
}

export function floatOverflow(): Error {
  return numericValueOutOfRange('value out of range: overflow')
}
export function floatUnderflow(): Error {
  return numericValueOutOfRange('value out of range: underflow')
}
/** check_float8_val: infinite results need an infinite input, zero results a zero input. */
export function checkFloat(result: number, infiniteInput: boolean, zeroInput: boolean): number {
  if (result === Infinity || result === -Infinity) {
    if (!infiniteInput) throw floatOverflow()
  } else if (result === 0 && !zeroInput) {
    throw floatUnderflow()
  }
  return result
}

type Arith = '+' | '-' | '*' | '/'

function intArith(op: Arith | '%', a: SqlValue, b: SqlValue, type: IntType): number | bigint {
  if (type === 'int8') {
    const x = toBigInt(a)
    const y = toBigInt(b)
    if ((op === '/' || op === '%') && y === 0n) throw divisionByZero()
    switch (op) {
      case '+': return checkInt8(x + y)
      case '-': return checkInt8(x - y)
      case '*': return checkInt8(x * y)
      case '/': return checkInt8(x / y)
      case '%': return x % y
    }
  }
  const x = toNumber(a)
  const y = toNumber(b)
  if ((op === '/' || op === '%') && y === 0) throw divisionByZero()
  switch (op) {
    // int4 * int4 may exceed 2^53 but then it is far out of range, and rounding cannot bring it back in.
    case '+': return checkInt(x + y, type)
    case '-': return checkInt(x - y, type)
    case '*': return checkInt(x * y, type)
    case '/': return checkInt(Math.trunc(x / y), type)
    case '%': return (x % y) + 0
  }
}

/** float4pl/float8pl/…: computed in the result's precision, then checked as float.h does. */
function floatArith(op: Arith, x: number, y: number, type: FloatType): number {
  const narrow = (v: number): number => (type === 'float4' ? Math.fround(v) : v)
  const xInf = !Number.isFinite(x) && !Number.isNaN(x)
  const yInf = !Number.isFinite(y) && !Number.isNaN(y)
  switch (op) {
    case '+': return checkFloat(narrow(x + y), xInf || yInf, true)
    case '-': return checkFloat(narrow(x - y), xInf || yInf, true)
    case '*': return checkFloat(narrow(x * y), xInf || yInf, x === 0 || y === 0)
    case '/':
      if (y === 0 && !Number.isNaN(x)) throw divisionByZero()
      return checkFloat(narrow(x / y), xInf, x === 0 || yInf)
  }
}

function numericArith(op: Arith | '%', a: SqlValue, b: SqlValue): string {
  const x = toDecimal(a)
  const y = toDecimal(b)
  switch (op) {
    case '+': return formatNumeric(addDecimal(x, y))
    case '-': return formatNumeric(addDecimal(x, negateDecimal(y)))
    case '*': return formatNumeric(mulDecimal(x, y))
    case '/': return formatNumeric(divDecimal(x, y))
    case '%': return formatNumeric(modDecimal(x, y))
  }
}

function op(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: ScalarFunction['evaluate']): ScalarFunction {
  return { name, args, result, strict: true, volatility: 'immutable', evaluate }
}

function integerOperators(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  for (const left of INT_TYPES) {
    for (const right of INT_TYPES) {
      const type = INT_RANK[left] >= INT_RANK[right] ? left : right
      for (const name of ['+', '-', '*', '/'] as const) {
        out.push(op(name, [left, right], type, ([a, b]) => intArith(name, a ?? null, b ?? null, type)))
      }
    }
    out.push(op('%', [left, left], left, ([a, b]) => intArith('%', a ?? null, b ?? null, left)))
    out.push(op('-', [left], left, ([a]) => intArith('-', 0, a ?? null, left)))
    out.push(op('+', [left], left, ([a]) => a ?? null))
  }
  return out
}

function floatOperators(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  const types: ReadonlyArray<FloatType> = ['float4', 'float8']
  for (const left of types) {
    for (const right of types) {
      const type = left === 'float4' && right === 'float4' ? 'float4' : 'float8'
      for (const name of ['+', '-', '*', '/'] as const) {
        out.push(op(name, [left, right], type, ([a, b]) => floatArith(name, toNumber(a ?? null), toNumber(b ?? null), type)))
      }
    }
    out.push(op('-', [left], left, ([a]) => -toNumber(a ?? null)))
    out.push(op('+', [left], left, ([a]) => a ?? null))
  }
  out.push(op('^', ['float8', 'float8'], 'float8', ([a, b]) => float8Power(toNumber(a ?? null), toNumber(b ?? null))))
  return out
}

function numericOperators(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  for (const name of ['+', '-', '*', '/', '%'] as const) {
    out.push(op(name, ['numeric', 'numeric'], 'numeric', ([a, b]) => numericArith(name, a ?? null, b ?? null)))
  }
  out.push(op('-', ['numeric'], 'numeric', ([a]) => formatNumeric(negateDecimal(toDecimal(a ?? null)))))
  out.push(op('+', ['numeric'], 'numeric', ([a]) => formatNumeric(toDecimal(a ?? null))))
  return out
}

/** The special cases of dpow() in float.c, which follow POSIX pow() but raise 2201F where C would return NaN. */
function powerSpecial(x: number, y: number): number | null {
  if (Number.isNaN(x)) return Number.isNaN(y) || y !== 0 ? Number.NaN : 1
  if (Number.isNaN(y)) return x !== 1 ? Number.NaN : 1
  if (x === 0 && y < 0) throw invalidArgumentForPowerFunction('zero raised to a negative power is undefined')
  if (x < 0 && Math.floor(y) !== y) {
    throw invalidArgumentForPowerFunction('a negative number raised to a non-integer power yields a complex result')
  }
  if (!Number.isFinite(y)) {
    const absX = Math.abs(x)
    if (absX === 1) return 1
    if (y > 0) return absX > 1 ? y : 0
    return absX > 1 ? 0 : -y
  }
  if (!Number.isFinite(x)) {
    if (y === 0) return 1
    if (x > 0) return y > 0 ? x : 0
    const isOddInteger = Math.floor(y / 2) !== y / 2
    if (y > 0) return isOddInteger ? x : -x
    return isOddInteger ? -0 : 0
  }
  return null
}

/** float8 ^ float8 and power(float8, float8). */
export function float8Power(x: number, y: number): number {
  const special = powerSpecial(x, y)
  if (special !== null) return special
  const result = Math.pow(x, y)
  if (!Number.isFinite(result)) throw floatOverflow()
  if (result === 0 && x !== 0) throw floatUnderflow()
  return result
}

export const MATH_OPERATORS: ReadonlyArray<ScalarFunction> = [...integerOperators(), ...floatOperators(), ...numericOperators()]
