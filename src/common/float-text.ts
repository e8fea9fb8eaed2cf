// src/common/float-text: float4/float8 text as PostgreSQL 15 prints it with extra_float_digits >= 1 (Ryu):
// shortest round-trip digits; fixed notation for decimal exponents -4 ≤ e < 6 (float4) or < 15 (float8), else
// d.ddde±XX with at least two exponent digits; 'NaN', 'Infinity', '-Infinity', and '-0'.
import { writeFloat8Digits } from './float8-digits.js'

const FLOAT4_FIXED_EXPONENT_END = 6
const FLOAT8_FIXED_EXPONENT_END = 15
const FLOAT4_DIGITS_MAX = 9
// The short exact form: at most this many digits after the point, and fewer than 10^15 as a whole (15 digits).
const SHORT_FRACTION_DIGITS_MAX = 8
const SHORT_SCALED_END = 1e15
const POWERS_OF_TEN: ReadonlyArray<number> = Array.from({ length: SHORT_FRACTION_DIGITS_MAX + 1 }, (_, k) => 10 ** k)
const POWERS_OF_TEN_15: ReadonlyArray<number> = Array.from({ length: 15 }, (_, k) => 10 ** k)
const ASCII_ZERO = 0x30
const ASCII_POINT = 0x2e
const ASCII_MINUS = 0x2d

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

/**
 * encodeFloat8Text's bytes written as ASCII into `out` at `at` without making a string, for values with a short
 * exact decimal form (metrics with a few decimals); returns the byte count, or 0 for any other value (the caller then
 * writes encodeFloat8Text's string). `out` needs room for 24 bytes. Why it is the same text: if m / 10^k === |value|
 * for integers m < 10^15 and k ≤ 8, the decimal m·10^-k reads back as value (m and 10^k are exact doubles and
 * division is correctly rounded), and since decimals of at most 15 significant digits map to distinct doubles
 * (DBL_DIG), it is the shortest such decimal, digit for digit; the smallest k leaves no trailing zero.
 */
export function writeShortFloat8Text(out: Uint8Array, at: number, value: number): number {
  const magnitude = Math.abs(value)
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return 0
  // Two decimals tried first (what metrics mostly carry): one division instead of three. If m / 100 === |value| for
  // m < 10^15, m is the smallest-k form's digits followed by (2 - k) zeros — that form read back at k = 2 is the same
  // rational, and m·100 is within 0.25 of it — and those digits end in no zero (else k - 1 would have matched), so
  // stripping m's trailing zeros (at most two) gives exactly the loop's answer. No match: nor do k = 0 and 1.
  const scaled2 = Math.round(magnitude * 100)
  let k = 0
  if (scaled2 < SHORT_SCALED_END) {
    if (scaled2 / 100 === magnitude) return writeHundredths(out, at, value < 0, scaled2)
    k = 3
  }
  for (; k <= SHORT_FRACTION_DIGITS_MAX; k++) {
    const scale = POWERS_OF_TEN[k]!
    const scaled = Math.round(magnitude * scale)
    if (scaled >= SHORT_SCALED_END) return 0
    if (scaled / scale === magnitude) return writeFixedDigits(out, at, value < 0, scaled, k)
  }
  return 0
}

/**
 * float8out's text of `value` as ASCII bytes at `at` (room for 24 bytes), or 0 when the caller must write
 * encodeFloat8Text's string: the two-decimal shortcut of writeShortFloat8Text (metrics), then any digit count up to
 * 17 (averages; float8-digits.ts), both exact.
 */
export function writeFloat8Text(out: Uint8Array, at: number, value: number): number {
  const magnitude = Math.abs(value)
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return 0
  const scaled2 = Math.round(magnitude * 100)
  if (scaled2 < SHORT_SCALED_END && scaled2 / 100 === magnitude) return writeHundredths(out, at, value < 0, scaled2)
  return writeFloat8Digits(out, at, value)
}

/** `scaled` hundredths (the shortest form's digits followed by up to two zeros), its trailing zeros dropped. */
function writeHundredths(out: Uint8Array, at: number, isNegative: boolean, scaled2: number): number {
  if (scaled2 > 0x7fffffff) {
    let scaled = scaled2
    let fractionDigits = 2
    while (fractionDigits > 0 && scaled % 10 === 0) {
      scaled /= 10
      fractionDigits--
    }
    return writeFixedDigits(out, at, isNegative, scaled, fractionDigits)
  }
  // An int32: the whole part and the two fraction digits by int32 arithmetic, no loop over trailing zeros (a
  // streamed TSBS scan writes ten such floats a row, and this was the cores' largest cost of encoding them).
  const fraction = scaled2 % 100
  let p = at
  if (isNegative) out[p++] = ASCII_MINUS
  p = writeWholeDigits(out, p, (scaled2 - fraction) / 100)
  if (fraction !== 0) {
    const tens = (fraction / 10) | 0
    out[p++] = ASCII_POINT
    out[p++] = ASCII_ZERO + tens
    if (fraction !== tens * 10) out[p++] = ASCII_ZERO + fraction - tens * 10
  }
  return p - at
}

/** The decimal digits of `whole` (an int32 ≥ 0; '0' for 0) at `at`; where they end. */
function writeWholeDigits(out: Uint8Array, at: number, whole: number): number {
  let digitCount = 1
  while (digitCount < 10 && whole >= POWERS_OF_TEN_15[digitCount]!) digitCount++
  let rest = whole
  for (let position = at + digitCount - 1; position >= at; position--) {
    const quotient = (rest / 10) | 0
    out[position] = ASCII_ZERO + rest - quotient * 10
    rest = quotient
  }
  return at + digitCount
}

/** `scaled` × 10^-fractionDigits in plain notation ('-'? digits, '.' and the fraction when it has one). */
function writeFixedDigits(out: Uint8Array, at: number, isNegative: boolean, scaled: number, fractionDigits: number): number {
  let digitCount = 1
  while (digitCount < 15 && scaled >= POWERS_OF_TEN_15[digitCount]!) digitCount++
  digitCount = Math.max(digitCount, fractionDigits + 1) // 0.000d: the leading zeros are digits too
  const length = (isNegative ? 1 : 0) + digitCount + (fractionDigits > 0 ? 1 : 0)
  let position = at + length
  let rest = scaled
  for (let i = 0; i < digitCount; i++) {
    if (i === fractionDigits && i > 0) out[--position] = ASCII_POINT
    // Below 2^31 the quotient is an int32 division; above, exact double arithmetic (scaled < 10^15 < 2^53).
    const quotient = rest <= 0x7fffffff ? ((rest | 0) / 10) | 0 : Math.floor(rest / 10)
    out[--position] = ASCII_ZERO + (rest - quotient * 10)
    rest = quotient
  }
  if (isNegative) out[--position] = ASCII_MINUS
  return length
}
