// sql/expr/bytea: PostgreSQL's bytea — byteain (the hex format `\x…`, whitespace allowed between digit pairs, and the
// escape format: `\\`, `\ooo` octal, other characters as their UTF-8 bytes) and byteaout in the hex format
// (bytea_output = 'hex', the only setting nodedb accepts). A bytea value is kept as that output text — lowercase
// hex, so its string order is byteacmp's byte order — and turned into bytes only where bytes are needed.
import { invalidParameterValue, invalidTextRepresentationMessage } from '../../src/common/errors.js'

const HEX_PREFIX = '\\x'

function isHexSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r'
}

/** hex_decode: pairs of hex digits, whitespace between pairs; 22023 for a bad digit or an odd count. */
export function decodeHex(text: string): Buffer {
  const digits: string[] = []
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (isHexSpace(char)) continue
    if (!/[0-9a-fA-F]/.test(char)) throw invalidParameterValue(`invalid hexadecimal digit: "${char}"`)
    const next = text[i + 1]
    if (next === undefined || isHexSpace(next)) throw invalidParameterValue('invalid hexadecimal data: odd number of digits')
    if (!/[0-9a-fA-F]/.test(next)) throw invalidParameterValue(`invalid hexadecimal digit: "${next}"`)
    digits.push(char + next)
    i++
  }
  return Buffer.from(digits.join(''), 'hex')
}

/** The escape format (byteain without `\x`, decode(…, 'escape')). */
export function decodeEscape(text: string): Buffer {
  const bytes: number[] = []
  const utf8 = Buffer.from(text, 'utf8')
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i]!
    if (byte !== 0x5c) { bytes.push(byte); continue }
    if (utf8[i + 1] === 0x5c) { bytes.push(0x5c); i++; continue }
    const octal = utf8.subarray(i + 1, i + 4).toString('latin1')
    if (!/^[0-3][0-7][0-7]$/.test(octal)) throw invalidTextRepresentationMessage('invalid input syntax for type bytea')
    bytes.push(parseInt(octal, 8))
    i += 3
  }
  return Buffer.from(bytes)
}

/** byteain: text → the bytea value (its hex output form). */
export function parseBytea(text: string): string {
  return formatBytea(text.startsWith(HEX_PREFIX) ? decodeHex(text.slice(2)) : decodeEscape(text))
}

/** byteaout (hex): bytes → `\x` and lowercase hex digits. */
export function formatBytea(bytes: Uint8Array): string {
  return HEX_PREFIX + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** The bytes of a bytea value. */
export function byteaBytes(value: string): Buffer {
  return Buffer.from(value.slice(HEX_PREFIX.length), 'hex')
}

/** encode(…, 'escape'): NUL and bytes ≥ 0x80 as \ooo, a backslash doubled, every other byte as its character. */
export function encodeEscape(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) {
    if (byte === 0 || byte >= 0x80) out += `\\${byte.toString(8).padStart(3, '0')}`
    else if (byte === 0x5c) out += '\\\\'
    else out += String.fromCharCode(byte)
  }
  return out
}
