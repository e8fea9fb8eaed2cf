// sql/functions/numeric-ops: exact decimal arithmetic on numeric values (decimal text such as '12.50', 'NaN',
// 'Infinity'), as PostgreSQL 15's numeric.c computes them: a BigInt scaled by 10^scale, result scales chosen by the
// same rules (add: max scale, mul: sum of scales, div: select_div_scale). Pure; knows nothing of rows or types.
import {
  divisionByZero,
  featureNotSupportedMessage,
  invalidArgumentForPowerFunction,
  invalidTextRepresentation,
  numericValueOutOfRange,
} from '../../src/common/errors.js'
import { weightAndFirstDigit } from '../expr/numeric-divide.js'

export interface FiniteDecimal {
  readonly kind: 'finite'
  /** The value times 10^scale. */
  readonly digits: bigint
  /** Digits after the decimal point (PostgreSQL's dscale), ≥ 0. */
  readonly scale: number
}
export type Decimal = FiniteDecimal | { readonly kind: 'nan' } | { readonly kind: 'infinity'; readonly negative: boolean }

const NAN: Decimal = { kind: 'nan' }
const POS_INF: Decimal = { kind: 'infinity', negative: false }
const NEG_INF: Decimal = { kind: 'infinity', negative: true }
export const NUMERIC_MIN_SIG_DIGITS = 16
export const NUMERIC_MAX_DISPLAY_SCALE = 1000
const NUMERIC_MAX_RESULT_SCALE = 2000
/** numeric_in refuses exponents beyond this (NUMERIC_MAX_PRECISION * 2 in PostgreSQL 15). */
const NUMERIC_EXPONENT_MAX = 2000

export function finite(digits: bigint, scale: number): FiniteDecimal {
  return { kind: 'finite', digits, scale }
}
export function pow10(n: number): bigint {
  return 10n ** BigInt(n)
}
function absBig(value: bigint): bigint {
  return value < 0n ? -value : value
}
function signBig(value: bigint): number {
  return value < 0n ? -1 : value > 0n ? 1 : 0
}

/** Decimal text (with optional exponent, as numeric_in accepts) → Decimal; 22P02 when malformed. */
export function parseNumeric(text: string): Decimal {
  const trimmed = text.trim()
  const lower = trimmed.toLowerCase()
  if (lower === 'nan') return NAN
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return POS_INF
  if (lower === '-infinity' || lower === '-inf') return NEG_INF
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(trimmed)
  const whole = match?.[2] ?? ''
  const fraction = match?.[3] ?? ''
  if (match === null || (whole === '' && fraction === '')) throw invalidTextRepresentation('numeric', text)
  const exponent = match[4] === undefined ? 0 : Number(match[4])
  if (Math.abs(exponent) > NUMERIC_EXPONENT_MAX) throw invalidTextRepresentation('numeric', text)
  let digits = BigInt(whole + fraction)
  let scale = fraction.length - exponent
  if (scale < 0) {
    digits *= pow10(-scale)
    scale = 0
  }
  return finite(match[1] === '-' ? -digits : digits, scale)
}

export function formatNumeric(value: Decimal): string {
  if (value.kind === 'nan') return 'NaN'
  if (value.kind === 'infinity') return value.negative ? '-Infinity' : 'Infinity'
  const negative = value.digits < 0n
  let text = absBig(value.digits).toString()
  if (value.scale > 0) {
    text = text.padStart(value.scale + 1, '0')
    text = `${text.slice(0, text.length - value.scale)}.${text.slice(text.length - value.scale)}`
  }
  return negative ? `-${text}` : text
}

/** Both operands at the larger scale. */
function align(a: FiniteDecimal, b: FiniteDecimal): { x: bigint; y: bigint; scale: number } {
  const scale = Math.max(a.scale, b.scale)
  return { x: a.digits * pow10(scale - a.scale), y: b.digits * pow10(scale - b.scale), scale }
}

/** numerator / denominator rounded half away from zero (div_var with round = true). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator
  const remainder = numerator % denominator
  if (absBig(remainder) * 2n < absBig(denominator)) return quotient
  return signBig(numerator) * signBig(denominator) < 0 ? quotient - 1n : quotient + 1n
}

/** `value` at `scale` digits: exact when growing, rounded half away from zero (or truncated) when shrinking. */
function rescale(value: FiniteDecimal, scale: number, truncate = false): FiniteDecimal {
  if (scale >= value.scale) return finite(value.digits * pow10(scale - value.scale), scale)
  const divisor = pow10(value.scale - scale)
  const digits = truncate ? value.digits / divisor : divideRounded(value.digits, divisor)
  return scale >= 0 ? finite(digits, scale) : finite(digits * pow10(-scale), 0)
}

function infinity(negative: boolean): Decimal {
  return negative ? NEG_INF : POS_INF
}
/** -1, 0, 1 for any non-NaN value. */
export function signOf(value: Decimal): number {
  if (value.kind === 'infinity') return value.negative ? -1 : 1
  return value.kind === 'finite' ? signBig(value.digits) : 0
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN
  if (a.kind === 'infinity') return b.kind === 'infinity' && b.negative !== a.negative ? NAN : a
  if (b.kind === 'infinity') return b
  const { x, y, scale } = align(a, b)
  return finite(x + y, scale)
}

export function negateDecimal(a: Decimal): Decimal {
  if (a.kind === 'nan') return a
  if (a.kind === 'infinity') return infinity(!a.negative)
  return finite(-a.digits, a.scale)
}

export function mulDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    const sign = signOf(a) * signOf(b)
    return sign === 0 ? NAN : infinity(sign < 0)
  }
  return finite(a.digits * b.digits, a.scale + b.scale)
}

/** Weight and first base-10000 digit of a decimal as PostgreSQL's NumericVar holds it (digit groups aligned at the point). */
export function weightOf(value: FiniteDecimal): { weight: number; firstDigit: bigint } {
  if (value.digits === 0n) return { weight: 0, firstDigit: 0n }
  const groups = Math.ceil(value.scale / 4)
  const { weight, firstDigit } = weightAndFirstDigit(absBig(value.digits) * pow10(groups * 4 - value.scale))
  return { weight: weight - groups, firstDigit }
}

/** select_div_scale() of numeric.c: at least 16 significant digits and no less than either input's scale. */
function selectDivScale(a: FiniteDecimal, b: FiniteDecimal): number {
  const wa = weightOf(a)
  const wb = weightOf(b)
  let quotientWeight = wa.weight - wb.weight
  if (wa.firstDigit <= wb.firstDigit) quotientWeight--
  const scale = Math.max(NUMERIC_MIN_SIG_DIGITS - quotientWeight * 4, a.scale, b.scale, 0)
  return Math.min(scale, NUMERIC_MAX_DISPLAY_SCALE)
}

/** Special cases of numeric_div and numeric_div_trunc; null when both are finite. */
function divideSpecial(a: Decimal, b: Decimal): Decimal | null {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN
  if (a.kind === 'infinity') {
    if (b.kind === 'infinity') return NAN
    const sign = signOf(b)
    if (sign === 0) throw divisionByZero()
    return infinity(a.negative !== sign < 0)
  }
  if (b.kind === 'infinity') return finite(0n, 0)
  if (b.digits === 0n) throw divisionByZero()
  return null
}

export function divDecimal(a: Decimal, b: Decimal): Decimal {
  const special = divideSpecial(a, b)
  if (special !== null || a.kind !== 'finite' || b.kind !== 'finite') return special ?? NAN
  const scale = selectDivScale(a, b)
  // a/b at `scale` digits = a.digits·10^(scale + b.scale) / (b.digits·10^a.scale), rounded.
  const numerator = a.digits * pow10(scale + b.scale)
  const denominator = b.digits * pow10(a.scale)
  return finite(divideRounded(numerator, denominator), scale)
}

/** div(numeric, numeric): the quotient truncated toward zero, scale 0. */
export function divTruncDecimal(a: Decimal, b: Decimal): Decimal {
  const special = divideSpecial(a, b)
  if (special !== null || a.kind !== 'finite' || b.kind !== 'finite') return special ?? NAN
  return finite((a.digits * pow10(b.scale)) / (b.digits * pow10(a.scale)), 0)
}

/** numeric % numeric: the sign of the dividend, scale max(s1, s2). */
export function modDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN
  if (a.kind === 'infinity') {
    if (signOf(b) === 0) throw divisionByZero()
    return NAN
  }
  if (b.kind === 'infinity') return a
  if (b.digits === 0n) throw divisionByZero()
  const { x, y, scale } = align(a, b)
  return finite(x % y, scale)
}

/** cmp_numerics: NaN equals NaN and sorts above everything, Infinity above every finite value. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.kind === 'nan') return b.kind === 'nan' ? 0 : 1
  if (b.kind === 'nan') return -1
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    const rank = (v: Decimal): number => (v.kind === 'infinity' ? (v.negative ? -1 : 1) : 0)
    return Math.sign(rank(a) - rank(b))
  }
  const { x, y } = align(a, b)
  return x < y ? -1 : x > y ? 1 : 0
}

export function absDecimal(a: Decimal): Decimal {
  if (a.kind === 'nan') return a
  if (a.kind === 'infinity') return POS_INF
  return finite(absBig(a.digits), a.scale)
}

/** sign(numeric): -1, 0 or 1 at scale 0; NaN stays NaN. */
export function signDecimal(a: Decimal): Decimal {
  return a.kind === 'nan' ? a : finite(BigInt(signOf(a)), 0)
}

/** round(numeric, places), half away from zero; negative places round left of the point (scale stays 0). */
export function roundDecimal(a: Decimal, places: number): Decimal {
  if (a.kind !== 'finite') return a
  return rescale(a, clampPlaces(places))
}

/** trunc(numeric, places). */
export function truncDecimal(a: Decimal, places: number): Decimal {
  if (a.kind !== 'finite') return a
  return rescale(a, clampPlaces(places), true)
}

function clampPlaces(places: number): number {
  return Math.min(Math.max(places, -NUMERIC_MAX_RESULT_SCALE), NUMERIC_MAX_RESULT_SCALE)
}

export function ceilDecimal(a: Decimal): Decimal {
  if (a.kind !== 'finite') return a
  const truncated = rescale(a, 0, true)
  const grows = a.digits > 0n && truncated.digits * pow10(a.scale) !== a.digits
  return grows ? finite(truncated.digits + 1n, 0) : truncated
}

export function floorDecimal(a: Decimal): Decimal {
  if (a.kind !== 'finite') return a
  const truncated = rescale(a, 0, true)
  const shrinks = a.digits < 0n && truncated.digits * pow10(a.scale) !== a.digits
  return shrinks ? finite(truncated.digits - 1n, 0) : truncated
}

/** Integer square root (floor) by Newton's method, started above the root so the iterates decrease to it. */
export function isqrt(value: bigint): bigint {
  if (value < 2n) return value
  const bits = value.toString(16).length * 4
  let x = bits < 1000 ? BigInt(Math.ceil(Math.sqrt(Number(value)) * (1 + 1e-12))) + 1n : 1n << BigInt(Math.ceil(bits / 2))
  for (;;) {
    const next = (x + value / x) >> 1n
    if (next >= x) return x
    x = next
  }
}

/** sqrt(numeric): the result scale of numeric_sqrt (≥ 16 significant digits), rounded half away from zero. */
export function sqrtDecimal(a: Decimal): Decimal {
  if (a.kind === 'nan') return a
  if (signOf(a) < 0) throw invalidArgumentForPowerFunction('cannot take square root of a negative number')
  if (a.kind === 'infinity') return a
  const sweight = Math.trunc(((weightOf(a).weight + 1) * 4) / 2) - 1
  const scale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS - sweight, a.scale, 0), NUMERIC_MAX_DISPLAY_SCALE)
  // One guard digit, then round: the root is irrational or exact, so no tie is lost to the truncation.
  const radicand = a.digits * pow10(2 * (scale + 1) - a.scale)
  return finite(divideRounded(isqrt(radicand), 10n), scale)
}

const INT_LIMITS = {
  int2: { min: -32768n, max: 32767n, name: 'smallint' },
  int4: { min: -2147483648n, max: 2147483647n, name: 'integer' },
  int8: { min: -9223372036854775808n, max: 9223372036854775807n, name: 'bigint' },
} as const
export type IntTypeName = keyof typeof INT_LIMITS

/** numeric → int2/int4/int8: rounds half away from zero; 22003 when out of range, 0A000 for NaN and infinity. */
export function decimalToInteger(a: Decimal, type: IntTypeName): bigint {
  const limits = INT_LIMITS[type]
  if (a.kind === 'nan') throw featureNaN(limits.name)
  if (a.kind === 'infinity') throw featureInfinity(limits.name)
  const value = rescale(a, 0).digits
  if (value < limits.min || value > limits.max) throw numericValueOutOfRange(`${limits.name} out of range`)
  return value
}
function featureNaN(name: string): Error {
  return featureNotSupportedMessage(`cannot convert NaN to ${name}`)
}
function featureInfinity(name: string): Error {
  return featureNotSupportedMessage(`cannot convert infinity to ${name}`)
}

/** numeric → float8 as float8in reads the decimal text (correctly rounded); 22003 beyond the range. */
export function decimalToFloat8(a: Decimal): number {
  if (a.kind === 'nan') return Number.NaN
  if (a.kind === 'infinity') return a.negative ? -Infinity : Infinity
  const text = formatNumeric(a)
  const value = Number(text)
  if (!Number.isFinite(value)) throw numericValueOutOfRange(`"${text}" is out of range for type double precision`)
  if (value === 0 && a.digits !== 0n) throw numericValueOutOfRange(`"${text}" is out of range for type double precision`)
  return value
}

/** numeric → float4 (float4in on the text). */
export function decimalToFloat4(a: Decimal): number {
  const wide = decimalToFloat8(a)
  const value = Math.fround(wide)
  if ((!Number.isFinite(value) && Number.isFinite(wide)) || (value === 0 && wide !== 0)) {
    throw numericValueOutOfRange(`"${formatNumeric(a)}" is out of range for type real`)
  }
  return value
}

/** float8/float4 → numeric: PostgreSQL prints the float with %.15g (float4: %.6g) and reads that back. */
export function floatToDecimal(value: number, significantDigits: 15 | 6): Decimal {
  if (Number.isNaN(value)) return NAN
  if (!Number.isFinite(value)) return infinity(value < 0)
  const [mantissa = '0', exponent] = value.toPrecision(significantDigits).split('e')
  const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa
  return parseNumeric(exponent === undefined ? trimmed : `${trimmed}e${exponent}`)
}

export function integerToDecimal(value: number | bigint): Decimal {
  return finite(BigInt(value), 0)
}

function gcdBig(a: bigint, b: bigint): bigint {
  let x = absBig(a)
  let y = absBig(b)
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

/** gcd(numeric, numeric): of the values at their common scale (so gcd(1.5, 0.9) = 0.3); NaN for NaN or infinity. */
export function gcdDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind !== 'finite' || b.kind !== 'finite') return NAN
  const { x, y, scale } = align(a, b)
  return finite(gcdBig(x, y), scale)
}

/** lcm(numeric, numeric) = |a / gcd · b|, 0 when either is 0; scale max(s1, s2) as numeric_lcm. */
export function lcmDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind !== 'finite' || b.kind !== 'finite') return NAN
  const { x, y, scale } = align(a, b)
  if (x === 0n || y === 0n) return finite(0n, scale)
  return finite(absBig((x / gcdBig(x, y)) * y), scale)
}

/** Whether a finite decimal is a whole number (for power's integer-exponent rules). */
export function isIntegral(a: Decimal): boolean {
  return a.kind === 'finite' && a.digits % pow10(a.scale) === 0n
}
