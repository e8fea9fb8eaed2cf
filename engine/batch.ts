// engine/batch: the columnar data that crosses layer and thread boundaries: ingest batches and scan partials.
// Plain data only (typed arrays, arrays of strings): msgpackr carries it across the rings unchanged.
import type { ColumnVector } from '../src/common/column-vector.js'
import type { EncodedDataRows } from '../src/common/datarow-encoder.js'

export type { ColumnVector }

/**
 * Engine-level column kinds. Append-only: numeric codes of these are written to disk (see COLUMN_KIND_CODES).
 * - timestamp: microseconds since the Unix epoch, held in a Float64Array (exact for |t| < 2^53 µs, ±285 years).
 * - symbol: a tag; dictionary-encoded.
 * - f64, i64, bool, text: fields.
 */
export type ColumnKind = 'timestamp' | 'symbol' | 'f64' | 'i64' | 'bool' | 'text'

/** On-disk and on-ring codes of ColumnKind. Append-only; pinned by test/unit/engine/ops.test.ts. */
export const COLUMN_KIND_CODES: Readonly<Record<ColumnKind, number>> = {
  timestamp: 1, symbol: 2, f64: 3, i64: 4, bool: 5, text: 6,
}

/** A columnar batch of rows: `columns[i]` is the table's column i (in catalog order). */
export interface ColumnBatch {
  readonly rowCount: number
  readonly columns: ReadonlyArray<ColumnVector>
}

export function vectorLength(vector: ColumnVector): number {
  switch (vector.kind) {
    case 'symbol': return vector.ids.length
    case 'text': return vector.values.length
    default: return vector.values.length
  }
}

export function isNullAt(vector: ColumnVector, row: number): boolean {
  switch (vector.kind) {
    case 'symbol': return vector.ids[row] === -1
    case 'text': return vector.values[row] === null
    default: return vector.nulls !== undefined && vector.nulls[row] === 1
  }
}

/** Raw scan output of one core: the projected columns, in ScanOp.projection order. */
export interface RowsPartial {
  readonly kind: 'RowsPartial'
  readonly rowCount: number
  readonly columns: ReadonlyArray<ColumnVector>
  /** A streamed scan asked for DataRows (StreamScanRequest.encoding): the rows as bytes, and `columns` is empty. */
  readonly encoded?: EncodedDataRows
  /** A sorted stream's batch (StreamScanRequest.sort): its rows' ORDER BY key columns, in key order, for the merge. */
  readonly sortKeys?: ReadonlyArray<ColumnVector>
}

/**
 * Mergeable state of one aggregate over every group of a partial (index = group index).
 * - count: counts of rows (count(*)) or of non-null values (count(col)).
 * - sum/avg: sum and count of non-null values; sum of no value is NULL, avg = sum / count.
 * - min/max: a vector of the column's kind with the extreme per group (NULL where the group had no value).
 * - first/last: the value at the smallest/largest timestamp of the group, with that timestamp.
 */
export type AggregateState =
  | { readonly kind: 'count'; readonly counts: Float64Array }
  | { readonly kind: 'sum' | 'avg'; readonly sums: Float64Array; readonly counts: Float64Array }
  | { readonly kind: 'min' | 'max'; readonly values: ColumnVector }
  | { readonly kind: 'first' | 'last'; readonly values: ColumnVector; readonly timestampsUs: Float64Array }

/**
 * Grouped scan output of one core: `keys[k]` holds group key k of ScanOp.groupBy for every group (a timeBucket key is a
 * 'timestamp' vector of bucket starts), `states[a]` the state of ScanOp.aggregates[a]. Groups are unique per partial
 * but may repeat across cores; sql merges them.
 */
export interface AggPartial {
  readonly kind: 'AggPartial'
  readonly groupCount: number
  readonly keys: ReadonlyArray<ColumnVector>
  readonly states: ReadonlyArray<AggregateState>
}

export type ScanPartial = RowsPartial | AggPartial
