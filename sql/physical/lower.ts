// sql/physical/lower: optimized LogicalNode → PhysicalSelect: the one ScanOp the engine runs on every core, plus the
// steps sql runs on the merged rows (residual filter, projection, sort, limit). Nothing here touches data.
import type { ScanOp } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import { featureNotSupported } from '../../src/common/errors.js'
import { mapBound, type BoundExpr } from '../bind/bound.js'
import { columnType } from '../bind/catalog.js'
import type { SqlType } from '../bind/types.js'
import type { LogicalNode, LogicalScan, SortKey } from '../logical/nodes.js'
import type { AggregateOutput } from './merge.js'

export type PhysicalSource =
  | { readonly kind: 'OneRowSource' }
  | { readonly kind: 'RowsSource'; readonly op: ScanOp; readonly types: ReadonlyArray<SqlType> }
  | { readonly kind: 'AggregateSource'; readonly op: ScanOp; readonly keyTypes: ReadonlyArray<SqlType>; readonly outputs: ReadonlyArray<AggregateOutput> }

export interface PhysicalSelect {
  readonly kind: 'PhysicalSelect'
  readonly source: PhysicalSource
  /** Over source slots; rows for which it is not true are dropped. */
  readonly residual: BoundExpr | null
  readonly exprs: ReadonlyArray<BoundExpr>
  readonly visibleCount: number
  /** Slots of the projected row. */
  readonly sortKeys: ReadonlyArray<SortKey>
  readonly limit: BoundExpr | null
  readonly offset: BoundExpr | null
}

interface Steps {
  exprs: ReadonlyArray<BoundExpr>
  visibleCount: number
  sortKeys: ReadonlyArray<SortKey>
  limit: BoundExpr | null
  offset: BoundExpr | null
}

function scanOp(scan: LogicalScan, projection: ReadonlyArray<number>, rest: Pick<ScanOp, 'groupBy' | 'aggregates' | 'limit'>): ScanOp {
  return {
    kind: 'ScanOp', v: OP_VERSION, tableId: scan.table.id, timeRange: scan.timeRange, filters: scan.filters,
    projection, ...rest,
  }
}

/** Residual predicate over table columns → over slots of the raw scan (adding the columns it needs). */
function slotResidual(predicate: BoundExpr, columns: number[]): BoundExpr {
  return mapBound(predicate, (node) => {
    if (node.kind !== 'BoundColumn') return undefined
    let slot = columns.indexOf(node.column)
    if (slot < 0) { columns.push(node.column); slot = columns.length - 1 }
    return { kind: 'BoundSlot', slot, type: node.type }
  })
}

function lowerSource(node: LogicalNode, steps: Steps, pushLimit: number | null): { source: PhysicalSource; residual: BoundExpr | null } {
  switch (node.kind) {
    case 'LogicalOneRow': return { source: { kind: 'OneRowSource' }, residual: null }
    case 'LogicalScan': {
      const op = scanOp(node, [...node.columns], { groupBy: [], aggregates: [], limit: pushLimit })
      return { source: { kind: 'RowsSource', op, types: node.columns.map((c) => columnType(node.table, c)) }, residual: null }
    }
    case 'LogicalFilter': {
      if (node.input.kind !== 'LogicalScan') throw featureNotSupported('this filter placement')
      const scan = node.input
      const columns = [...scan.columns]
      const residual = slotResidual(node.predicate, columns)
      const op = scanOp(scan, columns, { groupBy: [], aggregates: [], limit: null })
      return { source: { kind: 'RowsSource', op, types: columns.map((c) => columnType(scan.table, c)) }, residual }
    }
    case 'LogicalAggregate': {
      if (node.input.kind !== 'LogicalScan') {
        throw featureNotSupported('a WHERE condition that cannot be pushed into the scan (OR, expressions) in an aggregate query')
      }
      const scan = node.input
      const op = scanOp(scan, [], { groupBy: node.groupBy, aggregates: node.aggregates, limit: null })
      const keyTypes = node.groupBy.map((key) => columnType(scan.table, key.column))
      const outputs = node.aggregates.map((spec, index) => ({ fn: spec.fn, type: aggregateSlotType(steps, node.groupBy.length + index) }))
      return { source: { kind: 'AggregateSource', op, keyTypes, outputs }, residual: null }
    }
    case 'LogicalProject': case 'LogicalSort': case 'LogicalLimit': throw featureNotSupported('nested projections')
    default: return assertNever(node)
  }
}

/** The type of an aggregate slot, as the projection that reads it declared. */
function aggregateSlotType(steps: Steps, slot: number): SqlType {
  let found: SqlType | undefined
  for (const expr of steps.exprs) {
    mapBound(expr, (node) => {
      if (node.kind === 'BoundSlot' && node.slot === slot) found = node.type
      return undefined
    })
  }
  return found ?? { name: 'int8', typmod: -1 }
}

export function lowerSelect(root: LogicalNode, resolveCount: (expr: BoundExpr | null) => number | null): PhysicalSelect {
  const steps: Steps = { exprs: [], visibleCount: 0, sortKeys: [], limit: null, offset: null }
  let node = root
  if (node.kind === 'LogicalLimit') { steps.limit = node.limit; steps.offset = node.offset; node = node.input }
  if (node.kind === 'LogicalSort') { steps.sortKeys = node.keys; node = node.input }
  if (node.kind !== 'LogicalProject') throw featureNotSupported('this query shape')
  steps.exprs = node.exprs
  steps.visibleCount = node.visibleCount
  const limit = resolveCount(steps.limit)
  const pushLimit = steps.sortKeys.length === 0 && limit !== null ? limit + (resolveCount(steps.offset) ?? 0) : null
  const { source, residual } = lowerSource(node.input, steps, pushLimit)
  return { kind: 'PhysicalSelect', source, residual, ...steps }
}
