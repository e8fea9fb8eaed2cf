// engine/timeseries/segment-prune: which row groups of a segment a scan reads, and where their chunks lie. A group
// outside the time range, or whose chunk statistics prove that no row passes one of the pushed filters
// (chunk-prune.ts), is skipped. Runs on the control thread with the segment's file open; reads and decodes only
// chunk headers and symbol dictionaries (small), never values, and keeps what it learnt per segment (KnownSummaries),
// so a later scan prunes the same row groups without reading the file. Knows nothing of rings or SQL.
import { assert } from '../../src/common/assert.js'
import { COLUMNS_PER_TABLE_MAX_COUNT } from '../../src/common/limits.js'
import type { ColumnKind } from '../batch.js'
import type { ChunkSlice, RowGroupSlice } from '../bridge/messages.js'
import type { ColumnFilter, ScanOp } from '../ops.js'
import { allNullSummary, mayPass, mustPass, type ChunkSummary } from './chunk-prune.js'
import { CHUNK_HEADER_BYTES, CODEC_OF_KIND, peekChunkDictionary, peekChunkHeader, readChunkHeader } from './codecs/chunk.js'
import { ChunkCorruptError } from './codecs/chunk-corrupt-error.js'
import type { RowGroupIndex, SegmentFooter } from './segment-format.js'
import type { StatsAnswer } from './stats-answer.js'
import { corruptSegment } from './segment-reader.js'

/** Reads `length` bytes at `offset` of the open segment file. */
export type ReadBytes = (offset: number, length: number) => Promise<Uint8Array>

/** Counts since open, reported in EngineStats. */
export interface PruneCounters {
  /** Row groups inside the time range skipped because their chunk stats proved no row passes the filters. */
  rowGroupsPruned: number
  /** Row groups wholly inside a scan whose chunk stats answered its aggregates (nothing of them decoded). */
  rowGroupsAnswered: number
  /** Row groups sent to a core (which reads their chunks unless its cache holds them). */
  rowGroupsRead: number
  /** Chunks sent to cores. */
  chunksRead: number
}

export function newPruneCounters(): PruneCounters {
  return { rowGroupsPruned: 0, rowGroupsAnswered: 0, rowGroupsRead: 0, chunksRead: 0 }
}

/**
 * Chunk summaries of one segment already read, by knownKey(rowGroupIndex, column) (segment files are immutable, so they
 * hold for the file's life). `isVerified`: taken from the whole chunk with its CRC checked (symbol chunks always are).
 */
export type KnownSummaries = Map<number, { readonly summary: ChunkSummary; readonly isVerified: boolean }>

/** Columns per row group in a KnownSummaries key: more than a table may have. */
const KNOWN_KEY_COLUMNS = 1 << 16
assert(COLUMNS_PER_TABLE_MAX_COUNT <= KNOWN_KEY_COLUMNS, 'a column number fits a KnownSummaries key')

/** A number, not a string: every scan looks summaries up per segment and row group, without building a key. */
function knownKey(rowGroupIndex: number, column: number): number {
  return rowGroupIndex * KNOWN_KEY_COLUMNS + column
}

/**
 * Tag dictionaries longer than this are not kept in KnownSummaries (a high-cardinality tag's dictionary is read again
 * when needed), so what is kept per listed segment stays small.
 */
const KNOWN_DICT_ENTRIES_MAX_COUNT = 1024

/** What of a scan selects row groups. */
export type RowGroupScope = Pick<ScanOp, 'timeRange' | 'filters'>

/**
 * The row groups of one segment `op` needs, with the chunks of the `needed` columns. With `answer`, a group the
 * scan covers wholly is added to it instead when its statistics answer the aggregates (stats-answer.ts).
 */
export async function readRowGroups(file: string, footer: SegmentFooter, op: RowGroupScope, needed: ReadonlyArray<number>,
  read: ReadBytes, counters: PruneCounters, answer: StatsAnswer | null = null, known: KnownSummaries = new Map()): Promise<RowGroupSlice[]> {
  const { fromUs, toUs } = op.timeRange
  const rowGroups: RowGroupSlice[] = []
  for (const [index, group] of footer.rowGroups.entries()) {
    if (!(group.minUs < toUs && group.maxUs >= fromUs)) continue
    const prefetched = new Map<number, Uint8Array>()
    const summaryOf = async (column: number, isVerified = false): Promise<ChunkSummary> => {
      const key = knownKey(index, column)
      const had = known.get(key)
      if (had !== undefined && (had.isVerified || !isVerified)) return had.summary
      const summary = await summarize(file, footer.kinds, group, column, read, prefetched, isVerified)
      if ((summary.dict?.length ?? 0) <= KNOWN_DICT_ENTRIES_MAX_COUNT) known.set(key, { summary, isVerified: isVerified || footer.kinds[column] === 'symbol' })
      return summary
    }
    if (!(await everyFilter(op.filters, async (filter) => mayPass(filter, await summaryOf(filter.column))))) {
      counters.rowGroupsPruned += 1
      continue
    }
    if (answer !== null && group.minUs >= fromUs && group.maxUs < toUs &&
      await everyFilter(op.filters, async (filter) => mustPass(filter, await summaryOf(filter.column))) &&
      await tryAnswer(answer, op.filters, (column) => summaryOf(column, true))) {
      counters.rowGroupsAnswered += 1
      continue
    }
    const chunks = chunkSlices(group, needed.filter((column) => column < footer.kinds.length))
    counters.rowGroupsRead += 1
    counters.chunksRead += chunks.length
    rowGroups.push({ rowCount: group.rowCount, chunks })
  }
  return rowGroups
}

/**
 * The number of row groups of a segment in `op`'s time range when what is already known of it (its footer, the
 * chunk summaries in `known`) proves that every one of them is pruned — some filter's summary admits no row — and
 * null when that is not proven (readRowGroups then decides, reading what it lacks). Synchronous and allocation-light:
 * a one-series query over a table of many series proves most segments empty this way without a promise or a file.
 */
export function prunedByKnown(footer: SegmentFooter, op: RowGroupScope, known: KnownSummaries | undefined): number | null {
  if (known === undefined || op.filters.length === 0) return null
  const { fromUs, toUs } = op.timeRange
  let prunedCount = 0
  for (let index = 0; index < footer.rowGroups.length; index++) {
    const group = footer.rowGroups[index]!
    if (!(group.minUs < toUs && group.maxUs >= fromUs)) continue
    let isPruned = false
    for (let f = 0; f < op.filters.length && !isPruned; f++) {
      const filter = op.filters[f]!
      const had = known.get(knownKey(index, filter.column))
      isPruned = had !== undefined && !mayPass(filter, had.summary)
    }
    if (!isPruned) return null
    prunedCount += 1
  }
  return prunedCount
}

/** Where the chunks of `columns` of one row group lie, in `columns` order (the core reads them: segment-decode.ts). */
function chunkSlices(group: RowGroupIndex, columns: ReadonlyArray<number>): ChunkSlice[] {
  return columns.map((column) => ({ column, offset: group.chunks[column]!.offset, length: group.chunks[column]!.length }))
}

/** Whether `test` holds for every filter, tested in order and stopping at the first that fails. */
async function everyFilter(filters: ReadonlyArray<ColumnFilter>, test: (filter: ColumnFilter) => Promise<boolean>): Promise<boolean> {
  for (const filter of filters) if (!(await test(filter))) return false
  return true
}

/**
 * Adds a group the scan covers wholly to `answer` when its statistics give the aggregates. An answer is data, so it is
 * taken from CRC-checked chunks only (the filters are proven again on them), and the timestamp chunk is checked too:
 * a corrupted group is reported as a scan that decodes it would report it, not answered around.
 */
async function tryAnswer(answer: StatsAnswer, filters: ReadonlyArray<ColumnFilter>,
  verified: (column: number) => Promise<ChunkSummary>): Promise<boolean> {
  const summaries = new Map<number, ChunkSummary>()
  for (const column of new Set([answer.timestampIndex, ...filters.map((filter) => filter.column), ...answer.columns])) {
    summaries.set(column, await verified(column))
  }
  return filters.every((filter) => mustPass(filter, summaries.get(filter.column)!)) &&
    answer.tryAdd((column) => summaries.get(column)!)
}

/**
 * What pruning (and, `isVerified`, answering) knows of one chunk. Symbol chunks, and every chunk when `isVerified`,
 * are read whole and CRC-checked (kept in `prefetched`, so a group reads each at most once); others by header only.
 */
async function summarize(file: string, kinds: ReadonlyArray<ColumnKind>, group: RowGroupIndex, column: number,
  read: ReadBytes, prefetched: Map<number, Uint8Array>, isVerified = false): Promise<ChunkSummary> {
  const kind = kinds[column]
  // A column added after the segment was written: it reads NULL in every row (core-storage.ts decodeRowGroup).
  if (kind === undefined) return allNullSummary('text', group.rowCount)
  const { offset, length } = group.chunks[column]!
  try {
    if (kind === 'symbol' || isVerified) {
      const bytes = prefetched.get(column) ?? await read(offset, length)
      const header = readChunkHeader(bytes)
      checkHeader(kind, header.codec, header.valueCount, group.rowCount)
      prefetched.set(column, bytes)
      const dict = kind === 'symbol' ? { dict: peekChunkDictionary(bytes, header) } : {}
      return { kind, valueCount: header.valueCount, nullCount: header.nullCount, stats: header.stats, ...dict }
    }
    const header = peekChunkHeader(await read(offset, Math.min(length, CHUNK_HEADER_BYTES)))
    checkHeader(kind, header.codec, header.valueCount, group.rowCount)
    return { kind, valueCount: header.valueCount, nullCount: header.nullCount, stats: header.stats }
  } catch (error) {
    if (error instanceof ChunkCorruptError) throw corruptSegment(file, offset + error.offset, error.message)
    throw error
  }
}

/** The header bytes are not CRC-checked yet: trust them for pruning only when they agree with the footer. */
function checkHeader(kind: ColumnKind, codec: string, valueCount: number, rowCount: number): void {
  if (codec !== CODEC_OF_KIND[kind]) throw new ChunkCorruptError(0, `chunk of codec ${codec} in a ${kind} column`)
  if (valueCount !== rowCount) throw new ChunkCorruptError(0, `chunk holds ${valueCount} values, row group ${rowCount}`)
}
