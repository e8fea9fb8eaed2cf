// engine/expr-raise: which ScanExpr nodes can raise an error when the kernels (timeseries/expr-kernels.ts) evaluate
// them on some row — int2/int4/int8 overflow and float8 overflow/underflow (22003), division or modulo by zero
// (22012), narrowing casts (22003) — and which provably cannot on any row, for callers that must know before any row
// is read (DELETE writes its WAL record before the cores filter the memtables). Knows nothing of SQL.
import { exprChildren, type ExprType, type ExprValue, type ScanExpr } from './expr.js'

type Arith = Extract<ScanExpr, { k: 'arith' }>

const INTEGER: ReadonlySet<ExprType> = new Set(['int2', 'int4', 'int8'])
const WIDTH: Readonly<Partial<Record<ExprType, number>>> = { int2: 1, int4: 2, int8: 3, float8: 4 }
/**
 * Below this magnitude a finite addend never turns a finite float8 into ±Infinity: |x| ≤ MAX = 2^1024 − 2^971, and a
 * sum only rounds to Infinity from 2^1024 − 2^970 up. Sums and differences never underflow (check_float8_val lets a
 * zero result through for + and −).
 */
const FLOAT_ADDEND_SAFE = 2 ** 970

/**
 * The constant operand's value as a number, or undefined when the operand is not a constant (a widening cast of a
 * constant is one: `n / 7` over bigint divides by int4 7 cast to int8). NULL is null.
 */
function constant(expr: ScanExpr): number | null | undefined {
  if (expr.k === 'cast' && isWidening(typeOf(expr.arg), expr.type)) return constant(expr.arg)
  if (expr.k !== 'const') return undefined
  const value: ExprValue = expr.value
  return value === null ? null : typeof value === 'boolean' || typeof value === 'string' ? undefined : Number(value)
}

/**
 * An integer operation whose result never leaves the type's range: x / c for c ∉ {0, −1} (|x / c| ≤ |x|; −1 overflows
 * on the minimum), x % c for c ≠ 0 (never overflows: int4mod/int8mod special-case −1, the kernel's % cannot overflow),
 * x ± 0, −1 − x, and x * 0 or x * 1.
 */
function isQuietInteger(expr: Arith, left: number | null | undefined, right: number | null | undefined): boolean {
  switch (expr.op) {
    case '/': return right !== undefined && right !== 0 && right !== -1
    case '%': return right !== undefined && right !== 0
    case '+': return left === 0 || right === 0
    case '-': return right === 0 || left === -1 // −1 − x is ~x: always in range
    case '*': return [left, right].some((c) => c === 0 || c === 1)
  }
}

/**
 * A float8 operation check_float8_val can never reject: x ± c with c infinite, NaN or below FLOAT_ADDEND_SAFE; x * c
 * with c ∈ {0, ±1} or not finite (an infinite input lets an infinite result through, a zero input a zero one); x / c
 * with c ∈ {±1}, infinite (the result is 0 from an infinite divisor) or NaN (never 0, so never division by zero),
 * and NaN / x (float8div lets NaN / 0 through).
 */
function isQuietFloat(expr: Arith, left: number | null | undefined, right: number | null | undefined): boolean {
  const isAddendSafe = (c: number | null | undefined): boolean => c !== undefined && (c === null || !(Math.abs(c) >= FLOAT_ADDEND_SAFE) || !Number.isFinite(c))
  const isFactorSafe = (c: number | null | undefined): boolean => c !== undefined && (c === null || c === 0 || Math.abs(c) === 1 || !Number.isFinite(c))
  switch (expr.op) {
    case '+': return isAddendSafe(left) || isAddendSafe(right)
    case '-': return isAddendSafe(left) || isAddendSafe(right)
    case '*': return isFactorSafe(left) || isFactorSafe(right)
    case '/': return (right !== undefined && (right === null || Math.abs(right) === 1 || !Number.isFinite(right))) || Number.isNaN(left)
    case '%': return false // float8 has no %: the kernel always raises
  }
}

function isQuietArith(expr: Arith): boolean {
  const left = constant(expr.left)
  const right = constant(expr.right)
  // A NULL operand: the operators are strict, the kernel computes nothing.
  if (left === null || right === null) return true
  if (INTEGER.has(expr.type)) return isQuietInteger(expr, left, right)
  return expr.type === 'float8' && isQuietFloat(expr, left, right)
}

const INT_MIN: Readonly<Partial<Record<ExprType, number>>> = { int2: -(2 ** 15), int4: -(2 ** 31), int8: -(2 ** 63) }

/** int2um/int4um/int8um raise only on the type's minimum: quiet for a constant other than it (or NULL). */
function isQuietNegate(type: ExprType, arg: number | null | undefined): boolean {
  return arg === null || (arg !== undefined && arg !== INT_MIN[type])
}

function typeOf(expr: ScanExpr): ExprType {
  switch (expr.k) {
    case 'column': case 'const': case 'arith': case 'negate': case 'case': case 'coalesce': case 'cast': return expr.type
    default: return 'bool'
  }
}

/** A cast that never raises: to the same type, integer to a wider integer, anything numeric to float8. */
function isWidening(from: ExprType, to: ExprType): boolean {
  return from === to || to === 'float8' || (INTEGER.has(from) && INTEGER.has(to) && WIDTH[to]! >= WIDTH[from]!)
}

/** The first node of `expr` (pre-order) that can raise on some row, or null when none can. */
export function raisingNode(expr: ScanExpr): ScanExpr | null {
  switch (expr.k) {
    case 'arith': if (!isQuietArith(expr)) return expr; break
    case 'negate': if (expr.type !== 'float8' && !isQuietNegate(expr.type, constant(expr.arg))) return expr; break
    case 'cast': if (!isWidening(typeOf(expr.arg), expr.type)) return expr; break
    default: break
  }
  for (const child of exprChildren(expr)) {
    const found = raisingNode(child)
    if (found !== null) return found
  }
  return null
}

