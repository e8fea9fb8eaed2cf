// engine/ops: the physical plan — TimeseriesOp, a closed union of plain data — and the table schema it refers to.
// Versioned; kinds are append-only (pinned by test/unit/engine/ops.test.ts). Knows nothing of SQL text or sockets.
import type { TableId } from '../src/common/ids.js'
import type { ColumnBatch, ColumnKind } from './batch.js'
import type { EncodedIngest } from './encoded-ingest.js'
import type { ScanWhere } from './expr.js'

// The expression form scans carry (engine/expr.ts), part of the plan contract sql builds.
export { EXPR_VERSION, exprChildren, exprColumns, formatExpr } from './expr.js'
export { raisingNode } from './expr-raise.js'
export type { ExprArithOp, ExprCompareOp, ExprType, ExprValue, ScanExpr, ScanWhere } from './expr.js'

/** Bumped when the shape of an op changes incompatibly. */
export const OP_VERSION = 1

export interface ColumnSchema {
  readonly name: string
  readonly kind: ColumnKind
  /**
   * The SQL layer's type annotation (e.g. 'timestamptz', 'float8', 'varchar(20)'), stored and returned verbatim.
   * The engine never interprets it; it lets sql keep PostgreSQL types the engine does not distinguish.
   */
  readonly sqlType: string
  readonly notNull: boolean
  /**
   * ALTER TABLE … DROP COLUMN hides the column (as PostgreSQL's attisdropped): it keeps its index, so segments and
   * WAL records written before stay readable, and is renamed so its old name is free again. Absent = false.
   */
  readonly isDropped?: boolean
  /**
   * The column's DEFAULT: sql's value (JSON), stored and returned as it was given, never interpreted here (as a view's
   * definition). Absent (catalogs written before defaults existed) or null: no default.
   */
  readonly default?: unknown
}

export interface TableSchema {
  readonly id: TableId
  readonly name: string
  readonly columns: ReadonlyArray<ColumnSchema>
  /** Index into columns of the designated timestamp (kind 'timestamp', NOT NULL). */
  readonly timestampIndex: number
  /**
   * Retention (TTL) in µs: whole partitions whose end is at or before now − retentionUs are dropped. null or absent
   * (catalogs written before retention existed): rows are kept forever.
   */
  readonly retentionUs?: number | null
}

export interface CreateTableOp {
  readonly kind: 'CreateTableOp'
  readonly v: typeof OP_VERSION
  readonly name: string
  readonly columns: ReadonlyArray<ColumnSchema>
  readonly timestampIndex: number
  /** CREATE TABLE IF NOT EXISTS: an existing table of that name is returned instead of failing. */
  readonly ifNotExists: boolean
  /** WITH (ttl = …): the new table's retention in µs, persisted with it (absent or null: forever). */
  readonly retentionUs?: number | null
}

/** Rows for one table, columns in catalog order. Acknowledged (resolved) only once WAL'd durably. */
export interface IngestOp {
  readonly kind: 'IngestOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly batch: ColumnBatch
  /** `batch` already encoded where it was parsed (encoded-ingest.ts); used when it agrees with the catalog. */
  readonly encoded?: EncodedIngest
}

/**
 * Appends columns to an existing table (ILP's columns on first write). Columns whose name the table already has are
 * skipped, so concurrent writers adding the same column both succeed; the caller re-checks kinds in the result.
 * Rows written before read NULL in the new columns, so the new columns must be nullable.
 */
export interface AddColumnsOp {
  readonly kind: 'AddColumnsOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly columns: ReadonlyArray<ColumnSchema>
}

/**
 * Sets (a positive whole number of µs) or clears (null) a table's retention. Persisted before it resolves; the
 * retention pass that follows has dropped the expired partitions by then.
 */
export interface SetRetentionOp {
  readonly kind: 'SetRetentionOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly retentionUs: number | null
}

/**
 * DROP TABLE: the table leaves the catalog (its id is never reused), its rows leave every core, its segments leave
 * the manifest and its WAL records are ignored from then on, replay included. The catalog write is the commit point.
 */
export interface DropTableOp {
  readonly kind: 'DropTableOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
}

/**
 * TRUNCATE: every row acknowledged before the op is gone, the table stays. The manifest swap that removes the
 * table's segments also records the LSN at or below which its WAL records are dead: that swap is the commit point.
 */
export interface TruncateTableOp {
  readonly kind: 'TruncateTableOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
}

/** ALTER TABLE … RENAME TO: names live only in the catalog, so rows stay where they are. */
export interface RenameTableOp {
  readonly kind: 'RenameTableOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly name: string
}

/** ALTER TABLE … RENAME COLUMN: `column` is the index in the table's columns. */
export interface RenameColumnOp {
  readonly kind: 'RenameColumnOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly column: number
  readonly name: string
}

/** ALTER TABLE … ALTER COLUMN … SET DEFAULT (`default` sql's value) / DROP DEFAULT (null): catalog only. */
export interface SetColumnDefaultOp {
  readonly kind: 'SetColumnDefaultOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly column: number
  readonly default: unknown
}

/** ALTER TABLE … DROP COLUMN: hides the column (ColumnSchema.isDropped); never the designated timestamp. */
export interface DropColumnOp {
  readonly kind: 'DropColumnOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly column: number
}

/** Inclusive lower / exclusive upper bound in µs; ±Infinity when open. */
export interface TimeRange {
  readonly fromUs: number
  readonly toUs: number
}

/**
 * A predicate on one column, ANDed with the others. `values` are typed to the column: strings for symbol/text,
 * numbers for f64/timestamp, bigint for i64, booleans for bool. 'in' and 'notIn' take any count; others exactly one.
 * 'isNull'/'isNotNull' take none.
 */
export interface ColumnFilter {
  readonly column: number
  readonly op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'notIn' | 'isNull' | 'isNotNull'
  readonly values: ReadonlyArray<string | number | bigint | boolean>
}

export type AggregateFn = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'first' | 'last'

/** `column` null means count(*). */
export interface AggregateSpec {
  readonly fn: AggregateFn
  readonly column: number | null
  /** FILTER (WHERE …): only the rows it is true for are aggregated (groups still come from every row); absent: all. */
  readonly filter?: ScanWhere | null
}

/** A group-by key: a plain column, or the time bucket of the designated timestamp. */
export type GroupKey =
  | { readonly kind: 'column'; readonly column: number }
  | { readonly kind: 'timeBucket'; readonly column: number; readonly widthUs: number; readonly originUs: number }

/** The start of the time bucket holding `ts` (as the cores group; it never decreases as `ts` grows). */
export function bucketStartOf(key: Extract<GroupKey, { kind: 'timeBucket' }>, ts: number): number {
  return Math.floor((ts - key.originUs) / key.widthUs) * key.widthUs + key.originUs
}

const doubleScratch = new Float64Array(1)
const doubleWords = new Uint32Array(doubleScratch.buffer)
/** Which of doubleWords holds the low 32 bits of the double's bit pattern (the platform's byte order). */
const LOW_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1
const HIGH_WORD = 1 - LOW_WORD

/**
 * The largest double below x (x itself for NaN and -Infinity): with bucketStartOf, where a bucket's times end. The
 * bit pattern as an integer moves by one — as two uint32 words with a borrow or carry, not a BigInt (a heap BigInt
 * per call, and called per bucket by the aggregate kernels: issue 10).
 */
export function doubleBelow(x: number): number {
  if (x !== x || x === Number.NEGATIVE_INFINITY) return x
  if (x === 0) return -Number.MIN_VALUE
  doubleScratch[0] = x
  if (x > 0) {
    if (doubleWords[LOW_WORD] === 0) doubleWords[HIGH_WORD] = doubleWords[HIGH_WORD]! - 1
    doubleWords[LOW_WORD] = doubleWords[LOW_WORD]! - 1 // a Uint32Array stores -1 as 2^32 - 1
  } else {
    doubleWords[LOW_WORD] = doubleWords[LOW_WORD]! + 1
    if (doubleWords[LOW_WORD] === 0) doubleWords[HIGH_WORD] = doubleWords[HIGH_WORD]! + 1
  }
  return doubleScratch[0]!
}

/**
 * Scan one table. Without aggregates and group keys the cores return the projected columns (a RowsPartial);
 * otherwise each core returns one AggPartial per core with mergeable states (count, sum, min, max, first, last).
 * `limit` applies only to raw scans without ordering requirements (each core may stop after that many rows).
 */
export interface ScanOp {
  readonly kind: 'ScanOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly timeRange: TimeRange
  readonly filters: ReadonlyArray<ColumnFilter>
  readonly projection: ReadonlyArray<number>
  readonly groupBy: ReadonlyArray<GroupKey>
  readonly aggregates: ReadonlyArray<AggregateSpec>
  readonly limit: number | null
  /** A predicate (engine/expr.ts) ANDed after the time range and filters; absent or null: none. */
  readonly where?: ScanWhere | null
}

/**
 * DELETE FROM t WHERE …: every row of the table in `timeRange` passing every filter and `where` (ANDed, as a
 * ScanOp's) is gone. Its WAL record (DeleteRecord) is the commit point; replay and catch-up apply it in LSN order with
 * the ingests. `where` must not be able to raise on any row (engine/expr-raise.ts), else the op is refused unwritten.
 */
export interface DeleteRowsOp {
  readonly kind: 'DeleteRowsOp'
  readonly v: typeof OP_VERSION
  readonly tableId: TableId
  readonly timeRange: TimeRange
  readonly filters: ReadonlyArray<ColumnFilter>
  readonly where?: ScanWhere | null
}

export type TimeseriesOp =
  | CreateTableOp | IngestOp | ScanOp | AddColumnsOp | SetRetentionOp | DropTableOp | TruncateTableOp | RenameTableOp
  | RenameColumnOp | DropColumnOp | DeleteRowsOp | SetColumnDefaultOp
export type TimeseriesOpKind = TimeseriesOp['kind']

/** Wire codes of op kinds. Append-only; pinned by test/unit/engine/ops.test.ts. */
export const OP_KIND_CODES: Readonly<Record<TimeseriesOpKind, number>> = {
  CreateTableOp: 1, IngestOp: 2, ScanOp: 3, AddColumnsOp: 4, SetRetentionOp: 5, DropTableOp: 6, TruncateTableOp: 7,
  RenameTableOp: 8, RenameColumnOp: 9, DropColumnOp: 10, DeleteRowsOp: 11, SetColumnDefaultOp: 12,
}

/** The name a dropped column takes (PostgreSQL's own pattern), `attnum` 1-based: never a name a user can collide with. */
export function droppedColumnName(attnum: number): string {
  return `........pg.dropped.${attnum}........`
}
