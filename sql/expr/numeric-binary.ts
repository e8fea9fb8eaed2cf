// sql/expr/numeric-binary: numeric's binary wire form (numeric_send / numeric_recv): int16 ndigits, int16 weight,
// uint16 sign, int16 dscale, then ndigits base-10000 digits, leading and trailing zero digits stripped. nodedb keeps
// numeric values as decimal text, so this converts text ↔ bytes exactly, scale included.
import { unreadBinaryBytes } from '../../src/common/bind-param-errors.js'
import { invalidBinaryRepresentation, protocolViolation } from '../../src/common/errors.js'

const NUMERIC_POS = 0x0000
const NUMERIC_NEG = 0x4000
const NUMERIC_NAN = 0xc000
const NUMERIC_PINF = 0xd000
const NUMERIC_NINF = 0xf000
const DEC_DIGITS = 4
const INFINITY_DSCALE = 32
const HEADER_BYTES = 8
/** numeric_recv's bounds: NUMERIC_MAX_PRECISION + NUMERIC_MAX_RESULT_SCALE digit groups, scale to NUMERIC_DSCALE_MASK. */
const NUMERIC_DIGITS_MAX_COUNT = 1000 + 2000
const NUMERIC_MAX_SCALE = 0x3fff

function header(ndigits: number, weight: number, sign: number, dscale: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + 2 * ndigits)
  out.writeInt16BE(ndigits, 0)
  out.writeInt16BE(weight, 2)
  out.writeUInt16BE(sign, 4)
  out.writeInt16BE(dscale, 6)
  return out
}

/** Decimal text ('-12.50', '1e3', 'NaN', '-Infinity') → numeric_send's bytes. */
export function encodeNumericBinary(text: string): Uint8Array {
  const trimmed = text.trim()
  if (/^nan$/i.test(trimmed)) return header(0, 0, NUMERIC_NAN, 0)
  // PostgreSQL reads an infinity's dscale from header bits it shares with the sign (0xD000 & 0x1F80 >> 7 = 32).
  if (/^[+-]?inf(inity)?$/i.test(trimmed)) return header(0, 0, trimmed.startsWith('-') ? NUMERIC_NINF : NUMERIC_PINF, INFINITY_DSCALE)
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(trimmed)
  if (match === null) throw invalidBinaryRepresentation(`invalid numeric value "${text}"`)
  const exponent = Number(match[4] ?? '0')
  const fraction = match[3] ?? ''
  const dscale = Math.max(0, fraction.length - exponent)
  // All digits, with the decimal point after `pointAt` of them.
  let digits = (match[2] ?? '') + fraction
  let pointAt = (match[2] ?? '').length + exponent
  if (pointAt < 0) {
    digits = '0'.repeat(-pointAt) + digits
    pointAt = 0
  }
  if (pointAt > digits.length) digits += '0'.repeat(pointAt - digits.length)
  const leadPad = (DEC_DIGITS - (pointAt % DEC_DIGITS)) % DEC_DIGITS
  const padded = '0'.repeat(leadPad) + digits
  const full = padded + '0'.repeat((DEC_DIGITS - (padded.length % DEC_DIGITS)) % DEC_DIGITS)
  const groups: number[] = []
  for (let i = 0; i < full.length; i += DEC_DIGITS) groups.push(Number(full.slice(i, i + DEC_DIGITS)))
  let weight = (pointAt + leadPad) / DEC_DIGITS - 1
  let first = 0
  while (first < groups.length && groups[first] === 0) {
    first++
    weight--
  }
  let last = groups.length
  while (last > first && groups[last - 1] === 0) last--
  const kept = groups.slice(first, last)
  const isNegative = match[1] === '-' && kept.length > 0
  const out = header(kept.length, kept.length === 0 ? 0 : weight, isNegative ? NUMERIC_NEG : NUMERIC_POS, dscale)
  kept.forEach((group, index) => out.writeInt16BE(group, HEADER_BYTES + 2 * index))
  return out
}

/** numeric_recv: bytes → decimal text with exactly dscale fraction digits; 22P03 for a malformed value. */
export function decodeNumericBinary(bytes: Uint8Array): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // Reads past the end are pq_getmsgint's 08P01; bytes left unread are the caller's 22P03 (unreadBinaryBytes).
  if (view.length < HEADER_BYTES) throw protocolViolation('insufficient data left in message')
  const ndigits = view.readInt16BE(0)
  const weight = view.readInt16BE(2)
  const sign = view.readUInt16BE(4)
  const dscale = view.readInt16BE(6)
  if (ndigits < 0 || ndigits > NUMERIC_DIGITS_MAX_COUNT) throw invalidBinaryRepresentation('invalid length in external "numeric" value')
  const isSpecial = sign === NUMERIC_NAN || sign === NUMERIC_PINF || sign === NUMERIC_NINF
  if (!isSpecial && sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw invalidBinaryRepresentation('invalid sign in external "numeric" value')
  if (dscale < 0 || dscale > NUMERIC_MAX_SCALE) throw invalidBinaryRepresentation('invalid scale in external "numeric" value')
  if (view.length < HEADER_BYTES + 2 * ndigits) throw protocolViolation('insufficient data left in message')
  if (view.length > HEADER_BYTES + 2 * ndigits) throw unreadBinaryBytes()
  if (sign === NUMERIC_NAN) return 'NaN'
  if (sign === NUMERIC_PINF) return 'Infinity'
  if (sign === NUMERIC_NINF) return '-Infinity'
  const groups: number[] = []
  for (let i = 0; i < ndigits; i++) {
    const group = view.readInt16BE(HEADER_BYTES + 2 * i)
    if (group < 0 || group >= 10000) throw invalidBinaryRepresentation('invalid digit in external "numeric" value')
    groups.push(group)
  }
  let intPart = ''
  for (let w = Math.max(weight, 0); w >= 0; w--) intPart += String(groups[weight - w] ?? 0).padStart(DEC_DIGITS, '0')
  intPart = intPart.replace(/^0+(?=\d)/, '')
  let fracPart = ''
  for (let w = -1; fracPart.length < dscale; w--) fracPart += String(groups[weight - w] ?? 0).padStart(DEC_DIGITS, '0')
  fracPart = fracPart.slice(0, dscale)
  const isZero = /^[0.]*$/.test(intPart + fracPart)
  return `${sign === NUMERIC_NEG && !isZero ? '-' : ''}${intPart}${dscale > 0 ? `.${fracPart}` : ''}`
}
