// engine/wal/ingest-payload: the payload of an IngestRecord — the op's whole ColumnBatch — and its shape check when
// read back. The WAL stores new records in the compact layout (ingest-compact.ts); the cores' rings carry the flat
// one (ingest-flat.ts: decoded into views, no copy). Records of WALs written before hold the flat layout or, before
// that, the batch msgpackr-encoded, and still decode: the first two bytes tell them apart. Knows nothing of cores or SQL.
import type { ColumnBatch, ColumnVector } from '../batch.js'
import type { FrameCodec } from '../bridge/frame-codec.js'
import { COMPACT_PAYLOAD_VERSION, compactPayloadBytesMax, encodeCompactPayload } from './ingest-compact.js'
import { decodeCompactPayload } from './ingest-compact-decode.js'
import { decodeFlatPayload, encodeFlatPayload, FLAT_PAYLOAD_MARK, flatPayloadBytes, type IngestEncodeBuffers } from './ingest-flat.js'

export { IngestEncodeBuffers } from './ingest-flat.js'

/** The flat payload of `batch`, in a buffer from `buffers` when given (give it back once nothing refers to it). */
export function encodeIngestPayload(batch: ColumnBatch, buffers?: IngestEncodeBuffers): Uint8Array {
  const byteLength = flatPayloadBytes(batch)
  return encodeFlatPayload(batch, buffers === undefined ? new Uint8Array(byteLength) : buffers.take(byteLength))
}

/**
 * The compact payload of `batch`, as the WAL stores it: a view of a buffer from `buffers` when given (give the view
 * back once the record is durable).
 */
export function encodeWalIngestPayload(batch: ColumnBatch, buffers?: IngestEncodeBuffers): Uint8Array {
  const byteLength = compactPayloadBytesMax(batch)
  return encodeCompactPayload(batch, buffers === undefined ? new Uint8Array(byteLength) : buffers.take(byteLength))
}

/**
 * A live ingest's two payloads, each in a buffer from `buffers` (give each back once nothing refers to it): the flat
 * one for the cores' rings (decoded into views), the compact one for the WAL (~8× smaller on TSBS rows).
 */
export function encodeIngestPayloads(batch: ColumnBatch, buffers?: IngestEncodeBuffers): { ring: Uint8Array; wal: Uint8Array } {
  return { ring: encodeIngestPayload(batch, buffers), wal: encodeWalIngestPayload(batch, buffers) }
}

/** The msgpack payload nodedb wrote before the flat layout: tests replay WALs of that format with it. */
export function encodeMsgpackIngestPayload(codec: FrameCodec, batch: ColumnBatch): Uint8Array {
  return codec.encode({ rowCount: batch.rowCount, columns: batch.columns })
}

function isOptionalNulls(value: object): boolean {
  return !('nulls' in value) || value.nulls === undefined || value.nulls instanceof Uint8Array
}

function isColumnVector(value: unknown): value is ColumnVector {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false
  switch (value.kind) {
    case 'timestamp': case 'f64': return 'values' in value && value.values instanceof Float64Array && isOptionalNulls(value)
    case 'i64': return 'values' in value && value.values instanceof BigInt64Array && isOptionalNulls(value)
    case 'bool': return 'values' in value && value.values instanceof Uint8Array && isOptionalNulls(value)
    case 'symbol': return 'ids' in value && value.ids instanceof Int32Array && 'dict' in value &&
      Array.isArray(value.dict) && value.dict.every((entry: unknown) => typeof entry === 'string')
    case 'text': return 'values' in value && Array.isArray(value.values) &&
      value.values.every((entry: unknown) => entry === null || typeof entry === 'string')
    default: return false
  }
}

/** The batch of a record read from disk, or undefined when its shape is wrong (the caller reports corruption). */
export function decodeIngestPayload(codec: FrameCodec, bytes: Uint8Array): ColumnBatch | undefined {
  if (bytes[0] === FLAT_PAYLOAD_MARK) return bytes[1] === COMPACT_PAYLOAD_VERSION ? decodeCompactPayload(bytes) : decodeFlatPayload(bytes)
  let value: unknown
  try {
    value = codec.decode(bytes)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || !('rowCount' in value) || !('columns' in value)) return undefined
  const { rowCount, columns } = value
  if (typeof rowCount !== 'number' || !Array.isArray(columns) || !columns.every(isColumnVector)) return undefined
  return { rowCount, columns }
}

// What encodeIngestPayload writes first: a 2-entry msgpack map (msgpackr writes map16: de 00 02; fixmap 82 is the
// compact form) whose first key is the fixstr "rowCount".
const ROW_COUNT_KEY = Uint8Array.from([0xa8, ...Array.from('rowCount', (ch) => ch.charCodeAt(0))])

/**
 * The row count a payload declares, read from its first bytes without decoding it (replay's progress log; the cores
 * decode and validate the payload). Undefined when the bytes do not start as encodeIngestPayload writes them.
 */
export function peekIngestRowCount(bytes: Uint8Array): number | undefined {
  if (bytes[0] === FLAT_PAYLOAD_MARK && bytes.length >= 8) return new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true)
  const keyAt = bytes[0] === 0x82 ? 1 : bytes[0] === 0xde && bytes[1] === 0 && bytes[2] === 2 ? 3 : undefined
  if (keyAt === undefined || bytes.length < keyAt + ROW_COUNT_KEY.length + 5) return undefined
  if (ROW_COUNT_KEY.some((byte, i) => bytes[keyAt + i] !== byte)) return undefined
  const at = keyAt + ROW_COUNT_KEY.length
  const tag = bytes[at]!
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4)
  if (tag < 0x80) return tag
  if (tag === 0xcc) return view.getUint8(0)
  if (tag === 0xcd) return view.getUint16(0)
  if (tag === 0xce) return view.getUint32(0)
  return undefined
}
