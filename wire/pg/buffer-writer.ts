// wire/pg/buffer-writer: accumulates backend messages in one growing buffer (pg-protocol's Writer, server side).
// start(code) reserves the 5-byte header and end() fills in the length, so no caller computes a length by hand.
// Large bytes nobody will change (DataRows the cores encoded, a view of the ring frame) are attached, not copied: the
// output is then a list of chunks, the writer's own bytes copied out between them, and the socket writes the views.
import { assert } from '../../src/common/assert.js'

const HEADER_BYTES = 5
const INITIAL_BYTES = 16 * 1024
// After a large result the buffer shrinks back, so an idle session does not pin megabytes.
const RETAINED_BYTES_MAX = 1024 * 1024
/** Below this an attached view is copied: a chunk of its own would cost the socket more than the copy. */
const ATTACHED_BYTES_MIN = 16 * 1024

export class BufferWriter {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES)
  private offset = 0
  private messageStart = -1
  /** Complete output before `buffer`'s bytes: copies of earlier bytes of the writer and attached views, in order. */
  private chunks: Buffer[] = []
  private chunkByteCount = 0
  /** Bumped whenever bytes leave `buffer` (copied out or followed by a chunk): a mark before that no longer holds. */
  private epoch = 0

  get byteCount(): number {
    return this.chunkByteCount + this.offset
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

  /**
   * Whole messages whose bytes stay unchanged until written (the caller's promise): a large view goes out as it is,
   * after the bytes written before it, with no copy.
   */
  attach(value: Uint8Array): this {
    assert(this.messageStart < 0, 'BufferWriter.attach inside a message')
    if (value.length < ATTACHED_BYTES_MIN) return this.bytes(value)
    if (this.offset > 0) this.pushChunk(this.copyOut())
    this.pushChunk(Buffer.from(value.buffer, value.byteOffset, value.length))
    return this
  }

  /** Where the next message starts, for copySince (only between messages). */
  mark(): { readonly epoch: number; readonly offset: number } {
    assert(this.messageStart < 0, 'BufferWriter.mark inside a message')
    return { epoch: this.epoch, offset: this.offset }
  }

  /** A copy of the bytes written since `mark`; null when some of them already left the buffer (taken or attached), or past `byteCountMax`. */
  copySince(mark: { readonly epoch: number; readonly offset: number }, byteCountMax: number): Buffer | null {
    if (mark.epoch !== this.epoch || this.messageStart >= 0 || this.offset - mark.offset > byteCountMax) return null
    return Buffer.from(this.buffer.subarray(mark.offset, this.offset))
  }

  /** Returns every complete message written so far (a copy) and empties the writer. */
  take(): Buffer {
    const chunks = this.takeChunks()
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }

  /** Every complete message written so far, in order (attached views as they are, the rest copied); empties the writer. */
  takeChunks(): Buffer[] {
    assert(this.messageStart < 0, 'BufferWriter.take inside a message')
    const chunks = this.chunks
    if (this.offset > 0 || chunks.length === 0) chunks.push(this.copyOut())
    this.chunks = []
    this.chunkByteCount = 0
    return chunks
  }

  private pushChunk(chunk: Buffer): void {
    this.epoch++
    this.chunks.push(chunk)
    this.chunkByteCount += chunk.length
  }

  private copyOut(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.offset))
    this.epoch++
    this.offset = 0
    if (this.buffer.length > RETAINED_BYTES_MAX) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES)
    return out
  }
}
