// engine/timeseries/scan: runs a ScanOp over one core's memtables of a table: time range, ANDed filters, then the
// projected rows (RowsPartial) or grouped aggregate states (aggregate.ts). Knows nothing of rings or SQL text.
import type { RowsPartial, ScanPartial } from '../batch.js'
import type { ScanOp, TableSchema } from '../ops.js'
import { aggregateRows } from './aggregate.js'
import { exprColumns } from '../expr.js'
import { compileWhere } from './expr-eval.js'
import { EXPR_CHUNK_ROWS } from './expr-kernels.js'
import { compileRefine, invalidFilter, isSymbolFilterEmpty } from './column-filter.js'
import { gatherVector } from './gather.js'
import type { Memtable } from './memtable.js'
import { rangesRowCount, type RowRanges } from './time-runs.js'

/** Row indices of one memtable that passed the time range and filters. */
export interface Selection {
  readonly memtable: Memtable
  readonly rows: Int32Array
  readonly count: number
}

/** Rows a scan examines per window without an expression (with one: EXPR_CHUNK_ROWS, the kernels' window). */
const SELECT_WINDOW_ROWS = 4096

/** The window's candidate rows: scratch reused by every selectRowRange on this thread (nothing keeps it). */
const selectWindow = new Int32Array(Math.max(SELECT_WINDOW_ROWS, EXPR_CHUNK_ROWS))

export function checkColumns(schema: TableSchema, op: ScanOp): void {
  const n = schema.columns.length
  const bad = (c: number | null) => c !== null && (!Number.isInteger(c) || c < 0 || c >= n)
  if (op.filters.some((f) => bad(f.column)) || op.projection.some(bad) || op.aggregates.some((a) => bad(a.column)) ||
    op.groupBy.some((g) => bad(g.column)) || (op.where !== undefined && op.where !== null && exprColumns(op.where.expr).some(bad)) ||
    op.aggregates.some((a) => a.filter !== undefined && a.filter !== null && exprColumns(a.filter.expr).some(bad))) {
    throw invalidFilter(`scan of "${schema.name}" names a column outside 0..${n - 1}`)
  }
}

/** Rows of `memtable` in [fromUs, toUs) passing every filter, at most `limit` of them. */
export function selectRows(memtable: Memtable, op: ScanOp, limit: number): Selection {
  return selectRowRange(memtable, op, { fromRow: 0, toRow: memtable.rowCount, limit }).selection
}

/**
 * Rows in [fromRow, toRow) of `memtable` passing the time range and filters, at most `limit` of them; `nextRow` is
 * where a later call resumes (toRow when the range was examined to its end). Streaming scans examine a bounded range
 * per step; filters are compiled per call because a live memtable's dictionary may have grown in between. The
 * memtable's time index (time-runs.ts) gives the rows in the time range without testing each; every path keeps
 * rows in row order, so the selection is the same with or without it.
 */
export function selectRowRange(memtable: Memtable, op: ScanOp, range: { fromRow: number; toRow: number; limit: number }): { selection: Selection; nextRow: number } {
  const ts = memtable.columns[memtable.schema.timestampIndex]!
  const { fromRow, toRow, limit } = range
  const { fromUs, toUs } = op.timeRange
  const ranges = ts.kind === 'timestamp' ? memtable.timeRanges({ fromRow, toRow, fromUs, toUs }) : null
  if (op.filters.length === 0 && (op.where === undefined || op.where === null) && ts.kind === 'timestamp') {
    if (ranges !== null) return selectRanges(memtable, ranges, range)
    const dense = denseSelection(memtable, ts.values, op.timeRange, range)
    if (dense !== null) return dense
    if (limit >= toRow - fromRow) return selectTimeRange(memtable, ts.values, op.timeRange, range)
  }
  if (op.filters.some((filter) => isSymbolFilterEmpty(filter, memtable.columns[filter.column]!))) {
    return { selection: { memtable, rows: new Int32Array(0), count: 0 }, nextRow: Math.max(fromRow, toRow) }
  }
  const refines = op.filters.map((filter) => compileRefine(filter, memtable.columns[filter.column]!))
  const where = op.where === undefined || op.where === null ? null : compileWhere(memtable.schema, op.where)
  if (ts.kind !== 'timestamp') throw invalidFilter('designated timestamp column is not a timestamp')
  const candidates = ranges === null ? new LinearCandidates(ts.values, op.timeRange, range) : new RangeCandidates(ranges, range)
  const rows = new Int32Array(Math.max(0, Math.min(candidates.maxCount, limit)))
  let count = 0
  // A window of candidates at a time: the time range picks them, each filter refines them in one pass, and
  // candidates stop at the limit, so the expression (on windows of at most EXPR_CHUNK_ROWS rows) never computes a
  // row the scan would not have needed.
  const windowRows = where === null ? SELECT_WINDOW_ROWS : EXPR_CHUNK_ROWS
  const window = selectWindow
  // Rows before the first candidate are not in the time range: a scan stopped at its limit resumes past them.
  let row = candidates.next
  while (candidates.next < toRow && count < limit) {
    let n = candidates.fill(window, windowRows)
    for (let f = 0; f < refines.length && n > 0; f++) n = refines[f]!(window, 0, n)
    const taken = Math.min(n, limit - count)
    rows.set(window.subarray(0, taken), count)
    // Candidates past the limit are given again by the next window (the expression may drop some taken ones).
    if (taken < n) candidates.rewind(window[taken - 1]! + 1)
    row = candidates.next
    const start = count
    count += taken
    if (where !== null && taken > 0) count = start + where.filter(memtable.columns, rows, start, taken)
  }
  return { selection: { memtable, rows, count }, nextRow: row }
}

/** Where a scan's candidate rows (those in its time range) come from, a window at a time, in row order. */
interface Candidates {
  /** At most this many candidates in all. */
  readonly maxCount: number
  /** The row a later fill resumes at (toRow once every candidate was given). */
  readonly next: number
  /** Writes up to `max` next candidates into `window`; returns how many. */
  fill(window: Int32Array, max: number): number
  /** Goes back to `row` (at or after the first candidate given): the candidates from it on are given again. */
  rewind(row: number): void
}

/** Without a time index: every row's timestamp is tested, `max` rows per window. */
class LinearCandidates implements Candidates {
  next: number
  readonly maxCount: number
  private readonly toRow: number

  constructor(private readonly times: Float64Array, private readonly timeRange: ScanOp['timeRange'], range: { fromRow: number; toRow: number }) {
    this.next = range.fromRow
    this.toRow = range.toRow
    this.maxCount = range.toRow - range.fromRow
  }

  fill(window: Int32Array, max: number): number {
    const { fromUs, toUs } = this.timeRange
    const end = Math.min(this.toRow, this.next + max)
    let n = 0
    for (let r = this.next; r < end; r++) {
      const t = this.times[r]!
      if (!(t < fromUs || t >= toUs)) window[n++] = r
    }
    this.next = end
    return n
  }

  rewind(row: number): void {
    this.next = row
  }
}

/** From the time index's row ranges: only rows in the time range are visited. */
class RangeCandidates implements Candidates {
  next: number
  readonly maxCount: number
  private pair = 0
  private readonly toRow: number

  constructor(private readonly ranges: RowRanges, range: { fromRow: number; toRow: number }) {
    this.toRow = range.toRow
    this.maxCount = rangesRowCount(ranges)
    this.next = ranges.length === 0 ? Math.max(range.fromRow, range.toRow) : ranges[0]!
  }

  fill(window: Int32Array, max: number): number {
    const ranges = this.ranges
    let n = 0
    while (this.pair < ranges.length && n < max) {
      const from = Math.max(this.next, ranges[this.pair]!)
      const taken = Math.min(ranges[this.pair + 1]! - from, max - n)
      for (let i = 0; i < taken; i++) window[n++] = from + i
      this.next = from + taken
      if (this.next >= ranges[this.pair + 1]!) {
        this.pair += 2
        this.next = this.pair < ranges.length ? ranges[this.pair]! : this.toRow
      }
    }
    return n
  }

  rewind(row: number): void {
    const ranges = this.ranges
    this.pair = 0
    while (this.pair < ranges.length && ranges[this.pair + 1]! <= row) this.pair += 2
    this.next = this.pair < ranges.length ? Math.max(row, ranges[this.pair]!) : this.toRow
  }
}

/**
 * No filter: the rows in the index's ranges, up to `limit`. When they are all of [fromRow, fromRow + limit) (a
 * memtable or row group wholly inside the time range, the commonest case) the selection is a view of the shared row
 * numbers and allocates nothing.
 */
function selectRanges(memtable: Memtable, ranges: RowRanges, range: { fromRow: number; toRow: number; limit: number }): { selection: Selection; nextRow: number } {
  const { fromRow, toRow, limit } = range
  const end = Math.max(fromRow, Math.min(toRow, fromRow + limit))
  if (ranges.length === 0) return { selection: { memtable, rows: new Int32Array(0), count: 0 }, nextRow: limit > 0 ? Math.max(fromRow, toRow) : fromRow }
  if (ranges[0] === fromRow && ranges[1]! >= end) {
    return { selection: { memtable, rows: identityView(fromRow, end - fromRow), count: end - fromRow }, nextRow: end }
  }
  if (ranges.length === 2) {
    // One range (a sorted row group or memtable cut by the time range): a view too, as the loop below would fill it.
    const from = ranges[0]!
    const taken = Math.max(0, Math.min(ranges[1]! - from, limit))
    const nextRow = taken < ranges[1]! - from ? from + taken : toRow
    return { selection: { memtable, rows: identityView(from, taken), count: taken }, nextRow }
  }
  const rows = new Int32Array(Math.min(rangesRowCount(ranges), limit))
  let count = 0
  let nextRow = toRow
  for (let pair = 0; pair < ranges.length; pair += 2) {
    const from = ranges[pair]!
    const taken = Math.min(ranges[pair + 1]! - from, rows.length - count)
    for (let i = 0; i < taken; i++) rows[count++] = from + i
    if (count === rows.length && from + taken < ranges[pair + 1]!) { nextRow = from + taken; break }
  }
  return { selection: { memtable, rows, count }, nextRow }
}

/**
 * Row numbers 0, 1, 2, … shared by every dense selection on this thread: `rows` of a selection that takes every row
 * of a range is a view of it (readers never write a selection's rows), so such a selection allocates nothing.
 * Grown to the largest range seen up to IDENTITY_ROWS_MAX; a longer range gets its own array.
 */
let identityRows = new Int32Array(0)
const IDENTITY_ROWS_MAX = 1 << 20

function identityView(fromRow: number, count: number): Int32Array {
  const end = fromRow + count
  if (end > IDENTITY_ROWS_MAX) return Int32Array.from({ length: count }, (_, i) => fromRow + i)
  if (identityRows.length < end) {
    identityRows = new Int32Array(Math.min(IDENTITY_ROWS_MAX, Math.max(end, identityRows.length * 2)))
    for (let i = 0; i < identityRows.length; i++) identityRows[i] = i
  }
  return identityRows.subarray(fromRow, end)
}

/**
 * Without filters, when every row of the range (up to the limit) lies in the time range — a row group or memtable
 * wholly inside the query's time range, the commonest case — the selection is the range itself: one pass over the
 * timestamps that writes nothing. Null when some row is outside (the general path then selects row by row).
 */
function denseSelection(memtable: Memtable, times: Float64Array, timeRange: ScanOp['timeRange'],
  range: { fromRow: number; toRow: number; limit: number }): { selection: Selection; nextRow: number } | null {
  const { fromRow } = range
  const end = Math.max(fromRow, Math.min(range.toRow, fromRow + range.limit))
  const { fromUs, toUs } = timeRange
  if (fromUs !== Number.NEGATIVE_INFINITY || toUs !== Number.POSITIVE_INFINITY) {
    // The general path's test, so a NaN timestamp is kept here exactly when it would be kept there.
    for (let r = fromRow; r < end; r++) { const t = times[r]!; if (t < fromUs || t >= toUs) return null }
  }
  const count = end - fromRow
  return { selection: { memtable, rows: identityView(fromRow, count), count }, nextRow: end }
}

/** The time range alone, with no limit to stop at: the rows are written straight into the selection. */
function selectTimeRange(memtable: Memtable, times: Float64Array, timeRange: ScanOp['timeRange'],
  range: { fromRow: number; toRow: number }): { selection: Selection; nextRow: number } {
  const { fromRow, toRow } = range
  const { fromUs, toUs } = timeRange
  const rows = new Int32Array(toRow - fromRow)
  let count = 0
  for (let r = fromRow; r < toRow; r++) { const t = times[r]!; if (!(t < fromUs || t >= toUs)) rows[count++] = r }
  return { selection: { memtable, rows, count }, nextRow: toRow }
}

export function buildRows(schema: TableSchema, op: ScanOp, selections: ReadonlyArray<Selection>): RowsPartial {
  let total = 0
  for (const s of selections) total += s.count
  const tables = new Int32Array(total)
  const rows = new Int32Array(total)
  let at = 0
  selections.forEach((s, m) => {
    tables.fill(m, at, at + s.count)
    rows.set(s.rows.subarray(0, s.count), at)
    at += s.count
  })
  const refs = { count: total, tables, rows }
  const columns = op.projection.map((c) =>
    gatherVector(schema.columns[c]!.kind, selections.map((s) => s.memtable.columns[c]!), refs))
  return { kind: 'RowsPartial', rowCount: total, columns }
}

/** Runs `op` over the given memtables (one core's share of the table). Throws EngineFailureError on a bad op. */
export function scanMemtables(schema: TableSchema, memtables: ReadonlyArray<Memtable>, op: ScanOp): ScanPartial {
  checkColumns(schema, op)
  const isRaw = op.groupBy.length === 0 && op.aggregates.length === 0
  let remaining = isRaw && op.limit !== null ? Math.max(0, op.limit) : Number.POSITIVE_INFINITY
  const selections: Selection[] = []
  for (const memtable of memtables) {
    if (remaining <= 0) break
    const selection = selectRows(memtable, op, remaining)
    remaining -= selection.count
    // An empty selection adds no row and no group: leaving it out spares the kernels a pass per memtable.
    if (selection.count > 0) selections.push(selection)
  }
  return isRaw ? buildRows(schema, op, selections) : aggregateRows(schema, op, selections)
}
