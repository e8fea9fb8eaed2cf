// engine/timeseries/segment-decode: one segment row group (as sliced for a scan) read and decoded into a memtable on
// a core. For a scan, lazily: the timestamp and filter columns first, and the other columns only when some row
// passes. With a DecodedChunkCache (scans on a core), a chunk decoded before is reused and not read at all; others
// are read with positional synchronous reads through the slice's descriptor (it blocks this core only). Knows nothing
// of manifests, rings or SQL.
import fs from 'node:fs'
import { EngineFailureError } from '../api.js'
import type { ColumnVector } from '../batch.js'
import type { RowGroupSlice, SegmentSlice } from '../bridge/messages.js'
import { exprColumns } from '../expr.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { DecodedChunkCache } from './chunk-cache.js'
import { Memtable } from './memtable.js'
import { checkColumns, selectRows } from './scan.js'
import { corruptSegment, decodeSegmentChunk } from './segment-reader.js'
import { registerCachedValues } from './lane-sums.js'
import { cachedTimeRuns, registerCachedIds } from './sorted-spans.js'
import type { TimeRuns } from './time-runs.js'

/**
 * A cached chunk is the same vector at every scan: its timestamps' index (the row group's time runs) is found once and
 * shared, its tag ids may be indexed by run (sorted-spans.ts), and its floats' whole-chunk sum lanes are kept
 * (lane-sums.ts); all are keyed weakly by its arrays, so they go when those are collected (an evicted array is never
 * reused, so none goes stale).
 */
export function noteCached(vector: ColumnVector): void {
  if (vector.kind === 'symbol') registerCachedIds(vector.ids)
  else if (vector.kind === 'f64' || vector.kind === 'timestamp') registerCachedValues(vector.values)
}

/** Reads exactly `length` bytes at `offset` of `fd` (the file `file`); a file that ends first is Corrupt naming it. */
function readChunk(fd: number, file: string, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let done = 0
  while (done < length) {
    let read: number
    try {
      read = fs.readSync(fd, bytes, done, length - done, offset + done)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new EngineFailureError({ kind: 'Io', detail: `read of segment ${file} at byte ${offset + done}: ${reason}` })
    }
    if (read === 0) throw corruptSegment(file, offset + done, `file ends before byte ${offset + length}`)
    done += read
  }
  return bytes
}

/**
 * Runs `body` with a getter of a descriptor of the slice's file: the pinned one it carries, or (null: compaction,
 * DELETE, a scan past the descriptor budget) one opened by name on the first call of the getter and closed after.
 */
export function withSegmentFile<T>(segment: SegmentSlice, body: (fdOf: () => number) => T): T {
  const pinned = segment.fd
  if (pinned !== null) return body(() => pinned)
  let fd: number | undefined
  const fdOf = (): number => {
    if (fd !== undefined) return fd
    try {
      return (fd = fs.openSync(segment.file, 'r'))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new EngineFailureError({ kind: 'Io', detail: `open of segment ${segment.file}: ${reason}` })
    }
  }
  try {
    return body(fdOf)
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/**
 * One row group of a segment slice as a memtable; table columns the segment predates read as NULL, columns not read
 * are empty. With `op`, when no row passes its time range and filters, the memtable holds only the columns that
 * decided so (the others are empty): no row of it is ever selected, so the undecoded columns are never looked at.
 */
export function decodeRowGroup(schema: TableSchema, segment: SegmentSlice, group: RowGroupSlice, op?: ScanOp,
  cache?: DecodedChunkCache): Memtable {
  return withSegmentFile(segment, (fdOf) => decodeRowGroupFrom(fdOf, schema, segment, group, op, cache))
}

function decodeRowGroupFrom(fdOf: () => number, schema: TableSchema, segment: SegmentSlice, group: RowGroupSlice, op?: ScanOp,
  cache?: DecodedChunkCache): Memtable {
  const vectors = new Array<ColumnVector | undefined>(schema.columns.length)
  const decode = (column: number): void => {
    const chunk = group.chunks.find((candidate) => candidate.column === column)
    if (chunk === undefined || vectors[column] !== undefined) return
    const kind = schema.columns[column]!.kind
    const { offset, length } = chunk
    const decodeChunk = () => decodeSegmentChunk(segment.file, offset, readChunk(fdOf(), segment.file, offset, length), kind, group.rowCount)
    if (cache === undefined) { vectors[column] = decodeChunk(); return }
    const vector = vectors[column] = cache.get(segment.file, offset, length, group.rowCount, decodeChunk)
    noteCached(vector)
  }
  // Only a cached chunk is seen again; a chunk decoded for this scan alone gets the memtable's own index.
  const timeRunsOf = (): TimeRuns | undefined => {
    const ts = vectors[schema.timestampIndex]
    return cache === undefined || ts?.kind !== 'timestamp' ? undefined : cachedTimeRuns(ts.values)
  }
  const nullColumns = new Set<number>()
  for (let c = segment.columnCount; c < schema.columns.length; c++) nullColumns.add(c)
  // Decoding the deciding columns first saves decoding the rest when no row passes; when every chunk is cached
  // there is nothing to save, and the deciding memtable would only be built twice (its empty columns allocated twice).
  const isAllCached = cache !== undefined && group.chunks.every((chunk) => cache.has(segment.file, chunk.offset, chunk.length))
  if (op !== undefined) checkColumns(schema, op)
  if (op !== undefined && !isAllCached) {
    decode(schema.timestampIndex)
    for (const filter of op.filters) decode(filter.column)
    if (op.where !== undefined && op.where !== null) for (const column of exprColumns(op.where.expr)) decode(column)
    // Columns not decoded are empty, as the columns a scan does not need always were: no row of them is read.
    const deciding = Memtable.fromVectors(schema, group.rowCount, vectors, nullColumns, timeRunsOf())
    if (selectRows(deciding, op, 1).count === 0) return deciding
  }
  for (const chunk of group.chunks) decode(chunk.column)
  return Memtable.fromVectors(schema, group.rowCount, vectors, nullColumns, timeRunsOf())
}
