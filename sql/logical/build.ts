// sql/logical/build: BoundSelect → LogicalNode tree: Limit(Sort(Project(Aggregate|Filter(Scan)))). Rewrites table
// columns into slots of the merged row and checks that an aggregate query uses only grouped columns (42803).
import type { AggregateSpec, GroupKey, TableSchema } from '../../engine/ops.js'
import { assert } from '../../src/common/assert.js'
import { featureNotSupported, groupingError } from '../../src/common/errors.js'
import { isSameBound, mapBound, type BoundExpr } from '../bind/bound.js'
import type { BoundSelect } from '../bind/binder.js'
import { FULL_TIME_RANGE, type LogicalNode, type SortKey } from './nodes.js'

/** Assigns slots to table columns of a raw scan, in order of first use. */
function rawSlotter(columns: number[]): (expr: BoundExpr) => BoundExpr {
  return (expr) => mapBound(expr, (node) => {
    if (node.kind !== 'BoundColumn') return undefined
    let slot = columns.indexOf(node.column)
    if (slot < 0) { columns.push(node.column); slot = columns.length - 1 }
    return { kind: 'BoundSlot', slot, type: node.type }
  })
}

function groupKeyOf(key: BoundExpr, table: TableSchema): GroupKey {
  if (key.kind === 'BoundColumn') return { kind: 'column', column: key.column }
  if (key.kind === 'BoundTimeBucket' && key.arg.kind === 'BoundColumn' && key.arg.column === table.timestampIndex) {
    return { kind: 'timeBucket', column: key.arg.column, widthUs: key.widthUs, originUs: key.originUs }
  }
  throw featureNotSupported('GROUP BY on an expression other than a column or time_bucket of the designated timestamp')
}

/** Rewrites an expression of an aggregate query into key and aggregate slots. */
function aggregateSlotter(keys: ReadonlyArray<BoundExpr>, aggregates: AggregateSpec[]): (expr: BoundExpr) => BoundExpr {
  return (expr) => mapBound(expr, (node) => {
    const keyIndex = keys.findIndex((key) => isSameBound(key, node))
    if (keyIndex >= 0) return { kind: 'BoundSlot', slot: keyIndex, type: node.type }
    if (node.kind === 'BoundAggregate') {
      let index = aggregates.findIndex((spec) => spec.fn === node.fn && spec.column === node.column)
      if (index < 0) { aggregates.push({ fn: node.fn, column: node.column }); index = aggregates.length - 1 }
      return { kind: 'BoundSlot', slot: keys.length + index, type: node.type }
    }
    if (node.kind === 'BoundColumn') throw groupingError(node.name, node.pos + 1)
    return undefined
  })
}

function buildProjectSortLimit(select: BoundSelect, input: LogicalNode, slot: (expr: BoundExpr) => BoundExpr): LogicalNode {
  const exprs = select.outputs.map((output) => slot(output.expr))
  const keys: SortKey[] = select.orderBy.map((item) => {
    exprs.push(slot(item.expr))
    return { slot: exprs.length - 1, descending: item.descending, nullsFirst: item.nullsFirst }
  })
  let node: LogicalNode = { kind: 'LogicalProject', input, exprs, visibleCount: select.outputs.length }
  if (keys.length > 0) node = { kind: 'LogicalSort', input: node, keys }
  if (select.limit !== null || select.offset !== null) {
    node = { kind: 'LogicalLimit', input: node, limit: select.limit, offset: select.offset }
  }
  return node
}

export function buildLogical(select: BoundSelect): LogicalNode {
  const table = select.table
  if (table === null) {
    assert(!select.isAggregate || select.outputs.length > 0, 'aggregate without table has outputs')
    if (select.isAggregate) throw featureNotSupported('aggregates without FROM')
    if (select.where !== null) throw featureNotSupported('WHERE without FROM')
    return buildProjectSortLimit(select, { kind: 'LogicalOneRow' }, (expr) => expr)
  }
  const columns: number[] = []
  const scan: LogicalNode = { kind: 'LogicalScan', table, columns, timeRange: FULL_TIME_RANGE, filters: [] }
  const filtered: LogicalNode = select.where === null ? scan : { kind: 'LogicalFilter', input: scan, predicate: select.where }
  if (!select.isAggregate) return buildProjectSortLimit(select, filtered, rawSlotter(columns))
  const groupBy = select.groupBy.map((key) => groupKeyOf(key, table))
  const aggregates: AggregateSpec[] = []
  const slot = aggregateSlotter(select.groupBy, aggregates)
  const project = buildProjectSortLimit(select, { kind: 'LogicalAggregate', input: filtered, groupBy, aggregates }, slot)
  return project
}
