// engine/wal/ingest-compact: the compact layout of an IngestRecord's payload as the WAL stores it (issue 10: ~138
// bytes per TSBS row in the flat layout, most of a loaded database's disk until a checkpoint). Cheap to encode (one
// pass per column, no entropy coder): floats as decimal-scaled integers, delta to the previous value of the row's
// series, zigzag varints; timestamps delta-of-delta varints; the series-key tag (the symbol column with the most
// dictionary entries) as varint ids and every tag that is a function of it as a map from key id to its id (TSBS: the
// other nine tags cost nothing per row); all-zero null maps as one mode byte. Pure function of the batch, so it may
// run wherever rows are encoded (the event loop, parse or COPY workers). Decoded by ingest-compact-decode.ts.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/ingest-compact.test.ts (integers little-endian, varuint =
// unsigned LEB128, zigzag(n) = n ≥ 0 ? 2n : -2n - 1):
//   header: u8 FLAT_PAYLOAD_MARK, u8 COMPACT_PAYLOAD_VERSION, u16 columnCount, u32 rowCount, varuint key column + 1
//     (0: none); then the key column first, then every other column in table order, each:
//   u8 COLUMN_KIND_CODES[kind], u8 encoding, u8 nulls (0 none, 1 a map of zeros, 2 a bitmap of ceil(rows/8) bytes,
//     bit r%8 of byte r/8 set for NULL, written after the values), then by encoding:
//     RAW (timestamp, f64, i64, bool): the typed array's bytes (bool: u8 per row)
//     DELTA_OF_DELTA (timestamp): f64 first value, then per row varuint zigzag(delta - previous delta), the previous
//       value starting as the first, the previous delta as 0 (every value a safe integer)
//     DECIMAL (f64): u8 d, per row varuint zigzag(k - previous k of the row's series), value = k / 10^d; a row's
//       series is its key column id (+1; 0 for NULL), every series starting at 0; one series when there is no key
//     DECIMAL_PACKED (f64): DECIMAL's zigzags as fixed-width fields with escapes: u8 d, u8 width w (1..24), varuint
//       E, then E bytes: the varuint zigzag of every row whose zigzag is 2^w - 1 or more (an escape), in row order;
//       then every row's field of w bits in ceil(rows * w / 8) bytes, least significant bit first (row r's bit i is
//       bit (r * w + i) % 8 of byte (r * w + i) / 8): its zigzag, or 2^w - 1 for an escape. Written when smaller
//       than DECIMAL (ingest-compact-decimal.ts)
//     SYMBOL_IDS: varuint dictionary entries, each a varuint byte length + UTF-8, then per row varuint (id + 1)
//     SYMBOL_KEYED: the dictionary as SYMBOL_IDS, then varuint m (key dictionary entries + 1), then m varuints:
//       entry j is (id + 1) of every row whose key id + 1 is j
//     TEXT: per row varuint 0 for NULL, else byte length + 1, then the UTF-8
import { assert, assertNever } from '../../src/common/assert.js'
import { COLUMN_KIND_CODES, type ColumnBatch, type ColumnVector } from '../batch.js'
import { putVarUint } from '../timeseries/codecs/byte-writer.js'
import { zigzag } from '../timeseries/codecs/int-buckets.js'
import { putDecimalColumn } from './ingest-compact-decimal.js'
import { FLAT_PAYLOAD_MARK, PayloadCursor } from './ingest-flat.js'

export const COMPACT_PAYLOAD_VERSION = 2
/** Column encodings. Append-only: written to disk. */
export const COMPACT_ENCODINGS = { raw: 0, deltaOfDelta: 1, decimal: 2, symbolIds: 3, symbolKeyed: 4, text: 5, decimalPacked: 6 } as const
/** Null map modes. Append-only: written to disk. */
export const COMPACT_NULLS = { none: 0, zeros: 1, bitmap: 2 } as const
/** A delta-of-delta column's deltas and deltas of deltas stay below this, so every sum and zigzag is exact. */
export const DOD_STEP_MAX = 2 ** 52
const HEADER_BYTES = 8
const VARUINT_BYTES_MAX = 8

/** A bound on the compact payload's length, to size the buffer it is encoded into. */
export function compactPayloadBytesMax(batch: ColumnBatch): number {
  let bytes = HEADER_BYTES + VARUINT_BYTES_MAX
  const rows = batch.rowCount
  let entriesMax = 0
  for (const vector of batch.columns) if (vector.kind === 'symbol') entriesMax = Math.max(entriesMax, vector.dict.length)
  for (const vector of batch.columns) {
    // Descriptor, a first value or decimals and width bytes, a varint (≤ 8 bytes) or raw value per row, the null bitmap.
    bytes += 3 + 8 + 2 + rows * VARUINT_BYTES_MAX + Math.ceil(rows / 8)
    if (vector.kind === 'symbol') {
      // Dictionary and map lengths, a keyed map (the key's entries + 1, ids ≤ 2^31: 5 bytes each), the strings.
      bytes += 2 * VARUINT_BYTES_MAX + (entriesMax + 1) * 5
      for (const entry of vector.dict) bytes += VARUINT_BYTES_MAX + entry.length * 3
    } else if (vector.kind === 'text') {
      for (const value of vector.values) bytes += value === null ? 0 : value.length * 3
    }
  }
  return bytes
}

class CompactWriter extends PayloadCursor {
  u8(value: number): void {
    this.bytes[this.at++] = value
  }

  varUint(value: number): void {
    this.at = putVarUint(this.bytes, this.at, value)
  }

  /** A string as varuint byte length + `bias`, then its UTF-8 (TEXT biases by 1 so that 0 is NULL). */
  string(text: string, bias = 0): void {
    const worst = text.length * 3
    const lengthAt = this.at
    const start = lengthAt + (worst + bias < 0x80 ? 1 : VARUINT_BYTES_MAX)
    const length = this.buffer.write(text, start, 'utf8')
    const end = putVarUint(this.bytes, lengthAt, length + bias)
    if (end !== start) this.bytes.copyWithin(end, start, start + length)
    this.at = end + length
  }

  raw(values: Float64Array | BigInt64Array | Uint8Array): void {
    this.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.at)
    this.at += values.byteLength
  }
}

/** The key column (undefined: none) and each row's series: its id in it (-1 for all rows without one). */
interface Key { readonly vector: (ColumnVector & { kind: 'symbol' }) | undefined; readonly ids: Int32Array; readonly entries: number }

/** The key column: the symbol column with the most dictionary entries whose ids are all in range; -1 if none. */
function keyColumnOf(batch: ColumnBatch): number {
  let key = -1
  let keyEntries = 0
  batch.columns.forEach((vector, c) => {
    if (vector.kind !== 'symbol' || vector.dict.length <= keyEntries) return
    const entries = vector.dict.length
    for (let r = 0; r < batch.rowCount; r++) {
      const id = vector.ids[r]!
      if (id < -1 || id >= entries) return
    }
    key = c
    keyEntries = entries
  })
  return key
}

/** For each key id + 1, the (id + 1) of `ids` on the rows with that key; undefined when `ids` is no function of it. */
function keyedMap(ids: Int32Array, keyIds: Int32Array, keyEntries: number): Int32Array | undefined {
  const map = new Int32Array(keyEntries + 1).fill(-1)
  for (let r = 0; r < ids.length; r++) {
    const slot = keyIds[r]! + 1
    const id = ids[r]! + 1
    const seen = map[slot]!
    if (seen === id) continue
    if (seen !== -1 || id < 0) return undefined
    map[slot] = id
  }
  for (let j = 0; j < map.length; j++) if (map[j] === -1) map[j] = 0
  return map
}

function writeSymbol(out: CompactWriter, vector: ColumnVector & { kind: 'symbol' }, key: Key): void {
  const map = key.vector !== undefined && key.vector !== vector ? keyedMap(vector.ids, key.ids, key.entries) : undefined
  out.u8(map === undefined ? COMPACT_ENCODINGS.symbolIds : COMPACT_ENCODINGS.symbolKeyed)
  out.u8(COMPACT_NULLS.none)
  out.varUint(vector.dict.length)
  for (const entry of vector.dict) out.string(entry)
  const ids = map ?? vector.ids
  if (map !== undefined) out.varUint(map.length)
  const end = putIds(out.bytes, out.at, ids, map === undefined ? 1 : 0)
  assert(end >= 0, 'symbol id below -1')
  out.at = end
}

/** Varuints of `ids` + `bias` at `at`: the offset after them, or -1 for an id below -bias. A whole function: see putDeltaOfDelta. */
function putIds(bytes: Uint8Array, at: number, ids: Int32Array, bias: number): number {
  let next = at
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]! + bias
    if (id < 0) return -1
    if (id < 0x80) bytes[next++] = id
    else next = putVarUint(bytes, next, id)
  }
  return next
}

/**
 * Delta-of-delta varints of integer-valued `values` at `at` (after the first value); answers the offset after them,
 * or -1 when a value is not such an integer. Hot loops take and answer plain numbers and typed arrays, so V8
 * optimizes them as whole functions (a loop inside a larger one ran on-stack-replaced code that deoptimized on exit).
 */
function putDeltaOfDelta(bytes: Uint8Array, at: number, values: Float64Array): number {
  let next = at
  let previous = values[0]!
  let previousDelta = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    const delta = value - previous
    const deltaOfDelta = delta - previousDelta
    if (!Number.isSafeInteger(value) || Math.abs(delta) >= DOD_STEP_MAX || Math.abs(deltaOfDelta) >= DOD_STEP_MAX ||
        (value === 0 && 1 / value < 0)) return -1
    const zigzagged = zigzag(deltaOfDelta)
    if (zigzagged < 0x80) bytes[next++] = zigzagged
    else next = putVarUint(bytes, next, zigzagged)
    previous = value
    previousDelta = delta
  }
  return next
}

function writeFloats(out: CompactWriter, vector: ColumnVector & { kind: 'timestamp' | 'f64' }, series: Int32Array, seriesCount: number): void {
  const encodingAt = out.at
  out.u8(COMPACT_ENCODINGS.raw)
  out.u8(COMPACT_NULLS.none)
  const values = vector.values
  if (vector.kind === 'timestamp') {
    out.view.setFloat64(out.at, values.length === 0 ? 0 : values[0]!, true)
    const end = putDeltaOfDelta(out.bytes, out.at + 8, values)
    if (end >= 0) {
      out.bytes[encodingAt] = COMPACT_ENCODINGS.deltaOfDelta
      out.at = end
      return
    }
  } else {
    const written = putDecimalColumn(out.bytes, out.at, values, series, seriesCount, COMPACT_ENCODINGS)
    if (written !== null) {
      out.bytes[encodingAt] = written.encoding
      out.at = written.end
      return
    }
  }
  out.raw(values)
}

/** Sets bit r of `bytes` from `at` for every null row r (the bytes must be zero); answers whether any was. */
function putNullBits(bytes: Uint8Array, at: number, nulls: Uint8Array): boolean {
  let any = 0
  for (let r = 0; r < nulls.length; r++) {
    const isNull = nulls[r] === 1 ? 1 : 0
    bytes[at + (r >>> 3)] |= isNull << (r & 7)
    any |= isNull
  }
  return any !== 0
}

/** Whether any byte of `bytes` is not 0: a word at a time where aligned (ILP's and COPY's maps are mostly all 0). */
export function anyNonZero(bytes: Uint8Array): boolean {
  const words = bytes.byteOffset % 4 === 0 ? bytes.length >>> 2 : 0
  if (words > 0 && orOfWords(new Int32Array(bytes.buffer, bytes.byteOffset, words)) !== 0) return true
  for (let i = words * 4; i < bytes.length; i++) if (bytes[i] !== 0) return true
  return false
}

function orOfWords(words: Int32Array): number {
  let any = 0
  for (let i = 0; i < words.length; i++) any |= words[i]!
  return any
}

function writeNulls(out: CompactWriter, nulls: Uint8Array | undefined, modeAt: number): void {
  if (nulls === undefined) return
  if (!anyNonZero(nulls)) {
    out.bytes[modeAt] = COMPACT_NULLS.zeros
    return
  }
  const byteCount = Math.ceil(nulls.length / 8)
  out.bytes.fill(0, out.at, out.at + byteCount)
  if (!putNullBits(out.bytes, out.at, nulls)) {
    out.bytes[modeAt] = COMPACT_NULLS.zeros
    return
  }
  out.bytes[modeAt] = COMPACT_NULLS.bitmap
  out.at += byteCount
}

function writeColumn(out: CompactWriter, vector: ColumnVector, key: Key): void {
  out.u8(COLUMN_KIND_CODES[vector.kind])
  const modeAt = out.at + 1
  switch (vector.kind) {
    case 'timestamp': case 'f64':
      writeFloats(out, vector, key.ids, key.entries)
      return writeNulls(out, vector.nulls, modeAt)
    case 'i64': case 'bool':
      out.u8(COMPACT_ENCODINGS.raw)
      out.u8(COMPACT_NULLS.none)
      out.raw(vector.values)
      return writeNulls(out, vector.nulls, modeAt)
    case 'symbol': return writeSymbol(out, vector, key)
    case 'text':
      out.u8(COMPACT_ENCODINGS.text)
      out.u8(COMPACT_NULLS.none)
      for (const value of vector.values) {
        if (value === null) out.u8(0)
        else out.string(value, 1)
      }
      return
    default: return assertNever(vector)
  }
}

/**
 * Encodes `batch` into `into` (at least compactPayloadBytesMax(batch) long); answers the view of `into` it filled.
 * The batch must be valid for its table (validateBatch): a symbol id outside its dictionary fails an assertion.
 */
export function encodeCompactPayload(batch: ColumnBatch, into: Uint8Array): Uint8Array {
  assert(batch.columns.length <= 0xffff, `${batch.columns.length} columns`)
  const out = new CompactWriter(into)
  out.u8(FLAT_PAYLOAD_MARK)
  out.u8(COMPACT_PAYLOAD_VERSION)
  out.view.setUint16(2, batch.columns.length, true)
  out.view.setUint32(4, batch.rowCount, true)
  out.at = HEADER_BYTES
  const keyIndex = keyColumnOf(batch)
  const vector = batch.columns[keyIndex]
  const key: Key = vector?.kind === 'symbol'
    ? { vector, ids: vector.ids, entries: vector.dict.length }
    : { vector: undefined, ids: new Int32Array(batch.rowCount).fill(-1), entries: 0 }
  out.varUint(keyIndex + 1)
  if (key.vector !== undefined) writeColumn(out, key.vector, key)
  batch.columns.forEach((column, c) => { if (c !== keyIndex) writeColumn(out, column, key) })
  assert(out.at <= into.length, `compact payload wrote ${out.at} of ${into.length} bytes`)
  return into.subarray(0, out.at)
}
