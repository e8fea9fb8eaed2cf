// bench/micro/segment-chunks: every chunk of a data dir's segments, for the codec benches. Reads each segment the
// segments directory holds (header, trailer and footer CRC-checked) and yields each row group's chunks with their
// column's name; chunk envelopes are not checked here (decodeChunk and readChunkHeader do that).
import fs from 'node:fs'
import path from 'node:path'
import { SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES } from '../../engine/timeseries/segment-format.js'
import { decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer } from '../../engine/timeseries/segment-reader.js'

interface CatalogFile { tables: Array<{ id: number; columns: Array<{ name: string }> }> }

export interface SegmentChunk { readonly column: string; readonly bytes: Uint8Array; readonly rowCount: number }

export interface SegmentFile {
  readonly name: string
  readonly byteLength: number
  /** Header, trailer and footer bytes. */
  readonly overheadBytes: number
  readonly chunks: SegmentChunk[]
}

/** The segment files of `dir` (a data dir after a CHECKPOINT), in directory order, each with its chunks. */
export async function* segmentFiles(dir: string): AsyncGenerator<SegmentFile> {
  const catalog = JSON.parse(await fs.promises.readFile(path.join(dir, 'catalog.json'), 'utf8')) as CatalogFile
  const names = (await fs.promises.readdir(path.join(dir, 'segments'))).filter((name) => name.endsWith('.seg'))
  for (const name of names) {
    const file = path.join(dir, 'segments', name)
    const bytes = new Uint8Array(await fs.promises.readFile(file))
    const header = decodeSegmentHeader(file, bytes)
    const trailer = decodeSegmentTrailer(file, bytes.subarray(bytes.length - SEGMENT_TRAILER_BYTES), bytes.length)
    const footerAt = bytes.length - SEGMENT_TRAILER_BYTES - trailer.length
    const footer = decodeSegmentFooter(file, bytes.subarray(footerAt, bytes.length - SEGMENT_TRAILER_BYTES), trailer.crc, header.columnCount, bytes.length)
    const columns = catalog.tables.find((table) => table.id === header.tableId)?.columns ?? []
    const chunks: SegmentChunk[] = []
    for (const group of footer.rowGroups) {
      group.chunks.forEach((location, c) => {
        chunks.push({
          column: columns[c]?.name ?? `column${c}`,
          bytes: bytes.subarray(location.offset, location.offset + location.length),
          rowCount: group.rowCount,
        })
      })
    }
    yield { name, byteLength: bytes.length, overheadBytes: SEGMENT_HEADER_BYTES + SEGMENT_TRAILER_BYTES + trailer.length, chunks }
  }
}
