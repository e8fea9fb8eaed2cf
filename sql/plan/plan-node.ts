// sql/plan/plan-node: the executable plan of a query — a closed union of operator nodes over rows of slots. Leaves
// are engine scans (with what the optimizer pushed into the ScanOp), VALUES and CTE references; everything above
// runs on the control side (sql/exec/run-plan.ts). Every node lists its output columns, so each Expr above it
// reads slots of its input by index.
import type { ScanOp } from '../../engine/ops.js'
import type { AggCall, Expr, ExprSortKey, WindowCall } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import type { SetReturningName } from '../bind/bind-srf.js'
import type { AggregateOutput } from '../physical/merge.js'
import type { VirtualTable } from '../catalog/virtual-table.js'
import type { SetReturningCall } from './plan-srf.js'

export interface PlanColumn {
  readonly name: string
  readonly type: SqlType
  /** RowDescription origin: the table OID and attnum for a plain table column, else 0 and 0. */
  readonly tableOid: number
  readonly columnAttr: number
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti'

export type PlanNode =
  /** One core-side scan: rows of `op.projection` (table columns), filtered by what was pushed. */
  | { readonly kind: 'ScanNode'; readonly op: ScanOp; readonly tableName: string; readonly columns: ReadonlyArray<PlanColumn> }
  /** A grouped aggregate computed on the cores and merged: rows [keys…, aggregates…]. */
  | { readonly kind: 'AggScanNode'; readonly op: ScanOp; readonly tableName: string; readonly keyTypes: ReadonlyArray<SqlType>; readonly outputs: ReadonlyArray<AggregateOutput>; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'ValuesNode'; readonly rows: ReadonlyArray<ReadonlyArray<Expr>>; readonly columns: ReadonlyArray<PlanColumn> }
  /** A pg_catalog / information_schema table, computed from the catalog when the statement runs. */
  | { readonly kind: 'VirtualScanNode'; readonly table: VirtualTable; readonly columns: ReadonlyArray<PlanColumn> }
  /** The rows of a WITH query, materialized once per statement. */
  | { readonly kind: 'CteScanNode'; readonly cteId: number; readonly name: string; readonly columns: ReadonlyArray<PlanColumn> }
  /** A set-returning function in FROM (generate_series). */
  | { readonly kind: 'FunctionScanNode'; readonly fn: SetReturningName | 'pg_options_to_table'; readonly args: ReadonlyArray<Expr>; readonly columns: ReadonlyArray<PlanColumn> }
  /**
   * ROWS FROM (f(…), g(…)) [WITH ORDINALITY], and unnest(a, b, …) in FROM: each part's rows side by side, as many rows
   * as the longest part returns (the shorter padded with NULL), then the 1-based row number (int8) when `ordinality`.
   */
  | { readonly kind: 'RowsFromNode'; readonly parts: ReadonlyArray<PlanNode>; readonly ordinality: boolean; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'FilterNode'; readonly input: PlanNode; readonly predicate: Expr; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'ProjectNode'; readonly input: PlanNode; readonly exprs: ReadonlyArray<Expr>; readonly columns: ReadonlyArray<PlanColumn> }
  /** Hash aggregate: rows [keys…, aggregates…]; with no keys exactly one row, even over no input. */
  | { readonly kind: 'AggregateNode'; readonly input: PlanNode; readonly keys: ReadonlyArray<Expr>; readonly aggregates: ReadonlyArray<AggCall>; readonly columns: ReadonlyArray<PlanColumn> }
  /** Appends one column per window call to each input row. */
  /** Set-returning functions of the select list (sql/plan/plan-srf.ts): each input row expanded, one column per call. */
  | { readonly kind: 'ProjectSetNode'; readonly input: PlanNode; readonly calls: ReadonlyArray<SetReturningCall>; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'WindowNode'; readonly input: PlanNode; readonly calls: ReadonlyArray<WindowCall>; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'SortNode'; readonly input: PlanNode; readonly keys: ReadonlyArray<ExprSortKey>; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'LimitNode'; readonly input: PlanNode; readonly limit: Expr | null; readonly offset: Expr | null; readonly columns: ReadonlyArray<PlanColumn> }
  /** DISTINCT (on: all columns) or DISTINCT ON (on: the given expressions; the first row of each group in input order). */
  | { readonly kind: 'DistinctNode'; readonly input: PlanNode; readonly on: ReadonlyArray<Expr> | null; readonly columns: ReadonlyArray<PlanColumn> }
  /** Keeps the first `count` columns (drops resjunk sort keys). */
  | { readonly kind: 'TrimNode'; readonly input: PlanNode; readonly count: number; readonly columns: ReadonlyArray<PlanColumn> }
  /**
   * Joins: output = left columns then right columns (semi/anti: left columns only). `condition` reads the
   * concatenated row; `leftKeys`/`rightKeys` are equi-join keys for the hash join (empty: nested loop).
   */
  /** LATERAL: the right side runs per left row (it reads the left row as Outer depth 1); INNER or LEFT only. */
  | { readonly kind: 'LateralJoinNode'; readonly type: 'inner' | 'left'; readonly left: PlanNode; readonly right: PlanNode; readonly condition: Expr | null; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'JoinNode'; readonly type: JoinType; readonly left: PlanNode; readonly right: PlanNode; readonly leftKeys: ReadonlyArray<Expr>; readonly rightKeys: ReadonlyArray<Expr>; readonly condition: Expr | null; readonly columns: ReadonlyArray<PlanColumn> }
  | { readonly kind: 'SetOpNode'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: PlanNode; readonly right: PlanNode; readonly columns: ReadonlyArray<PlanColumn> }
  /**
   * TimescaleDB's gap filling over an aggregate's rows: for every combination of `otherKeys` seen, a row for each
   * bucket of [startUs, finishUs) that has none (aggregates NULL); then one column per `fills` entry — its expression
   * over the row, carried forward (locf) or linearly interpolated (interpolate) into the gap rows.
   */
  | { readonly kind: 'GapFillNode'; readonly input: PlanNode; readonly timeKey: number; readonly otherKeys: ReadonlyArray<number>; readonly widthUs: number; readonly originUs: number; readonly startUs: number; readonly finishUs: number; readonly fills: ReadonlyArray<{ readonly mode: 'locf' | 'interpolate'; readonly expr: Expr }>; readonly columns: ReadonlyArray<PlanColumn> }
  /**
   * A WITH RECURSIVE query: `anchor` once, then `step` again and again over the rows the last round added (read by
   * the step's CteScanNode of `cteId`) until a round adds none; UNION (all false) drops rows already produced.
   */
  | { readonly kind: 'RecursiveUnionNode'; readonly cteId: number; readonly name: string; readonly all: boolean; readonly anchor: PlanNode; readonly step: PlanNode; readonly columns: ReadonlyArray<PlanColumn> }
  /** Defines CTEs (materialized once, in order) for the plan below. */
  | { readonly kind: 'WithNode'; readonly ctes: ReadonlyArray<{ readonly cteId: number; readonly plan: PlanNode }>; readonly input: PlanNode; readonly columns: ReadonlyArray<PlanColumn> }

export type PlanNodeKind = PlanNode['kind']

export function planColumn(name: string, type: SqlType): PlanColumn {
  return { name, type, tableOid: 0, columnAttr: 0 }
}

/** The plans a node runs below it (its inputs), in order. */
export function planChildren(node: PlanNode): PlanNode[] {
  switch (node.kind) {
    case 'ScanNode': case 'AggScanNode': case 'ValuesNode': case 'CteScanNode': case 'FunctionScanNode': case 'VirtualScanNode': return []
    case 'RowsFromNode': return [...node.parts]
    case 'JoinNode': case 'SetOpNode': case 'LateralJoinNode': return [node.left, node.right]
    case 'RecursiveUnionNode': return [node.anchor, node.step]
    case 'WithNode': return [...node.ctes.map((c) => c.plan), node.input]
    default: return [node.input]
  }
}
