// wire/pg/framer: splits a byte stream into PostgreSQL frames, with no socket in it (pg-protocol's Parser, server side).
// Startup frames are int32 length + body; later frames are type byte + int32 length + body. Lengths are checked
// against PG_STARTUP_BYTES_MAX / PG_MESSAGE_BYTES_MAX before anything is buffered for them (unlike mergeBuffer).
import { type DbError, fatalProtocolViolation } from '../../src/common/errors.js'
import { PG_MESSAGE_BYTES_MAX, PG_STARTUP_BYTES_MAX } from '../../src/common/limits.js'

const LENGTH_BYTES = 4
const CODE_BYTES = 1

export type Frame =
  | { readonly kind: 'StartupFrame'; readonly body: Buffer }
  | TypedFrame
  | { readonly kind: 'FramingError'; readonly error: DbError }

/** A typed frame's body is `bytes` from `start` to `end`: decoded in place, a view (`body`) made only when asked. */
export class TypedFrame {
  readonly kind = 'TypedFrame'

  constructor(readonly code: number, readonly bytes: Buffer, readonly start: number, readonly end: number) {}

  get body(): Buffer {
    return this.bytes.subarray(this.start, this.end)
  }
}

/**
 * Feed chunks with push(), pull frames with next(). Frame bodies may be views into pushed chunks (no copy).
 * After a FramingError the stream has lost sync: next() keeps returning that error and push() drops input.
 */
export class Framer {
  private chunks: Buffer[] = []
  private headOffset = 0
  private buffered = 0
  private isStartupPhase = true
  private failure: DbError | null = null

  /** Bytes received but not yet returned as frames. */
  get bufferedByteCount(): number {
    return this.buffered
  }

  /** After the StartupMessage: every later frame carries a type byte (PostgreSQL protocol 3.0). */
  expectTypedFrames(): void {
    this.isStartupPhase = false
  }

  push(chunk: Buffer): void {
    if (this.failure !== null || chunk.length === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  next(): Frame | null {
    if (this.failure !== null) return { kind: 'FramingError', error: this.failure }
    return this.isStartupPhase ? this.nextStartup() : this.nextTyped()
  }

  private nextStartup(): Frame | null {
    if (this.buffered < LENGTH_BYTES) return null
    const length = this.peekInt32(0)
    // A startup length counts itself and at least the int32 protocol code (PostgreSQL's ProcessStartupPacket).
    if (length < LENGTH_BYTES * 2 || length > PG_STARTUP_BYTES_MAX) {
      return this.fail(`invalid length of startup packet: ${length}`)
    }
    if (this.buffered < length) return null
    this.consume(LENGTH_BYTES)
    return { kind: 'StartupFrame', body: this.consume(length - LENGTH_BYTES) }
  }

  private nextTyped(): Frame | null {
    if (this.buffered < CODE_BYTES + LENGTH_BYTES) return null
    const head = this.chunks[0]!
    // The header mostly lies in the first chunk (a driver's pipelined messages arrive in one): read it there.
    const isHeaderInHead = head.length - this.headOffset >= CODE_BYTES + LENGTH_BYTES
    const code = isHeaderInHead ? head[this.headOffset]! : this.peekByte(0)
    const length = isHeaderInHead ? head.readInt32BE(this.headOffset + CODE_BYTES) : this.peekInt32(CODE_BYTES)
    // The length counts itself but not the type byte (PostgreSQL's pq_getmessage: below 4 or above the maximum).
    if (length < LENGTH_BYTES || length > PG_MESSAGE_BYTES_MAX) {
      return this.fail(`invalid message length: ${length}`)
    }
    if (this.buffered < CODE_BYTES + length) return null
    if (head.length - this.headOffset >= CODE_BYTES + length) {
      const start = this.headOffset + CODE_BYTES + LENGTH_BYTES
      this.buffered -= CODE_BYTES + length
      this.advance(CODE_BYTES + length)
      return new TypedFrame(code, head, start, start + length - LENGTH_BYTES)
    }
    this.consume(CODE_BYTES + LENGTH_BYTES)
    const body = this.consume(length - LENGTH_BYTES)
    return new TypedFrame(code, body, 0, body.length)
  }

  private fail(detail: string): Frame {
    this.failure = fatalProtocolViolation(detail)
    this.chunks = []
    this.buffered = 0
    this.headOffset = 0
    return { kind: 'FramingError', error: this.failure }
  }

  private peekByte(position: number): number {
    let skip = position + this.headOffset
    for (const chunk of this.chunks) {
      if (skip < chunk.length) return chunk[skip] ?? 0
      skip -= chunk.length
    }
    return 0
  }

  private peekInt32(position: number): number {
    const b0 = this.peekByte(position)
    const b1 = this.peekByte(position + 1)
    const b2 = this.peekByte(position + 2)
    const b3 = this.peekByte(position + 3)
    return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) | 0
  }

  /** Removes byteCount bytes from the front; a view when they lie in one chunk, else one copy. */
  private consume(byteCount: number): Buffer {
    const head = this.chunks[0]
    this.buffered -= byteCount
    if (head !== undefined && head.length - this.headOffset >= byteCount) {
      const out = head.subarray(this.headOffset, this.headOffset + byteCount)
      this.advance(byteCount)
      return out
    }
    const out = Buffer.allocUnsafe(byteCount)
    let written = 0
    while (written < byteCount) {
      const chunk = this.chunks[0]
      if (chunk === undefined) break
      const n = Math.min(chunk.length - this.headOffset, byteCount - written)
      chunk.copy(out, written, this.headOffset, this.headOffset + n)
      written += n
      this.advance(n)
    }
    return out
  }

  private advance(byteCount: number): void {
    this.headOffset += byteCount
    const head = this.chunks[0]
    if (head !== undefined && this.headOffset >= head.length) {
      this.chunks.shift()
      this.headOffset = 0
    }
  }
}
