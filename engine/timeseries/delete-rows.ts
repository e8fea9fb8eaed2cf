// engine/timeseries/delete-rows: the CPU side of DELETE on a core — a memtable without the rows a DeleteRecord's
// predicate picks, and a segment rewritten without them. The row test is the scan's (selectRows), so DELETE picks
// exactly the rows a SELECT with the same pushed WHERE returns. Knows nothing of files, rings or SQL.
import type { EncodedSegment, SegmentSlice } from '../bridge/messages.js'
import { OP_VERSION, type ScanOp, type TableSchema } from '../ops.js'
import type { DeletePredicate } from '../wal/delete-payload.js'
import { gatherVector } from './gather.js'
import { Memtable } from './memtable.js'
import { selectRows } from './scan.js'
import { decodeRowGroup } from './segment-decode.js'
import { rowGroupsOf } from './segment-slice-layout.js'
import { encodeSegment } from './segment-writer.js'

/** The predicate as a ScanOp over `schema`'s table (selectRows reads only the time range, filters and where). */
function predicateScan(schema: TableSchema, predicate: DeletePredicate): ScanOp {
  return {
    kind: 'ScanOp', v: OP_VERSION, tableId: schema.id, timeRange: predicate.timeRange, filters: predicate.filters,
    projection: [], groupBy: [], aggregates: [], limit: null, where: predicate.where ?? null,
  }
}

/** Row indices of `memtable` that the predicate does not pick, in order, and how many it picks. */
function keptRows(memtable: Memtable, predicate: DeletePredicate): { readonly rows: Int32Array; readonly deletedCount: number } {
  const picked = selectRows(memtable, predicateScan(memtable.schema, predicate), memtable.rowCount)
  const rows = new Int32Array(memtable.rowCount - picked.count)
  let next = 0
  let k = 0
  for (let row = 0; row < memtable.rowCount; row++) {
    if (next < picked.count && picked.rows[next] === row) { next++; continue }
    rows[k++] = row
  }
  return { rows, deletedCount: picked.count }
}

/** Appends rows `rows` of `source` to `target` (both of one table; `target`'s schema may have more columns). */
function appendSelected(target: Memtable, source: Memtable, rows: Int32Array): void {
  const refs = { count: rows.length, tables: new Int32Array(rows.length), rows }
  const columns = source.schema.columns.map((column, c) => gatherVector(column.kind, [source.columns[c]!], refs))
  target.appendRows({ rowCount: rows.length, columns }, Int32Array.from({ length: rows.length }, (_, i) => i), rows.length)
}

/**
 * `memtable` without the picked rows: the same object when none is picked (nothing copied), otherwise a new one (a
 * scan cursor holding the old one keeps its snapshot).
 */
export function memtableWithout(memtable: Memtable, predicate: DeletePredicate): { readonly memtable: Memtable; readonly deletedCount: number } {
  const { rows, deletedCount } = keptRows(memtable, predicate)
  if (deletedCount === 0) return { memtable, deletedCount }
  const kept = new Memtable(memtable.schema)
  if (rows.length > 0) appendSelected(kept, memtable, rows)
  return { memtable: kept, deletedCount }
}

export interface SegmentRewrite {
  readonly deletedCount: number
  /** The segment without the picked rows; null when none is left, or when none was picked (keep the old one). */
  readonly segment: EncodedSegment | null
}

/** One segment (every row group, every column) rewritten without the rows `predicate` picks. */
export function rewriteSegment(schema: TableSchema, slice: SegmentSlice, span: Pick<EncodedSegment, 'tableId' | 'vShard' | 'partitionStartUs'>,
  predicate: DeletePredicate): SegmentRewrite {
  const kept = new Memtable(schema)
  let deletedCount = 0
  for (const group of rowGroupsOf(slice)) {
    const decoded = decodeRowGroup(schema, slice, group)
    const { rows, deletedCount: picked } = keptRows(decoded, predicate)
    deletedCount += picked
    if (rows.length > 0) appendSelected(kept, decoded, rows)
  }
  if (deletedCount === 0 || kept.rowCount === 0) return { deletedCount, segment: null }
  // Removing rows keeps the segment's (series, time) order and its partition: no sort needed.
  const all = Int32Array.from({ length: kept.rowCount }, (_, i) => i)
  const refs = { count: all.length, tables: new Int32Array(all.length), rows: all }
  const columns = schema.columns.map((column, c) => gatherVector(column.kind, [kept.columns[c]!], refs))
  const encoded = encodeSegment({ ...span, timestampIndex: schema.timestampIndex, columns })
  return { deletedCount, segment: { ...span, ...encoded } }
}
