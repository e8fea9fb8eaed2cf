// src/common/datarow-buffer: the byte-level writers of DataRow values — one reused Buffer and its DataView, grown as
// needed, and each value written as PostgreSQL's int32 length and bytes (text as UTF-8, ASCII code unit by code unit,
// float8 and timestamps digit by digit, their binary forms big-endian, NULL as -1). The base of datarow-encoder.ts's
// column writers and wire/pg/codecs/datarow-batch.ts's value writers, so each value form is written in one place.
import { encodeFloat8Text, writeFloat8Text } from './float-text.js'
import { formatTimestamp, formatTimestamptz, TIMESTAMP_TEXT_BYTES_MAX, writeTimestampText } from './timestamp-text.js'

export const INITIAL_BYTES = 64 * 1024
// PostgreSQL's epoch (2000-01-01) as seen from the Unix epoch, in µs: exact in a double.
const PG_EPOCH_US = 946_684_800_000_000
const TWO_POW_32 = 4_294_967_296
const INT64_MAX = 0x7fffffffffffffffn
const INT64_MIN = -0x8000000000000000n
// writeFloat8Text's longest output: '-', '0.000' and 17 digits (23 bytes).
const FLOAT8_TEXT_BYTES_MAX = 24

export class DataRowBuffer {
  protected buffer = Buffer.allocUnsafe(INITIAL_BYTES)
  protected view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength)
  protected offset = 0

  /** A fresh buffer of `byteCount` bytes, the old one left to whoever holds views of it. */
  protected replace(byteCount: number): void {
    this.buffer = Buffer.allocUnsafeSlow(byteCount)
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength)
  }

  protected allocate(byteCount: number): void {
    const grown = Buffer.allocUnsafe(byteCount)
    this.buffer.copy(grown, 0, 0, this.offset)
    this.buffer = grown
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength)
  }

  protected room(byteCount: number): void {
    if (this.offset + byteCount <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.offset + byteCount) size *= 2
    this.allocate(size)
  }

  /** timestamp(tz)out written digit by digit (writeTimestampText); a value it declines through its string. */
  protected timestampText(us: number, timeZone: string | null): void {
    this.room(4 + TIMESTAMP_TEXT_BYTES_MAX)
    const byteCount = writeTimestampText(this.buffer, this.offset + 4, us, timeZone)
    if (byteCount === 0) return this.ascii(timeZone === null ? formatTimestamp(us) : formatTimestamptz(us, timeZone))
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
  }

  /** timestamp_send: int64 µs since 2000-01-01, INT64_MAX/MIN for ±infinity (as codecs/timestamp.ts). */
  protected timestampBinary(epochUs: number): void {
    const view = this.fixed(8)
    const at = this.offset - 8
    if (!Number.isFinite(epochUs)) {
      view.setBigInt64(at, epochUs > 0 ? INT64_MAX : INT64_MIN)
      return
    }
    // Exact as two int32 halves: |µs| < 2^53 for every timestamp PostgreSQL accepts.
    const us = Math.round(epochUs) - PG_EPOCH_US
    const high = Math.floor(us / TWO_POW_32)
    view.setInt32(at, high)
    view.setUint32(at + 4, us - high * TWO_POW_32)
  }

  /** Any text as UTF-8 (at most 3 bytes per UTF-16 code unit). */
  protected text(text: string): void {
    this.room(4 + text.length * 3)
    const byteCount = this.buffer.write(text, this.offset + 4, 'utf8')
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
  }

  /** float8out: written digit by digit (float-text.ts writeFloat8Text), what that declines through its string. */
  protected float8Text(value: number): void {
    this.room(4 + FLOAT8_TEXT_BYTES_MAX)
    const byteCount = writeFloat8Text(this.buffer, this.offset + 4, value)
    if (byteCount === 0) return this.ascii(encodeFloat8Text(value))
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
  }

  /** float8send: the IEEE 754 bits, big-endian (as codecs/float.ts). */
  protected float8Binary(value: number): void {
    this.fixed(8).setFloat64(this.offset - 8, value)
  }

  /** int8send: big-endian two's complement (as codecs/integer.ts). */
  protected int8Binary(value: bigint): void {
    this.fixed(8).setBigInt64(this.offset - 8, value)
  }

  protected null(): void {
    this.room(4)
    this.view.setInt32(this.offset, -1)
    this.offset += 4
  }

  /** Room for a value of `byteCount` bytes after its length, which it writes; the caller fills the value in. */
  protected fixed(byteCount: number): DataView {
    this.room(4 + byteCount)
    this.view.setInt32(this.offset, byteCount)
    this.offset += 4 + byteCount
    return this.view
  }

  /** Text all of whose characters are ASCII (numbers, timestamps): one byte per UTF-16 code unit. */
  protected ascii(text: string): void {
    const length = text.length
    this.room(4 + length)
    const buffer = this.buffer
    let at = this.offset
    this.view.setInt32(at, length)
    at += 4
    for (let i = 0; i < length; i += 1) buffer[at + i] = text.charCodeAt(i)
    this.offset = at + length
  }
}
