// sql/optimize/push-predicates: moves the conjuncts of a Filter directly above a Scan into the ScanOp: comparisons of
// the designated timestamp with constants narrow timeRange, comparisons of other columns become ColumnFilters.
// What cannot be pushed stays in the Filter (evaluated after the merge).
import type { ColumnFilter, TableSchema, TimeRange } from '../../engine/ops.js'
import type { SqlValue } from '../api.js'
import type { BoundExpr } from '../bind/bound.js'
import type { LogicalFilter, LogicalScan } from '../logical/nodes.js'

type CompareOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'
type FilterValue = ColumnFilter['values'][number]

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = { '=': 'eq', '<>': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' }
const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = { eq: 'eq', neq: 'neq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' }

/** Resolves a constant or parameter to its value; undefined for anything computed. */
export type ConstResolver = (expr: BoundExpr) => { readonly value: SqlValue } | undefined

export function conjuncts(expr: BoundExpr): BoundExpr[] {
  if (expr.kind === 'BoundBinary' && expr.op === 'and') return [...conjuncts(expr.left), ...conjuncts(expr.right)]
  return [expr]
}

/** The value as the engine wants it for a column of `kind`, or undefined when it does not convert exactly. */
function filterValue(table: TableSchema, column: number, value: SqlValue): FilterValue | undefined {
  const kind = table.columns[column]?.kind
  switch (kind) {
    case 'symbol': case 'text': return typeof value === 'string' ? value : undefined
    case 'f64': case 'timestamp':
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value)
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : undefined
    case 'i64':
      if (typeof value === 'bigint') return value
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : undefined
    case 'bool': return typeof value === 'boolean' ? value : undefined
    default: return undefined
  }
}

function narrowTime(range: TimeRange, op: CompareOp, us: number): TimeRange | undefined {
  switch (op) {
    case 'eq': return { fromUs: Math.max(range.fromUs, us), toUs: Math.min(range.toUs, us + 1) }
    case 'gt': return { fromUs: Math.max(range.fromUs, Math.floor(us) + 1), toUs: range.toUs }
    case 'gte': return { fromUs: Math.max(range.fromUs, Math.ceil(us)), toUs: range.toUs }
    case 'lt': return { fromUs: range.fromUs, toUs: Math.min(range.toUs, Math.ceil(us)) }
    case 'lte': return { fromUs: range.fromUs, toUs: Math.min(range.toUs, Math.floor(us) + 1) }
    case 'neq': return undefined
    default: return undefined
  }
}

interface PushState {
  timeRange: TimeRange
  readonly filters: ColumnFilter[]
}

function pushComparison(table: TableSchema, state: PushState, column: number, op: CompareOp, value: SqlValue): boolean {
  const typed = value === null ? undefined : filterValue(table, column, value)
  if (typed === undefined) return false
  if (column === table.timestampIndex && typeof typed === 'number') {
    const narrowed = narrowTime(state.timeRange, op, typed)
    if (narrowed !== undefined) { state.timeRange = narrowed; return true }
  }
  state.filters.push({ column, op, values: [typed] })
  return true
}

function tryPush(table: TableSchema, state: PushState, expr: BoundExpr, resolve: ConstResolver): boolean {
  if (expr.kind === 'BoundBinary') {
    const op = COMPARE_OPS[expr.op]
    if (op === undefined) return false
    const rightConst = resolve(expr.right)
    if (expr.left.kind === 'BoundColumn' && rightConst !== undefined) return pushComparison(table, state, expr.left.column, op, rightConst.value)
    const leftConst = resolve(expr.left)
    if (expr.right.kind === 'BoundColumn' && leftConst !== undefined) return pushComparison(table, state, expr.right.column, FLIPPED[op], leftConst.value)
    return false
  }
  if (expr.kind === 'BoundIn' && expr.expr.kind === 'BoundColumn') {
    const column = expr.expr.column
    const values = expr.list.map((item) => resolve(item))
    const typed = values.map((item) => (item === undefined || item.value === null ? undefined : filterValue(table, column, item.value)))
    if (typed.some((item) => item === undefined)) return false
    state.filters.push({ column, op: expr.negated ? 'notIn' : 'in', values: typed.filter((item): item is FilterValue => item !== undefined) })
    return true
  }
  if (expr.kind === 'BoundIsNull' && expr.expr.kind === 'BoundColumn') {
    state.filters.push({ column: expr.expr.column, op: expr.negated ? 'isNotNull' : 'isNull', values: [] })
    return true
  }
  return false
}

/** Returns the scan with what could be pushed, and the residual predicate (null when everything was pushed). */
export function pushPredicates(filter: LogicalFilter, scan: LogicalScan, resolve: ConstResolver):
  { readonly scan: LogicalScan; readonly residual: BoundExpr | null } {
  const state: PushState = { timeRange: scan.timeRange, filters: [...scan.filters] }
  const remaining = conjuncts(filter.predicate).filter((expr) => !tryPush(scan.table, state, expr, resolve))
  const residual = remaining.reduce<BoundExpr | null>(
    (acc, expr) => (acc === null ? expr : { kind: 'BoundBinary', op: 'and', left: acc, right: expr, type: expr.type }), null)
  return { scan: { ...scan, timeRange: state.timeRange, filters: state.filters }, residual }
}
