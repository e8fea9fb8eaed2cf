// sql/functions/aggregate-decimal: exact decimals for the numeric aggregates (sum, avg, variance over integers and
// numeric), as BigInt scaled by 10^scale. PostgreSQL's numeric results carry a display scale chosen by numeric.c
// (select_div_scale, sqrt_var's rounding); reproducing those rules here is what makes our digits equal theirs.

/** A numeric value: finite (value / 10^scale), NaN or ±Infinity (PostgreSQL 14+ numerics have infinities). */
export type Decimal =
  | { readonly kind: 'finite'; readonly value: bigint; readonly scale: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'inf'; readonly negative: boolean }

const NUMERIC_MIN_SIG_DIGITS = 16
const NUMERIC_MIN_DISPLAY_SCALE = 0
const NUMERIC_MAX_DISPLAY_SCALE = 1000
const DEC_DIGITS = 4
const NBASE = 10_000n

export function finite(value: bigint, scale = 0): Decimal {
  return { kind: 'finite', value, scale }
}

/** numeric text (or a JS number standing for one) → Decimal. */
export function parseDecimal(input: string | number | bigint): Decimal {
  if (typeof input === 'bigint') return finite(input)
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return { kind: 'nan' }
    if (!Number.isFinite(input)) return { kind: 'inf', negative: input < 0 }
    return parseDecimal(Number.isInteger(input) && Math.abs(input) < 2 ** 53 ? BigInt(input) : String(input))
  }
  const text = input.trim()
  const lower = text.toLowerCase()
  if (lower === 'nan') return { kind: 'nan' }
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf') return { kind: 'inf', negative: false }
  if (lower === '-infinity' || lower === '-inf') return { kind: 'inf', negative: true }
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)
  if (match === null) throw new Error(`not a numeric: ${input}`)
  const fraction = match[3] ?? ''
  let value = BigInt(`${match[2] ?? ''}${fraction}` || '0')
  let scale = fraction.length - Number(match[4] ?? 0)
  if (scale < 0) {
    value *= 10n ** BigInt(-scale)
    scale = 0
  }
  return finite(match[1] === '-' ? -value : value, scale)
}

export function formatDecimal(d: Decimal): string {
  if (d.kind === 'nan') return 'NaN'
  if (d.kind === 'inf') return d.negative ? '-Infinity' : 'Infinity'
  const negative = d.value < 0n
  const digits = (negative ? -d.value : d.value).toString().padStart(d.scale + 1, '0')
  const whole = digits.slice(0, digits.length - d.scale)
  const text = d.scale === 0 ? whole : `${whole}.${digits.slice(digits.length - d.scale)}`
  return negative ? `-${text}` : text
}

/** `value` (at `from` fractional digits) rewritten at `to` ≥ from digits. */
export function rescale(value: bigint, from: number, to: number): bigint {
  return to === from ? value : value * 10n ** BigInt(to - from)
}

/** Compares two Decimals the way numeric's btree ordering does: -Infinity < finite < Infinity < NaN. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const rank = (d: Decimal): number => (d.kind === 'nan' ? 3 : d.kind === 'inf' ? (d.negative ? 0 : 2) : 1)
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb || a.kind !== 'finite' || b.kind !== 'finite') return ra - rb
  const scale = Math.max(a.scale, b.scale)
  const x = rescale(a.value, a.scale, scale)
  const y = rescale(b.value, b.scale, scale)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Weight and first base-10000 digit of value/10^scale, as NumericVar holds it (0 → weight 0, digit 0). */
function weightAndFirstDigit(value: bigint, scale: number): { weight: number; firstDigit: bigint } {
  let magnitude = value < 0n ? -value : value
  if (magnitude === 0n) return { weight: 0, firstDigit: 0n }
  // NumericVar aligns digits to base-10000 groups on both sides of the decimal point.
  const fractionGroups = Math.ceil(scale / DEC_DIGITS)
  magnitude *= 10n ** BigInt(fractionGroups * DEC_DIGITS - scale)
  let groups = 1
  while (magnitude >= NBASE) {
    magnitude /= NBASE
    groups++
  }
  return { weight: groups - 1 - fractionGroups, firstDigit: magnitude }
}

/** select_div_scale() of numeric.c: at least 16 significant digits, never fewer than either operand's scale. */
export function selectDivScale(a: bigint, aScale: number, b: bigint, bScale: number): number {
  const x = weightAndFirstDigit(a, aScale)
  const y = weightAndFirstDigit(b, bScale)
  let quotientWeight = x.weight - y.weight
  if (x.firstDigit <= y.firstDigit) quotientWeight--
  let scale = NUMERIC_MIN_SIG_DIGITS - quotientWeight * DEC_DIGITS
  scale = Math.max(scale, aScale, bScale, NUMERIC_MIN_DISPLAY_SCALE)
  return Math.min(scale, NUMERIC_MAX_DISPLAY_SCALE)
}

/** Integer division rounded half away from zero, as div_var(..., round = true). */
function divideRounded(dividend: bigint, divisor: bigint): bigint {
  const negative = (dividend < 0n) !== (divisor < 0n)
  const a = dividend < 0n ? -dividend : dividend
  const b = divisor < 0n ? -divisor : divisor
  let quotient = a / b
  if ((a % b) * 2n >= b) quotient += 1n
  return negative ? -quotient : quotient
}

/** numeric_div: a / b at select_div_scale's scale. b ≠ 0. */
export function divideDecimal(a: bigint, aScale: number, b: bigint, bScale: number): Decimal {
  const scale = selectDivScale(a, aScale, b, bScale)
  // a/10^as ÷ b/10^bs at `scale` digits = a·10^(scale + bs − as) / b.
  const shift = scale + bScale - aScale
  const dividend = shift >= 0 ? a * 10n ** BigInt(shift) : a
  const divisor = shift >= 0 ? b : b * 10n ** BigInt(-shift)
  return finite(divideRounded(dividend, divisor), scale)
}

function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = BigInt(Math.floor(Math.sqrt(Number(n))))
  // Newton's method from the float estimate; the loops settle x = floor(sqrt(n)).
  for (;;) {
    const next = (x + n / x) >> 1n
    if (next >= x && next - x <= 1n) break
    x = next
  }
  while (x * x > n) x--
  while ((x + 1n) * (x + 1n) <= n) x++
  return x
}

/** sqrt_var: √(value/10^scale) rounded half up at `resultScale` digits. value ≥ 0. */
export function sqrtDecimal(value: bigint, scale: number, resultScale: number): Decimal {
  // One guard digit: floor(√(x·10^(2r+2))) then round the last digit away.
  const exponent = 2 * (resultScale + 1) - scale
  const radicand = exponent >= 0 ? value * 10n ** BigInt(exponent) : value / 10n ** BigInt(-exponent)
  const root = integerSqrt(radicand)
  return finite((root + 5n) / 10n, resultScale)
}
