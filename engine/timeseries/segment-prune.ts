// engine/timeseries/segment-prune: which row groups of a segment a scan reads, and where their chunks lie. A group
// outside the time range, or whose chunk statistics prove that no row passes one of the pushed filters
// (chunk-prune.ts), is skipped. Runs on the control thread with the segment's file open; reads and decodes only
// chunk headers and symbol dictionaries (small), never values, and keeps what it learnt per segment (KnownSummaries),
// so a later scan prunes the same row groups without reading the file. Knows nothing of rings or SQL.
import { assert } from '../../src/common/assert.js'
import { COLUMNS_PER_TABLE_MAX_COUNT } from '../../src/common/limits.js'
import type { ColumnKind } from '../batch.js'
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
 * What a scan does with one row group in its time range: skip it (its statistics prove no row passes), add it to the
 * statistics answer (when `StatsAnswer.tryAdd` takes it; else read it), or send it to a core.
 */
type Verdict = 'pruned' | 'answer' | 'read'

/** A chunk summary the decision needs and does not have yet: the caller reads it (summarize) and decides again. */
interface Lack { readonly column: number; readonly isVerified: boolean }

/** The summary of a row group's chunk if known (verified when asked: taken from the whole chunk, CRC checked). */
type SummaryOf = (column: number, isVerified: boolean) => ChunkSummary | undefined

/**
 * The verdict on one row group in the time range from the summaries `summaryOf` has, or the first one it lacks, in the
 * order the filters are tested (so a group reads no more summaries than its verdict needs). Changes nothing.
 */
function decideGroup(group: RowGroupIndex, op: RowGroupScope, answer: StatsAnswer | null, summaryOf: SummaryOf): Verdict | Lack {
  const filters = op.filters
  for (let f = 0; f < filters.length; f++) {
    const summary = summaryOf(filters[f]!.column, false)
    if (summary === undefined) return { column: filters[f]!.column, isVerified: false }
    if (!mayPass(filters[f]!, summary)) return 'pruned'
  }
  const { fromUs, toUs } = op.timeRange
  if (answer === null || !(group.minUs >= fromUs && group.maxUs < toUs)) return 'read'
  // A group wholly inside: answered when its summaries prove every filter (an answer is data, so from verified ones).
  for (const filter of filters) if (!mustPass(filter, summaryOf(filter.column, false)!)) return 'read'
  for (const column of answerColumns(answer, filters)) if (summaryOf(column, true) === undefined) return { column, isVerified: true }
  return filters.every((filter) => mustPass(filter, summaryOf(filter.column, true)!)) ? 'answer' : 'read'
}

/** The columns whose verified summaries an answer needs: the timestamp (row count), the filters' and the aggregates'. */
function answerColumns(answer: StatsAnswer, filters: ReadonlyArray<ColumnFilter>): Set<number> {
  return new Set([answer.timestampIndex, ...filters.map((filter) => filter.column), ...answer.columns])
}

/** Applies a verdict: counts it, and adds an answerable group to `answer`. Returns whether the group is read. */
function applyVerdict(verdict: Verdict, summaryOf: SummaryOf, columnCount: number, counters: PruneCounters,
  answer: StatsAnswer | null): boolean {
  if (verdict === 'pruned') {
    counters.rowGroupsPruned += 1
    return false
  }
  if (verdict === 'answer' && answer!.tryAdd((column) => summaryOf(column, true)!)) {
    counters.rowGroupsAnswered += 1
    return false
  }
  counters.rowGroupsRead += 1
  counters.chunksRead += columnCount
  return true
}

/** Summaries of `known` for row group `index`. */
function knownOf(known: KnownSummaries, index: number): SummaryOf {
  return (column, isVerified) => {
    const had = known.get(knownKey(index, column))
    return had !== undefined && (had.isVerified || !isVerified) ? had.summary : undefined
  }
}

/**
 * The row groups of one segment `op` needs; `columnCount` needed columns are counted as read per group. With `answer`, a
 * group the scan covers wholly is added to it instead when its statistics answer the aggregates (stats-answer.ts).
 * Summaries not in `known` are read (and kept there when small).
 */
export async function readRowGroups(file: string, footer: SegmentFooter, op: RowGroupScope, columnCount: number,
  read: ReadBytes, counters: PruneCounters, answer: StatsAnswer | null = null, known: KnownSummaries = new Map()): Promise<RowGroupIndex[]> {
  const { fromUs, toUs } = op.timeRange
  const kept: RowGroupIndex[] = []
  for (const [index, group] of footer.rowGroups.entries()) {
    if (!(group.minUs < toUs && group.maxUs >= fromUs)) continue
    const prefetched = new Map<number, Uint8Array>()
    // Summaries read for this group, kept or not (a large dictionary is not kept in `known`).
    const local: KnownSummaries = new Map()
    const inKnown = knownOf(known, index)
    const summaryOf: SummaryOf = (column, isVerified) => {
      const had = local.get(column)
      return had !== undefined && (had.isVerified || !isVerified) ? had.summary : inKnown(column, isVerified)
    }
    let verdict = decideGroup(group, op, answer, summaryOf)
    while (typeof verdict === 'object') {
      const { column, isVerified } = verdict
      const summary = await summarize(file, footer.kinds, group, column, read, prefetched, isVerified)
      const entry = { summary, isVerified: isVerified || footer.kinds[column] === 'symbol' }
      local.set(column, entry)
      if ((summary.dict?.length ?? 0) <= KNOWN_DICT_ENTRIES_MAX_COUNT) known.set(knownKey(index, column), entry)
      verdict = decideGroup(group, op, answer, summaryOf)
    }
    if (applyVerdict(verdict, summaryOf, columnCount, counters, answer)) kept.push(group)
  }
  return kept
}

/**
 * The row groups of a segment `op` needs when what is already known of it (its footer, the chunk summaries in `known`)
 * decides every group in the time range, applied as readRowGroups applies them; null (and nothing counted or answered)
 * when some summary is missing, for readRowGroups to read, or when a group is left and not `canRead`. Synchronous: a repeated query decides the segments it has
 * seen without a promise or a file, and a one-series query over many series prunes most segments this way.
 */
export function knownRowGroups(footer: SegmentFooter, op: RowGroupScope, columnCount: number, counters: PruneCounters,
  answer: StatsAnswer | null, known: KnownSummaries | undefined, canRead: boolean): RowGroupIndex[] | null {
  if (known === undefined) return null
  const { fromUs, toUs } = op.timeRange
  const groups = footer.rowGroups
  // First decide every group without changing anything, then apply: an answer is added once, or not at all. Without
  // `canRead` (no descriptor at hand) only a segment whose every group is pruned is decided here.
  for (let index = 0; index < groups.length; index++) {
    const group = groups[index]!
    if (!(group.minUs < toUs && group.maxUs >= fromUs)) continue
    const verdict = decideGroup(group, op, answer, knownOf(known, index))
    if (typeof verdict === 'object' || (verdict !== 'pruned' && !canRead)) return null
  }
  const kept: RowGroupIndex[] = []
  for (let index = 0; index < groups.length; index++) {
    const group = groups[index]!
    if (!(group.minUs < toUs && group.maxUs >= fromUs)) continue
    const summaryOf = knownOf(known, index)
    const verdict = decideGroup(group, op, answer, summaryOf) as Verdict
    if (applyVerdict(verdict, summaryOf, columnCount, counters, answer)) kept.push(group)
  }
  return kept
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

/**
 * One symbol column's values over every row group of a segment, as far as `known` tells: null while some group's
 * dictionary is not known (not read yet, or too long to keep).
 */
export function segmentTagValues(known: KnownSummaries, rowGroupCount: number, column: number): ReadonlySet<string> | null {
  const values = new Set<string>()
  for (let index = 0; index < rowGroupCount; index++) {
    const dict = known.get(knownKey(index, column))?.summary.dict
    if (dict === undefined) return null
    for (const value of dict) values.add(value)
  }
  return values
}

/** Where groupsPrunedByTags finds a segment's tag values (segmentTagValues, kept per segment by its owner). */
export interface TagValuesSource {
  tagValuesOf(segmentId: number, footer: SegmentFooter, known: KnownSummaries, column: number): ReadonlySet<string> | null
}

/**
 * The number of row groups in `scope`'s time range when a tag `=`/`IN` filter names no value of the whole segment,
 * else -1. Each of those groups would be pruned one by one (mayPass finds none of the filter's values in its
 * dictionary), so the caller counts them pruned and skips the segment in one lookup: a one-host query over a table of
 * many hosts passes most segments this way, where deciding their groups allocated ~0.5 KB a segment (closures,
 * arrays) and was the largest part of the control thread's scan setup (ARCHITECTURE.md, issue 8). Plain loops and no
 * closure: it runs for every segment in the time range of every scan.
 */
export function groupsPrunedByTags(footer: SegmentFooter, scope: RowGroupScope, source: TagValuesSource, segmentId: number,
  known: KnownSummaries): number {
  const filters = scope.filters
  for (let f = 0; f < filters.length; f++) {
    const filter = filters[f]!
    if (filter.op !== 'in' && !(filter.op === 'eq' && filter.values.length === 1)) continue
    if (footer.kinds[filter.column] !== 'symbol') continue
    const values = source.tagValuesOf(segmentId, footer, known, filter.column)
    if (values === null || namesAny(filter.values, values)) continue
    let inRange = 0
    for (let g = 0; g < footer.rowGroups.length; g++) {
      const group = footer.rowGroups[g]!
      if (group.minUs < scope.timeRange.toUs && group.maxUs >= scope.timeRange.fromUs) inRange += 1
    }
    return inRange
  }
  return -1
}

/** Whether one of a filter's values is in `values` (compared as mayPass compares them with a dictionary). */
function namesAny(filterValues: ColumnFilter['values'], values: ReadonlySet<string>): boolean {
  for (let v = 0; v < filterValues.length; v++) if (values.has(String(filterValues[v]))) return true
  return false
}
