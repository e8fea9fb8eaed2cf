// bench/micro/segment-bytes: bytes on disk per column of a data dir's segments, for measuring codecs. Reads every
// segment the manifest lists (footers and chunk headers, CRC-checked), sums chunk bytes per column and codec mode,
// and reports bytes per row; with --decode, also the CPU µs to decode each column's chunks (median of 5 passes).
// Load the data first, e.g. node dist/bench/micro/tsbs-nodedb.js DIR --hosts 100 --hours 24 --runs 1 (it
// CHECKPOINTs), then: node dist/bench/micro/segment-bytes.js DIR [--decode]
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { decodeChunk, readChunkHeader, CHUNK_HEADER_BYTES } from '../../engine/timeseries/codecs/chunk.js'
import { SEGMENT_HEADER_BYTES, SEGMENT_TRAILER_BYTES } from '../../engine/timeseries/segment-format.js'
import { decodeSegmentFooter, decodeSegmentHeader, decodeSegmentTrailer } from '../../engine/timeseries/segment-reader.js'

interface ColumnTotals { bytes: number; chunks: number; modes: Map<string, number>; decodeUs: number }

interface CatalogFile { tables: Array<{ id: number; columns: Array<{ name: string }> }> }

/** The chunk's codec and payload mode byte (the first byte of the values after a null bitmap, or of the payload). */
function modeOf(bytes: Uint8Array, codec: string, valueCount: number): string {
  const bitmapBytes = codec === 'dictionary' || codec === 'text' ? 0 : bitmapLength(bytes, valueCount)
  return `${codec}/${bytes[CHUNK_HEADER_BYTES + bitmapBytes] ?? '-'}`
}

/** Bytes of the null bitmap at the start of a numeric payload (bitmap.ts: [u8 kind], then packed bytes for kind 1). */
function bitmapLength(bytes: Uint8Array, valueCount: number): number {
  return bytes[CHUNK_HEADER_BYTES] === 1 ? 1 + Math.ceil(valueCount / 8) : 1
}

function decodeMicros(bytes: Uint8Array): number {
  const times: number[] = []
  for (let pass = 0; pass < 5; pass++) {
    const started = process.cpuUsage()
    decodeChunk(bytes, 0)
    const used = process.cpuUsage(started)
    times.push(used.user + used.system)
  }
  return times.sort((a, b) => a - b)[2]!
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { decode: { type: 'boolean', default: false } } })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: segment-bytes DIR [--decode]')
  const catalog = JSON.parse(await fs.promises.readFile(path.join(dir, 'catalog.json'), 'utf8')) as CatalogFile
  const files = (await fs.promises.readdir(path.join(dir, 'segments'))).filter((name) => name.endsWith('.seg'))
  const totals = new Map<string, ColumnTotals>()
  let rows = 0
  let fileBytes = 0
  let overheadBytes = 0
  for (const name of files) {
    const file = path.join(dir, 'segments', name)
    const bytes = new Uint8Array(await fs.promises.readFile(file))
    fileBytes += bytes.length
    const header = decodeSegmentHeader(file, bytes)
    const trailer = decodeSegmentTrailer(file, bytes.subarray(bytes.length - SEGMENT_TRAILER_BYTES), bytes.length)
    const footerAt = bytes.length - SEGMENT_TRAILER_BYTES - trailer.length
    const footer = decodeSegmentFooter(file, bytes.subarray(footerAt, bytes.length - SEGMENT_TRAILER_BYTES), trailer.crc, header.columnCount, bytes.length)
    overheadBytes += SEGMENT_HEADER_BYTES + SEGMENT_TRAILER_BYTES + trailer.length
    const columns = catalog.tables.find((table) => table.id === header.tableId)?.columns ?? []
    for (const group of footer.rowGroups) {
      rows += group.rowCount
      group.chunks.forEach((location, c) => {
        const chunk = bytes.subarray(location.offset, location.offset + location.length)
        const chunkHeader = readChunkHeader(chunk, 0)
        const column = columns[c]?.name ?? `column${c}`
        const entry = totals.get(column) ?? { bytes: 0, chunks: 0, modes: new Map<string, number>(), decodeUs: 0 }
        entry.bytes += location.length
        entry.chunks++
        const mode = modeOf(chunk, chunkHeader.codec, chunkHeader.valueCount)
        entry.modes.set(mode, (entry.modes.get(mode) ?? 0) + 1)
        if (values.decode) entry.decodeUs += decodeMicros(chunk)
        totals.set(column, entry)
      })
    }
  }
  process.stdout.write(`${files.length} segments, ${rows} rows, ${fileBytes} bytes: ${(fileBytes / rows).toFixed(3)} bytes/row ` +
    `(${(fileBytes / 2 ** 20).toFixed(2)} MiB; headers, footers and trailers ${(overheadBytes / rows).toFixed(3)} bytes/row)\n`)
  for (const [column, entry] of totals) {
    const modes = [...entry.modes].map(([mode, count]) => `${mode}×${count}`).join(' ')
    const decode = values.decode ? `  decode ${(entry.decodeUs / entry.chunks).toFixed(0).padStart(6)} µs/chunk` : ''
    process.stdout.write(`${column.padEnd(22)} ${(entry.bytes / rows).toFixed(3).padStart(7)} bytes/row  ` +
      `${(entry.bytes / entry.chunks).toFixed(0).padStart(8)} bytes/chunk${decode}  ${modes}\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
