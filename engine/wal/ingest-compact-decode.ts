// engine/wal/ingest-compact-decode: decodes the compact IngestRecord payload (layout in ingest-compact.ts) back into
// the batch it was encoded from, bit for bit, or answers undefined for bytes that do not hold one (the caller reports
// corruption). Runs where WAL records are applied: the cores (replay, catch-up) and sync's cloud side.
import { assertNever } from '../../src/common/assert.js'
import { COLUMN_KIND_CODES, type ColumnBatch, type ColumnKind, type ColumnVector } from '../batch.js'
import { ByteReader } from '../timeseries/codecs/byte-reader.js'
import { ChunkCorruptError } from '../timeseries/codecs/chunk-corrupt-error.js'
import { DECIMALS_MAX, POWERS_OF_TEN } from '../timeseries/codecs/decimal-floats.js'
import { unzigzag } from '../timeseries/codecs/int-buckets.js'
import { COMPACT_ENCODINGS, COMPACT_NULLS, COMPACT_PAYLOAD_VERSION, DOD_STEP_MAX } from './ingest-compact.js'
import { PACKED_WIDTH_MAX, previousOf } from './ingest-compact-decimal.js'
import { FLAT_PAYLOAD_MARK } from './ingest-flat.js'

const HEADER_BYTES = 8
const KIND_OF_CODE: ReadonlyMap<number, ColumnKind> = new Map(Object.entries(COLUMN_KIND_CODES).map(([kind, code]) => [code, kind as ColumnKind]))

/** The key column's ids (all -1 without one), for DECIMAL series and SYMBOL_KEYED maps; entries: its dictionary's length. */
interface Key { readonly isColumn: boolean; readonly ids: Int32Array; readonly entries: number }

/**
 * The decoded columns' arrays, carved from one ArrayBuffer sized for the payload's columns up front: an ArrayBuffer per
 * column (external memory) cost more than decoding it. The batch's arrays live as long as any of them is held.
 */
class Arena {
  private at = 0
  private readonly buffer: ArrayBuffer

  constructor(columnCount: number, rows: number) {
    this.buffer = new ArrayBuffer((columnCount + 1) * (rows * 9 + 8))
  }

  private take(byteLength: number): number {
    const at = this.at
    this.at = (at + byteLength + 7) & ~7
    if (this.at > this.buffer.byteLength) throw new RangeError('arena exhausted')
    return at
  }

  f64(count: number): Float64Array { return new Float64Array(this.buffer, this.take(count * 8), count) }
  i64(count: number): BigInt64Array { return new BigInt64Array(this.buffer, this.take(count * 8), count) }
  i32(count: number): Int32Array { return new Int32Array(this.buffer, this.take(count * 4), count) }
  u8(count: number): Uint8Array { return new Uint8Array(this.buffer, this.take(count), count) }
}

function readRaw<T extends Float64Array | BigInt64Array | Uint8Array>(input: ByteReader, into: T): T {
  new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(input.readBytes(into.byteLength))
  return into
}

/**
 * The varuint at `at` of `bytes` (before `end`) into `VARUINT[0]`; answers the offset after it, or -1 when it runs
 * past `end` or past 2^53. Hot loops below call it with plain numbers, so V8 inlines it.
 */
const VARUINT = new Float64Array(1)
function getVarUint(bytes: Uint8Array, at: number, end: number): number {
  if (at >= end) return -1
  let byte = bytes[at]!
  if (byte < 0x80) {
    VARUINT[0] = byte
    return at + 1
  }
  let value = byte & 0x7f
  let scale = 0x80
  let next = at + 1
  for (;;) {
    if (next >= end || scale > 2 ** 49) return -1
    byte = bytes[next++]!
    value += (byte & 0x7f) * scale
    if (byte < 0x80) break
    scale *= 0x80
  }
  VARUINT[0] = value
  return Number.isSafeInteger(value) ? next : -1
}

/** Fills `values` from delta-of-delta varints at `at`; answers the offset after them, or -1 for bad bytes. */
function getDeltaOfDelta(bytes: Uint8Array, at: number, end: number, values: Float64Array, first: number): number {
  let next = at
  let previous = first
  let previousDelta = 0
  for (let r = 0; r < values.length; r++) {
    let zigzagged = next < end ? bytes[next]! : 0x80
    if (zigzagged < 0x80) next++
    else if ((next = getVarUint(bytes, next, end)) < 0) return -1
    else zigzagged = VARUINT[0]!
    const delta = previousDelta + unzigzag(zigzagged)
    const value = previous + delta
    if (Math.abs(delta) >= DOD_STEP_MAX || !Number.isSafeInteger(value)) return -1
    values[r] = value
    previous = value
    previousDelta = delta
  }
  return next
}

/** Fills `values` from decimal deltas per series at `at`; answers the offset after them, or -1 for bad bytes. */
function getDecimal(bytes: Uint8Array, at: number, end: number, values: Float64Array, series: Int32Array, previous: Float64Array, power: number): number {
  let next = at
  for (let r = 0; r < values.length; r++) {
    let zigzagged = next < end ? bytes[next]! : 0x80 // one byte inline; longer (or past the end) in getVarUint
    if (zigzagged < 0x80) next++
    else if ((next = getVarUint(bytes, next, end)) < 0) return -1
    else zigzagged = VARUINT[0]!
    const s = series[r]! + 1
    const k = previous[s]! + unzigzag(zigzagged)
    if (!Number.isSafeInteger(k)) return -1
    values[r] = k / power
    previous[s] = k
  }
  return next
}

/**
 * Fills `values` from DECIMAL_PACKED's `width`-bit fields from `fieldsAt` (the caller checked that they end by `end`),
 * an escape's zigzag from the varints at `escapeAt` (before `fieldsAt`). Answers the offset after the fields, or -1
 * for bad bytes (the escapes not used up exactly, a k that is no safe integer).
 */
function getDecimalPacked(bytes: Uint8Array, escapeAt: number, fieldsAt: number, values: Float64Array, series: Int32Array,
  previous: Float64Array, power: number, width: number): number {
  let nextEscape = escapeAt
  let next = fieldsAt
  let pending = 0
  let bits = 0
  const escape = (1 << width) - 1
  for (let r = 0; r < values.length; r++) {
    while (pending < width) {
      bits |= bytes[next++]! << pending
      pending += 8
    }
    let zigzagged = bits & escape
    bits >>>= width
    pending -= width
    if (zigzagged === escape) {
      if ((nextEscape = getVarUint(bytes, nextEscape, fieldsAt)) < 0) return -1
      zigzagged = VARUINT[0]!
      if (zigzagged < escape) return -1
    }
    const s = series[r]! + 1
    const k = previous[s]! + unzigzag(zigzagged)
    if (!Number.isSafeInteger(k)) return -1
    values[r] = k / power
    previous[s] = k
  }
  return nextEscape === fieldsAt ? fieldsAt + Math.ceil(values.length * width / 8) : -1
}

function readDeltaOfDelta(input: ByteReader, values: Float64Array): Float64Array {
  const first = input.readF64()
  if (!Number.isSafeInteger(first)) input.fail(`first value ${first}`)
  const end = getDeltaOfDelta(input.bytes, input.pos, input.end, values, first)
  if (end < 0) input.fail('delta-of-delta values')
  input.pos = end
  return values
}

function readDecimal(input: ByteReader, values: Float64Array, key: Key, isPacked: boolean): Float64Array {
  const decimals = input.readU8()
  if (decimals > DECIMALS_MAX) input.fail(`decimals ${decimals}`)
  const previous = previousOf(key.entries + 1)
  const end = isPacked
    ? readPacked(input, values, key, previous, POWERS_OF_TEN[decimals]!)
    : getDecimal(input.bytes, input.pos, input.end, values, key.ids, previous, POWERS_OF_TEN[decimals]!)
  if (end < 0) input.fail('decimal values')
  input.pos = end
  return values
}

/** DECIMAL_PACKED after d (see readDecimal); answers the offset after it, or -1 for bad bytes. */
function readPacked(input: ByteReader, values: Float64Array, key: Key, previous: Float64Array, power: number): number {
  const width = input.readU8()
  if (width < 1 || width > PACKED_WIDTH_MAX) input.fail(`packed width ${width}`)
  const escapeBytes = input.readVarUintAtMost(input.remaining, 'escape bytes')
  if (Math.ceil(values.length * width / 8) > input.remaining - escapeBytes) input.fail('packed decimal values')
  return getDecimalPacked(input.bytes, input.pos, input.pos + escapeBytes, values, key.ids, previous, power, width)
}

/** UTF-8 as Buffer decodes it (as the flat layout's decoder does): a TextDecoder call per short string costs ~10×. */
function readUtf8(input: ByteReader, byteLength: number): string {
  const view = input.readBytes(byteLength)
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8')
}

function readStrings(input: ByteReader): string[] {
  const count = input.readVarUintAtMost(input.remaining, 'dictionary entries')
  const strings = new Array<string>(count)
  for (let i = 0; i < count; i++) strings[i] = readUtf8(input, input.readVarUintAtMost(input.remaining, 'string length'))
  return strings
}

function readIds(input: ByteReader, ids: Int32Array, entries: number): Int32Array {
  for (let r = 0; r < ids.length; r++) ids[r] = input.readVarUintAtMost(entries, 'symbol id') - 1
  return ids
}

function readSymbol(input: ByteReader, encoding: number, arena: Arena, rows: number, key: Key): ColumnVector {
  const dict = readStrings(input)
  if (encoding === COMPACT_ENCODINGS.symbolIds) return { kind: 'symbol', ids: readIds(input, arena.i32(rows), dict.length), dict }
  if (encoding !== COMPACT_ENCODINGS.symbolKeyed || !key.isColumn) return input.fail(`symbol encoding ${encoding}`)
  const mapLength = input.readVarUint()
  if (mapLength !== key.entries + 1) input.fail(`keyed map of ${mapLength} entries`)
  const map = readIds(input, new Int32Array(mapLength), dict.length)
  const ids = arena.i32(rows)
  for (let r = 0; r < rows; r++) ids[r] = map[key.ids[r]! + 1]!
  return { kind: 'symbol', ids, dict }
}

function readText(input: ByteReader, rows: number): Array<string | null> {
  const values = new Array<string | null>(rows)
  for (let r = 0; r < rows; r++) {
    const biased = input.readVarUintAtMost(input.remaining + 1, 'text length')
    if (biased === 0) {
      values[r] = null
      continue
    }
    values[r] = readUtf8(input, biased - 1)
  }
  return values
}

function readNulls(input: ByteReader, mode: number, arena: Arena, rows: number): { nulls?: Uint8Array } {
  if (mode === COMPACT_NULLS.none) return {}
  if (mode === COMPACT_NULLS.zeros) return { nulls: arena.u8(rows) }
  if (mode !== COMPACT_NULLS.bitmap) return input.fail(`nulls mode ${mode}`)
  const bits = input.readBytes(Math.ceil(rows / 8))
  const nulls = arena.u8(rows)
  for (let r = 0; r < rows; r++) nulls[r] = (bits[r >>> 3]! >>> (r & 7)) & 1
  return { nulls }
}

function readFloats(input: ByteReader, encoding: number, values: Float64Array, key: Key): Float64Array {
  if (encoding === COMPACT_ENCODINGS.raw) return readRaw(input, values)
  if (encoding === COMPACT_ENCODINGS.deltaOfDelta) return readDeltaOfDelta(input, values)
  if (encoding === COMPACT_ENCODINGS.decimal) return readDecimal(input, values, key, false)
  if (encoding === COMPACT_ENCODINGS.decimalPacked) return readDecimal(input, values, key, true)
  return input.fail(`float encoding ${encoding}`)
}

function readColumn(input: ByteReader, arena: Arena, rows: number, key: Key): ColumnVector {
  const kind = KIND_OF_CODE.get(input.readU8())
  const encoding = input.readU8()
  const nullsMode = input.readU8()
  if (kind === 'symbol' || kind === 'text') {
    if (nullsMode !== COMPACT_NULLS.none) input.fail(`${kind} with a null map`)
    if (kind === 'symbol') return readSymbol(input, encoding, arena, rows, key)
    if (encoding !== COMPACT_ENCODINGS.text) input.fail(`text encoding ${encoding}`)
    return { kind, values: readText(input, rows) }
  }
  if (kind === undefined) return input.fail('column kind')
  if (kind !== 'timestamp' && kind !== 'f64' && encoding !== COMPACT_ENCODINGS.raw) input.fail(`${kind} encoding ${encoding}`)
  switch (kind) {
    case 'timestamp': case 'f64': {
      const values = readFloats(input, encoding, arena.f64(rows), key)
      return { kind, values, ...readNulls(input, nullsMode, arena, rows) }
    }
    case 'i64': return { kind, values: readRaw(input, arena.i64(rows)), ...readNulls(input, nullsMode, arena, rows) }
    case 'bool': return { kind, values: readRaw(input, arena.u8(rows)), ...readNulls(input, nullsMode, arena, rows) }
    default: return assertNever(kind)
  }
}

/** The batch of a compact payload (fresh arrays, no views of `bytes`), or undefined when the bytes do not hold one. */
export function decodeCompactPayload(bytes: Uint8Array): ColumnBatch | undefined {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FLAT_PAYLOAD_MARK || bytes[1] !== COMPACT_PAYLOAD_VERSION) return undefined
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES)
  const columnCount = header.getUint16(2, true)
  const rowCount = header.getUint32(4, true)
  const input = new ByteReader(bytes, HEADER_BYTES)
  try {
    const keyIndex = input.readVarUintAtMost(columnCount, 'key column') - 1
    const columns = new Array<ColumnVector>(columnCount)
    const arena = new Arena(columnCount, rowCount)
    let key: Key = { isColumn: false, ids: arena.i32(rowCount).fill(-1), entries: 0 }
    if (keyIndex >= 0) {
      const vector = readColumn(input, arena, rowCount, key)
      if (vector.kind !== 'symbol') return undefined
      columns[keyIndex] = vector
      key = { isColumn: true, ids: vector.ids, entries: vector.dict.length }
    }
    for (let c = 0; c < columnCount; c++) if (c !== keyIndex) columns[c] = readColumn(input, arena, rowCount, key)
    input.expectEnd()
    return { rowCount, columns }
  } catch (error) {
    if (error instanceof ChunkCorruptError || error instanceof TypeError || error instanceof RangeError) return undefined
    throw error
  }
}
