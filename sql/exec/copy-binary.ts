// sql/exec/copy-binary: COPY's binary format, bytes → tuples of raw field bytes, as PostgreSQL 15's CopyReadBinary
// reads them: the 11-byte signature, flags and header extension, then per tuple an int16 field count and per field
// an int32 length (-1 = NULL) and the bytes; a field count of -1 is the trailer, and nothing may follow it.
// Input arrives in arbitrary chunks; an incomplete tuple waits (copied) for the next one.
import { badCopyFileFormat } from '../../src/common/errors.js'

/** One tuple: its fields' bytes (views valid only during the call) and its 1-based tuple number. */
export type TupleHandler = (fields: ReadonlyArray<Uint8Array | null>, line: number) => void

export const COPY_BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')
const OIDS_FLAG = 1 << 16

export class CopyBinaryParser {
  private held: Buffer = Buffer.alloc(0)
  /** The header is read before PostgreSQL's error context is set up: its errors carry no CONTEXT. */
  isHeaderRead = false
  private isTrailerSeen = false
  private tupleCount = 0

  constructor(private readonly columnCount: number, private readonly onTuple: TupleHandler) {}

  get line(): number {
    return this.tupleCount + 1
  }

  get heldBytes(): number {
    return this.held.length
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    if (this.isTrailerSeen) throw badCopyFileFormat('received copy data after EOF marker')
    const bytes = this.held.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.held, chunk])
    let pos = 0
    if (!this.isHeaderRead) {
      const end = this.readHeader(bytes)
      if (end < 0) {
        this.held = Buffer.from(bytes)
        return
      }
      pos = end
    }
    while (pos < bytes.length) {
      const next = this.readTuple(bytes, pos)
      if (next < 0) break
      pos = next
      if (this.isTrailerSeen && pos < bytes.length) throw badCopyFileFormat('received copy data after EOF marker')
    }
    this.held = Buffer.from(bytes.subarray(pos)) // a copy: the chunk may be a view into a socket buffer
  }

  /** CopyDone: a partial header or tuple left over is an unexpected end of data. */
  end(): void {
    if (!this.isHeaderRead) throw badCopyFileFormat('COPY file signature not recognized')
    if (this.held.length > 0) {
      this.failedField = this.cutField(this.held)
      throw badCopyFileFormat('unexpected EOF in COPY data')
    }
  }

  /** Index of the field a tuple cut off by the end of the data was in (its column is named in the CONTEXT). */
  failedField: number | null = null

  private cutField(bytes: Buffer): number | null {
    if (bytes.length < 2) return null
    let at = 2
    for (let field = 0; ; field++) {
      if (bytes.length < at + 4) return field
      const length = bytes.readInt32BE(at)
      at += 4 + Math.max(0, length)
      if (bytes.length < at) return field
    }
  }

  /** The header's end offset, or -1 when it is not complete yet. */
  private readHeader(bytes: Buffer): number {
    const signatureLength = COPY_BINARY_SIGNATURE.length
    const prefix = Math.min(bytes.length, signatureLength)
    if (!bytes.subarray(0, prefix).equals(COPY_BINARY_SIGNATURE.subarray(0, prefix))) throw badCopyFileFormat('COPY file signature not recognized')
    if (bytes.length < signatureLength + 8) return -1
    const flags = bytes.readInt32BE(signatureLength)
    if ((flags & OIDS_FLAG) !== 0) throw badCopyFileFormat('invalid COPY file header (WITH OIDS)')
    if ((flags & ~OIDS_FLAG) >>> 16 !== 0) throw badCopyFileFormat('unrecognized critical flags in COPY file header')
    const extensionLength = bytes.readInt32BE(signatureLength + 4)
    if (extensionLength < 0) throw badCopyFileFormat('invalid COPY file header (missing length)')
    const end = signatureLength + 8 + extensionLength
    if (bytes.length < end) return -1
    this.isHeaderRead = true
    return end
  }

  /** The offset after the tuple at `pos`, or -1 when it is not complete yet. */
  private readTuple(bytes: Buffer, pos: number): number {
    if (bytes.length < pos + 2) return -1
    const fieldCount = bytes.readInt16BE(pos)
    if (fieldCount === -1) {
      this.isTrailerSeen = true
      return pos + 2
    }
    if (fieldCount !== this.columnCount) {
      throw badCopyFileFormat(`row field count is ${fieldCount}, expected ${this.columnCount}`)
    }
    const fields: Array<Uint8Array | null> = []
    let at = pos + 2
    for (let i = 0; i < fieldCount; i++) {
      if (bytes.length < at + 4) return -1
      const length = bytes.readInt32BE(at)
      at += 4
      if (length === -1) {
        fields.push(null)
        continue
      }
      if (length < -1) {
        throw badCopyFileFormat('invalid field size')
      }
      if (bytes.length < at + length) return -1
      fields.push(bytes.subarray(at, at + length))
      at += length
    }
    this.tupleCount++
    this.onTuple(fields, this.tupleCount)
    return at
  }
}
