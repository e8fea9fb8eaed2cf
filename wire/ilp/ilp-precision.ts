// wire/ilp/ilp-precision: timestamp precisions of the line protocol and their conversion to nodedb's µs.
// Knows nothing of sockets or SQL; the caller (HTTP ?precision=, TCP default) picks the precision.

/** InfluxDB's precisions: v2 spells ns|us|ms|s, v1 also accepts n|u|m|h (m = minutes, h = hours). */
export type IlpPrecision = 'n' | 'ns' | 'u' | 'us' | 'ms' | 's' | 'm' | 'h'

export const ILP_PRECISIONS: ReadonlyArray<IlpPrecision> = ['n', 'ns', 'u', 'us', 'ms', 's', 'm', 'h']

export function isIlpPrecision(value: string): value is IlpPrecision {
  return (ILP_PRECISIONS as ReadonlyArray<string>).includes(value)
}

/**
 * How a precision maps onto µs. Nanoseconds divide by 1000 (truncated toward -∞, so every ns in a µs lands in that
 * µs, negative times included: -1 ns → -1 µs); the others multiply.
 */
export function microsPerUnit(precision: IlpPrecision): number {
  switch (precision) {
    case 'n':
    case 'ns':
      return 0
    case 'u':
    case 'us':
      return 1
    case 'ms':
      return 1_000
    case 's':
      return 1_000_000
    case 'm':
      return 60_000_000
    case 'h':
      return 3_600_000_000
  }
}

/**
 * Parses an optionally negative decimal integer in buf[start, end) (digits only, already delimited) as a timestamp
 * in `microsPerUnit` units (0 = nanoseconds) and returns µs, or NaN when it is not exactly representable: nodedb keeps
 * µs in a Float64Array, exact up to 2^53 µs (±285 years around 1970), which is tighter than int64 ns (±292 years).
 * Returns null when buf[start, end) is not an integer.
 */
export function parseTimestampUs(buf: Buffer, start: number, end: number, unitUs: number): number | null {
  let pos = start
  const isNegative = buf[pos] === 45 /* - */
  if (isNegative) pos++
  if (pos >= end) return null
  // For nanoseconds, the last three digits are the sub-µs remainder; the rest is the µs count.
  const splitAt = unitUs === 0 ? Math.max(pos, end - 3) : end
  let high = 0
  let low = 0
  // Two loops rather than a test of i against splitAt per digit (TSBS: 19 digits on every line).
  for (let i = pos; i < splitAt; i++) {
    const digit = buf[i]! - 48
    if (digit < 0 || digit > 9) return null
    // Accumulating in a double rounds monotonically: a true value ≥ 2^53 never rounds down to ≤ MAX_SAFE_INTEGER.
    high = high * 10 + digit
  }
  for (let i = splitAt; i < end; i++) {
    const digit = buf[i]! - 48
    if (digit < 0 || digit > 9) return null
    low = low * 10 + digit
  }
  if (high > Number.MAX_SAFE_INTEGER) return Number.NaN
  let us: number
  if (unitUs === 0) us = isNegative ? -high - (low > 0 ? 1 : 0) : high
  else us = (isNegative ? -high : high) * unitUs
  if (us > Number.MAX_SAFE_INTEGER || us < -Number.MAX_SAFE_INTEGER) return Number.NaN
  return us + 0 // normalises -0 to 0
}
