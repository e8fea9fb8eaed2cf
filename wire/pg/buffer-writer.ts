// wire/pg/buffer-writer: accumulates backend messages in one growing buffer (pg-protocol's Writer, server side).
// start(code) reserves the 5-byte header and end() fills in the length, so no caller computes a length by hand.
import { assert } from '../../src/common/assert.js'

const HEADER_BYTES = 5
const INITIAL_BYTES = 16 * 1024
// After a large result the buffer shrinks back, so an idle session does not pin megabytes.
const RETAINED_BYTES_MAX = 1024 * 1024

export class BufferWriter {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES)
  private offset = 0
  private messageStart = -1

  get byteCount(): number {
    return this.offset
  }

  private ensure(byteCount: number): void {
    if (this.offset + byteCount <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.offset + byteCount) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buffer.copy(grown, 0, 0, this.offset)
    this.buffer = grown
  }

  /** Begins a typed message: the type byte now, the int32 length at end(). */
  start(code: number): this {
    assert(this.messageStart < 0, 'BufferWriter.start inside a message')
    this.ensure(HEADER_BYTES)
    this.messageStart = this.offset
    this.buffer[this.offset] = code
    this.offset += HEADER_BYTES
    return this
  }

  end(): void {
    assert(this.messageStart >= 0, 'BufferWriter.end outside a message')
    this.buffer.writeInt32BE(this.offset - this.messageStart - 1, this.messageStart + 1)
    this.messageStart = -1
  }

  byte(value: number): this {
    this.ensure(1)
    this.buffer[this.offset] = value
    this.offset += 1
    return this
  }

  int16(value: number): this {
    this.ensure(2)
    this.buffer.writeInt16BE(value, this.offset)
    this.offset += 2
    return this
  }

  int32(value: number): this {
    this.ensure(4)
    this.buffer.writeInt32BE(value, this.offset)
    this.offset += 4
    return this
  }

  cstring(value: string): this {
    const byteCount = Buffer.byteLength(value, 'utf8')
    this.ensure(byteCount + 1)
    this.buffer.write(value, this.offset, 'utf8')
    this.offset += byteCount
    this.buffer[this.offset] = 0
    this.offset += 1
    return this
  }

  /** An int32 byte count followed by the UTF-8 text (a DataRow column in text format). */
  lengthPrefixedString(value: string): this {
    const byteCount = Buffer.byteLength(value, 'utf8')
    this.ensure(byteCount + 4)
    this.buffer.writeInt32BE(byteCount, this.offset)
    this.buffer.write(value, this.offset + 4, 'utf8')
    this.offset += byteCount + 4
    return this
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length)
    this.buffer.set(value, this.offset)
    this.offset += value.length
    return this
  }

  /** Returns every complete message written so far (a copy) and empties the writer. */
  take(): Buffer {
    assert(this.messageStart < 0, 'BufferWriter.take inside a message')
    const out = Buffer.from(this.buffer.subarray(0, this.offset))
    this.offset = 0
    if (this.buffer.length > RETAINED_BYTES_MAX) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES)
    return out
  }
}
