// sql/expr/numeric-divide: PostgreSQL's numeric division of two integers, exactly as numeric_div prints it — which
// is what avg(int2|int4|int8) returns. The result scale follows select_div_scale() in PostgreSQL's numeric.c
// (at least 16 significant digits), rounded half away from zero. Pure; knows nothing of rows or types.

const NUMERIC_MIN_SIG_DIGITS = 16
const DEC_DIGITS = 4
const NBASE = 10_000n
const NUMERIC_MAX_DISPLAY_SCALE = 1000

/** Weight and first base-10000 digit of |value| as PostgreSQL's NumericVar holds it (0 → weight 0, digit 0). */
export function weightAndFirstDigit(value: bigint): { weight: number; firstDigit: bigint } {
  let magnitude = value < 0n ? -value : value
  if (magnitude === 0n) return { weight: 0, firstDigit: 0n }
  let weight = 0
  while (magnitude >= NBASE) {
    magnitude /= NBASE
    weight++
  }
  return { weight, firstDigit: magnitude }
}

function resultScale(dividend: bigint, divisor: bigint): number {
  const a = weightAndFirstDigit(dividend)
  const b = weightAndFirstDigit(divisor)
  let quotientWeight = a.weight - b.weight
  if (a.firstDigit <= b.firstDigit) quotientWeight--
  const scale = NUMERIC_MIN_SIG_DIGITS - quotientWeight * DEC_DIGITS
  return Math.min(Math.max(scale, 0), NUMERIC_MAX_DISPLAY_SCALE)
}

/** `dividend / divisor` as PostgreSQL's numeric text, e.g. (7n, 3n) → '2.3333333333333333'. divisor ≠ 0. */
export function divideIntegersAsNumeric(dividend: bigint, divisor: bigint): string {
  const scale = resultScale(dividend, divisor)
  const negative = (dividend < 0n) !== (divisor < 0n) && dividend !== 0n
  const a = dividend < 0n ? -dividend : dividend
  const b = divisor < 0n ? -divisor : divisor
  const scaled = a * 10n ** BigInt(scale)
  let quotient = scaled / b
  if ((scaled % b) * 2n >= b) quotient += 1n // half away from zero, as div_var(..., round = true)
  const digits = quotient.toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = digits.slice(digits.length - scale)
  const text = scale === 0 ? whole : `${whole}.${fraction}`
  return negative && quotient !== 0n ? `-${text}` : text
}
