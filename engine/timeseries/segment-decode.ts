// engine/timeseries/segment-decode: one segment row group (as read for a scan) decoded into a memtable on a core.
// For a scan, lazily: the timestamp and filter columns first, and the other columns only when some row passes.
// With a DecodedChunkCache (scans on a core), a chunk decoded before is reused. Knows nothing of files (the control
// thread read the chunks), rings or SQL.
import type { ColumnVector } from '../batch.js'
import type { RowGroupSlice, SegmentSlice } from '../bridge/messages.js'
import { exprColumns } from '../expr.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { DecodedChunkCache } from './chunk-cache.js'
import { Memtable } from './memtable.js'
import { checkColumns, selectRows } from './scan.js'
import { decodeSegmentChunk } from './segment-reader.js'

/**
 * One row group of a segment slice as a memtable; table columns the segment predates read as NULL, columns not read
 * are empty. With `op`, when no row passes its time range and filters, the memtable holds only the columns that
 * decided so (the others are empty): no row of it is ever selected, so the undecoded columns are never looked at.
 */
export function decodeRowGroup(schema: TableSchema, segment: SegmentSlice, group: RowGroupSlice, op?: ScanOp,
  cache?: DecodedChunkCache): Memtable {
  const vectors = new Array<ColumnVector | undefined>(schema.columns.length)
  const decode = (column: number): void => {
    const chunk = group.chunks.find((candidate) => candidate.column === column)
    if (chunk === undefined || vectors[column] !== undefined) return
    const kind = schema.columns[column]!.kind
    const decodeChunk = () => decodeSegmentChunk(segment.file, chunk.offset, chunk.bytes, kind, group.rowCount)
    vectors[column] = cache === undefined ? decodeChunk() : cache.get(segment.file, chunk.offset, chunk.bytes, group.rowCount, decodeChunk)
  }
  const nullColumns = new Set<number>()
  for (let c = segment.columnCount; c < schema.columns.length; c++) nullColumns.add(c)
  if (op !== undefined) {
    checkColumns(schema, op)
    decode(schema.timestampIndex)
    for (const filter of op.filters) decode(filter.column)
    if (op.where !== undefined && op.where !== null) for (const column of exprColumns(op.where.expr)) decode(column)
    // Columns not decoded are empty, as the columns a scan does not need always were: no row of them is read.
    const deciding = Memtable.fromVectors(schema, group.rowCount, vectors, nullColumns)
    if (selectRows(deciding, op, 1).count === 0) return deciding
  }
  for (const chunk of group.chunks) decode(chunk.column)
  return Memtable.fromVectors(schema, group.rowCount, vectors, nullColumns)
}
