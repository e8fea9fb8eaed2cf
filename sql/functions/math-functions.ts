// sql/functions/math-functions: PostgreSQL 15's mathematical functions (abs, round, sqrt, ln, trig, width_bucket,
// gcd, …) with pg_proc's argument and result types, plus the arithmetic operators of math-operators.ts. Numeric
// overloads compute exactly (numeric-ops.ts); float8 ones follow float.c's range checks.
import {
  divisionByZero,
  invalidArgumentForLogarithm,
  invalidArgumentForPowerFunction,
  invalidArgumentForWidthBucket,
  numericValueOutOfRange,
} from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { ScalarFunction } from './function-def.js'
import {
  checkFloat,
  checkInt,
  float8Power,
  intResult,
  MATH_OPERATORS,
  toBigInt,
  toDecimal,
  toNumber,
} from './math-operators.js'
import {
  absDecimal,
  addDecimal,
  compareDecimal,
  mulDecimal,
  negateDecimal,
  ceilDecimal,
  divTruncDecimal,
  floorDecimal,
  formatNumeric,
  gcdDecimal,
  lcmDecimal,
  modDecimal,
  roundDecimal,
  signDecimal,
  sqrtDecimal,
  truncDecimal,
  type Decimal,
} from './numeric-ops.js'
import { expDecimal, lnDecimal, logDecimal, powerDecimal } from './numeric-transcendental.js'
import { rint } from '../expr/calendar.js'
import { fn } from './arg-values.js'
import { float8Fn, isInfinite, TRIG_FUNCTIONS } from './trig-functions.js'

function numericFn(name: string, compute: (x: Decimal) => Decimal): ScalarFunction {
  return fn(name, ['numeric'], 'numeric', ([a]) => formatNumeric(compute(toDecimal(a ?? null))))
}


function absFunctions(): ScalarFunction[] {
  return [
    fn('abs', ['int2'], 'int2', ([a]) => checkInt(Math.abs(toNumber(a ?? null)), 'int2')),
    fn('abs', ['int4'], 'int4', ([a]) => checkInt(Math.abs(toNumber(a ?? null)), 'int4')),
    fn('abs', ['int8'], 'int8', ([a]) => {
      const x = toBigInt(a ?? null)
      return intResult(x < 0n ? -x : x, 'int8')
    }),
    fn('abs', ['float4'], 'float4', ([a]) => Math.abs(toNumber(a ?? null))),
    float8Fn('abs', Math.abs),
    numericFn('abs', absDecimal),
  ]
}

function roundingFunctions(): ScalarFunction[] {
  // dsign: NaN is neither above nor below zero, so it gives 0.
  const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0)
  return [
    float8Fn('sign', sign),
    numericFn('sign', signDecimal),
    ...['ceil', 'ceiling'].flatMap((name) => [float8Fn(name, Math.ceil), numericFn(name, ceilDecimal)]),
    float8Fn('floor', Math.floor),
    numericFn('floor', floorDecimal),
    float8Fn('round', rint),
    numericFn('round', (x) => roundDecimal(x, 0)),
    fn('round', ['numeric', 'int4'], 'numeric', ([a, n]) => formatNumeric(roundDecimal(toDecimal(a ?? null), toNumber(n ?? null)))),
    float8Fn('trunc', Math.trunc),
    numericFn('trunc', (x) => truncDecimal(x, 0)),
    fn('trunc', ['numeric', 'int4'], 'numeric', ([a, n]) => formatNumeric(truncDecimal(toDecimal(a ?? null), toNumber(n ?? null)))),
  ]
}

function float8Sqrt(x: number): number {
  if (x < 0) throw invalidArgumentForPowerFunction('cannot take square root of a negative number')
  return checkFloat(Math.sqrt(x), isInfinite(x), x === 0)
}

function float8Exp(x: number): number {
  if (Number.isNaN(x)) return x
  if (isInfinite(x)) return x > 0 ? x : 0
  const result = Math.exp(x)
  if (isInfinite(result)) throw numericValueOutOfRange('value out of range: overflow')
  if (result === 0) throw numericValueOutOfRange('value out of range: underflow')
  return result
}

/** dlog1/dlog10: zero and negative arguments are 2201E; log(1) = 0 is not an underflow. */
function float8Log(compute: (x: number) => number): (x: number) => number {
  return (x) => {
    if (x === 0) throw invalidArgumentForLogarithm('cannot take logarithm of zero')
    if (x < 0) throw invalidArgumentForLogarithm('cannot take logarithm of a negative number')
    return checkFloat(compute(x), isInfinite(x), x === 1)
  }
}

function powerFunctions(): ScalarFunction[] {
  const power = ([a, b]: ReadonlyArray<SqlValue>): SqlValue => float8Power(toNumber(a ?? null), toNumber(b ?? null))
  return [
    float8Fn('sqrt', float8Sqrt),
    numericFn('sqrt', sqrtDecimal),
    float8Fn('cbrt', (x) => checkFloat(Math.cbrt(x), isInfinite(x), x === 0)),
    fn('power', ['float8', 'float8'], 'float8', power),
    fn('pow', ['float8', 'float8'], 'float8', power),
    float8Fn('exp', float8Exp),
    ...numericPowerFunctions(),
    float8Fn('ln', float8Log(Math.log)),
    float8Fn('log', float8Log(Math.log10)),
    float8Fn('log10', float8Log(Math.log10)),
  ]
}

const TEN: Decimal = { kind: 'finite', digits: 10n, scale: 0 }

function numericPowerFunctions(): ScalarFunction[] {
  const binary = (name: string, compute: (x: Decimal, y: Decimal) => Decimal): ScalarFunction =>
    fn(name, ['numeric', 'numeric'], 'numeric', ([a, b]) => formatNumeric(compute(toDecimal(a ?? null), toDecimal(b ?? null))))
  return [
    numericFn('exp', expDecimal),
    numericFn('ln', lnDecimal),
    numericFn('log', (x) => logDecimal(TEN, x)),
    numericFn('log10', (x) => logDecimal(TEN, x)),
    binary('log', logDecimal),
    binary('power', powerDecimal),
    binary('pow', powerDecimal),
    binary('^', powerDecimal),
    binary('gcd', gcdDecimal),
    binary('lcm', lcmDecimal),
  ]
}

function modFunctions(): ScalarFunction[] {
  const intMod = (type: 'int2' | 'int4' | 'int8'): ScalarFunction =>
    fn('mod', [type, type], type, ([a, b]) => {
      const y = toBigInt(b ?? null)
      if (y === 0n) throw divisionByZero()
      return intResult(toBigInt(a ?? null) % y, type)
    })
  return [
    intMod('int2'),
    intMod('int4'),
    intMod('int8'),
    fn('mod', ['numeric', 'numeric'], 'numeric', ([a, b]) => formatNumeric(modDecimal(toDecimal(a ?? null), toDecimal(b ?? null)))),
    fn('div', ['numeric', 'numeric'], 'numeric', ([a, b]) => formatNumeric(divTruncDecimal(toDecimal(a ?? null), toDecimal(b ?? null)))),
  ]
}

/**
 * width_bucket_float8 of PostgreSQL 15 (float.c). Its double result is converted to int32 by C, which on x86-64 gives
 * INT_MIN for NaN and out-of-range values (e.g. when bound2 - bound1 overflows); mirrored here.
 */
export function widthBucket(operand: number, bound1: number, bound2: number, count: number): number {
  if (count <= 0) throw invalidArgumentForWidthBucket('count must be greater than zero')
  if (Number.isNaN(operand) || Number.isNaN(bound1) || Number.isNaN(bound2)) {
    throw invalidArgumentForWidthBucket('operand, lower bound, and upper bound cannot be NaN')
  }
  if (isInfinite(bound1) || isInfinite(bound2)) throw invalidArgumentForWidthBucket('lower and upper bounds must be finite')
  if (bound1 === bound2) throw invalidArgumentForWidthBucket('lower bound cannot equal upper bound')
  const ascending = bound1 < bound2
  const below = ascending ? operand < bound1 : operand > bound1
  const above = ascending ? operand >= bound2 : operand <= bound2
  if (below) return 0
  if (above) return checkInt(count + 1, 'int4')
  const bucket = ascending ? (count * (operand - bound1)) / (bound2 - bound1) + 1 : (count * (bound1 - operand)) / (bound1 - bound2) + 1
  return bucket > -2147483649 && bucket < 2147483648 ? Math.trunc(bucket) + 0 : -2147483648
}

/** width_bucket_numeric: exact, trunc((operand - low)·count / (high - low)) + 1 as compute_bucket does. */
export function widthBucketNumeric(operand: Decimal, bound1: Decimal, bound2: Decimal, count: number): number {
  if (count <= 0) throw invalidArgumentForWidthBucket('count must be greater than zero')
  if (operand.kind === 'nan' || bound1.kind === 'nan' || bound2.kind === 'nan') {
    throw invalidArgumentForWidthBucket('operand, lower bound, and upper bound cannot be NaN')
  }
  if (bound1.kind !== 'finite' || bound2.kind !== 'finite') throw invalidArgumentForWidthBucket('lower and upper bounds must be finite')
  const order = compareDecimal(bound1, bound2)
  if (order === 0) throw invalidArgumentForWidthBucket('lower bound cannot equal upper bound')
  if (compareDecimal(operand, bound1) * order > 0) return 0
  if (compareDecimal(operand, bound2) * order <= 0) return checkInt(count + 1, 'int4')
  const offset = order < 0 ? addDecimal(operand, negateDecimal(bound1)) : addDecimal(bound1, negateDecimal(operand))
  const width = order < 0 ? addDecimal(bound2, negateDecimal(bound1)) : addDecimal(bound1, negateDecimal(bound2))
  const bucket = divTruncDecimal(mulDecimal(offset, { kind: 'finite', digits: BigInt(count), scale: 0 }), width)
  return bucket.kind === 'finite' ? checkInt(Number(bucket.digits) + 1, 'int4') : 0
}

function integerGcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

function gcdFunctions(): ScalarFunction[] {
  const out: ScalarFunction[] = []
  for (const type of ['int4', 'int8'] as const) {
    out.push(fn('gcd', [type, type], type, ([a, b]) => intResult(integerGcd(toBigInt(a ?? null), toBigInt(b ?? null)), type)))
    out.push(
      fn('lcm', [type, type], type, ([a, b]) => {
        const x = toBigInt(a ?? null)
        const y = toBigInt(b ?? null)
        if (x === 0n || y === 0n) return intResult(0n, type)
        const gcd = integerGcd(x, y)
        intResult(gcd, type) // gcd(INT_MIN, INT_MIN) overflows before the product does in PostgreSQL
        const lcm = (x / gcd) * y
        return intResult(lcm < 0n ? -lcm : lcm, type)
      }),
    )
  }
  return out
}

/** Trailing zero digits of a finite value's fraction (min_scale = scale - this). */
function trailingFractionZeros(value: Decimal & { kind: 'finite' }): number {
  let zeros = 0
  let digits = value.digits
  while (zeros < value.scale && digits !== 0n && digits % 10n === 0n) {
    digits /= 10n
    zeros++
  }
  return digits === 0n ? value.scale : zeros
}

/** numeric_fac: the largest argument whose factorial fits numeric's 131,072 digits before the point. */
const FACTORIAL_MAX = 32177n

function factorial(n: bigint): Decimal {
  if (n < 0n) throw numericValueOutOfRange('factorial of a negative number is undefined')
  if (n > FACTORIAL_MAX) throw numericValueOutOfRange('value overflows numeric format')
  let product = 1n
  for (let i = 2n; i <= n; i++) product *= i
  return { kind: 'finite', digits: product, scale: 0 }
}

/** scale, min_scale, trim_scale (NULL / unchanged for NaN and infinities) and factorial. */
function scaleFunctions(): ScalarFunction[] {
  return [
    fn('scale', ['numeric'], 'int4', ([a]) => { const x = toDecimal(a ?? null); return x.kind === 'finite' ? x.scale : null }),
    fn('min_scale', ['numeric'], 'int4', ([a]) => {
      const x = toDecimal(a ?? null)
      return x.kind === 'finite' ? x.scale - trailingFractionZeros(x) : null
    }),
    fn('trim_scale', ['numeric'], 'numeric', ([a]) => {
      const x = toDecimal(a ?? null)
      if (x.kind !== 'finite') return formatNumeric(x)
      const zeros = trailingFractionZeros(x)
      return formatNumeric({ kind: 'finite', digits: x.digits / 10n ** BigInt(zeros), scale: x.scale - zeros })
    }),
    fn('factorial', ['int8'], 'numeric', ([a]) => formatNumeric(factorial(toBigInt(a ?? null)))),
  ]
}

function miscFunctions(): ScalarFunction[] {
  return [
    { name: 'random', args: [], result: 'float8', strict: true, volatility: 'volatile', evaluate: () => Math.random() },
    fn('width_bucket', ['float8', 'float8', 'float8', 'int4'], 'int4', ([x, b1, b2, n]) =>
      widthBucket(toNumber(x ?? null), toNumber(b1 ?? null), toNumber(b2 ?? null), toNumber(n ?? null)),
    ),
    fn('width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], 'int4', ([x, b1, b2, n]) =>
      widthBucketNumeric(toDecimal(x ?? null), toDecimal(b1 ?? null), toDecimal(b2 ?? null), toNumber(n ?? null)),
    ),
  ]
}

export const MATH_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...MATH_OPERATORS,
  ...absFunctions(),
  ...roundingFunctions(),
  ...powerFunctions(),
  ...modFunctions(),
  ...TRIG_FUNCTIONS,
  ...gcdFunctions(),
  ...scaleFunctions(),
  ...miscFunctions(),
]
