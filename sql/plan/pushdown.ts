// sql/plan/pushdown: what the cores can do next to the data. WHERE conjuncts that the engine evaluates exactly as
// PostgreSQL would (designated-timestamp ranges, tag equality / IN / NULL tests) move into the ScanOp, and the other
// conjuncts whose every node has an exact kernel follow as one ScanExpr where that keeps PostgreSQL's evaluation
// order (lower-expr.ts); a grouped aggregate whose keys are columns or a months-free time_bucket of the designated
// timestamp and whose aggregates the cores compute exactly (FILTER included, where it lowers) becomes one AggScanNode.
// Everything else stays on the control side — never dropped.
import type { AggregateSpec, ColumnFilter, GroupKey, ScanOp, TableSchema, TimeRange } from '../../engine/ops.js'
import type { SqlValue } from '../api.js'
import type { AggCall, Expr } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import type { AggregateOutput } from '../physical/merge.js'
import type { PlanColumn, PlanNode } from './plan-node.js'
import { parseUnit } from '../functions/time-fields.js'
import { EXPR_VERSION, type ScanExpr } from '../../engine/ops.js'
import { lowerConjuncts, lowerExpr, mayRaise } from './lower-expr.js'

/** Folds a row-independent expression to its value (parameters, now(), arithmetic on constants); undefined otherwise. */
export type Folder = (expr: Expr) => { readonly value: SqlValue } | undefined

type ScanNode = Extract<PlanNode, { kind: 'ScanNode' }>

/** The ANDed parts of `expr`, nested ANDs flattened, in written order (a loop: flatMap was ~5% of planning). */
export function conjuncts(expr: Expr): Expr[] {
  const parts: Expr[] = []
  const collect = (part: Expr): void => {
    if (part.kind !== 'And') { parts.push(part); return }
    for (const arg of part.args) collect(arg)
  }
  collect(expr)
  return parts
}

function narrow(range: TimeRange, op: string, us: number): TimeRange | null {
  if (!Number.isFinite(us) || !Number.isInteger(us)) return null
  switch (op) {
    case '=': return { fromUs: Math.max(range.fromUs, us), toUs: Math.min(range.toUs, us + 1) }
    case '>=': return { fromUs: Math.max(range.fromUs, us), toUs: range.toUs }
    case '>': return { fromUs: Math.max(range.fromUs, us + 1), toUs: range.toUs }
    case '<': return { fromUs: range.fromUs, toUs: Math.min(range.toUs, us) }
    case '<=': return { fromUs: range.fromUs, toUs: Math.min(range.toUs, us + 1) }
    default: return null
  }
}

const FLIP: Readonly<Record<string, string>> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }
const FILTER_OPS: Readonly<Record<string, ColumnFilter['op']>> = { '=': 'eq', '<>': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' }

interface Pushed {
  range: TimeRange
  readonly filters: ColumnFilter[]
  /**
   * No conjunct can raise: moving an OR (costlier for PostgreSQL) ahead of the others changes nothing. Asked only
   * when there is an OR (lowering every conjunct to know it was most of pushdown's time for TSBS's one-host queries).
   */
  readonly isQuiet: () => boolean
}

/** Tries to move one conjunct into the scan; false leaves it for the control side. */
function pushConjunct(table: TableSchema, scan: ScanNode, expr: Expr, fold: Folder, pushed: Pushed): boolean {
  const columnOf = (e: Expr): number | null => (e.kind === 'Slot' ? scan.op.projection[e.slot] ?? null : null)
  if (expr.kind === 'IsNull') {
    const column = columnOf(expr.arg)
    if (column === null) return false
    pushed.filters.push({ column, op: expr.negated ? 'isNotNull' : 'isNull', values: [] })
    return true
  }
  if (expr.kind === 'Compare') {
    let [side, other, op] = [expr.left, expr.right, expr.op as string]
    if (columnOf(side) === null) [side, other, op] = [expr.right, expr.left, FLIP[expr.op] ?? expr.op]
    const column = columnOf(side)
    const folded = fold(other)
    if (column === null || folded === undefined || folded.value === null) return false
    const schema = table.columns[column]!
    if (column === table.timestampIndex && typeof folded.value === 'number' && side.type.name === other.type.name) {
      const range = narrow(pushed.range, op, folded.value)
      if (range === null) return false
      pushed.range = range
      return true
    }
    // character(n) compares without its trailing blanks: never pushed as a byte comparison of the stored value.
    if (schema.kind === 'symbol' && side.type.name !== 'bpchar' && typeof folded.value === 'string' && (op === '=' || op === '<>')) {
      pushed.filters.push({ column, op: op === '=' ? 'eq' : 'neq', values: [folded.value] })
      return true
    }
    // Field comparisons the cores evaluate exactly: float8 against a float8 constant (NaN ordered as PostgreSQL
    // orders it), integers against an integer constant of the same type (BigInt comparison).
    const sameType = side.type.name === other.type.name
    const isFloat = schema.kind === 'f64' && side.type.name === 'float8' && typeof folded.value === 'number'
    const isInteger = schema.kind === 'i64' && (typeof folded.value === 'bigint' || (typeof folded.value === 'number' && Number.isInteger(folded.value)))
    const filterOp = FILTER_OPS[op]
    if (sameType && filterOp !== undefined && (isFloat || isInteger)) {
      const value = isInteger ? BigInt(folded.value as number | bigint) : folded.value as number
      pushed.filters.push({ column, op: filterOp, values: [value] })
      return true
    }
    return false
  }
  if (expr.kind === 'Or') return pushed.isQuiet() && pushTagDisjunction(table, scan, expr, fold, pushed)
  if (expr.kind === 'InList') {
    const column = columnOf(expr.arg)
    if (column === null || table.columns[column]!.kind !== 'symbol' || expr.arg.type.name === 'bpchar') return false
    const values = expr.list.map(fold)
    if (values.some((v) => v === undefined || typeof v.value !== 'string')) return false
    pushed.filters.push({ column, op: expr.negated ? 'notIn' : 'in', values: values.map((v) => v!.value as string) })
    return true
  }
  return false
}

/**
 * `tag = 'a' OR tag = 'b' …` (TSBS's host lists) over one tag column is `tag IN ('a', 'b', …)` exactly, NULLs
 * included: pushed as an 'in' filter, it prunes row groups by their dictionaries.
 */
function pushTagDisjunction(table: TableSchema, scan: ScanNode, expr: Extract<Expr, { kind: 'And' | 'Or' }>, fold: Folder, pushed: Pushed): boolean {
  const values: string[] = []
  let column: number | null = null
  for (const arg of expr.args) {
    if (arg.kind !== 'Compare' || arg.op !== '=') return false
    const [slot, other] = arg.left.kind === 'Slot' ? [arg.left, arg.right] : [arg.right, arg.left]
    const at = slot.kind === 'Slot' ? scan.op.projection[slot.slot] ?? null : null
    const value = at === null ? undefined : fold(other)?.value
    if (at === null || table.columns[at]!.kind !== 'symbol' || slot.type.name === 'bpchar' || typeof value !== 'string' || (column !== null && column !== at)) return false
    column = at
    values.push(value)
  }
  if (column === null) return false
  pushed.filters.push({ column, op: 'in', values })
  return true
}

/** Splits `predicate` into what the scan takes and the residual (null when everything was pushed). */
export function pushFilter(table: TableSchema, scan: ScanNode, predicate: Expr, fold: Folder): { readonly scan: ScanNode; readonly residual: Expr | null } {
  const all = conjuncts(predicate)
  let quiet: boolean | null = null
  const isQuiet = (): boolean => (quiet ??= all.every((conjunct) => {
    const lowered = lowerExpr({ table, scan, fold }, conjunct)
    return lowered !== null && !mayRaise(lowered)
  }))
  const pushed: Pushed = { range: scan.op.timeRange, filters: [...scan.op.filters], isQuiet }
  const simpleRest = all.filter((conjunct) => !pushConjunct(table, scan, conjunct, fold, pushed))
  // The rest runs on the cores as one expression where that keeps PostgreSQL's evaluation order (lower-expr.ts).
  const { where, residual: rest } = lowerConjuncts({ table, scan, fold }, all, simpleRest)
  const previous = scan.op.where?.expr
  const combined: ScanExpr | null = where === null ? previous ?? null : previous === undefined ? where : { k: 'and', args: [previous, where] }
  const op: ScanOp = { ...scan.op, timeRange: pushed.range, filters: pushed.filters, ...(combined === null ? {} : { where: { v: EXPR_VERSION, expr: combined } }) }
  const residual = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'And' as const, args: rest, type: predicate.type }
  return { scan: { ...scan, op }, residual }
}

const PUSHABLE_SUM: ReadonlySet<string> = new Set(['float8', 'int2', 'int4'])

function aggregateSpec(table: TableSchema, scan: ScanNode, call: AggCall, fold: Folder): AggregateSpec | null {
  if (call.distinct || call.orderBy.length > 0) return null
  const spec = unfilteredSpec(table, scan, call)
  if (spec === null || call.filter === null) return spec
  // FILTER (WHERE …) runs on the cores when it lowers exactly and cannot raise (then no row order can change which
  // error PostgreSQL reports).
  const filter = lowerExpr({ table, scan, fold }, call.filter)
  return filter === null || mayRaise(filter) ? null : { ...spec, filter: { v: EXPR_VERSION, expr: filter } }
}

function unfilteredSpec(table: TableSchema, scan: ScanNode, call: AggCall): AggregateSpec | null {
  const name = call.fn.name
  const columnOf = (e: Expr | undefined): number | null => (e?.kind === 'Slot' ? scan.op.projection[e.slot] ?? null : null)
  if (name === 'count' && call.star) return { fn: 'count', column: null }
  const column = columnOf(call.args[0])
  if (column === null) return null
  const kind = table.columns[column]!.kind
  switch (name) {
    case 'count': return call.args.length === 1 ? { fn: 'count', column } : null
    case 'sum': case 'avg': return PUSHABLE_SUM.has(call.argTypes[0]?.name ?? '') ? { fn: name, column } : null
    case 'min': case 'max': return kind === 'f64' || kind === 'timestamp' || kind === 'i64' ? { fn: name, column } : null
    case 'first': case 'last': return columnOf(call.args[1]) === table.timestampIndex && kind !== 'text' ? { fn: name, column } : null
    // Over bool, false < true and NULLs are skipped: bool_and/every is min, bool_or is max (NULL over no rows).
    case 'bool_and': case 'every': case 'bool_or': return kind === 'bool' ? { fn: name === 'bool_or' ? 'max' : 'min', column } : null
    default: return null
  }
}

/** date_trunc units of a fixed width, in µs ('week' starts on Monday, as TimescaleDB's origin 2000-01-03 does). */
const TRUNC_WIDTH_US: Readonly<Record<string, number>> = {
  microseconds: 1, milliseconds: 1_000, second: 1_000_000, minute: 60_000_000, hour: 3_600_000_000,
  day: 86_400_000_000, week: 604_800_000_000,
}

/**
 * date_trunc(unit, ts) as a bucket the cores compute: for a fixed-width unit it equals time_bucket of that width
 * (origin 2000-01-03 is aligned to every one of them) — over timestamp always, over timestamptz only when the
 * session's zone is UTC (date_trunc truncates in the session's zone).
 */
function truncKey(table: TableSchema, scan: ScanNode, key: Extract<Expr, { kind: 'Call' }>, fold: Folder, timeZone: string | null): GroupKey | null {
  const [unitArg, ts] = key.args
  if (key.args.length !== 2 || unitArg === undefined || ts?.kind !== 'Slot' || scan.op.projection[ts.slot] !== table.timestampIndex) return null
  if (ts.type.name === 'timestamptz' && !(timeZone !== null && UTC_ZONES.has(timeZone.toLowerCase()))) return null
  const unit = fold(unitArg)?.value
  if (typeof unit !== 'string') return null
  let canonical: string
  try {
    canonical = parseUnit(unit, ts.type.name === 'timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone')
  } catch {
    return null // an unknown unit stays on the control side, whose date_trunc raises PostgreSQL's 22023 for it
  }
  const widthUs = TRUNC_WIDTH_US[canonical]
  return widthUs === undefined ? null : { kind: 'timeBucket', column: table.timestampIndex, widthUs, originUs: TIME_BUCKET_ORIGIN_US }
}

const UTC_ZONES: ReadonlySet<string> = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'zulu', 'universal', 'etc/universal', 'z'])

function groupKey(table: TableSchema, scan: ScanNode, key: Expr, fold: Folder, timeZone: string | null): GroupKey | null {
  if (key.kind === 'Call' && key.fn.name === 'date_trunc') return truncKey(table, scan, key, fold, timeZone)
  if (key.kind === 'Slot') {
    const column = scan.op.projection[key.slot]
    return column === undefined || table.columns[column]!.kind === 'text' ? null : { kind: 'column', column }
  }
  const isGapfill = key.kind === 'Call' && key.fn.name === 'time_bucket_gapfill'
  if (key.kind !== 'Call' || (key.fn.name !== 'time_bucket' && !isGapfill) || key.args.length < 2 || key.args.length > (isGapfill ? 4 : 3)) return null
  const ts = key.args[1]!
  if (ts.kind !== 'Slot' || scan.op.projection[ts.slot] !== table.timestampIndex || ts.type.name !== 'timestamptz') return null
  const width = fold(key.args[0]!)?.value
  if (width === undefined || width === null || typeof width !== 'object' || width.months !== 0) return null
  const widthUs = width.days * 86_400_000_000 + width.us
  const origin = key.args.length === 3 && !isGapfill ? fold(key.args[2]!)?.value : TIME_BUCKET_ORIGIN_US
  if (!(widthUs > 0) || typeof origin !== 'number' || (!isGapfill && key.args[2]?.type.name === 'interval')) return null
  return { kind: 'timeBucket', column: table.timestampIndex, widthUs, originUs: origin }
}

/** TimescaleDB's default origin for sub-month buckets: Monday 2000-01-03 00:00 UTC, in µs since the Unix epoch. */
export const TIME_BUCKET_ORIGIN_US = 946_857_600_000_000

/** An AggScanNode computing `keys` and `aggregates` on the cores, or null when any part cannot run there exactly. */
export function pushAggregate(table: TableSchema, scan: ScanNode, keys: ReadonlyArray<Expr>, aggregates: ReadonlyArray<AggCall>,
  columns: ReadonlyArray<PlanColumn>, fold: Folder, timeZone: string | null): PlanNode | null {
  const groupBy = keys.map((key) => groupKey(table, scan, key, fold, timeZone))
  const specs = aggregates.map((call) => aggregateSpec(table, scan, call, fold))
  if (groupBy.some((k) => k === null) || specs.some((s) => s === null)) return null
  const keyTypes: SqlType[] = keys.map((key) => key.type)
  const outputs: AggregateOutput[] = aggregates.map((call, i) => ({ fn: specs[i]!.fn, type: call.type }))
  const op: ScanOp = { ...scan.op, projection: [], groupBy: groupBy as GroupKey[], aggregates: specs as AggregateSpec[], limit: null }
  return { kind: 'AggScanNode', op, tableName: scan.tableName, keyTypes, outputs, columns }
}
