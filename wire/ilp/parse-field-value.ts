// wire/ilp/parse-field-value: bytes of one field value (float, integer `i`, unsigned `u`, "string", boolean) →
// an unboxed value in the ParsedLine, scanning the Buffer directly (no string per number).
// Knows only line protocol value syntax; nothing of batches, sockets or SQL.
import { isUtf8 } from 'node:buffer'
import type { IlpErrorCode } from './ilp-error.js'
import type { ParsedLine } from './parsed-line.js'

const COMMA = 44
const SPACE = 32
const QUOTE = 34
const BACKSLASH = 92
const MINUS = 45
const DOT = 46

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n
// Every power of ten up to 1e22 is exact in a double (Clinger's fast path needs exactly these).
const POW10: ReadonlyArray<number> = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`))
// Integers up to 15 digits are exact in a double (< 2^53), so they need no string.
const EXACT_DIGITS_MAX = 15

/** The digits of a number, read once: mantissa as a double (exact while significant digits ≤ 15). */
class NumberParts {
  isNegative = false
  mantissa = 0
  significantDigits = 0
  integerEnd = 0
  exponent10 = 0
  isFloatSyntax = false
  end = 0
}

/**
 * Where a value scan stopped: `pos` after the value on success, or the error and its byte offset. One per parser,
 * reused for every value (no allocation per field).
 */
export class ValueScan {
  pos = 0
  errorCode: IlpErrorCode = 'BadFieldValue'
  errorAt = 0
  readonly parts = new NumberParts()

  fail(code: IlpErrorCode, at: number): false {
    this.errorCode = code
    this.errorAt = at
    return false
  }
}

function isDelimiter(buf: Buffer, pos: number, end: number): boolean {
  return pos >= end || buf[pos] === COMMA || buf[pos] === SPACE
}

function isLetter(byte: number): boolean {
  return (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
}

/** Parses the value starting at buf[start] (just after '=') up to a ',' ' ' or `end`, into field `index` of `line`. */
export function parseFieldValue(buf: Buffer, start: number, end: number, line: ParsedLine, index: number, scan: ValueScan): boolean {
  if (start >= end) return scan.fail('BadFieldValue', start)
  const first = buf[start]!
  if (first === QUOTE) return parseString(buf, start, end, line, index, scan)
  if (first === MINUS || first === DOT || (first >= 48 && first <= 57)) {
    return parsePlainFloat(buf, start, end, line, index, scan) || parseNumber(buf, start, end, line, index, scan)
  }
  if (first === 116 || first === 84 || first === 102 || first === 70) return parseBoolean(buf, start, end, line, index, scan)
  return scan.fail('BadFieldValue', start)
}

function parseString(buf: Buffer, start: number, end: number, line: ParsedLine, index: number, scan: ValueScan): boolean {
  let pos = start + 1
  let hasHighBit = false
  let hasBackslash = false
  for (;;) {
    if (pos >= end) return scan.fail('UnterminatedString', start)
    const byte = buf[pos]!
    if (byte === QUOTE) break
    if (byte === BACKSLASH) {
      hasBackslash = true
      pos += 2
      continue
    }
    if (byte >= 0x80) hasHighBit = true
    pos++
  }
  if (hasHighBit && !isUtf8(buf.subarray(start + 1, pos))) return scan.fail('InvalidUtf8', start)
  line.setString(index, hasBackslash ? unescapeString(buf, start + 1, pos) : buf.toString('utf8', start + 1, pos))
  scan.pos = pos + 1
  if (!isDelimiter(buf, scan.pos, end)) return scan.fail('BadFieldValue', scan.pos)
  return true
}

/** String field values escape only '"' and '\'; a backslash before anything else is kept literally. */
function unescapeString(buf: Buffer, start: number, end: number): string {
  const out = Buffer.allocUnsafe(end - start)
  let length = 0
  for (let i = start; i < end; i++) {
    const byte = buf[i]!
    if (byte === BACKSLASH && i + 1 < end) {
      const next = buf[i + 1]!
      if (next !== QUOTE && next !== BACKSLASH) out[length++] = byte
      out[length++] = next
      i++
    } else {
      out[length++] = byte
    }
  }
  return out.toString('utf8', 0, length)
}

function parseBoolean(buf: Buffer, start: number, end: number, line: ParsedLine, index: number, scan: ValueScan): boolean {
  let pos = start
  while (!isDelimiter(buf, pos, end)) pos++
  const length = pos - start
  let value = -1
  if (length === 1) value = buf[start] === 116 || buf[start] === 84 ? 1 : 0
  else if (matchesAny(buf, start, length, TRUE_SPELLINGS)) value = 1
  else if (matchesAny(buf, start, length, FALSE_SPELLINGS)) value = 0
  if (value < 0) return scan.fail('BadFieldValue', start)
  line.setNumber(index, 'boolean', value)
  scan.pos = pos
  return true
}

const TRUE_SPELLINGS = ['true', 'True', 'TRUE']
const FALSE_SPELLINGS = ['false', 'False', 'FALSE']

function matchesAny(buf: Buffer, start: number, length: number, words: ReadonlyArray<string>): boolean {
  for (const word of words) {
    if (word.length !== length) continue
    let i = 0
    while (i < length && buf[start + i] === word.charCodeAt(i)) i++
    if (i === length) return true
  }
  return false
}

function scanDigits(buf: Buffer, pos: number, end: number, parts: NumberParts, countsFraction: boolean): number {
  while (pos < end) {
    const digit = buf[pos]! - 48
    if (digit < 0 || digit > 9) break
    if (parts.significantDigits > 0 || digit !== 0) parts.significantDigits++
    parts.mantissa = parts.mantissa * 10 + digit
    if (countsFraction) parts.exponent10--
    pos++
  }
  return pos
}

/** Fills `parts` from buf[start, …); returns false when there is no digit or the exponent has no digit. */
function scanNumber(buf: Buffer, start: number, end: number, parts: NumberParts): boolean {
  let pos = start
  parts.isNegative = buf[pos] === MINUS
  if (parts.isNegative) pos++
  parts.mantissa = 0
  parts.significantDigits = 0
  parts.exponent10 = 0
  parts.isFloatSyntax = false
  const digitsStart = pos
  pos = scanDigits(buf, pos, end, parts, false)
  parts.integerEnd = pos
  let digitCount = pos - digitsStart
  if (pos < end && buf[pos] === DOT) {
    parts.isFloatSyntax = true
    const fractionStart = pos + 1
    pos = scanDigits(buf, fractionStart, end, parts, true)
    digitCount += pos - fractionStart
  }
  if (digitCount === 0) return false
  if (pos < end && (buf[pos] === 101 || buf[pos] === 69)) {
    parts.isFloatSyntax = true
    pos++
    const isExponentNegative = buf[pos] === MINUS
    if (isExponentNegative || buf[pos] === 43 /* + */) pos++
    const exponentStart = pos
    let exponent = 0
    for (; pos < end; pos++) {
      const digit = buf[pos]! - 48
      if (digit < 0 || digit > 9) break
      if (exponent < 100_000) exponent = exponent * 10 + digit
    }
    if (pos === exponentStart) return false
    parts.exponent10 += isExponentNegative ? -exponent : exponent
  }
  parts.end = pos
  return true
}

function parseNumber(buf: Buffer, start: number, end: number, line: ParsedLine, index: number, scan: ValueScan): boolean {
  const parts = scan.parts
  if (!scanNumber(buf, start, end, parts)) return scan.fail('BadFieldValue', start)
  let pos = parts.end
  const suffix = pos < end ? buf[pos]! : -1
  const isInteger = suffix === 105 /* i */
  const isUnsigned = suffix === 117 /* u */
  if ((isInteger || isUnsigned) && !parts.isFloatSyntax) pos++
  if (!isDelimiter(buf, pos, end)) return scan.fail(isLetter(buf[pos]!) ? 'BadTypeSuffix' : 'BadFieldValue', pos)
  scan.pos = pos
  if (isInteger || isUnsigned) return setInteger(buf, start, line, index, scan, isUnsigned)
  let value: number
  const exponent10 = parts.exponent10
  if (parts.significantDigits <= EXACT_DIGITS_MAX && exponent10 >= -22 && exponent10 <= 22) {
    // Clinger's fast path: both operands are exact, so the one rounding of * or / is the correct rounding.
    value = exponent10 >= 0 ? parts.mantissa * POW10[exponent10]! : parts.mantissa / POW10[-exponent10]!
    if (parts.isNegative) value = -value
  } else {
    value = Number(buf.toString('latin1', start, parts.end))
    if (!Number.isFinite(value)) return scan.fail('BadFieldValue', start)
  }
  line.setNumber(index, 'float', value)
  return true
}

/**
 * The common spelling of a float, `-ddd.ddd` with at most 15 digits, no exponent and no suffix, in one pass with the
 * digits in locals: Clinger's fast path, as parseNumber's, with the same arithmetic (so the same double). Returns
 * false, having set nothing, for anything else, which parseNumber then reads and judges from the start.
 */
function parsePlainFloat(buf: Buffer, start: number, end: number, line: ParsedLine, index: number, scan: ValueScan): boolean {
  const value = plainFloatAt(buf, start, end, scan)
  if (value !== value) return false // NaN: not the plain spelling
  line.setNumber(index, 'float', value)
  return true
}

/**
 * parsePlainFloat's value, with `scan.pos` set after it; NaN (no plain float is NaN), having set nothing, for any other
 * spelling. Also the shaped field path's (parseShapedFields), so both read a float the same way.
 */
export function plainFloatAt(buf: Buffer, start: number, end: number, scan: ValueScan): number {
  let pos = start
  const isNegative = buf[pos] === MINUS
  if (isNegative) pos++
  let mantissa = 0
  let byte = pos < end ? buf[pos]! : -1
  const digitsStart = pos
  while (byte >= 48 && byte <= 57) {
    mantissa = mantissa * 10 + (byte - 48)
    byte = ++pos < end ? buf[pos]! : -1
  }
  let digitCount = pos - digitsStart
  let fractionDigitCount = 0
  if (byte === DOT) {
    const fractionStart = ++pos
    byte = pos < end ? buf[pos]! : -1
    while (byte >= 48 && byte <= 57) {
      mantissa = mantissa * 10 + (byte - 48)
      byte = ++pos < end ? buf[pos]! : -1
    }
    fractionDigitCount = pos - fractionStart
    digitCount += fractionDigitCount
  }
  // Leading zeros count too: fewer than 16 digits in all keeps the mantissa below 2^53, so exact.
  if (digitCount === 0 || digitCount > EXACT_DIGITS_MAX) return Number.NaN
  if (byte !== -1 && byte !== COMMA && byte !== SPACE) return Number.NaN
  const value = fractionDigitCount === 0 ? mantissa : mantissa / POW10[fractionDigitCount]!
  scan.pos = pos
  return isNegative ? -value : value
}

function setInteger(buf: Buffer, start: number, line: ParsedLine, index: number, scan: ValueScan, isUnsigned: boolean): boolean {
  const parts = scan.parts
  if (isUnsigned && parts.isNegative) return scan.fail('IntegerOverflow', start)
  let value: bigint
  if (parts.significantDigits <= EXACT_DIGITS_MAX) {
    value = BigInt(parts.isNegative ? -parts.mantissa : parts.mantissa)
  } else {
    value = BigInt(buf.toString('latin1', start, parts.integerEnd))
    const isInRange = isUnsigned ? value <= UINT64_MAX : value >= INT64_MIN && value <= INT64_MAX
    if (!isInRange) return scan.fail('IntegerOverflow', start)
  }
  line.setBigint(index, isUnsigned ? 'unsigned' : 'integer', value)
  return true
}
