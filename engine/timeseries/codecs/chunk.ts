// engine/timeseries/codecs/chunk: the column chunk envelope of immutable segments: codec id, counts, min/max, the
// codec's payload and a CRC32C over all of it. Knows nothing of segment files, footers or partitions.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/chunk.test.ts (little-endian):
//   [u8 codec id][u32 value count][u32 null count][16 bytes min/max (chunk-stats.ts)][u32 payload length][payload]
//   [u32 CRC32C of every byte before it]. Payload: symbol and text chunks hold their codec's bytes alone; the others
//   hold [null bitmap (bitmap.ts)][values], where a NULL row's value slot repeats the previous value (or 0).
import type { ColumnKind, ColumnVector } from '../../batch.js'
import { assert, assertNever } from '../../../src/common/assert.js'
import { crc32c } from '../../wal/crc32c.js'
import { countOnes, readBitmap, writeBitmap } from './bitmap.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter } from './byte-writer.js'
import { ChunkCorruptError } from './chunk-corrupt-error.js'
import { CHUNK_STATS_BYTES, computeChunkStats, readChunkStats, writeChunkStats, type ChunkStats, type ChunkStatsKind } from './chunk-stats.js'
import { CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'
import { readDeltaOfDelta, writeDeltaOfDelta } from './delta-of-delta.js'
import { readDictionary, readDictionaryEntries, writeDictionary } from './dictionary.js'
import { readGorilla, writeGorilla } from './gorilla.js'
import { readText, writeText } from './text.js'
import { wordView } from './word-view.js'
import { readZigzagVarint, writeZigzagVarint } from './zigzag-varint.js'

/** Codec ids. Append-only: written to disk in every chunk, pinned by chunk.test.ts. Never reuse a retired id. */
export const CODEC_IDS = {
  deltaOfDelta: 1,
  gorilla: 2,
  zigzagVarint: 3,
  dictionary: 4,
  bitmap: 5,
  text: 6,
} as const

export type CodecName = keyof typeof CODEC_IDS

/** The codec each column kind is written with, and the column kind each codec decodes to. */
export const CODEC_OF_KIND: Readonly<Record<ColumnKind, CodecName>> = {
  timestamp: 'deltaOfDelta', f64: 'gorilla', i64: 'zigzagVarint', symbol: 'dictionary', bool: 'bitmap', text: 'text',
}
const KIND_OF_CODEC: Readonly<Record<CodecName, ColumnKind>> = {
  deltaOfDelta: 'timestamp', gorilla: 'f64', zigzagVarint: 'i64', dictionary: 'symbol', bitmap: 'bool', text: 'text',
}
const STATS_OF_CODEC: Readonly<Record<CodecName, ChunkStatsKind>> = {
  deltaOfDelta: 'f64', gorilla: 'f64', zigzagVarint: 'i64', dictionary: 'none', bitmap: 'f64', text: 'none',
}
// Every codec is written for exactly one column kind, so CODEC_OF_KIND's values name them all.
const CODEC_OF_ID = new Map<number, CodecName>(Object.values(CODEC_OF_KIND).map((name) => [CODEC_IDS[name], name]))

export const CHUNK_HEADER_BYTES = 1 + 4 + 4 + CHUNK_STATS_BYTES + 4
export const CHUNK_CRC_BYTES = 4
const PAYLOAD_LENGTH_AT = CHUNK_HEADER_BYTES - 4

/** What the envelope says about a chunk; its CRC has been verified when a function here returns one. */
export interface ChunkHeader {
  readonly codec: CodecName
  readonly valueCount: number
  readonly nullCount: number
  readonly stats: ChunkStats
  readonly payloadLength: number
  /** Whole chunk, header to CRC: the next chunk starts this many bytes later. */
  readonly byteLength: number
}

export interface DecodedChunk {
  readonly header: ChunkHeader
  /** A fresh vector the caller owns; `nulls` is present only when the chunk has NULLs. */
  readonly vector: ColumnVector
}

/** Appends the chunk of `vector` to `out` (which may already hold earlier chunks). */
export function writeChunk(out: ByteWriter, vector: ColumnVector): void {
  const start = out.length
  const codec = CODEC_OF_KIND[vector.kind]
  const { valueCount, nullCount } = countsOf(vector)
  assert(valueCount <= CHUNK_VALUES_MAX_COUNT, `chunk of ${valueCount} values`)
  out.writeU8(CODEC_IDS[codec])
  out.writeU32(valueCount)
  out.writeU32(nullCount)
  writeChunkStats(out, computeChunkStats(vector))
  out.writeU32(0)
  writePayload(out, vector, nullCount)
  const payloadLength = out.length - start - CHUNK_HEADER_BYTES
  out.patchU32(start + PAYLOAD_LENGTH_AT, payloadLength)
  out.writeU32(crc32c(out.bytes, start, out.length))
}

/** Encodes one chunk into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeChunk(vector: ColumnVector, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeChunk(scratch, vector)
  return scratch.toBytes()
}

function countsOf(vector: ColumnVector): { valueCount: number; nullCount: number } {
  switch (vector.kind) {
    case 'symbol': {
      let nullCount = 0
      for (let i = 0; i < vector.ids.length; i++) if (vector.ids[i] === -1) nullCount++
      return { valueCount: vector.ids.length, nullCount }
    }
    case 'text': {
      let nullCount = 0
      for (let i = 0; i < vector.values.length; i++) if (vector.values[i] === null) nullCount++
      return { valueCount: vector.values.length, nullCount }
    }
    case 'timestamp': case 'f64': case 'i64': case 'bool': {
      const nulls = vector.nulls
      assert(nulls === undefined || nulls.length === vector.values.length, 'null mask length = value count')
      return { valueCount: vector.values.length, nullCount: nulls === undefined ? 0 : countOnes(nulls) }
    }
    default: return assertNever(vector)
  }
}

function writePayload(out: ByteWriter, vector: ColumnVector, nullCount: number): void {
  switch (vector.kind) {
    case 'symbol': return writeDictionary(out, vector.ids, vector.dict)
    case 'text': return writeText(out, vector.values)
    case 'timestamp': case 'f64': case 'i64': case 'bool': break
    default: return assertNever(vector)
  }
  const nulls = vector.nulls
  writeBitmap(out, nulls ?? new Uint8Array(vector.values.length))
  const fill = nullCount > 0 && nulls !== undefined
  switch (vector.kind) {
    case 'timestamp': return writeDeltaOfDelta(out, fill ? filledNumbers(vector.values, nulls) : vector.values)
    case 'f64': return writeGorilla(out, fill ? filledNumbers(vector.values, nulls) : vector.values)
    case 'i64': return writeZigzagVarint(out, fill ? filledInt64s(vector.values, nulls) : vector.values)
    case 'bool': return writeBitmap(out, fill ? filledNumbers(vector.values, nulls) : vector.values)
    default: return assertNever(vector)
  }
}

/**
 * A copy whose NULL slots repeat the previous value (0 at the start): the slot's content is unspecified for readers,
 * and a repeat is the cheapest thing for every codec (one bit in delta-of-delta, XOR and bitmaps).
 */
function filledNumbers<T extends Float64Array | Uint8Array>(values: T, nulls: Uint8Array): T {
  const filled = values.slice() as T
  for (let i = 0; i < filled.length; i++) if (nulls[i] === 1) filled[i] = i === 0 ? 0 : filled[i - 1]!
  return filled
}

function filledInt64s(values: BigInt64Array, nulls: Uint8Array): BigInt64Array {
  const filled = values.slice()
  const words = wordView(filled)
  for (let i = 0; i < filled.length; i++) {
    if (nulls[i] !== 1) continue
    words[2 * i] = i === 0 ? 0 : words[2 * i - 2]!
    words[2 * i + 1] = i === 0 ? 0 : words[2 * i - 1]!
  }
  return filled
}

/** Reads and verifies (lengths, CRC32C) the envelope of the chunk at `offset` without decoding its payload. */
export function readChunkHeader(bytes: Uint8Array, offset = 0): ChunkHeader {
  assert(offset >= 0 && offset <= bytes.length, `chunk offset ${offset} of ${bytes.length}`)
  const available = bytes.length - offset
  if (available < CHUNK_HEADER_BYTES + CHUNK_CRC_BYTES) throw new ChunkCorruptError(offset, `${available} bytes left`)
  const input = new ByteReader(bytes, offset)
  input.pos = offset + PAYLOAD_LENGTH_AT
  const payloadLength = input.readU32()
  if (payloadLength > available - CHUNK_HEADER_BYTES - CHUNK_CRC_BYTES) {
    throw new ChunkCorruptError(offset, `payload length ${payloadLength} with ${available} bytes left`)
  }
  const crcAt = offset + CHUNK_HEADER_BYTES + payloadLength
  input.pos = crcAt
  const stored = input.readU32()
  const computed = crc32c(bytes, offset, crcAt)
  if (stored !== computed) throw new ChunkCorruptError(offset, `crc32c ${stored} != ${computed}`)
  input.pos = offset
  const codecId = input.readU8()
  const codec = CODEC_OF_ID.get(codecId)
  if (codec === undefined) throw new ChunkCorruptError(offset, `unknown codec id ${codecId}`)
  const valueCount = input.readU32AtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  const nullCount = input.readU32AtMost(valueCount, 'null count')
  const stats = readChunkStats(input, STATS_OF_CODEC[codec])
  const byteLength = CHUNK_HEADER_BYTES + payloadLength + CHUNK_CRC_BYTES
  return { codec, valueCount, nullCount, stats, payloadLength, byteLength }
}

/**
 * The counts and min/max of a chunk from its first CHUNK_HEADER_BYTES alone, CRC not checked: lets a scan prune a
 * row group by statistics without reading whole chunks. The caller must check the codec and count against the
 * footer; a chunk that is not pruned is verified in full when it is decoded.
 */
export function peekChunkHeader(bytes: Uint8Array): Pick<ChunkHeader, 'codec' | 'valueCount' | 'nullCount' | 'stats'> {
  if (bytes.length < CHUNK_HEADER_BYTES) throw new ChunkCorruptError(0, `${bytes.length} bytes of chunk header`)
  const input = new ByteReader(bytes, 0, CHUNK_HEADER_BYTES)
  const codecId = input.readU8()
  const codec = CODEC_OF_ID.get(codecId)
  if (codec === undefined) throw new ChunkCorruptError(0, `unknown codec id ${codecId}`)
  const valueCount = input.readU32AtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  const nullCount = input.readU32AtMost(valueCount, 'null count')
  return { codec, valueCount, nullCount, stats: readChunkStats(input, STATS_OF_CODEC[codec]) }
}

/** The dictionary of a verified symbol chunk (header checked by readChunkHeader), without decoding its ids. */
export function peekChunkDictionary(bytes: Uint8Array, header: ChunkHeader): string[] {
  if (header.codec !== 'dictionary') throw new ChunkCorruptError(0, `chunk of codec ${header.codec} has no dictionary`)
  return readDictionaryEntries(new ByteReader(bytes, CHUNK_HEADER_BYTES, CHUNK_HEADER_BYTES + header.payloadLength))
}

/**
 * Verifies and decodes the chunk at `offset`. A CRC mismatch, a bad length or a payload that does not match its
 * header throws ChunkCorruptError; no data is ever returned from a chunk that fails a check.
 */
export function decodeChunk(bytes: Uint8Array, offset = 0): DecodedChunk {
  const header = readChunkHeader(bytes, offset)
  const payloadStart = offset + CHUNK_HEADER_BYTES
  const input = new ByteReader(bytes, payloadStart, payloadStart + header.payloadLength)
  const vector = readPayload(input, header)
  input.expectEnd()
  return { header, vector }
}

function readPayload(input: ByteReader, header: ChunkHeader): ColumnVector {
  const kind = KIND_OF_CODEC[header.codec]
  switch (kind) {
    case 'symbol': {
      const { ids, dict } = readDictionary(input)
      let nullCount = 0
      for (let i = 0; i < ids.length; i++) if (ids[i] === -1) nullCount++
      checkCounts(input, header, ids.length, nullCount)
      return { kind, ids, dict }
    }
    case 'text': {
      const values = readText(input)
      let nullCount = 0
      for (let i = 0; i < values.length; i++) if (values[i] === null) nullCount++
      checkCounts(input, header, values.length, nullCount)
      return { kind, values }
    }
    case 'timestamp': case 'f64': case 'i64': case 'bool': return readNullableValues(input, header, kind)
    default: return assertNever(kind)
  }
}

function readNullableValues(
  input: ByteReader, header: ChunkHeader, kind: 'timestamp' | 'f64' | 'i64' | 'bool',
): ColumnVector {
  const nulls = readBitmap(input, header.valueCount)
  const nullCount = countOnes(nulls)
  let vector: ColumnVector
  switch (kind) {
    case 'timestamp': vector = { kind, values: readDeltaOfDelta(input) }; break
    case 'f64': vector = { kind, values: readGorilla(input) }; break
    case 'i64': vector = { kind, values: readZigzagVarint(input) }; break
    case 'bool': vector = { kind, values: readBitmap(input, header.valueCount) }; break
    default: return assertNever(kind)
  }
  checkCounts(input, header, vector.values.length, nullCount)
  return nullCount === 0 ? vector : { ...vector, nulls }
}

function checkCounts(input: ByteReader, header: ChunkHeader, valueCount: number, nullCount: number): void {
  if (valueCount !== header.valueCount || nullCount !== header.nullCount) {
    input.fail(`payload holds ${valueCount} values, ${nullCount} null; header says ${header.valueCount}, ${header.nullCount}`)
  }
}
