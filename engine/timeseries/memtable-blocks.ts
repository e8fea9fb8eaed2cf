// engine/timeseries/memtable-blocks: the rows of one (table, vShard) in memory as packed blocks of its older rows
// (memtable-block.ts) followed by an appendable tail memtable (issue 10: RSS after ingest). Seals the tail when the
// next append would take it past BLOCK_ROWS rows, and gives scans, flushes and DELETE the rows back
// in their order. Knows nothing of WAL, rings, files or SQL.
import { MEMTABLE_BLOCK_ROWS_COUNT } from '../../src/common/memtable-limits.js'
import { collectOutgrown } from '../../src/common/release-buffer.js'
import type { ColumnVector } from '../batch.js'
import type { ScanOp, TableSchema } from '../ops.js'
import type { DecodedChunkCache } from './chunk-cache.js'
import { isSymbolFilterEmpty } from './column-filter.js'
import { Memtable, type MemColumn } from './memtable.js'
import { blockBytes, decodeBlock, decodeBlockVectors, isBlockOutside, sealBlock, type MemtableBlock } from './memtable-block.js'
import { neededColumns } from './segment-reader.js'

/**
 * Rows per block: MEMTABLE_BLOCK_ROWS_COUNT, or NODEDB_MEMTABLE_BLOCK_ROWS (1 up to it) where tests set it so their
 * few rows are packed too (the differential corpus, the crash suite).
 */
export const BLOCK_ROWS = blockRowsOf(process.env.NODEDB_MEMTABLE_BLOCK_ROWS)

function blockRowsOf(text: string | undefined): number {
  const rows = Number(text)
  return Number.isInteger(rows) && rows >= 1 && rows <= MEMTABLE_BLOCK_ROWS_COUNT ? rows : MEMTABLE_BLOCK_ROWS_COUNT
}

/** A (table, vShard)'s rows: `blocks` (oldest first) then `memtable`, the tail appends go to. */
export interface BlockedRows {
  memtable: Memtable
  blocks: MemtableBlock[]
  /** Bytes the blocks hold (blockBytes), and what their rows cost unpacked (the budget: see rowsBudgetBytes). */
  blocksBytes: number
  blocksUnpackedBytes: number
  /** A streaming scan's cursor may hold the tail (scanSourcesOf): a seal then gives it a successor, not a clear. */
  isTailPinned?: boolean
}

/**
 * Before `count` rows are appended: a tail that holds rows and would pass BLOCK_ROWS with them is packed into a
 * block and emptied to take rows again in the same arrays, allocating nothing. A tail a scan cursor may hold is not
 * written again (the cursor keeps its snapshot): a new one takes its place, its arrays sized for a whole block at
 * once (this line fills blocks), and the old one's go to collectOutgrown.
 */
export function sealIfFull(rows: BlockedRows, count: number): void {
  const tail = rows.memtable
  if (tail.rowCount === 0 || tail.rowCount + count <= BLOCK_ROWS) return
  const block = sealBlock(tail, rows.blocks[rows.blocks.length - 1])
  rows.blocks.push(block)
  rows.blocksBytes += blockBytes(block)
  const unpacked = tail.sizeBytes
  rows.blocksUnpackedBytes += unpacked
  // The first tail grew by doubling from its first append (to up to twice a block): its successor is sized right.
  if (rows.isTailPinned !== true && count <= BLOCK_ROWS && rows.blocks.length > 1) {
    tail.clearRows()
    return
  }
  rows.isTailPinned = false
  rows.memtable = new Memtable(tail.schema)
  rows.memtable.reserveCapacity(Math.max(count, BLOCK_ROWS))
  collectOutgrown(unpacked) // the old tail's arrays, now dead (their rows filled them)
}

/** Bytes the rows really hold: the tail's and the blocks'. */
export function rowsHeldBytes(rows: BlockedRows): number {
  return rows.memtable.sizeBytes + rows.blocksBytes
}

/**
 * Bytes charged to the memtable budget: every row at its unpacked size, as before blocks, so a flush comes after as
 * many rows as it did (the same segments, WAL retention and flush length); memory held is a fraction of it.
 */
export function rowsBudgetBytes(rows: BlockedRows): number {
  return rows.memtable.sizeBytes + rows.blocksUnpackedBytes
}

export function rowsCount(rows: BlockedRows): number {
  let count = rows.memtable.rowCount
  for (const block of rows.blocks) count += block.rowCount
  return count
}

/** False when no row of `block` can pass `op`'s time range or a tag filter (from its bounds and dictionaries). */
function mayPass(schema: TableSchema, block: MemtableBlock, op: ScanOp): boolean {
  if (isBlockOutside(block, op.timeRange)) return false
  for (const filter of op.filters) {
    const dict = filter.column < block.columnCount && schema.columns[filter.column]?.kind === 'symbol' ? block.refs[filter.column] : undefined
    if (dict === undefined) continue
    const column: MemColumn = { kind: 'symbol', ids: EMPTY_IDS, dict: dict as string[], lookup: NO_LOOKUP }
    if (isSymbolFilterEmpty(filter, column)) return false
  }
  return true
}

const EMPTY_IDS = new Int32Array(0)
const NO_LOOKUP = new Map<string, number>()

/** The rows as memtables a scan reads, in row order: each block that may hold a row `op` passes, decoded, then the tail. */
export function scanMemtablesOf(schema: TableSchema, rows: BlockedRows, op: ScanOp, cache?: DecodedChunkCache): Memtable[] {
  const memtables: Memtable[] = []
  const columns = neededColumns(schema, op)
  for (const block of rows.blocks) if (mayPass(schema, block, op)) memtables.push(decodeBlock(schema, block, columns, cache))
  memtables.push(rows.memtable)
  return memtables
}

/** As scanMemtablesOf, decoding each block only when a streaming scan reaches it. */
export function scanSourcesOf(schema: TableSchema, rows: BlockedRows, op: ScanOp,
  cache?: DecodedChunkCache): Array<{ rowCount: number; open: () => Memtable }> {
  const columns = neededColumns(schema, op)
  const sources = rows.blocks.filter((block) => mayPass(schema, block, op))
    .map((block) => ({ rowCount: block.rowCount, open: () => decodeBlock(schema, block, columns, cache) }))
  const tail = rows.memtable
  rows.isTailPinned = true
  sources.push({ rowCount: tail.rowCount, open: () => tail })
  return sources
}

/** The rows' blocks leave (flushed, rewritten, dropped): their decoded columns leave the cache too. */
export function forgetBlocks(rows: BlockedRows, cache: DecodedChunkCache): void {
  for (const block of rows.blocks) cache.evictFile(block.cacheKey)
}

/** The first `count` rows of a memtable's column as a vector (views, no copy). */
function vectorOf(column: MemColumn, count: number): ColumnVector {
  switch (column.kind) {
    case 'timestamp': case 'f64':
      return { kind: column.kind, values: column.values.subarray(0, count), nulls: column.isNullsShared === true ? undefined : column.nulls.subarray(0, count) }
    case 'i64': return { kind: column.kind, values: column.values.subarray(0, count), nulls: column.isNullsShared === true ? undefined : column.nulls.subarray(0, count) }
    case 'bool': return { kind: column.kind, values: column.values.subarray(0, count), nulls: column.isNullsShared === true ? undefined : column.nulls.subarray(0, count) }
    case 'symbol': return { kind: column.kind, ids: column.ids.subarray(0, count), dict: column.dict }
    case 'text': return { kind: column.kind, values: column.values.slice(0, count) }
    default: return column
  }
}

let identity = new Int32Array(0)

function identityRows(count: number): Int32Array {
  if (identity.length < count) {
    identity = new Int32Array(Math.max(count, 2 * identity.length))
    for (let i = 0; i < identity.length; i++) identity[i] = i
  }
  return identity
}

/**
 * Every row as one memtable, in order (flush sorts and encodes it; DELETE rewrites it): the tail itself when there
 * is no block, else a new memtable of `schema` (the caller's, which may have gained columns since a block was sealed).
 */
export function wholeMemtable(schema: TableSchema, rows: BlockedRows): Memtable {
  if (rows.blocks.length === 0) return rows.memtable
  const whole = new Memtable(schema)
  whole.reserveCapacity(rowsCount(rows))
  const append = (columns: ColumnVector[], count: number): void => {
    if (count > 0) whole.appendRows({ rowCount: count, columns }, identityRows(count), count)
  }
  for (const block of rows.blocks) append(decodeBlockVectors(schema, block), block.rowCount)
  const tail = rows.memtable
  append(tail.columns.map((column) => vectorOf(column, tail.rowCount)), tail.rowCount)
  return whole
}
