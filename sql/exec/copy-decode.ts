// sql/exec/copy-decode: bytes → strings for COPY FROM's text and CSV formats, as PostgreSQL checks them: UTF-8 (an
// invalid sequence or a NUL is 22021 naming its bytes, as PostgreSQL names them) and the text format's
// backslash escapes (CopyReadAttributesText), where \ooo and \xhh name bytes that must form valid UTF-8 again.
import { invalidUtf8 } from '../../src/common/errors.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Length of the UTF-8 sequence whose lead byte is `lead`, as pg_utf_mblen counts it. */
function sequenceLength(lead: number): number {
  if ((lead & 0xe0) === 0xc0) return 2
  if ((lead & 0xf0) === 0xe0) return 3
  if ((lead & 0xf8) === 0xf0) return 4
  return 1
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (pg_utf8_islegal's rules), or -1. */
export function firstInvalid(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!
    if (lead < 0x80) {
      if (lead === 0) return i
      i++
      continue
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
    if (length === 0 || i + length > bytes.length) return i
    const second = bytes[i + 1]!
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
    if (second < low || second > high) return i
    for (let k = 2; k < length; k++) if (bytes[i + k]! < 0x80 || bytes[i + k]! > 0xbf) return i
    i += length
  }
  return -1
}

/** UTF-8 → string; invalid bytes (and NUL, which PostgreSQL text cannot hold) are 22021 naming them as PostgreSQL does. */
export function decodeUtf8(bytes: Uint8Array): string {
  let text: string | null = null
  try {
    text = UTF8.decode(bytes)
  } catch {
    text = null
  }
  if (text !== null && !text.includes('\0')) return text
  const at = firstInvalid(bytes)
  const shown = bytes.subarray(at, Math.min(bytes.length, at + sequenceLength(bytes[at] ?? 0)))
  throw invalidUtf8([...shown].map((byte) => `0x${byte.toString(16).padStart(2, '0')}`).join(' '))
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7'
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c)
}

/** De-escapes one text-format field; escapes naming bytes (\ooo, \xhh) are collected as bytes and decoded as UTF-8. */
export function unescapeText(raw: string): string {
  if (!raw.includes('\\')) return raw
  const bytes: number[] = []
  let out = ''
  let hasBytes = false
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    if (c !== '\\' || i + 1 >= raw.length) {
      if (hasBytes) bytes.push(...Buffer.from(c, 'utf8'))
      else out += c
      continue
    }
    const next = raw[++i]!
    let code = -1
    if (isOctal(next)) {
      let digits = next
      while (digits.length < 3 && isOctal(raw[i + 1])) digits += raw[++i]
      code = parseInt(digits, 8) & 0xff
    } else if (next === 'x' && isHex(raw[i + 1])) {
      let digits = raw[++i]!
      if (isHex(raw[i + 1])) digits += raw[++i]
      code = parseInt(digits, 16)
    }
    const text = code >= 0 ? null : (SIMPLE_ESCAPES[next] ?? next)
    if (!hasBytes && code < 0x80) {
      out += text ?? String.fromCharCode(code)
      continue
    }
    if (!hasBytes) {
      bytes.push(...Buffer.from(out, 'utf8'))
      hasBytes = true
    }
    if (text === null) bytes.push(code)
    else bytes.push(...Buffer.from(text, 'utf8'))
  }
  const result = hasBytes ? decodeUtf8(Uint8Array.from(bytes)) : out
  if (result.includes('\0')) throw invalidUtf8('0x00')
  return result
}
