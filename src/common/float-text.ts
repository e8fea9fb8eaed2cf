// src/common/float-text: float4/float8 text as PostgreSQL 15 prints it with extra_float_digits >= 1 (Ryu):
// shortest round-trip digits; fixed notation for decimal exponents -4 ≤ e < 6 (float4) or < 15 (float8), else
// d.ddde±XX with at least two exponent digits; 'NaN', 'Infinity', '-Infinity', and '-0'.

const FLOAT4_FIXED_EXPONENT_END = 6
const FLOAT8_FIXED_EXPONENT_END = 15
const FLOAT4_DIGITS_MAX = 9

export function encodeFloat8Text(value: number): string {
  // Fast path: for 1e-4 ≤ |x| < 1e15 both JavaScript and PostgreSQL print the shortest round-trip digits in fixed
  // notation, so Number#toString is the answer (it is ~10× cheaper than splitting toExponential()).
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-4 && magnitude < 1e15) return String(value)
  const special = specialText(value)
  if (special !== null) return special
  // toExponential() with no argument yields the shortest digits that round-trip (ECMA-262 Number::toString).
  return (value < 0 ? '-' : '') + layout(Math.abs(value).toExponential(), FLOAT8_FIXED_EXPONENT_END)
}

export function encodeFloat4Text(value: number): string {
  const single = Math.fround(value)
  const special = specialText(single)
  if (special !== null) return special
  const magnitude = Math.abs(single)
  let text = magnitude.toExponential(FLOAT4_DIGITS_MAX - 1)
  // The shortest digit count whose decimal reads back as the same single-precision value.
  for (let digitCount = 1; digitCount < FLOAT4_DIGITS_MAX; digitCount++) {
    const candidate = magnitude.toExponential(digitCount - 1)
    if (Math.fround(Number(candidate)) === magnitude) {
      text = candidate
      break
    }
  }
  return (single < 0 ? '-' : '') + layout(text, FLOAT4_FIXED_EXPONENT_END)
}

function specialText(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  return null
}

/** Splits JavaScript's `d.ddde±x` into its significant digits (trailing zeros removed) and decimal exponent. */
export function splitExponential(text: string): { digits: string; exponent: number } {
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (match === null) return { digits: '0', exponent: 0 }
  const digits = ((match[1] ?? '0') + (match[2] ?? '')).replace(/0+$/, '')
  return { digits: digits === '' ? '0' : digits, exponent: Number(match[3]) }
}

function layout(exponential: string, fixedExponentEnd: number): string {
  const { digits, exponent } = splitExponential(exponential)
  if (exponent < -4 || exponent >= fixedExponentEnd) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const exponentDigits = String(Math.abs(exponent)).padStart(2, '0')
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${exponentDigits}`
  }
  return layoutFixed(digits, exponent)
}

/** Plain decimal notation of digits × 10^(exponent - digits.length + 1). */
export function layoutFixed(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length)
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
}
