// engine/wal/ingest-payload: the payload of an IngestRecord — the op's whole ColumnBatch, msgpackr-encoded — and
// its shape check when read back from disk. Knows nothing of cores or SQL.
import type { ColumnBatch, ColumnVector } from '../batch.js'
import type { FrameCodec } from '../bridge/frame-codec.js'

export function encodeIngestPayload(codec: FrameCodec, batch: ColumnBatch): Uint8Array {
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
