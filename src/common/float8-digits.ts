// src/common/float8-digits: float8 text with any digit count (PostgreSQL's float8out at extra_float_digits ≥ 1:
// Ryu's shortest round-trip digits, closest to the value, ties to even — the digits Number#toString picks) written
// as ASCII bytes without making a string, for 1e-4 ≤ |x| < 1e15 (fixed notation in both). Averages print 16 or 17
// digits, where Number#toString (a runtime call and a string per value) was the DataRow encoder's largest cost.
// Every step is exact or declines (returns 0: the caller writes encodeFloat8Text's string), never a near miss:
// - ≤ 15 digits: the rounding interval of x is narrower than 0.23 of a 15th-digit unit, so at most one 15-digit
//   decimal reads back as x; one rounded product finds it (within 0.18 of a unit), and s / 10^j === x checks it
//   exactly (s < 2^53 and 10^j ≤ 10^22 are exact doubles, and a division is correctly rounded). Stripping its
//   trailing zeros gives the shortest form (a shorter one, padded with zeros, would be that same decimal).
// - 16 digits: x · 10^j exactly as hi + lo (Dekker's two-product), the integer nearest it, and the same exact check.
//   The interval is symmetric about x unless x is a power of two, so if any 16-digit decimal reads back as x the
//   nearest one does; a power of two whose nearest one does not declines, as do ties. From 2^53 up the decimal is
//   no exact double: its distance to x · 10^j is compared with half an ulp scaled alike instead (write16Wide).
// - 17 digits: the interval's half-widths exceed 0.55 of a 17th-digit unit, so the nearest 17-digit decimal always
//   reads back as x; it is hi + round(lo), whose digits come out as two exact halves (hi ≥ 10^16 is an integer).
// test/unit/src/float8-digits.test.ts compares it with encodeFloat8Text over millions of values and every edge.

const ASCII_ZERO = 0x30
const ASCII_POINT = 0x2e
const ASCII_MINUS = 0x2d
const FRACTION_LOW_DIGIT_COUNT = 8
const LOW_SCALE = 1e8
const TWO_POW_53 = 9_007_199_254_740_992
// Veltkamp's splitter for doubles: 2^27 + 1.
const SPLITTER = 134_217_729
// write16Wide's answer when no 16-digit decimal reads back as the value (go on to 17 digits).
const NONE_READS_BACK = -1
// A distance to a half closer than this is treated as a tie (|lo| ≤ 1 here, so the sum errs by < 2^-52).
const TIE_MARGIN = 1e-6
// Every power of ten up to 10^22 is an exact double.
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => 10 ** k)

// twoProduct's second result: a typed array slot, so the hot path allocates nothing (a module `let` holding a
// double is a boxed number, reallocated at every store).
const productLow = new Float64Array(1)
// The doubles nearest 10^-4 … 10^15, to find a value's decimal exponent without Math.log10 (~4× slower). The
// inexact ones (below 1) may place a value next to them one exponent off: the digit-count checks then decline.
const EXPONENT_MIN = -4
const DECIMAL_BOUNDS = Float64Array.from({ length: 20 }, (_, k) => Number(`1e${k + EXPONENT_MIN}`))
// '00' … '99' as ASCII pairs, and room for the 18 places of writeDigits' two halves.
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ASCII_ZERO + ((i & 1) === 0 ? Math.floor(i / 20) : (i >> 1) % 10))
const SCRATCH_DIGITS = 18
const digitScratch = new Uint8Array(SCRATCH_DIGITS)
// One double's bits, to tell a power of two (its rounding interval is narrower below than above).
const bitsView = new DataView(new ArrayBuffer(8))

/** a × b = the result + productLow[0] exactly (Dekker), for products far from overflow and underflow. */
function twoProduct(a: number, b: number): number {
  const product = a * b
  const aSplit = SPLITTER * a
  const aHigh = aSplit - (aSplit - a)
  const aLow = a - aHigh
  const bSplit = SPLITTER * b
  const bHigh = bSplit - (bSplit - b)
  const bLow = b - bHigh
  productLow[0] = ((aHigh * bHigh - product) + aHigh * bLow + aLow * bHigh) + aLow * bLow
  return product
}

/**
 * float8out's text of `value` written at `at` (room for 24 bytes), as its byte count, or 0 when this path does not
 * decide it (NaN, ±Infinity, ±0, magnitudes outside [1e-4, 1e15), ties, a power of two with no 16-digit form).
 */
export function writeFloat8Digits(out: Uint8Array, at: number, value: number): number {
  const magnitude = Math.abs(value)
  if (!(magnitude >= 1e-4 && magnitude < 1e15)) return 0
  const exponent = decimalExponentOf(magnitude)
  const isNegative = value < 0
  const scale15 = 14 - exponent
  const scaled15 = Math.round(magnitude * POWERS_OF_TEN[scale15]!)
  if (scaled15 < 1e14 || scaled15 >= 1e15) return 0
  if (scaled15 / POWERS_OF_TEN[scale15]! === magnitude) return writeStripped(out, at, isNegative, scaled15, scale15, exponent)
  const scale16 = scale15 + 1
  const high16 = twoProduct(magnitude, POWERS_OF_TEN[scale16]!)
  if (high16 >= TWO_POW_53) {
    const written = write16Wide(out, at, isNegative, magnitude, high16, productLow[0]!, exponent)
    if (written !== NONE_READS_BACK) return written
  } else {
    const nearest16 = nearestInteger(high16, productLow[0]!)
    if (Number.isNaN(nearest16) || nearest16 < 1e15 || nearest16 >= TWO_POW_53) return 0
    if (nearest16 / POWERS_OF_TEN[scale16]! === magnitude) return writeStripped(out, at, isNegative, nearest16, scale16, exponent)
  }
  if (isPowerOfTwo(magnitude)) return 0
  return write17(out, at, isNegative, magnitude, exponent)
}

/**
 * 16 digits from 2^53 up (leading digits 9007…9999), where the decimal is no exact double to divide: high + lo is
 * x · 10^(15 - exponent) exactly and high an integer, so the nearest integer is high + round(lo), at distance
 * |lo - round(lo)| (exact: both small), and it reads back as x exactly when that distance is within half an ulp of
 * x scaled the same way (2^k · 10^j, exact) — at the bound only with x's last bit even, as rounding ties go. The
 * byte count; NONE_READS_BACK when no 16-digit decimal reads back (x is no power of two: the interval is symmetric,
 * so the nearest would); 0 to decline (a tie, a wrong exponent).
 */
function write16Wide(out: Uint8Array, at: number, isNegative: boolean, magnitude: number, high: number, low: number,
  exponent: number): number {
  if (high >= 1e16) return 0
  const roundedLow = Math.round(low)
  const distance = Math.abs(low - roundedLow)
  if (distance === 0.5) return 0
  bitsView.setFloat64(0, magnitude)
  const isEven = (bitsView.getUint32(4) & 1) === 0
  // Half an ulp of x, 2^(E - 1076) for biased exponent E: the double with exponent field E - 53 and no fraction.
  bitsView.setUint32(0, ((bitsView.getUint32(0) >>> 20) - 53) << 20)
  bitsView.setUint32(4, 0)
  const halfWidth = bitsView.getFloat64(0) * POWERS_OF_TEN[15 - exponent]!
  if (distance > halfWidth || (distance === halfWidth && !isEven)) return NONE_READS_BACK
  const [upper, lower] = splitInteger(high, roundedLow)
  if (upper < 1e7 || upper >= 1e8 || lower % 10 === 0) return 0
  return writeDigits(out, at, isNegative, upper, lower, 16, exponent)
}

/** floor(log10(magnitude)) for 1e-4 ≤ magnitude < 1e15 (by binary search over DECIMAL_BOUNDS). */
function decimalExponentOf(magnitude: number): number {
  let low = 0 // DECIMAL_BOUNDS[low] ≤ magnitude < DECIMAL_BOUNDS[high]
  let high = DECIMAL_BOUNDS.length - 1
  while (high - low > 1) {
    const middle = (low + high) >> 1
    if (magnitude < DECIMAL_BOUNDS[middle]!) high = middle
    else low = middle
  }
  return low + EXPONENT_MIN
}

/** A normal double with no fraction bits: 2^k. */
function isPowerOfTwo(magnitude: number): boolean {
  bitsView.setFloat64(0, magnitude)
  return bitsView.getUint32(4) === 0 && (bitsView.getUint32(0) & 0xfffff) === 0
}

/** The integer nearest hi + lo (hi < 2^54, |lo| ≤ 1), or NaN when hi + lo lies within TIE_MARGIN of a half. */
function nearestInteger(high: number, low: number): number {
  let nearest = Math.round(high)
  let rest = (high - nearest) + low
  if (rest > 0.5) {
    nearest += 1
    rest -= 1
  } else if (rest < -0.5) {
    nearest -= 1
    rest += 1
  }
  return Math.abs(Math.abs(rest) - 0.5) < TIE_MARGIN ? Number.NaN : nearest
}

/** The 17 digits nearest |value| × 10^(16 - exponent), or 0 for a tie or a digit count other than 17. */
function write17(out: Uint8Array, at: number, isNegative: boolean, magnitude: number, exponent: number): number {
  const high = twoProduct(magnitude, POWERS_OF_TEN[16 - exponent]!)
  if (!(high >= 1e16 && high < 1e17)) return 0
  const low = productLow[0]!
  const roundedLow = Math.round(low)
  if (Math.abs(low - roundedLow) === 0.5) return 0
  const [upper, lower] = splitInteger(high, roundedLow)
  // A trailing zero would mean a 16-digit form reads back (excluded above); out of range means a wrong exponent.
  if (upper < 1e8 || upper >= 1e9 || lower % 10 === 0) return 0
  return writeDigits(out, at, isNegative, upper, lower, 17, exponent)
}

/**
 * The integer high + add (high an integer below 10^17, add small) as [upper, lower] with lower < 10^8, both int32:
 * upper · 10^8 is exact (upper · 5^8 < 2^53), and so is high minus it.
 */
function splitInteger(high: number, add: number): [number, number] {
  let upper = Math.floor(high / LOW_SCALE)
  let lower = high - upper * LOW_SCALE + add
  while (lower < 0) {
    upper -= 1
    lower += LOW_SCALE
  }
  while (lower >= LOW_SCALE) {
    upper += 1
    lower -= LOW_SCALE
  }
  return [upper, lower | 0]
}

/** `scaled` × 10^-scale without its trailing fraction zeros, as float8out lays it out. */
function writeStripped(out: Uint8Array, at: number, isNegative: boolean, scaled: number, scale: number, exponent: number): number {
  // Two int32 halves (scaled < 2^53, so upper < 10^8), divided by ten together while a fraction digit is zero.
  let upper = Math.floor(scaled / LOW_SCALE) | 0
  let lower = (scaled - upper * LOW_SCALE) | 0
  let digitCount = scale + exponent + 1
  while (digitCount > exponent + 1 && lower % 10 === 0) {
    lower = ((lower / 10) | 0) + (upper % 10) * (LOW_SCALE / 10)
    upper = (upper / 10) | 0
    digitCount--
  }
  return writeDigits(out, at, isNegative, upper, lower, digitCount, exponent)
}

/**
 * The `digitCount` significant digits upper · 10^8 + lower (lower < 10^8, upper < 10^9) whose first is in the
 * 10^exponent place, in fixed notation: '-'?, the integer digits (or '0'), '.' and the fraction when it has digits.
 */
function writeDigits(out: Uint8Array, at: number, isNegative: boolean, upper: number, lower: number, digitCount: number,
  exponent: number): number {
  // lower's 8 places and upper's digits into digitScratch, two digits per int32 division, then the significant ones
  // copied out around the point.
  let rest = lower | 0
  for (let position = SCRATCH_DIGITS; position > SCRATCH_DIGITS - FRACTION_LOW_DIGIT_COUNT; position -= 2) {
    const quotient = (rest / 100) | 0
    const pair = (rest - quotient * 100) << 1
    digitScratch[position - 2] = DIGIT_PAIRS[pair]!
    digitScratch[position - 1] = DIGIT_PAIRS[pair + 1]!
    rest = quotient
  }
  rest = upper | 0
  // upper's digits only (its first is the first significant digit when it has any; nothing before is copied).
  for (let position = SCRATCH_DIGITS - FRACTION_LOW_DIGIT_COUNT; rest > 0; position -= 2) {
    const quotient = (rest / 100) | 0
    const pair = (rest - quotient * 100) << 1
    digitScratch[position - 2] = DIGIT_PAIRS[pair]!
    digitScratch[position - 1] = DIGIT_PAIRS[pair + 1]!
    rest = quotient
  }
  let position = at
  if (isNegative) out[position++] = ASCII_MINUS
  let from = SCRATCH_DIGITS - digitCount
  if (exponent < 0) {
    out[position++] = ASCII_ZERO
    out[position++] = ASCII_POINT
    for (let i = -1; i > exponent; i--) out[position++] = ASCII_ZERO
  } else {
    const integerEnd = Math.min(SCRATCH_DIGITS, from + exponent + 1)
    while (from < integerEnd) out[position++] = digitScratch[from++]!
    if (from < SCRATCH_DIGITS) out[position++] = ASCII_POINT
  }
  while (from < SCRATCH_DIGITS) out[position++] = digitScratch[from++]!
  return position - at
}
