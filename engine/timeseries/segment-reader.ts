// engine/timeseries/segment-reader: verifies and decodes the parts of a segment file — header, footer (on the control
// thread, a few hundred bytes) and column chunks (on a core). Any failed check is EngineFailure 'Corrupt' naming the
// file and byte offset; no value of a failed chunk is ever returned. Knows nothing of files' I/O, manifests or SQL.
import { EngineFailureError } from '../api.js'
import type { FileHandleLike } from '../io/file-system.js'
import { exprColumns } from '../expr.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { ColumnKind, ColumnVector } from '../batch.js'
import { crc32c } from '../wal/crc32c.js'
import { ByteReader } from './codecs/byte-reader.js'
import { decodeChunk } from './codecs/chunk.js'
import { ChunkCorruptError } from './codecs/chunk-corrupt-error.js'
import {
  SEGMENT_FORMAT_VERSIONS_READ, SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES, hasMagic, readFooter, type SegmentFooter,
  type SegmentHeader,
} from './segment-format.js'

export function corruptSegment(file: string, offset: number, reason: string): EngineFailureError {
  return new EngineFailureError({ kind: 'Corrupt', detail: `corrupt segment ${file} at byte ${offset}: ${reason}` })
}

/** Runs a decoder over bytes that start at `base` in `file`, turning its ChunkCorruptError into 'Corrupt'. */
function guarded<T>(file: string, base: number, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof ChunkCorruptError) throw corruptSegment(file, base + error.offset, error.message)
    throw error
  }
}

export function decodeSegmentHeader(file: string, bytes: Uint8Array): SegmentHeader {
  if (bytes.length < SEGMENT_HEADER_BYTES || !hasMagic(bytes, 0)) throw corruptSegment(file, 0, 'bad header magic')
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(32, true)
  if (stored !== crc32c(bytes, 0, 32)) throw corruptSegment(file, 0, 'header crc32c mismatch')
  return guarded(file, 0, () => {
    const input = new ByteReader(bytes, 8, 32)
    const header = {
      version: input.readU32(), tableId: input.readU32(), vShard: input.readU32(), columnCount: input.readU32(),
      partitionStartUs: input.readF64(),
    }
    if (!SEGMENT_FORMAT_VERSIONS_READ.has(header.version)) input.failAt(8, `unknown segment version ${header.version}`)
    return header
  })
}

/** The footer's length, read from the 16-byte trailer at the end of a file of `fileBytes` bytes. */
export function decodeSegmentTrailer(file: string, trailer: Uint8Array, fileBytes: number): { length: number; crc: number } {
  const at = fileBytes - SEGMENT_TRAILER_BYTES
  if (trailer.length !== SEGMENT_TRAILER_BYTES || !hasMagic(trailer, 8)) throw corruptSegment(file, at, 'bad trailer magic')
  const view = new DataView(trailer.buffer, trailer.byteOffset, trailer.length)
  const length = view.getUint32(0, true)
  if (length > fileBytes - SEGMENT_HEADER_BYTES - SEGMENT_TRAILER_BYTES) {
    throw corruptSegment(file, at, `footer length ${length} in a file of ${fileBytes} bytes`)
  }
  return { length, crc: view.getUint32(4, true) }
}

export function decodeSegmentFooter(
  file: string, footer: Uint8Array, crc: number, columnCount: number, fileBytes: number,
): SegmentFooter {
  const at = fileBytes - SEGMENT_TRAILER_BYTES - footer.length
  if (crc32c(footer) !== crc) throw corruptSegment(file, at, 'footer crc32c mismatch')
  return guarded(file, at, () => readFooter(new ByteReader(footer), columnCount, fileBytes))
}

/** Decodes one chunk read from `offset` of `file`, checking its CRC, kind and value count. */
export function decodeSegmentChunk(
  file: string, offset: number, bytes: Uint8Array, kind: ColumnKind, rowCount: number,
): ColumnVector {
  const { header, vector } = guarded(file, offset, () => decodeChunk(bytes, 0))
  if (vector.kind !== kind) throw corruptSegment(file, offset, `chunk holds ${vector.kind}, column is ${kind}`)
  if (header.valueCount !== rowCount) {
    throw corruptSegment(file, offset, `chunk holds ${header.valueCount} values, row group ${rowCount}`)
  }
  return vector
}

/** Reads exactly `length` bytes at `offset`; a file that ends first is Corrupt naming it. */
export async function readExactly(handle: FileHandleLike, file: string, offset: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const chunk = bytes.subarray(done)
    const read = await handle.read(chunk, offset + done)
    if (read === 0) throw corruptSegment(file, offset + done, `file ends before byte ${offset + length}`)
    done += read
  }
  return bytes
}

/** Columns a scan reads: projection, filters, aggregates, group keys and the designated timestamp. */
export function neededColumns(schema: TableSchema, op: ScanOp): number[] {
  const columns = new Set<number>([schema.timestampIndex, ...op.projection, ...op.filters.map((filter) => filter.column)])
  for (const spec of op.aggregates) {
    if (spec.column !== null) columns.add(spec.column)
    if (spec.filter !== undefined && spec.filter !== null) for (const column of exprColumns(spec.filter.expr)) columns.add(column)
  }
  for (const key of op.groupBy) columns.add(key.column)
  if (op.where !== undefined && op.where !== null) for (const column of exprColumns(op.where.expr)) columns.add(column)
  return [...columns].sort((a, b) => a - b)
}
