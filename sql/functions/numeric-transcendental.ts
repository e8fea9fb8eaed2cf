// sql/functions/numeric-transcendental: exp, ln, log and power on numeric, with the result scales PostgreSQL 15's
// numeric.c chooses (numeric_exp, numeric_ln, log_var, power_var, power_var_int). Values are computed in BigInt
// fixed point with guard digits and rounded half away from zero once, at the chosen scale.
import {
  divisionByZero,
  invalidArgumentForLogarithm,
  invalidArgumentForPowerFunction,
  numericValueOutOfRange,
} from '../../src/common/errors.js'
import {
  divideRounded,
  finite,
  formatNumeric,
  isIntegral,
  isqrt,
  NUMERIC_MAX_DISPLAY_SCALE,
  NUMERIC_MIN_SIG_DIGITS,
  pow10,
  signOf,
  weightOf,
  type Decimal,
  type FiniteDecimal,
} from './numeric-ops.js'

const NAN: Decimal = { kind: 'nan' }
const POS_INF: Decimal = { kind: 'infinity', negative: false }
const NEG_INF: Decimal = { kind: 'infinity', negative: true }
/** Digits computed beyond the result scale before the one final rounding. */
const GUARD_DIGITS = 12
/** Decimal digits before the point numeric can hold: (SHRT_MAX + 1) * DEC_DIGITS. */
const NUMERIC_WEIGHT_DIGITS_MAX = 32768 * 4
const NUMERIC_MAX_RESULT_SCALE = 2000

function clampScale(scale: number): number {
  return Math.min(Math.max(scale, 0), NUMERIC_MAX_DISPLAY_SCALE)
}
function overflow(): Error {
  return numericValueOutOfRange('value overflows numeric format')
}

/** x at `w` fractional digits (rounded). */
function toFixed(x: FiniteDecimal, w: number): bigint {
  return w >= x.scale ? x.digits * pow10(w - x.scale) : divideRounded(x.digits, pow10(x.scale - w))
}

/** e^x at `rscale` digits. The argument is halved k times, summed by Taylor series, then squared k times. */
function expToScale(x: FiniteDecimal, rscale: number): FiniteDecimal {
  const approx = Number(formatNumeric(x))
  const resultWeight = approx * Math.LOG10E
  if (resultWeight > NUMERIC_WEIGHT_DIGITS_MAX) throw overflow()
  if (resultWeight < -(rscale + GUARD_DIGITS)) return finite(0n, rscale)
  let halvings = 0
  for (let magnitude = Math.abs(approx); magnitude >= 0.01; magnitude /= 2) halvings++
  const w = rscale + Math.max(0, Math.ceil(resultWeight)) + Math.ceil(halvings * 0.302) + GUARD_DIGITS
  const one = pow10(w)
  const r = divideRounded(toFixed(x, w), 1n << BigInt(halvings))
  let sum = one
  let term = one
  for (let n = 1n; term !== 0n; n++) {
    term = divideRounded(term * r, one * n)
    sum += term
  }
  for (let i = 0; i < halvings; i++) sum = divideRounded(sum * sum, one)
  return finite(divideRounded(sum, pow10(w - rscale)), rscale)
}

/** ln(x)·10^w for x > 0: square roots bring x near 1, then ln = 2·atanh((x-1)/(x+1)); x < 1 uses -ln(1/x). */
function lnFixed(x: FiniteDecimal, w: number): bigint {
  const inverted = x.digits < pow10(x.scale)
  const wk = w + GUARD_DIGITS + 8
  const one = pow10(wk)
  let y = inverted ? divideRounded(pow10(x.scale + wk), x.digits) : toFixed(x, wk)
  const nearOne = one + one / 10n
  let roots = 0
  for (; y > nearOne; roots++) y = isqrt(y * one)
  const z = divideRounded((y - one) * one, y + one)
  const z2 = divideRounded(z * z, one)
  let sum = 0n
  for (let power = z, n = 1n; power !== 0n; n += 2n) {
    sum += power / n
    power = divideRounded(power * z2, one)
  }
  const result = divideRounded((2n * sum) << BigInt(roots), pow10(wk - w))
  return inverted ? -result : result
}

/** estimate_ln_dweight(): the decimal weight of ln(x), from x's leading digits as PostgreSQL estimates it. */
function estimateLnWeight(x: FiniteDecimal): number {
  if (x.digits <= 0n) return 0
  const scaled = x.digits * 10n
  const lowBound = 9n * pow10(x.scale)
  const highBound = 11n * pow10(x.scale)
  if (scaled >= lowBound && scaled <= highBound) {
    const delta = finite(x.digits - pow10(x.scale), x.scale)
    if (delta.digits === 0n) return 0
    const { weight, firstDigit } = weightOf(finite(delta.digits < 0n ? -delta.digits : delta.digits, delta.scale))
    return weight * 4 + Math.trunc(Math.log10(Number(firstDigit)))
  }
  const groups = digitGroups(x)
  let digits = groups.digits[0] ?? 0
  let dweight = groups.weight * 4
  if (groups.digits.length > 1) {
    digits = digits * 10000 + (groups.digits[1] ?? 0)
    dweight -= 4
  }
  const lnValue = Math.log(digits) + dweight * 2.302585092994046
  return Math.trunc(Math.log10(Math.abs(lnValue)))
}

/** |x| as NumericVar's base-10000 digits (trailing zero groups stripped) and weight. */
function digitGroups(x: FiniteDecimal): { digits: number[]; weight: number } {
  const magnitude = x.digits < 0n ? -x.digits : x.digits
  if (magnitude === 0n) return { digits: [], weight: 0 }
  const fractionGroups = Math.ceil(x.scale / 4)
  let text = (magnitude * pow10(fractionGroups * 4 - x.scale)).toString()
  text = text.padStart(Math.ceil(text.length / 4) * 4, '0')
  const digits: number[] = []
  for (let i = 0; i < text.length; i += 4) digits.push(Number(text.slice(i, i + 4)))
  const weight = digits.length - 1 - fractionGroups
  while (digits[digits.length - 1] === 0) digits.pop()
  return { digits, weight }
}

function checkLogArgument(x: Decimal): void {
  const sign = signOf(x)
  if (sign < 0) throw invalidArgumentForLogarithm('cannot take logarithm of a negative number')
  if (sign === 0) throw invalidArgumentForLogarithm('cannot take logarithm of zero')
}

export function lnDecimal(x: Decimal): Decimal {
  if (x.kind === 'nan') return x
  checkLogArgument(x)
  if (x.kind !== 'finite') return POS_INF
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - estimateLnWeight(x), x.scale))
  return finite(divideRounded(lnFixed(x, rscale + GUARD_DIGITS), pow10(GUARD_DIGITS)), rscale)
}

/** log(base, x) as log_var: ln(x) / ln(base); log(x) and log10(x) are log(10, x). */
export function logDecimal(base: Decimal, x: Decimal): Decimal {
  if (base.kind === 'nan' || x.kind === 'nan') return NAN
  checkLogArgument(base)
  checkLogArgument(x)
  if (base.kind === 'infinity') return x.kind === 'infinity' ? NAN : finite(0n, 0)
  if (x.kind === 'infinity') return POS_INF
  const baseWeight = estimateLnWeight(base)
  const resultWeight = estimateLnWeight(x) - baseWeight
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - resultWeight, base.scale, x.scale))
  const w = rscale + GUARD_DIGITS + Math.max(0, -baseWeight) + Math.max(0, resultWeight)
  const lnBase = lnFixed(base, w)
  if (lnBase === 0n) throw divisionByZero()
  return finite(divideRounded(lnFixed(x, w) * pow10(rscale), lnBase), rscale)
}

export function expDecimal(x: Decimal): Decimal {
  if (x.kind === 'nan') return x
  if (x.kind === 'infinity') return x.negative ? finite(0n, 0) : x
  const weight = Math.min(Math.max(Number(formatNumeric(x)) * 0.434294481903252, -NUMERIC_MAX_RESULT_SCALE), NUMERIC_MAX_RESULT_SCALE)
  return expToScale(x, clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(weight), x.scale)))
}

/** POSIX pow() rules for NaN and infinite operands, as numeric_power applies them. */
function powerSpecial(x: Decimal, y: Decimal): Decimal {
  if (x.kind === 'nan') return y.kind === 'finite' && y.digits === 0n ? finite(1n, 0) : NAN
  if (y.kind === 'nan') return x.kind === 'finite' && x.digits === pow10(x.scale) ? finite(1n, 0) : NAN
  // Infinity counts as an integer here (numeric_is_integral), so (-2) ^ Infinity is not a complex result.
  if (signOf(x) === 0 && signOf(y) < 0) throw invalidArgumentForPowerFunction('zero raised to a negative power is undefined')
  if (signOf(x) < 0 && y.kind === 'finite' && !isIntegral(y)) {
    throw invalidArgumentForPowerFunction('a negative number raised to a non-integer power yields a complex result')
  }
  if (y.kind === 'infinity') {
    if (x.kind === 'finite' && (x.digits === -pow10(x.scale) || x.digits === pow10(x.scale))) return finite(1n, 0)
    const absAboveOne = x.kind === 'infinity' || (x.digits < 0n ? -x.digits : x.digits) > pow10(x.scale)
    return absAboveOne === !y.negative ? POS_INF : finite(0n, 0)
  }
  const ySign = signOf(y)
  if (ySign === 0) return finite(1n, 0)
  if (ySign < 0) return finite(0n, 0)
  if (x.kind === 'infinity' && x.negative) return isIntegral(y) && y.kind === 'finite' && (y.digits / pow10(y.scale)) % 2n !== 0n ? NEG_INF : POS_INF
  return POS_INF
}

function checkPowerArguments(x: Decimal, y: Decimal): void {
  if (signOf(x) === 0 && signOf(y) < 0) throw invalidArgumentForPowerFunction('zero raised to a negative power is undefined')
  if (signOf(x) < 0 && !isIntegral(y)) {
    throw invalidArgumentForPowerFunction('a negative number raised to a non-integer power yields a complex result')
  }
}

/** numeric ^ numeric and power(numeric, numeric). */
export function powerDecimal(x: Decimal, y: Decimal): Decimal {
  if (x.kind !== 'finite' || y.kind !== 'finite') return powerSpecial(x, y)
  checkPowerArguments(x, y)
  if (isIntegral(y)) {
    const n = y.digits / pow10(y.scale)
    if (n >= -2147483648n && n <= 2147483647n) return powerInteger(x, Number(n))
  }
  if (x.digits === 0n) return finite(0n, NUMERIC_MIN_SIG_DIGITS)
  // power_var: a low-precision ln(x)·y fixes the result scale, then exp(y·ln x) at that scale.
  // As PostgreSQL: ln(x) to about 8 significant digits, times y, both rounded at that scale, read as a double.
  const localScale = Math.max(8 - estimateLnWeight(x), 0)
  const lnLow = divideRounded(lnFixed(x, localScale + GUARD_DIGITS), pow10(GUARD_DIGITS))
  const productLow = divideRounded(lnLow * y.digits, pow10(y.scale))
  const estimate = Number(formatNumeric(finite(productLow, localScale)))
  if (Math.abs(estimate) > NUMERIC_MAX_RESULT_SCALE * 3.01) {
    if (estimate > 0) throw overflow()
    return finite(0n, NUMERIC_MAX_DISPLAY_SCALE)
  }
  const weight = estimate * 0.434294481903252
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(weight), x.scale, y.scale))
  return powerByLogarithm(x, y, rscale, Math.trunc(weight))
}

/** exp(y·ln|x|), negated for a negative x with an odd integer y. */
function powerByLogarithm(x: FiniteDecimal, y: FiniteDecimal, rscale: number, weight: number): FiniteDecimal {
  const yDigits = (y.digits < 0n ? -y.digits : y.digits).toString().length - y.scale
  const w = rscale + Math.max(0, weight) + Math.max(0, yDigits) + GUARD_DIGITS
  const lnAbs = lnFixed(finite(x.digits < 0n ? -x.digits : x.digits, x.scale), w)
  const result = expToScale(finite(lnAbs * y.digits, w + y.scale), rscale)
  const odd = isIntegral(y) && (y.digits / pow10(y.scale)) % 2n !== 0n
  return x.digits < 0n && odd ? finite(-result.digits, result.scale) : result
}

/**
 * power_var_int of PostgreSQL 15: scale max(16, base scale); a double estimate of the result's weight catches
 * overflow and certain underflow early; the value itself is exact, rounded once.
 */
function powerInteger(x: FiniteDecimal, n: number): FiniteDecimal {
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS, x.scale))
  if (n === 0) return finite(pow10(rscale), rscale)
  const groups = digitGroups(x)
  if (groups.digits.length === 0) return finite(0n, rscale)
  let f = groups.digits[0] ?? 0
  let p = groups.weight * 4
  for (let i = 1; i < groups.digits.length && i * 4 < 16; i++) {
    f = f * 10000 + (groups.digits[i] ?? 0)
    p -= 4
  }
  const estimate = n * (Math.log10(f) + p)
  if (estimate > 3 * 32767 * 4) throw overflow()
  if (estimate + 1 < -rscale) return finite(0n, rscale)
  const magnitude = Math.abs(n)
  // An exact power would have too many digits to be worth building; the logarithm route is as accurate.
  if (magnitude * x.digits.toString().length > 20_000) return powerByLogarithm(x, finite(BigInt(n), 0), rscale, Math.trunc(estimate))
  const power = x.digits ** BigInt(magnitude)
  const powerScale = x.scale * magnitude
  if (n > 0) return finite(divideRounded(power * pow10(rscale), pow10(powerScale)), rscale)
  return finite(divideRounded(pow10(powerScale + rscale), power), rscale)
}
