// engine/timeseries/codecs/byte-reader: bounds-checked little-endian reads over stored bytes.
// Knows nothing of any codec's format. Every failed check throws ChunkCorruptError: stored bytes are input, not code.
import { assert } from '../../../src/common/assert.js'
import { ChunkCorruptError } from './chunk-corrupt-error.js'

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Reads bytes[pos, end). Offsets in errors are offsets into `bytes`, so they point at the file's bytes. */
export class ByteReader {
  readonly bytes: Uint8Array
  pos: number
  readonly end: number
  private readonly data: DataView

  constructor(bytes: Uint8Array, from = 0, to = bytes.length) {
    assert(from >= 0 && from <= to && to <= bytes.length, `reader range [${from}, ${to}) of ${bytes.length}`)
    this.bytes = bytes
    this.pos = from
    this.end = to
    this.data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.end - this.pos
  }

  /** Throws unless `count` more bytes are available. */
  need(count: number): void {
    if (count > this.end - this.pos) this.fail(`need ${count} bytes, ${this.end - this.pos} left`)
  }

  fail(reason: string): never {
    throw new ChunkCorruptError(this.pos, reason)
  }

  /** Throws with the offset of an earlier field (e.g. the mode byte that turned out unknown). */
  failAt(offset: number, reason: string): never {
    throw new ChunkCorruptError(offset, reason)
  }

  /** Decoders of whole payloads call this: bytes left over mean the payload is not what was written. */
  expectEnd(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} trailing bytes`)
  }

  readU8(): number {
    if (this.pos >= this.end) this.fail('unexpected end')
    return this.bytes[this.pos++]!
  }

  readU32(): number {
    this.need(4)
    const value = this.data.getUint32(this.pos, true)
    this.pos += 4
    return value
  }

  /** A u32 that must lie in [0, max]; `what` names it in the error. */
  readU32AtMost(max: number, what: string): number {
    const at = this.pos
    const value = this.readU32()
    if (value > max) throw new ChunkCorruptError(at, `${what} ${value} above ${max}`)
    return value
  }

  readF64(): number {
    this.need(8)
    const value = this.data.getFloat64(this.pos, true)
    this.pos += 8
    return value
  }

  readI64(): bigint {
    this.need(8)
    const value = this.data.getBigInt64(this.pos, true)
    this.pos += 8
    return value
  }

  /** Unsigned LEB128 as written by ByteWriter.writeVarUint; anything past 2^53 is corrupt. */
  readVarUint(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const byte = this.readU8()
      value += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) this.fail(`varuint ${value} beyond 2^53`)
        return value
      }
      scale *= 128
    }
    return this.fail('varuint longer than 8 bytes')
  }

  /** A varuint that must lie in [0, max]; `what` names it in the error. */
  readVarUintAtMost(max: number, what: string): number {
    const at = this.pos
    const value = this.readVarUint()
    if (value > max) throw new ChunkCorruptError(at, `${what} ${value} above ${max}`)
    return value
  }

  /** A view (not a copy) of the next `count` bytes. */
  readBytes(count: number): Uint8Array {
    this.need(count)
    const view = this.bytes.subarray(this.pos, this.pos + count)
    this.pos += count
    return view
  }

  /** A string written by ByteWriter.writeString; invalid UTF-8 is corrupt. */
  readString(): string {
    const length = this.readVarUintAtMost(this.remaining, 'string length')
    const at = this.pos
    const view = this.readBytes(length)
    try {
      return TEXT_DECODER.decode(view)
    } catch (error: unknown) {
      throw new ChunkCorruptError(at, `invalid UTF-8 (${error instanceof Error ? error.message : String(error)})`)
    }
  }
}
