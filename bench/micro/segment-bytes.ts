// bench/micro/segment-bytes: bytes on disk per column of a data dir's segments, for measuring codecs. Reads every
// segment the manifest lists (footers and chunk headers, CRC-checked), sums chunk bytes per column and codec mode,
// and reports bytes per row; with --decode, also the CPU µs to decode each column's chunks (median of 5 passes).
// Load the data first, e.g. node dist/bench/micro/tsbs-nodedb.js DIR --hosts 100 --hours 24 --runs 1 (it
// CHECKPOINTs), then: node dist/bench/micro/segment-bytes.js DIR [--decode]
import { parseArgs } from 'node:util'
import { decodeChunk, readChunkHeader, CHUNK_HEADER_BYTES } from '../../engine/timeseries/codecs/chunk.js'
import { segmentFiles } from './segment-chunks.js'

interface ColumnTotals { bytes: number; chunks: number; modes: Map<string, number>; decodeUs: number }

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
  const totals = new Map<string, ColumnTotals>()
  let files = 0
  let rows = 0
  let fileBytes = 0
  let overheadBytes = 0
  for await (const segment of segmentFiles(dir)) {
    files++
    fileBytes += segment.byteLength
    overheadBytes += segment.overheadBytes
    for (const { column, bytes: chunk, rowCount } of segment.chunks) {
      if (column === segment.chunks[0]!.column) rows += rowCount
      const chunkHeader = readChunkHeader(chunk, 0)
      const entry = totals.get(column) ?? { bytes: 0, chunks: 0, modes: new Map<string, number>(), decodeUs: 0 }
      entry.bytes += chunk.length
      entry.chunks++
      const mode = modeOf(chunk, chunkHeader.codec, chunkHeader.valueCount)
      entry.modes.set(mode, (entry.modes.get(mode) ?? 0) + 1)
      if (values.decode) entry.decodeUs += decodeMicros(chunk)
      totals.set(column, entry)
    }
  }
  process.stdout.write(`${files} segments, ${rows} rows, ${fileBytes} bytes: ${(fileBytes / rows).toFixed(3)} bytes/row ` +
    `(${(fileBytes / 2 ** 20).toFixed(2)} MiB; headers, footers and trailers ${(overheadBytes / rows).toFixed(3)} bytes/row)\n`)
  for (const [column, entry] of totals) {
    const modes = [...entry.modes].map(([mode, count]) => `${mode}×${count}`).join(' ')
    const decode = values.decode ? `  decode ${(entry.decodeUs / entry.chunks).toFixed(0).padStart(6)} µs/chunk` : ''
    process.stdout.write(`${column.padEnd(22)} ${(entry.bytes / rows).toFixed(3).padStart(7)} bytes/row  ` +
      `${(entry.bytes / entry.chunks).toFixed(0).padStart(8)} bytes/chunk${decode}  ${modes}\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
