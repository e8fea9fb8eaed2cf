// bench/micro/segment-decode: CPU ns per value to decode a data dir's segment chunks, by codec and payload mode, for
// before/after measurements of the decoders (run the same file from two builds on the same DIR, alternating). Each
// group's chunks are decoded WARMUP passes first (the JIT settles), then PASSES times; the median pass is reported.
// With --verify, every chunk is also decoded and re-encoded and must give back its own bytes (the encoders are
// deterministic, so this checks each decoded value bit for bit).
// Load the data first: node dist/bench/micro/tsbs-nodedb.js DIR --hosts 100 --hours 24 --runs 1 (it CHECKPOINTs),
// then: node dist/bench/micro/segment-decode.js DIR [--passes 15] [--verify]
import { parseArgs } from 'node:util'
import { CHUNK_HEADER_BYTES, decodeChunk, encodeChunk, readChunkHeader } from '../../engine/timeseries/codecs/chunk.js'
import { segmentFiles } from './segment-chunks.js'

const WARMUP = 3

interface Group { readonly chunks: Uint8Array[]; values: number }

/** codec/mode: the chunk's codec and the first payload byte after a numeric chunk's null bitmap (its codec mode). */
function groupKey(bytes: Uint8Array): string {
  const { codec, valueCount } = readChunkHeader(bytes, 0)
  if (codec === 'dictionary' || codec === 'text') return codec
  const bitmapBytes = bytes[CHUNK_HEADER_BYTES] === 1 ? 1 + Math.ceil(valueCount / 8) : 1
  return `${codec}/${bytes[CHUNK_HEADER_BYTES + bitmapBytes] ?? '-'}`
}

function verify(bytes: Uint8Array): void {
  const again = encodeChunk(decodeChunk(bytes, 0).vector)
  if (Buffer.compare(again, bytes) !== 0) throw new Error(`chunk of ${groupKey(bytes)} re-encodes to other bytes`)
}

/** CPU µs of one pass over the chunks (process CPU: this bench runs nothing else). */
function passMicros(chunks: Uint8Array[]): number {
  const started = process.cpuUsage()
  for (const chunk of chunks) decodeChunk(chunk, 0)
  const used = process.cpuUsage(started)
  return used.user + used.system
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { passes: { type: 'string', default: '15' }, verify: { type: 'boolean', default: false } },
  })
  const dir = positionals[0]
  if (dir === undefined) throw new Error('usage: segment-decode DIR [--passes N] [--verify]')
  const groups = new Map<string, Group>()
  let verified = 0
  for await (const segment of segmentFiles(dir)) {
    for (const { bytes } of segment.chunks) {
      const key = groupKey(bytes)
      const group = groups.get(key) ?? { chunks: [], values: 0 }
      group.chunks.push(bytes)
      group.values += readChunkHeader(bytes, 0).valueCount
      groups.set(key, group)
      if (values.verify) {
        verify(bytes)
        verified++
      }
    }
  }
  if (values.verify) process.stdout.write(`verified ${verified} chunks: each re-encodes to its own bytes\n`)
  const passes = Number(values.passes)
  let totalNs = 0
  let totalValues = 0
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    for (let pass = 0; pass < WARMUP; pass++) passMicros(group.chunks)
    const times = Array.from({ length: passes }, () => passMicros(group.chunks)).sort((a, b) => a - b)
    const median = times[Math.floor(passes / 2)]! * 1000
    totalNs += median
    totalValues += group.values
    process.stdout.write(`${key.padEnd(16)} ${String(group.chunks.length).padStart(6)} chunks ${String(group.values).padStart(9)} values  ` +
      `${(median / group.values).toFixed(2).padStart(7)} ns/value  (min ${(times[0]! * 1000 / group.values).toFixed(2)})\n`)
  }
  process.stdout.write(`all              ${String(totalValues).padStart(23)} values  ${(totalNs / totalValues).toFixed(2).padStart(7)} ns/value\n`)
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
