// engine/timeseries/chunk-prune: decides from a chunk's statistics alone (counts, min/max, a symbol chunk's
// dictionary) whether any row of the chunk can pass a pushed ColumnFilter, with exactly scan.ts's semantics: NULL
// passes only isNull, floats order as PostgreSQL's float8 (NaN equals NaN, above everything; -0 equals 0). Answers
// "maybe" whenever the stats do not prove "no"; knows nothing of files, rings or SQL.
import { assertNever } from '../../src/common/assert.js'
import type { ColumnKind } from '../batch.js'
import type { ColumnFilter } from '../ops.js'
import type { ChunkStats } from './codecs/chunk-stats.js'
import { compareStrings, floatOrder } from './gather.js'
import { asNumber, compareBig, holds, passes } from './column-filter.js'

/** What pruning knows of one column of one row group. `dict` only for symbol chunks, when it was read. */
export interface ChunkSummary {
  readonly kind: ColumnKind
  readonly valueCount: number
  readonly nullCount: number
  readonly stats: ChunkStats
  readonly dict?: ReadonlyArray<string>
}

type FilterValue = ColumnFilter['values'][number]

/** A column the segment predates: every row reads NULL. */
export function allNullSummary(kind: ColumnKind, rowCount: number): ChunkSummary {
  return { kind, valueCount: rowCount, nullCount: rowCount, stats: { kind: 'none' } }
}

/** False only when no row of the chunk can pass `filter`. */
export function mayPass(filter: ColumnFilter, chunk: ChunkSummary): boolean {
  const nonNullCount = chunk.valueCount - chunk.nullCount
  if (filter.op === 'isNull') return chunk.nullCount > 0
  if (nonNullCount === 0) return false
  if (filter.op === 'isNotNull') return true
  if (chunk.dict !== undefined) {
    // Equality is identity of the strings (compareStrings is 0 exactly then): a lookup per value, no comparator.
    if (filter.op === 'in' || (filter.op === 'eq' && filter.values.length === 1)) {
      return filter.values.some((value) => chunk.dict!.includes(String(value)))
    }
    return chunk.dict.some((symbol) => passes(filter, (value) => compareStrings(symbol, String(value))))
  }
  const stats = chunk.stats
  switch (stats.kind) {
    case 'none': return true
    case 'i64': return mayPassRange(filter, (value) => compareBig(stats.min, value), (value) => compareBig(stats.max, value), stats.min === stats.max)
    case 'f64': return mayPassFloat(filter, chunk.kind, stats.min, stats.max)
    default: return assertNever(stats)
  }
}

/**
 * Float stats ignore NaN, so an f64 or timestamp chunk with a non-NULL value may hold NaN besides [min, max] (min > max:
 * only NaN). Bool chunks hold 0/1 only.
 */
function mayPassFloat(filter: ColumnFilter, kind: ColumnKind, min: number, max: number): boolean {
  const mayHoldNaN = kind !== 'bool'
  if (mayHoldNaN && passesCell(filter, (value) => floatOrder(Number.NaN, asNumber(value)))) return true
  if (!(min <= max)) return false
  return mayPassRange(filter, (value) => floatOrder(min, asNumber(value)), (value) => floatOrder(max, asNumber(value)), floatOrder(min, max) === 0)
}

/** As scan.ts's passes(), without its one-value check (pruning never rejects a filter the scan would reject). */
function passesCell(filter: ColumnFilter, compareTo: (value: FilterValue) => number): boolean {
  if (filter.values.length === 0 && filter.op !== 'in' && filter.op !== 'notIn') return true
  return passes(filter, compareTo)
}

/**
 * Whether some value in the ordered range [min, max] can pass, given comparators of min and max against a filter
 * value. A comparison that is NaN (an i64 cell against NaN) fails every ordered test as it does per row.
 */
function mayPassRange(filter: ColumnFilter, compareMin: (value: FilterValue) => number,
  compareMax: (value: FilterValue) => number, isSingleValue: boolean): boolean {
  const inside = (value: FilterValue): boolean => compareMin(value) <= 0 && compareMax(value) >= 0
  switch (filter.op) {
    case 'in': return filter.values.some(inside)
    // Only a chunk whose every value is the same one can be proven to hold nothing but excluded values.
    case 'notIn': return !(isSingleValue && filter.values.some((value) => compareMin(value) === 0))
    case 'eq': case 'neq': case 'lt': case 'lte': case 'gt': case 'gte': break
    case 'isNull': case 'isNotNull': return true
    default: return assertNever(filter.op)
  }
  if (filter.values.length !== 1) return true
  const value = filter.values[0]!
  switch (filter.op) {
    case 'eq': return inside(value)
    case 'neq': return !(isSingleValue && compareMin(value) === 0)
    case 'lt': case 'lte': return holds(filter.op, compareMin(value))
    case 'gt': case 'gte': return holds(filter.op, compareMax(value))
    default: return assertNever(filter.op)
  }
}

/** True only when every row of the chunk passes `filter` (so a group's statistics may stand for its rows). */
export function mustPass(filter: ColumnFilter, chunk: ChunkSummary): boolean {
  if (filter.op === 'isNull') return chunk.nullCount === chunk.valueCount
  if (chunk.nullCount > 0) return false
  if (filter.op === 'isNotNull') return true
  // A filter the scan would reject is never proven true: the cores must see it and fail.
  if (filter.op !== 'in' && filter.op !== 'notIn' && filter.values.length !== 1) return false
  if (chunk.dict !== undefined) {
    return chunk.dict.every((symbol) => passes(filter, (value) => compareStrings(symbol, String(value))))
  }
  const stats = chunk.stats
  switch (stats.kind) {
    case 'none': return false
    case 'i64': return allInRangePass(filter, (value) => compareBig(stats.min, value), (value) => compareBig(stats.max, value), stats.min === stats.max)
    case 'f64': {
      const { min, max } = stats
      if (chunk.kind !== 'bool' && !passes(filter, (value) => floatOrder(Number.NaN, asNumber(value)))) return false
      return !(min <= max) ||
        allInRangePass(filter, (value) => floatOrder(min, asNumber(value)), (value) => floatOrder(max, asNumber(value)), floatOrder(min, max) === 0)
    }
    default: return assertNever(stats)
  }
}

/** Whether every value in the ordered range [min, max] passes; a NaN comparison proves nothing. */
function allInRangePass(filter: ColumnFilter, compareMin: (value: FilterValue) => number,
  compareMax: (value: FilterValue) => number, isSingleValue: boolean): boolean {
  const outside = (value: FilterValue): boolean => compareMax(value) < 0 || compareMin(value) > 0
  const value = filter.values[0]!
  switch (filter.op) {
    case 'in': return isSingleValue && filter.values.some((candidate) => compareMin(candidate) === 0)
    case 'notIn': return filter.values.every(outside)
    case 'eq': return isSingleValue && compareMin(value) === 0
    case 'neq': return outside(value)
    case 'lt': return compareMax(value) < 0
    case 'lte': return compareMax(value) <= 0
    case 'gt': return compareMin(value) > 0
    case 'gte': return compareMin(value) >= 0
    case 'isNull': case 'isNotNull': return false
    default: return assertNever(filter.op)
  }
}
