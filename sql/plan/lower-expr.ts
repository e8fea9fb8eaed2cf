// sql/plan/lower-expr: lowers bound expressions (sql/bind/expr.ts) to the engine's ScanExpr (engine/expr.ts) where
// every node has a kernel with PostgreSQL's exact semantics — columns and folded constants of bool, int2/int4/int8,
// float8, timestamp[tz] and text (text only compared with constants), arithmetic, comparisons, AND/OR/NOT, IS [NOT]
// NULL, IS [NOT] DISTINCT FROM, IS TRUE/FALSE/UNKNOWN, IN lists, CASE, COALESCE and casts among the numeric types.
// Anything else is null: the caller keeps it on the control side. Also estimates PostgreSQL's per-row cost of a qual
// (cost_qual_eval), by which PostgreSQL orders a WHERE's conjuncts, so pushdown can keep its evaluation order.
import type { ExprArithOp, ExprType, ExprValue, ScanExpr } from '../../engine/ops.js'
import { exprChildren } from '../../engine/ops.js'
import type { TableSchema } from '../../engine/ops.js'
import type { Expr } from '../bind/expr.js'
import { children, someExpr } from '../bind/expr.js'
import type { PlanNode } from './plan-node.js'
import type { Folder } from './pushdown.js'

type ScanNode = Extract<PlanNode, { kind: 'ScanNode' }>

const TYPES: Readonly<Record<string, ExprType>> = {
  bool: 'bool', int2: 'int2', int4: 'int4', int8: 'int8', float8: 'float8', timestamptz: 'timestamp', timestamp: 'timestamp',
  // time: µs since midnight in a timestamp column; only compared (time arithmetic yields interval or wraps: not lowered).
  time: 'timestamp', text: 'text', varchar: 'text',
}
const NUMERIC: ReadonlySet<ExprType> = new Set(['int2', 'int4', 'int8', 'float8'])
const INTEGER: ReadonlySet<ExprType> = new Set(['int2', 'int4', 'int8'])
const ARITH: ReadonlySet<string> = new Set(['+', '-', '*', '/', '%'])

/** What lowering needs of its context: the table, the scan (slot → column) and the folder for constants. */
export interface LowerContext {
  readonly table: TableSchema
  readonly scan: ScanNode
  readonly fold: Folder
}

function isRowIndependent(expr: Expr): boolean {
  return !someExpr(expr, (n) => n.kind === 'Slot' || n.kind === 'Outer' || n.kind === 'Subquery' || n.kind === 'Aggregate' ||
    n.kind === 'Window' || (n.kind === 'Call' && n.fn.volatility === 'volatile'))
}

/** The folded value in the kernels' representation, or undefined when it cannot be one. */
function constValue(value: unknown, type: ExprType): ExprValue | undefined {
  if (value === null) return null
  switch (type) {
    case 'bool': return typeof value === 'boolean' ? value : undefined
    case 'int2': case 'int4': return typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'bigint' ? Number(value) : undefined
    case 'int8': return typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : undefined
    case 'float8': case 'timestamp': return typeof value === 'number' ? value : undefined
    case 'text': return typeof value === 'string' ? value : undefined
  }
}

function lowerConst(ctx: LowerContext, expr: Expr, type: ExprType): ScanExpr | null {
  let folded: { readonly value: unknown } | undefined
  try {
    folded = ctx.fold(expr)
  } catch {
    return null // folding raised (e.g. 1/0): the control side evaluates it and raises as it always did
  }
  const value = folded === undefined ? undefined : constValue(folded.value, type)
  return value === undefined ? null : { k: 'const', value, type }
}

function lowerSlot(ctx: LowerContext, expr: Extract<Expr, { kind: 'Slot' }>, type: ExprType): ScanExpr | null {
  const column = ctx.scan.op.projection[expr.slot]
  const kind = column === undefined ? undefined : ctx.table.columns[column]?.kind
  const fits = type === 'float8' ? kind === 'f64' : type === 'timestamp' ? kind === 'timestamp' : INTEGER.has(type) ? kind === 'i64'
    : type === 'bool' ? kind === 'bool' : kind === 'symbol' || kind === 'text'
  return fits && column !== undefined ? { k: 'column', column, type } : null
}

function typeOf(expr: ScanExpr): ExprType {
  switch (expr.k) {
    case 'column': case 'const': case 'arith': case 'negate': case 'case': case 'coalesce': case 'cast': return expr.type
    default: return 'bool'
  }
}

/** `expr` in type `to` (an exact widening among integers, or nothing to do). */
function widen(expr: ScanExpr, to: ExprType): ScanExpr {
  return typeOf(expr) === to ? expr : { k: 'cast', arg: expr, type: to }
}

/** Two operands of one kernel type: equal types, or integers widened to the wider one. */
function unify(left: ScanExpr, right: ScanExpr): [ScanExpr, ScanExpr, ExprType] | null {
  const a = typeOf(left)
  const b = typeOf(right)
  if (a === b) return [left, right, a]
  if (!INTEGER.has(a) || !INTEGER.has(b)) return null
  const to: ExprType = a === 'int8' || b === 'int8' ? 'int8' : 'int4'
  return [widen(left, to), widen(right, to), to]
}

/** Text is compared only as a column against a constant. */
function textPairOk(left: ScanExpr, right: ScanExpr): boolean {
  return (left.k === 'column' && right.k === 'const') || (left.k === 'const' && right.k === 'column')
}

function lowerCall(ctx: LowerContext, expr: Extract<Expr, { kind: 'Call' }>, type: ExprType): ScanExpr | null {
  const name = expr.fn.name
  if (!ARITH.has(name) || !NUMERIC.has(type) || !expr.fn.args.every((t) => NUMERIC.has(TYPES[t] ?? 'text'))) return null
  if (expr.args.length === 1 && (name === '-' || name === '+')) {
    const arg = lowerExpr(ctx, expr.args[0]!)
    if (arg === null || typeOf(arg) !== type) return null
    return name === '+' ? arg : { k: 'negate', arg, type }
  }
  if (expr.args.length !== 2 || (name === '%' && type === 'float8')) return null
  const left = lowerExpr(ctx, expr.args[0]!)
  const right = lowerExpr(ctx, expr.args[1]!)
  if (left === null || right === null) return null
  const fitsResult = (e: ScanExpr): boolean => typeOf(e) === type || (INTEGER.has(type) && INTEGER.has(typeOf(e)))
  if (!fitsResult(left) || !fitsResult(right)) return null
  return { k: 'arith', op: name as ExprArithOp, left: widen(left, type), right: widen(right, type), type }
}

function lowerPair(ctx: LowerContext, l: Expr, r: Expr): [ScanExpr, ScanExpr, ExprType] | null {
  const left = lowerExpr(ctx, l)
  const right = lowerExpr(ctx, r)
  if (left === null || right === null) return null
  const pair = unify(left, right)
  if (pair === null || (pair[2] === 'text' && !textPairOk(pair[0], pair[1]))) return null
  return pair
}

function lowerIn(ctx: LowerContext, expr: Extract<Expr, { kind: 'InList' }>): ScanExpr | null {
  const arg = lowerExpr(ctx, expr.arg)
  if (arg === null) return null
  const type = typeOf(arg)
  if (type === 'text' && arg.k !== 'column') return null
  const values: ExprValue[] = []
  for (const item of expr.list) {
    const lowered = lowerConst(ctx, item, type)
    if (lowered?.k !== 'const') return null
    values.push(lowered.value)
  }
  return { k: 'in', arg, values, negated: expr.negated }
}

function lowerCase(ctx: LowerContext, expr: Extract<Expr, { kind: 'Case' }>, type: ExprType): ScanExpr | null {
  if (type === 'text') return null
  const whens: { when: ScanExpr; then: ScanExpr }[] = []
  for (const w of expr.whens) {
    const when = lowerExpr(ctx, w.when)
    const then = lowerExpr(ctx, w.then)
    if (when === null || then === null || typeOf(when) !== 'bool' || typeOf(then) !== type) return null
    whens.push({ when, then })
  }
  const otherwise = lowerExpr(ctx, expr.else)
  return otherwise === null || typeOf(otherwise) !== type ? null : { k: 'case', whens, else: otherwise, type }
}

function lowerList(ctx: LowerContext, args: ReadonlyArray<Expr>, type: ExprType | null): ScanExpr[] | null {
  const out: ScanExpr[] = []
  for (const arg of args) {
    const lowered = lowerExpr(ctx, arg)
    if (lowered === null || (type !== null && typeOf(lowered) !== type)) return null
    out.push(lowered)
  }
  return out
}

/** The engine form of `expr`, or null when some node has no exact kernel. */
export function lowerExpr(ctx: LowerContext, expr: Expr): ScanExpr | null {
  const type = TYPES[expr.type.name]
  if (type === undefined) return null
  if (expr.kind !== 'Slot' && isRowIndependent(expr)) return lowerConst(ctx, expr, type)
  switch (expr.kind) {
    case 'Slot': return lowerSlot(ctx, expr, type)
    case 'Call': return lowerCall(ctx, expr, type)
    case 'Cast': {
      const arg = lowerExpr(ctx, expr.expr)
      if (arg === null) return null
      const from = typeOf(arg)
      // A cast within one kernel type is free, except among the SQL types sharing 'timestamp' (timestamptz → timestamp
      // and → time convert through the session zone and the day): those stay on the control side.
      if (from === type && expr.type.typmod < 0 && (type !== 'timestamp' || expr.expr.type.name === expr.type.name)) return arg
      return NUMERIC.has(from) && NUMERIC.has(type) ? { k: 'cast', arg, type } : null
    }
    case 'Compare': case 'IsDistinct': {
      const pair = lowerPair(ctx, expr.left, expr.right)
      if (pair === null) return null
      if (expr.kind === 'Compare') return pair[2] === 'text' && expr.op !== '=' && expr.op !== '<>' ? null : { k: 'compare', op: expr.op, left: pair[0], right: pair[1] }
      return { k: 'isDistinct', left: pair[0], right: pair[1], negated: expr.negated }
    }
    case 'And': case 'Or': {
      const args = lowerList(ctx, expr.args, 'bool')
      return args === null ? null : { k: expr.kind === 'And' ? 'and' : 'or', args }
    }
    case 'Not': {
      const arg = lowerExpr(ctx, expr.arg)
      return arg === null || typeOf(arg) !== 'bool' ? null : { k: 'not', arg }
    }
    case 'IsNull': {
      const arg = lowerExpr(ctx, expr.arg)
      return arg === null || (typeOf(arg) === 'text' && arg.k !== 'column') ? null : { k: 'isNull', arg, negated: expr.negated }
    }
    case 'IsBool': {
      const arg = lowerExpr(ctx, expr.arg)
      if (arg === null || typeOf(arg) !== 'bool') return null
      // IS TRUE is IS NOT DISTINCT FROM TRUE; IS UNKNOWN is IS NULL.
      if (expr.test === 'unknown') return { k: 'isNull', arg, negated: expr.negated }
      return { k: 'isDistinct', left: arg, right: { k: 'const', value: expr.test === 'true', type: 'bool' }, negated: !expr.negated }
    }
    case 'InList': return lowerIn(ctx, expr)
    case 'Case': return lowerCase(ctx, expr, type)
    case 'Coalesce': {
      if (type === 'text') return null
      const args = lowerList(ctx, expr.args, type)
      return args === null ? null : { k: 'coalesce', args, type }
    }
    default: return null
  }
}

/** Whether evaluating the expression can raise (arithmetic overflow or division by zero, narrowing casts). */
export function mayRaise(expr: ScanExpr): boolean {
  if (expr.k === 'arith' || (expr.k === 'negate' && expr.type !== 'float8')) return true
  if (expr.k === 'cast' && !isWidening(typeOf(expr.arg), expr.type)) return true
  return exprChildren(expr).some(mayRaise)
}

const WIDTH: Readonly<Partial<Record<ExprType, number>>> = { int2: 1, int4: 2, int8: 3, float8: 4 }

/** A cast that never raises: integer to a wider integer or to float8. */
function isWidening(from: ExprType, to: ExprType): boolean {
  return from === to || (INTEGER.has(from) && (WIDTH[to] ?? 0) >= (WIDTH[from] ?? 5))
}

/** Whether the expression has an OR anywhere (PostgreSQL may refactor OR trees before ordering quals). */
export function hasOr(expr: Expr): boolean {
  return someExpr(expr, (n) => n.kind === 'Or')
}

const TEXTUAL: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar', 'name', 'unknown'])

/**
 * PostgreSQL's per-row cost of a qual in cpu_operator_cost units, as cost_qual_eval estimates it: one per operator or
 * function call, nothing for AND/OR/NOT, NULL tests, CASE, COALESCE, columns and constants (constant subtrees are
 * folded), half per element of an IN list. NaN when unsure (subqueries, long IN lists PostgreSQL hashes).
 */
export function pgCost(expr: Expr): number {
  if (expr.kind === 'Const' || expr.kind === 'Param' || expr.kind === 'Slot') return 0
  if (isRowIndependent(expr) && !someExpr(expr, (n) => n.kind === 'Call' && n.fn.volatility !== 'immutable')) return 0
  const sum = (args: ReadonlyArray<Expr>): number => args.reduce((total, arg) => total + pgCost(arg), 0)
  switch (expr.kind) {
    case 'Call': case 'Compare': case 'IsDistinct': case 'NullIf': case 'Like': case 'Greatest': case 'Least': return 1 + sum(children(expr))
    case 'Cast': {
      const from = expr.expr.type.name
      const free = (TEXTUAL.has(from) && TEXTUAL.has(expr.type.name)) || (INTEGER.has(TYPES[from] ?? 'text') && INTEGER.has(TYPES[expr.type.name] ?? 'text'))
      return (free ? 0 : 1) + pgCost(expr.expr)
    }
    case 'InList': return expr.list.length > 8 ? Number.NaN : pgCost(expr.arg) + 0.5 * expr.list.length
    case 'And': case 'Or': case 'Not': case 'IsNull': case 'IsBool': case 'Case': case 'Coalesce': return sum(children(expr))
    default: return Number.NaN
  }
}

/**
 * An equality (`expr = expr`, btree-mergejoinable for every type here) goes through PostgreSQL's equivalence classes,
 * which re-add it to the scan's quals after all the other conjuncts: it comes later among conjuncts of equal cost.
 */
function isEquivalence(expr: Expr): boolean {
  return expr.kind === 'Compare' && expr.op === '=' && !someExpr(expr, (n) => n.kind === 'Subquery' || (n.kind === 'Call' && n.fn.volatility === 'volatile'))
}

/**
 * A comparator of conjuncts (of one WHERE, `all` in written order) in the order PostgreSQL evaluates them:
 * order_qual_clauses sorts the scan's quals by cost (unknown costs last), stably, and the quals list holds the
 * equivalence-class equalities after the rest.
 */
export function pgOrder(all: ReadonlyArray<Expr>): (a: Expr, b: Expr) => number {
  const rank = new Map(all.map((c, i) => {
    const cost = pgCost(c)
    return [c, [Number.isNaN(cost) ? Number.POSITIVE_INFINITY : cost, isEquivalence(c) ? 1 : 0, i] as const]
  }))
  return (a, b) => {
    const x = rank.get(a)!
    const y = rank.get(b)!
    return x[0] !== y[0] ? x[0] - y[0] : x[1] !== y[1] ? x[1] - y[1] : x[2] - y[2]
  }
}

/**
 * Which of the conjuncts the simple pushdown left (`rest`, a subset of `all`) run on the cores as one ScanExpr, so
 * that every conjunct that can raise sees exactly the rows PostgreSQL evaluates it on (pgOrder), each only on the rows
 * the earlier ones did not reject:
 * - one that cannot raise moves to the cores when it comes before every conjunct staying on the control side;
 * - one that can raise moves only when it is the last PostgreSQL evaluates by a clear margin of cost and all the
 *   others move too (then it sees the same rows on both), and has no OR (PostgreSQL may restructure OR trees).
 * The rest stays for the control side, in PostgreSQL's order.
 */
export function lowerConjuncts(ctx: LowerContext, all: ReadonlyArray<Expr>, rest: ReadonlyArray<Expr>): { readonly where: ScanExpr | null; readonly residual: Expr[] } {
  const order = pgOrder(all)
  const lowered = rest.map((c) => ({ c, e: lowerExpr(ctx, c) }))
  const unlowered = lowered.filter((x) => x.e === null).map((x) => x.c)
  const raising = lowered.filter((x) => x.e !== null && mayRaise(x.e))
  const last = raising.length === 1 && unlowered.length === 0 && !hasOr(raising[0]!.c) ? raising[0]! : null
  const lastCost = last === null ? Number.NaN : pgCost(last.c)
  const lastMoves = last !== null && all.every((c) => c === last.c || pgCost(c) <= lastCost - 1)
  // Whatever stays on the control side (raising ones included) must not lose a row it would have seen.
  const staying = [...unlowered, ...raising.filter((x) => !(lastMoves && x === last)).map((x) => x.c)]
  const pushed = new Set<Expr>()
  const parts: ScanExpr[] = []
  for (const { c, e } of lowered) {
    if (e === null || mayRaise(e) || !staying.every((u) => order(c, u) < 0)) continue
    pushed.add(c)
    parts.push(e)
  }
  if (lastMoves && last !== null) {
    pushed.add(last.c)
    parts.push(last.e!)
  }
  const where = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : { k: 'and' as const, args: parts }
  return { where, residual: rest.filter((c) => !pushed.has(c)).sort(order) }
}
