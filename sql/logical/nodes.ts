// sql/logical/nodes: the logical plan, a closed union. Scan and Filter work on table columns (BoundColumn); everything
// above Aggregate (or above Filter for a raw scan) works on slots of the merged row (BoundSlot).
import type { AggregateSpec, ColumnFilter, GroupKey, TableSchema, TimeRange } from '../../engine/ops.js'
import type { BoundExpr } from '../bind/bound.js'

export interface LogicalScan {
  readonly kind: 'LogicalScan'
  readonly table: TableSchema
  /** Table columns a raw scan returns, in slot order (unused when an Aggregate sits above). */
  readonly columns: ReadonlyArray<number>
  readonly timeRange: TimeRange
  readonly filters: ReadonlyArray<ColumnFilter>
}

/** One row with no columns: the input of SELECT without FROM. */
export interface LogicalOneRow { readonly kind: 'LogicalOneRow' }

export interface LogicalFilter {
  readonly kind: 'LogicalFilter'
  readonly input: LogicalNode
  /** Over table columns; the optimizer moves what it can into the scan. */
  readonly predicate: BoundExpr
}

export interface LogicalAggregate {
  readonly kind: 'LogicalAggregate'
  readonly input: LogicalNode
  /** Slots 0..groupBy.length-1 are the keys, then one slot per aggregate. */
  readonly groupBy: ReadonlyArray<GroupKey>
  readonly aggregates: ReadonlyArray<AggregateSpec>
}

export interface LogicalProject {
  readonly kind: 'LogicalProject'
  readonly input: LogicalNode
  /** Over the input's slots; the first `visibleCount` are the result columns, the rest sort keys (resjunk). */
  readonly exprs: ReadonlyArray<BoundExpr>
  readonly visibleCount: number
}

export interface SortKey {
  readonly slot: number
  readonly descending: boolean
  readonly nullsFirst: boolean
}

export interface LogicalSort {
  readonly kind: 'LogicalSort'
  readonly input: LogicalNode
  readonly keys: ReadonlyArray<SortKey>
}

export interface LogicalLimit {
  readonly kind: 'LogicalLimit'
  readonly input: LogicalNode
  /** int8-typed constants or parameters. */
  readonly limit: BoundExpr | null
  readonly offset: BoundExpr | null
}

export type LogicalNode = LogicalScan | LogicalOneRow | LogicalFilter | LogicalAggregate | LogicalProject | LogicalSort | LogicalLimit
export type LogicalNodeKind = LogicalNode['kind']

export const FULL_TIME_RANGE: TimeRange = { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }
