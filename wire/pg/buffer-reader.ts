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

export class BufferReader {
  private offset = 0

  constructor(private readonly buffer: Buffer, private readonly messageName: string) {}

  get remainingByteCount(): number {
    return this.buffer.length - this.offset
  }

  private need(byteCount: number): void {
    if (byteCount < 0 || this.offset + byteCount > this.buffer.length) {
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
  cstring(): string {
    const end = this.buffer.indexOf(0, this.offset)
    if (end < 0) throw protocolViolation(`invalid string in ${this.messageName} message`)
    const value = decodeUtf8(this.buffer.subarray(this.offset, end), `${this.messageName} message`)
    this.offset = end + 1
    return value
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
    if (this.offset !== this.buffer.length) throw protocolViolation(`invalid ${this.messageName} message format`)
  }
}
