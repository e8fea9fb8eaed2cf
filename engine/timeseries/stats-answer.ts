// engine/timeseries/stats-answer: count(*), count(col), min and max answered from chunk statistics for the segment row
// groups a scan covers wholly (inside the time range, every filter proven true by the stats), so those groups are not
// read or decoded. Only scans without group keys, and only what the stats give exactly: float stats ignore NaN, so
// a float max is never taken from them, nor a float min of zero (-0 and 0 are equal, but print differently).
// The result is one more AggPartial for sql's merge. Knows nothing of files, rings or SQL.
import type { AggPartial, AggregateState, ColumnKind, ColumnVector } from '../batch.js'
import type { AggregateSpec, ScanOp, TableSchema } from '../ops.js'
import type { ChunkSummary } from './chunk-prune.js'
import { floatOrder } from './gather.js'

type Extreme = number | bigint | null

export class StatsAnswer {
  private readonly counts: number[]
  private readonly extremes: Extreme[]
  private answeredCount = 0

  private constructor(private readonly specs: ReadonlyArray<AggregateSpec>, private readonly kinds: ReadonlyArray<ColumnKind | null>,
    /** The designated timestamp: its chunk is CRC-checked for every answered group (segment-prune.ts). */
    readonly timestampIndex: number) {
    this.counts = specs.map(() => 0)
    this.extremes = specs.map(() => null)
  }

  /** An accumulator when `op` has a shape the stats can answer; null otherwise. */
  static of(schema: TableSchema, op: ScanOp): StatsAnswer | null {
    // Statistics cannot prove a pushed expression true for every row of a group.
    if (op.groupBy.length > 0 || op.aggregates.length === 0 || (op.where !== undefined && op.where !== null)) return null
    if (op.aggregates.some((spec) => spec.filter !== undefined && spec.filter !== null)) return null
    const kinds = op.aggregates.map((spec) => (spec.column === null ? null : schema.columns[spec.column]?.kind ?? null))
    const fits = op.aggregates.every((spec, a) => {
      if (spec.fn === 'count') return spec.column === null || kinds[a] !== null
      if (spec.fn === 'min') return kinds[a] === 'i64' || kinds[a] === 'f64' || kinds[a] === 'timestamp'
      return spec.fn === 'max' && kinds[a] === 'i64'
    })
    return fits ? new StatsAnswer(op.aggregates, kinds, schema.timestampIndex) : null
  }

  /** Columns whose summaries tryAdd needs. */
  get columns(): number[] {
    return this.specs.flatMap((spec) => (spec.column === null ? [] : [spec.column]))
  }

  /** Row groups answered so far. */
  get groupCount(): number {
    return this.answeredCount
  }

  /**
   * Adds a row group whose every row the scan would select, given the summaries of `columns` and of the timestamp
   * (its row count); false (and nothing added) when some aggregate cannot be taken exactly from them.
   */
  tryAdd(summaryOf: (column: number) => ChunkSummary): boolean {
    const rowCount = summaryOf(this.timestampIndex).valueCount
    const counts: number[] = []
    const extremes: Extreme[] = []
    for (const spec of this.specs) {
      const summary = spec.column === null ? null : summaryOf(spec.column)
      const nonNullCount = summary === null ? rowCount : summary.valueCount - summary.nullCount
      counts.push(nonNullCount)
      if (spec.fn === 'count' || nonNullCount === 0 || summary === null) { extremes.push(null); continue }
      const extreme = extremeOf(spec.fn === 'min', summary)
      if (extreme === undefined) return false
      extremes.push(extreme)
    }
    this.specs.forEach((spec, a) => {
      this.counts[a]! += counts[a]!
      const next = extremes[a]!
      const best = this.extremes[a]!
      if (next !== null && (best === null || isBetter(spec.fn === 'min', next, best))) this.extremes[a] = next
    })
    this.answeredCount += 1
    return true
  }

  /** The partial of the answered groups: one group, no keys. */
  toPartial(): AggPartial {
    const states = this.specs.map((spec, a): AggregateState => {
      if (spec.fn === 'count') return { kind: 'count', counts: Float64Array.of(this.counts[a]!) }
      const values = vectorOf(this.kinds[a]!, this.extremes[a]!)
      return spec.fn === 'min' ? { kind: 'min', values } : { kind: 'max', values }
    })
    return { kind: 'AggPartial', groupCount: 1, keys: [], states }
  }
}

/** The exact min (or max) of a chunk with a non-NULL value, or undefined when its stats do not give it. */
function extremeOf(isMin: boolean, summary: ChunkSummary): Extreme | undefined {
  const stats = summary.stats
  if (stats.kind === 'i64') return isMin ? stats.min : stats.max
  if (stats.kind !== 'f64' || (summary.kind !== 'f64' && summary.kind !== 'timestamp') || !isMin) return undefined
  // min > max: every non-NULL value is NaN (the stats ignore NaN).
  if (!(stats.min <= stats.max)) return Number.NaN
  return stats.min === 0 ? undefined : stats.min
}

function isBetter(isMin: boolean, next: number | bigint, best: number | bigint): boolean {
  const cmp = typeof next === 'bigint' && typeof best === 'bigint' ? (next < best ? -1 : next > best ? 1 : 0)
    : floatOrder(Number(next), Number(best))
  return isMin ? cmp < 0 : cmp > 0
}

function vectorOf(kind: ColumnKind, value: Extreme): ColumnVector {
  const nulls = value === null ? { nulls: Uint8Array.of(1) } : {}
  if (kind === 'i64') return { kind, values: BigInt64Array.of(typeof value === 'bigint' ? value : 0n), ...nulls }
  const number = typeof value === 'number' ? value : 0
  return kind === 'timestamp' ? { kind, values: Float64Array.of(number), ...nulls } : { kind: 'f64', values: Float64Array.of(number), ...nulls }
}
