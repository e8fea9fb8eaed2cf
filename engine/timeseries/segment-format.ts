// engine/timeseries/segment-format: the byte layout of an immutable segment file — header, trailer and footer index —
// shared by segment-writer.ts (on a core) and segment-reader.ts. Knows nothing of files, scans or manifests.
// ON-DISK FORMAT v2, append-only; pinned by test/unit/engine/segment.test.ts ("pins the layout"). Little-endian. v2 has
// v1's layout; its chunks may use codec modes v1 readers lack (gorilla mode 2, delta-of-delta mode 3), so an older
// build refuses the file by its version instead of failing on a chunk. v1 files are read as before
// (test/integration/segment-format-compat.test.ts opens a data directory a v1 build wrote).
//   header  [8 bytes magic "NDBSEG\0\x01"][u32 version][u32 tableId][u32 vShard][u32 columnCount][f64 partitionStartUs]
//           [u32 crc32c of the 32 bytes before it]                                                    (36 bytes)
//   chunks  row group 0: one codecs/chunk.ts chunk per column (catalog order), then row group 1, ...
//   footer  [u32 rowGroupCount][u8 ColumnKind code × columnCount]
//           per row group: [u32 rowCount][f64 minUs][f64 maxUs] then per column: [f64 byte offset][u32 byte length]
//   trailer [u32 footer length][u32 crc32c of the footer][8 bytes magic]                              (16 bytes)
import { assert } from '../../src/common/assert.js'
import { COLUMN_KIND_CODES, type ColumnKind } from '../batch.js'
import type { ByteReader } from './codecs/byte-reader.js'
import type { ByteWriter } from './codecs/byte-writer.js'

/** Written in new files; bumped whenever a file may hold what older readers cannot read. Pinned by segment.test.ts. */
export const SEGMENT_FORMAT_VERSION = 2
/** Versions this build reads; anything else is refused as Corrupt. */
export const SEGMENT_FORMAT_VERSIONS_READ: ReadonlySet<number> = new Set([1, 2])
export const SEGMENT_MAGIC = Uint8Array.from([0x4e, 0x44, 0x42, 0x53, 0x45, 0x47, 0x00, 0x01])
export const SEGMENT_HEADER_BYTES = 36
export const SEGMENT_TRAILER_BYTES = 16

export interface SegmentHeader {
  readonly version: number
  readonly tableId: number
  readonly vShard: number
  readonly columnCount: number
  readonly partitionStartUs: number
}

export interface ChunkLocation {
  readonly offset: number
  readonly length: number
}

export interface RowGroupIndex {
  readonly rowCount: number
  readonly minUs: number
  readonly maxUs: number
  /** One per column of the segment, in catalog order. */
  readonly chunks: ReadonlyArray<ChunkLocation>
}

export interface SegmentFooter {
  readonly kinds: ReadonlyArray<ColumnKind>
  readonly rowGroups: ReadonlyArray<RowGroupIndex>
}

const KIND_OF_CODE = new Map<number, ColumnKind>(
  Object.entries(COLUMN_KIND_CODES).map(([kind, code]) => [code, kind as ColumnKind]))

export function writeFooter(out: ByteWriter, footer: SegmentFooter): void {
  out.writeU32(footer.rowGroups.length)
  for (const kind of footer.kinds) out.writeU8(COLUMN_KIND_CODES[kind])
  for (const group of footer.rowGroups) {
    assert(group.chunks.length === footer.kinds.length, 'one chunk per column per row group')
    out.writeU32(group.rowCount)
    out.writeF64(group.minUs)
    out.writeF64(group.maxUs)
    for (const chunk of group.chunks) {
      out.writeF64(chunk.offset)
      out.writeU32(chunk.length)
    }
  }
}

/** Reads a footer whose CRC has been checked; throws (via the reader's fail) when a field is out of range. */
export function readFooter(input: ByteReader, columnCount: number, fileBytes: number): SegmentFooter {
  const groupCount = input.readU32()
  const perGroup = 20 + 12 * columnCount
  if (groupCount * perGroup !== input.remaining - columnCount) input.fail(`footer of ${groupCount} row groups`)
  const kinds: ColumnKind[] = []
  for (let c = 0; c < columnCount; c++) {
    const kind = KIND_OF_CODE.get(input.readU8())
    if (kind === undefined) input.fail(`unknown column kind code in column ${c}`)
    kinds.push(kind)
  }
  const rowGroups: RowGroupIndex[] = []
  for (let g = 0; g < groupCount; g++) {
    const rowCount = input.readU32()
    const minUs = input.readF64()
    const maxUs = input.readF64()
    const chunks: ChunkLocation[] = []
    for (let c = 0; c < columnCount; c++) {
      const offset = input.readF64()
      const length = input.readU32()
      if (!Number.isSafeInteger(offset) || offset < SEGMENT_HEADER_BYTES || offset + length > fileBytes) {
        input.fail(`chunk ${c} of row group ${g} at ${offset} (+${length}) is outside the file`)
      }
      chunks.push({ offset, length })
    }
    rowGroups.push({ rowCount, minUs, maxUs, chunks })
  }
  return { kinds, rowGroups }
}

export function writeHeader(out: ByteWriter, header: SegmentHeader, crc: (bytes: Uint8Array, from: number, to: number) => number): void {
  const start = out.length
  out.writeBytes(SEGMENT_MAGIC)
  out.writeU32(header.version)
  out.writeU32(header.tableId)
  out.writeU32(header.vShard)
  out.writeU32(header.columnCount)
  out.writeF64(header.partitionStartUs)
  out.writeU32(crc(out.bytes, start, out.length))
  assert(out.length - start === SEGMENT_HEADER_BYTES, 'header size')
}

export function hasMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (bytes[at + i] !== SEGMENT_MAGIC[i]) return false
  return true
}
