// engine/timeseries/segment-writer: encodes sorted column vectors of one (table, vShard, partition) into the bytes of
// an immutable segment (layout in segment-format.ts). Runs on a core (CPU work, invariant 5); knows nothing of files.
import { assert } from '../../src/common/assert.js'
import { SEGMENT_ROW_GROUP_ROWS_COUNT } from '../../src/common/limits.js'
import { vectorLength, type ColumnKind, type ColumnVector } from '../batch.js'
import { takeRows } from '../bridge/dispatcher.js'
import { crc32c } from '../wal/crc32c.js'
import { ByteWriter } from './codecs/byte-writer.js'
import { writeChunk } from './codecs/chunk.js'
import {
  SEGMENT_FORMAT_VERSION, SEGMENT_MAGIC, writeFooter, writeHeader, type RowGroupIndex,
} from './segment-format.js'

export interface SegmentInput {
  readonly tableId: number
  readonly vShard: number
  readonly partitionStartUs: number
  readonly timestampIndex: number
  /** Every column of the table in catalog order, all of one length, rows sorted by (series, time). */
  readonly columns: ReadonlyArray<ColumnVector>
  /** Rows per row group; SEGMENT_ROW_GROUP_ROWS_COUNT unless a test wants many groups. */
  readonly rowGroupRows?: number
}

export interface EncodedSegmentBytes {
  readonly bytes: Uint8Array
  readonly rowCount: number
  readonly minUs: number
  readonly maxUs: number
}

function rangeOf(count: number, from: number): Int32Array {
  const rows = new Int32Array(count)
  for (let i = 0; i < count; i++) rows[i] = from + i
  return rows
}

function timeBounds(vector: ColumnVector): { minUs: number; maxUs: number } {
  assert(vector.kind === 'timestamp', 'designated timestamp is a timestamp vector')
  let minUs = Number.POSITIVE_INFINITY
  let maxUs = Number.NEGATIVE_INFINITY
  for (let i = 0; i < vector.values.length; i++) {
    const t = vector.values[i]!
    if (t < minUs) minUs = t
    if (t > maxUs) maxUs = t
  }
  return { minUs, maxUs }
}

/** Encodes a whole segment; the result is a fresh array the caller owns. */
export function encodeSegment(input: SegmentInput): EncodedSegmentBytes {
  const rowCount = vectorLength(input.columns[input.timestampIndex]!)
  assert(rowCount > 0, 'a segment holds at least one row')
  assert(input.columns.every((vector) => vectorLength(vector) === rowCount), 'columns of one length')
  const groupRows = input.rowGroupRows ?? SEGMENT_ROW_GROUP_ROWS_COUNT
  const out = new ByteWriter(64 * 1024)
  writeHeader(out, {
    version: SEGMENT_FORMAT_VERSION, tableId: input.tableId, vShard: input.vShard,
    columnCount: input.columns.length, partitionStartUs: input.partitionStartUs,
  }, crc32c)
  const rowGroups: RowGroupIndex[] = []
  for (let from = 0; from < rowCount; from += groupRows) {
    const count = Math.min(groupRows, rowCount - from)
    const whole = from === 0 && count === rowCount
    const rows = whole ? undefined : rangeOf(count, from)
    const group = input.columns.map((vector) => (rows === undefined ? vector : takeRows(vector, rows)))
    const chunks = group.map((vector) => {
      const offset = out.length
      writeChunk(out, vector)
      return { offset, length: out.length - offset }
    })
    rowGroups.push({ rowCount: count, ...timeBounds(group[input.timestampIndex]!), chunks })
  }
  const kinds: ColumnKind[] = input.columns.map((vector) => vector.kind)
  const footerAt = out.length
  writeFooter(out, { kinds, rowGroups })
  const footerLength = out.length - footerAt
  out.writeU32(footerLength)
  out.writeU32(crc32c(out.bytes, footerAt, footerAt + footerLength))
  out.writeBytes(SEGMENT_MAGIC)
  const { minUs, maxUs } = timeBounds(input.columns[input.timestampIndex]!)
  return { bytes: out.toBytes(), rowCount, minUs, maxUs }
}
