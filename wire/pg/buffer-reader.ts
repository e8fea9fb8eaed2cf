// wire/pg/buffer-reader: a cursor over one frontend message body, one verb per wire type (pg-protocol's BufferReader).
// Every read is bounds-checked: malformed contents become 08P01 protocol violations, never a RangeError.
import { protocolViolation } from '../../src/common/errors.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes UTF-8 strictly: invalid byte sequences are a protocol violation, not U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw protocolViolation(`invalid UTF-8 in ${what}`)
  }
}

/** Strings up to this long are checked for ASCII byte by byte (longer ones go to TextDecoder, which is native). */
const SHORT_STRING_BYTES_MAX = 64

function isAscii(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! > 0x7f) return false
  return true
}

/** The longest string a RecentString keeps (compared byte by byte here, copied when it changes). */
const RECENT_STRING_BYTES_MAX = 256

/**
 * The string a message field held last time (a Parse's text): the same bytes again give the same string without
 * decoding it (a driver sends its unnamed statement's text with every round trip), and the same string object lets
 * the session compare it with what it holds by identity.
 */
export class RecentString {
  private bytes: Buffer | null = null
  private value = ''

  match(buffer: Buffer, start: number, end: number): string | null {
    const bytes = this.bytes
    if (bytes === null || bytes.length !== end - start) return null
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buffer[start + i]) return null
    return this.value
  }

  keep(buffer: Buffer, start: number, end: number, value: string): void {
    if (end - start > RECENT_STRING_BYTES_MAX) return
    this.bytes = Buffer.from(buffer.subarray(start, end)) // a copy: the socket chunk is not kept
    this.value = value
  }
}

export class BufferReader {
  private offset: number

  /** Reads `buffer` from `start` to `end` (a frame inside a socket chunk is read in place, without a view of it). */
  constructor(private readonly buffer: Buffer, private readonly messageName: string, start = 0, private readonly limit = buffer.length) {
    this.offset = start
  }

  get remainingByteCount(): number {
    return this.limit - this.offset
  }

  private need(byteCount: number): void {
    if (byteCount < 0 || this.offset + byteCount > this.limit) {
      throw protocolViolation(`invalid ${this.messageName} message format`)
    }
  }

  byte(): number {
    this.need(1)
    const value = this.buffer[this.offset]
    this.offset += 1
    return value ?? 0
  }

  int16(): number {
    this.need(2)
    const value = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return value
  }

  int32(): number {
    this.need(4)
    const value = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return value
  }

  /** A NUL-terminated UTF-8 string; a missing terminator is 08P01 (PostgreSQL's "invalid string in message"). */
  cstring(recent?: RecentString): string {
    const start = this.offset
    const end = this.terminatorAt(start)
    if (end < 0) throw protocolViolation(`invalid string in ${this.messageName} message`)
    this.offset = end + 1
    if (end === start) return '' // the unnamed statement and portal
    if (recent === undefined) return this.decode(start, end)
    const kept = recent.match(this.buffer, start, end)
    if (kept !== null) return kept
    const value = this.decode(start, end)
    recent.keep(this.buffer, start, end, value)
    return value
  }

  private decode(start: number, end: number): string {
    // Names and short texts are mostly empty or ASCII (a driver's unnamed statement and portal, 'SELECT 1'): read
    // without TextDecoder, ~60 ns a string less; anything else is validated as UTF-8.
    if (end - start <= SHORT_STRING_BYTES_MAX && isAscii(this.buffer, start, end)) return this.buffer.toString('latin1', start, end)
    return decodeUtf8(this.buffer.subarray(start, end), `${this.messageName} message`)
  }

  /** Where the NUL ending a string from `start` is in this body, or -1. Short strings are scanned here: a native indexOf costs more than the scan. */
  private terminatorAt(start: number): number {
    const scanEnd = Math.min(this.limit, start + SHORT_STRING_BYTES_MAX)
    for (let i = start; i < scanEnd; i++) if (this.buffer[i] === 0) return i
    if (scanEnd === this.limit) return -1
    const end = this.buffer.indexOf(0, scanEnd)
    return end < this.limit ? end : -1
  }

  /** A view into the message body (no copy): whoever keeps it keeps the socket chunk alive. */
  bytes(byteCount: number): Buffer {
    this.need(byteCount)
    const value = this.buffer.subarray(this.offset, this.offset + byteCount)
    this.offset += byteCount
    return value
  }

  /** Every message must be consumed exactly; trailing bytes mean the client and server disagree on the format. */
  end(): void {
    if (this.offset !== this.limit) throw protocolViolation(`invalid ${this.messageName} message format`)
  }
}
