// engine/wal/ingest-flat: the flat binary layout of an IngestRecord's payload (issue 10): each column's values as
// the typed array's own bytes, 8-byte aligned, so encoding is one copy per column into one buffer sized up front and
// decoding makes views of the payload (no copy) wherever the payload itself is 8-byte aligned (ring frames are:
// frame-codec.ts aligns a detached payload). Replaces msgpack for new records; msgpack payloads of older WALs still
// decode (ingest-payload.ts tells them apart by the first byte). Knows nothing of cores or SQL.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/ingest-flat.test.ts (all integers little-endian):
//   header (16 bytes): u8 FLAT_PAYLOAD_MARK, u8 FLAT_PAYLOAD_VERSION, u16 columnCount, u32 rowCount, u32 0, u32 0
//   per column: u8 COLUMN_KIND_CODES[kind], u8 flags (bit 0: a null map follows), u16 0, u32 count (symbol: entries
//   in its dictionary; else 0), then its sections, each padded with zeros to a multiple of 8 bytes:
//     timestamp, f64: f64 × rowCount   i64: i64 × rowCount   bool: u8 × rowCount   (then, with bit 0, u8 × rowCount)
//     symbol: i32 ids × rowCount, then per dictionary entry u32 byteLength + UTF-8
//     text: per row i32 byteLength (-1: NULL) + UTF-8
import { assert, assertNever } from '../../src/common/assert.js'
import { INGEST_ENCODE_BUFFER_BYTES_MAX, INGEST_ENCODE_BUFFERS_MAX_COUNT } from '../../src/common/limits.js'
import { COLUMN_KIND_CODES, type ColumnBatch, type ColumnKind, type ColumnVector } from '../batch.js'

/** msgpack never starts a value with 0xc1, so it cannot be the first byte of an older (msgpack) payload. */
export const FLAT_PAYLOAD_MARK = 0xc1
export const FLAT_PAYLOAD_VERSION = 1
const HEADER_BYTES = 16
const DESCRIPTOR_BYTES = 8
const HAS_NULLS = 1
const KIND_OF_CODE: ReadonlyMap<number, ColumnKind> = new Map(Object.entries(COLUMN_KIND_CODES).map(([kind, code]) => [code, kind as ColumnKind]))

const align8 = (n: number): number => (n + 7) & ~7

function stringsBytes(strings: ReadonlyArray<string | null>, rows?: Int32Array): number {
  let bytes = 0
  const count = rows === undefined ? strings.length : rows.length
  for (let i = 0; i < count; i++) {
    const text = strings[rows === undefined ? i : rows[i]!]
    bytes += 4 + (text === null || text === undefined ? 0 : Buffer.byteLength(text))
  }
  return align8(bytes)
}

function nullsOf(vector: ColumnVector): Uint8Array | undefined {
  return vector.kind === 'symbol' || vector.kind === 'text' ? undefined : vector.nulls
}

function columnBytes(vector: ColumnVector, rowCount: number, rows: Int32Array | undefined, dicts: FlatDictionaries | undefined): number {
  const nulls = nullsOf(vector) === undefined ? 0 : align8(rowCount)
  switch (vector.kind) {
    case 'timestamp': case 'f64': case 'i64': return DESCRIPTOR_BYTES + rowCount * 8 + nulls
    case 'bool': return DESCRIPTOR_BYTES + align8(rowCount) + nulls
    case 'symbol': return DESCRIPTOR_BYTES + align8(rowCount * 4) + (dicts === undefined ? stringsBytes(vector.dict) : dicts.sectionOf(vector.dict).length)
    case 'text': return DESCRIPTOR_BYTES + stringsBytes(vector.values, rows)
    default: return assertNever(vector)
  }
}

/**
 * The payload's exact length (of rows `rows` of the batch, in that order, when given), to size its buffer; `dicts` as
 * encodeFlatPayload's.
 */
export function flatPayloadBytes(batch: ColumnBatch, rows?: Int32Array, dicts?: FlatDictionaries): number {
  let bytes = HEADER_BYTES
  const rowCount = rows === undefined ? batch.rowCount : rows.length
  for (const vector of batch.columns) bytes += columnBytes(vector, rowCount, rows, dicts)
  return bytes
}

/** A cursor over a payload's bytes with the DataView and Buffer views its readers and writers use. */
export class PayloadCursor {
  at = 0
  readonly view: DataView
  readonly buffer: Buffer

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
}

class FlatWriter extends PayloadCursor {

  /** The bytes of a typed array (its elements `rows` in that order, when given), then zeros to the next multiple of 8. */
  array(values: Float64Array | BigInt64Array | Int32Array | Uint8Array, rows: Int32Array | undefined): void {
    if (rows === undefined) {
      this.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.at)
      this.pad(this.at + values.byteLength)
      return
    }
    const start = this.bytes.byteOffset + this.at
    // Sections start at multiples of 8 of a buffer whose start is one (asserted by encodeFlatPayload).
    // i64 as two int32 words: reading a BigInt64Array element makes a BigInt.
    if (values instanceof Float64Array) gatherF64(values, rows, new Float64Array(this.bytes.buffer, start, rows.length))
    else if (values instanceof BigInt64Array) gatherWordPairs(new Int32Array(values.buffer, values.byteOffset, 2 * values.length), rows, new Int32Array(this.bytes.buffer, start, 2 * rows.length))
    else if (values instanceof Int32Array) gatherI32(values, rows, new Int32Array(this.bytes.buffer, start, rows.length))
    else gatherU8(values, rows, new Uint8Array(this.bytes.buffer, start, rows.length))
    this.pad(this.at + rows.length * values.BYTES_PER_ELEMENT)
  }

  strings(strings: ReadonlyArray<string | null>, rows?: Int32Array): void {
    let at = this.at
    const count = rows === undefined ? strings.length : rows.length
    for (let i = 0; i < count; i++) {
      const text = strings[rows === undefined ? i : rows[i]!] ?? null
      if (text === null) {
        this.view.setInt32(at, -1, true)
        at += 4
        continue
      }
      const length = this.buffer.write(text, at + 4, 'utf8')
      this.view.setInt32(at, length, true)
      at += 4 + length
    }
    this.pad(at)
  }

  /** Bytes encoded before (a multiple of 8 long), as they are. */
  section(bytes: Uint8Array): void {
    this.bytes.set(bytes, this.at)
    this.at += bytes.length
  }

  private pad(end: number): void {
    const next = align8(end)
    this.bytes.fill(0, end, next)
    this.at = next
  }
}

// One loop per array type, each monomorphic (a generic one was most of a core payload's encode: issue 10).
function gatherF64(from: Float64Array, rows: Int32Array, into: Float64Array): void {
  for (let i = 0; i < rows.length; i++) into[i] = from[rows[i]!]!
}

function gatherI32(from: Int32Array, rows: Int32Array, into: Int32Array): void {
  for (let i = 0; i < rows.length; i++) into[i] = from[rows[i]!]!
}

function gatherU8(from: Uint8Array, rows: Int32Array, into: Uint8Array): void {
  for (let i = 0; i < rows.length; i++) into[i] = from[rows[i]!]!
}

function gatherWordPairs(from: Int32Array, rows: Int32Array, into: Int32Array): void {
  for (let i = 0; i < rows.length; i++) {
    const at = 2 * rows[i]!
    into[2 * i] = from[at]!
    into[2 * i + 1] = from[at + 1]!
  }
}

/**
 * Symbol dictionaries' sections encoded once for several payloads of one batch (each core's: core-payloads.ts), then
 * copied: UTF-8 encoding every dictionary for every core cost as much as gathering the rows.
 */
export class FlatDictionaries {
  private readonly sections = new Map<ReadonlyArray<string>, Uint8Array>()

  sectionOf(dict: ReadonlyArray<string>): Uint8Array {
    let section = this.sections.get(dict)
    if (section === undefined) {
      const writer = new FlatWriter(new Uint8Array(stringsBytes(dict)))
      writer.strings(dict)
      section = writer.bytes
      this.sections.set(dict, section)
    }
    return section
  }
}

/**
 * Encodes `batch` into `into` (exactly flatPayloadBytes(batch, rows, dicts) long); with `rows`, only those rows, in
 * that order (a core's rows of a record, grouped by vShard: core-payloads.ts), gathered straight into the payload;
 * with `dicts`, symbol dictionaries copied from there.
 */
export function encodeFlatPayload(batch: ColumnBatch, into: Uint8Array, rows?: Int32Array, dicts?: FlatDictionaries): Uint8Array {
  if (rows !== undefined) assert(into.byteOffset % 8 === 0, 'a gathered flat payload starts 8-byte aligned')
  const writer = new FlatWriter(into)
  const { view } = writer
  view.setUint8(0, FLAT_PAYLOAD_MARK)
  view.setUint8(1, FLAT_PAYLOAD_VERSION)
  view.setUint16(2, batch.columns.length, true)
  view.setUint32(4, rows === undefined ? batch.rowCount : rows.length, true)
  view.setUint32(8, 0, true)
  view.setUint32(12, 0, true)
  writer.at = HEADER_BYTES
  for (const vector of batch.columns) {
    const nulls = nullsOf(vector)
    view.setUint8(writer.at, COLUMN_KIND_CODES[vector.kind])
    view.setUint8(writer.at + 1, nulls === undefined ? 0 : HAS_NULLS)
    view.setUint16(writer.at + 2, 0, true)
    view.setUint32(writer.at + 4, vector.kind === 'symbol' ? vector.dict.length : 0, true)
    writer.at += DESCRIPTOR_BYTES
    if (vector.kind === 'symbol') {
      writer.array(vector.ids, rows)
      if (dicts === undefined) writer.strings(vector.dict)
      else writer.section(dicts.sectionOf(vector.dict))
    } else if (vector.kind === 'text') writer.strings(vector.values, rows)
    else writer.array(vector.values, rows)
    if (nulls !== undefined) writer.array(nulls, rows)
  }
  assert(writer.at === into.length, `flat payload wrote ${writer.at} of ${into.length} bytes`)
  return into
}

/** Thrown inside decode for a payload that does not hold together; decodeFlatPayload answers undefined. */
class BadPayload extends Error {}

class FlatReader extends PayloadCursor {
  override at = HEADER_BYTES

  /** `count` elements of `size` bytes at the cursor, as a view; the cursor moves past their padding. */
  take(count: number, size: number): number {
    const start = this.at
    const end = align8(start + count * size)
    if (end > this.bytes.length) throw new BadPayload()
    this.at = end
    return this.bytes.byteOffset + start
  }

  strings(count: number): Array<string | null> {
    const strings = new Array<string | null>(count)
    let at = this.at
    for (let i = 0; i < count; i++) {
      if (at + 4 > this.bytes.length) throw new BadPayload()
      const length = this.view.getInt32(at, true)
      at += 4
      if (length === -1) {
        strings[i] = null
        continue
      }
      if (length < 0 || at + length > this.bytes.length) throw new BadPayload()
      strings[i] = this.buffer.toString('utf8', at, at + length)
      at += length
    }
    if (align8(at) > this.bytes.length) throw new BadPayload()
    this.at = align8(at)
    return strings
  }
}

function decodeColumn(reader: FlatReader, rowCount: number): ColumnVector {
  const { view, bytes } = reader
  if (reader.at + DESCRIPTOR_BYTES > bytes.length) throw new BadPayload()
  const kind = KIND_OF_CODE.get(view.getUint8(reader.at))
  const hasNulls = (view.getUint8(reader.at + 1) & HAS_NULLS) !== 0
  const count = view.getUint32(reader.at + 4, true)
  reader.at += DESCRIPTOR_BYTES
  const buffer = bytes.buffer
  const nulls = (): { nulls?: Uint8Array } => (hasNulls ? { nulls: new Uint8Array(buffer, reader.take(rowCount, 1), rowCount) } : {})
  switch (kind) {
    case 'timestamp': case 'f64': {
      const values = new Float64Array(buffer, reader.take(rowCount, 8), rowCount)
      return { kind, values, ...nulls() }
    }
    case 'i64': {
      const values = new BigInt64Array(buffer, reader.take(rowCount, 8), rowCount)
      return { kind, values, ...nulls() }
    }
    case 'bool': {
      const values = new Uint8Array(buffer, reader.take(rowCount, 1), rowCount)
      return { kind, values, ...nulls() }
    }
    case 'symbol': {
      const ids = new Int32Array(buffer, reader.take(rowCount, 4), rowCount)
      const dict = reader.strings(count)
      if (dict.includes(null)) throw new BadPayload()
      return { kind, ids, dict: dict as string[] }
    }
    case 'text': return { kind, values: reader.strings(rowCount) }
    case undefined: throw new BadPayload()
    default: return assertNever(kind)
  }
}

/**
 * The batch of a flat payload, its typed arrays views of `bytes` when it is 8-byte aligned (else of one aligned copy),
 * so they live as long as the batch. Undefined when the bytes do not hold a well-formed payload.
 */
export function decodeFlatPayload(bytes: Uint8Array): ColumnBatch | undefined {
  if (bytes.length < HEADER_BYTES || bytes[0] !== FLAT_PAYLOAD_MARK || bytes[1] !== FLAT_PAYLOAD_VERSION) return undefined
  let aligned = bytes
  if (bytes.byteOffset % 8 !== 0) {
    aligned = new Uint8Array(bytes.length)
    aligned.set(bytes)
  }
  const reader = new FlatReader(aligned)
  const columnCount = reader.view.getUint16(2, true)
  const rowCount = reader.view.getUint32(4, true)
  try {
    const columns: ColumnVector[] = []
    for (let c = 0; c < columnCount; c++) columns.push(decodeColumn(reader, rowCount))
    return reader.at === aligned.length ? { rowCount, columns } : undefined
  } catch (error) {
    if (error instanceof BadPayload || error instanceof RangeError) return undefined
    throw error
  }
}

/**
 * Reusable encode buffers (the WAL payloads of one engine): taking one for a payload and giving it back once nothing
 * refers to the payload any more (its WAL write and every core's ring push are done) spares a fresh ArrayBuffer per
 * ingest, the external memory that drives the event loop's mark-compacts. Bounded: at most
 * INGEST_ENCODE_BUFFERS_MAX_COUNT buffers of at most INGEST_ENCODE_BUFFER_BYTES_MAX each are kept.
 */
export class IngestEncodeBuffers {
  private readonly free: ArrayBuffer[] = []

  /** A zero-offset view of `byteLength` bytes (contents undefined). */
  take(byteLength: number): Uint8Array {
    const index = this.free.findIndex((buffer) => buffer.byteLength >= byteLength)
    if (index >= 0) return new Uint8Array(this.free.splice(index, 1)[0]!, 0, byteLength)
    const capacity = byteLength > INGEST_ENCODE_BUFFER_BYTES_MAX ? byteLength : Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(byteLength)))
    return new Uint8Array(Buffer.allocUnsafeSlow(capacity).buffer, 0, byteLength)
  }

  /** Returns a buffer from take(); the caller must hold no view of it any more. */
  give(bytes: Uint8Array): void {
    const buffer = bytes.buffer
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength > INGEST_ENCODE_BUFFER_BYTES_MAX) return
    if (this.free.length >= INGEST_ENCODE_BUFFERS_MAX_COUNT) this.free.shift()
    this.free.push(buffer)
  }
}
