// engine/timeseries/expr-kernels: the value kernels of ScanExpr — arithmetic, comparisons and casts over one chunk of
// typed arrays, null masks and a selection vector, with PostgreSQL's semantics exactly: int2/int4/int8 overflow and
// float8 overflow/underflow raise 22003 (int.c, int8.c, float.h), division or modulo by zero raises 22012, floats
// order NaN above everything and equal to itself. A NULL input gives NULL without computing (the operators are
// strict), and only selected rows are computed, so a row a filter removed never raises. Knows nothing of SQL.
import { EngineFailureError } from '../api.js'
import type { ExprArithOp, ExprCompareOp, ExprType } from '../expr.js'
import { floatOrder, orderPasses } from './gather.js'

/** Rows a kernel computes per call: chunk-relative indexes in a selection vector are below it. */
export const EXPR_CHUNK_ROWS = 1024

/**
 * One computed vector over a chunk, indexed by chunk-relative row: `num` holds int2/int4/float8/timestamp values and
 * bools as 0/1, `big` int8 values; `nul` is 1 for NULL. Only the selected indexes are meaningful.
 */
export interface Vec {
  num: Float64Array
  big: BigInt64Array
  nul: Uint8Array
}

const EMPTY_BIG = new BigInt64Array(0)
const EMPTY_NUM = new Float64Array(0)

/** A vector of `length` slots (a chunk's by default). */
export function newVec(type: ExprType, length = EXPR_CHUNK_ROWS): Vec {
  return {
    num: type === 'int8' ? EMPTY_NUM : new Float64Array(length),
    big: type === 'int8' ? new BigInt64Array(length) : EMPTY_BIG,
    nul: new Uint8Array(length),
  }
}

export function divisionByZero(): EngineFailureError {
  return new EngineFailureError({ kind: 'DivisionByZero', detail: 'division by zero' })
}

export function outOfRange(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'NumericOutOfRange', detail })
}

const INT_RANGE = { int2: [-32768, 32767, 'smallint out of range'], int4: [-2147483648, 2147483647, 'integer out of range'] } as const
const INT8_MIN = -9223372036854775808n
const INT8_MAX = 9223372036854775807n

function checkInt(value: number, type: 'int2' | 'int4'): number {
  const [min, max, message] = INT_RANGE[type]
  if (!(value >= min && value <= max)) throw outOfRange(message)
  return value + 0
}

function checkInt8(value: bigint): bigint {
  if (value < INT8_MIN || value > INT8_MAX) throw outOfRange('bigint out of range')
  return value
}

/** check_float8_val of float.h: an infinite result needs an infinite input, a zero result a zero input. */
function checkFloat(result: number, infiniteInput: boolean, zeroInput: boolean): number {
  if (result === Infinity || result === -Infinity) {
    if (!infiniteInput) throw outOfRange('value out of range: overflow')
  } else if (result === 0 && !zeroInput) {
    throw outOfRange('value out of range: underflow')
  }
  return result
}

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity
}

function floatArith(op: ExprArithOp, x: number, y: number): number {
  switch (op) {
    case '+': return checkFloat(x + y, isInf(x) || isInf(y), true)
    case '-': return checkFloat(x - y, isInf(x) || isInf(y), true)
    case '*': return checkFloat(x * y, isInf(x) || isInf(y), x === 0 || y === 0)
    case '/':
      if (y === 0 && !Number.isNaN(x)) throw divisionByZero()
      return checkFloat(x / y, isInf(x), x === 0 || isInf(y))
    case '%': throw outOfRange('float8 has no % operator')
  }
}

function intArith(op: ExprArithOp, x: number, y: number, type: 'int2' | 'int4'): number {
  if ((op === '/' || op === '%') && y === 0) throw divisionByZero()
  switch (op) {
    // int4 * int4 may exceed 2^53, but then it is far out of range and rounding cannot bring it back in.
    case '+': return checkInt(x + y, type)
    case '-': return checkInt(x - y, type)
    case '*': return checkInt(x * y, type)
    case '/': return checkInt(Math.trunc(x / y), type)
    case '%': return (x % y) + 0
  }
}

function int8Arith(op: ExprArithOp, x: bigint, y: bigint): bigint {
  if ((op === '/' || op === '%') && y === 0n) throw divisionByZero()
  switch (op) {
    case '+': return checkInt8(x + y)
    case '-': return checkInt8(x - y)
    case '*': return checkInt8(x * y)
    case '/': return checkInt8(x / y)
    case '%': return x % y
  }
}

/** out[i] = l[i] op r[i] for the selected rows, in the result type; both inputs already of that type. */
export function arith(op: ExprArithOp, type: ExprType, l: Vec, r: Vec, out: Vec, sel: Uint32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    if (l.nul[i] === 1 || r.nul[i] === 1) { out.nul[i] = 1; continue }
    out.nul[i] = 0
    if (type === 'int8') out.big[i] = int8Arith(op, l.big[i]!, r.big[i]!)
    else if (type === 'float8') out.num[i] = floatArith(op, l.num[i]!, r.num[i]!)
    else out.num[i] = intArith(op, l.num[i]!, r.num[i]!, type as 'int2' | 'int4')
  }
}

/** Prefix minus: int4um/int8um check the one value with no positive counterpart; float8um never raises. */
export function negate(type: ExprType, v: Vec, out: Vec, sel: Uint32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    out.nul[i] = v.nul[i]!
    if (v.nul[i] === 1) continue
    if (type === 'int8') out.big[i] = checkInt8(-v.big[i]!)
    else if (type === 'float8') out.num[i] = -v.num[i]!
    else out.num[i] = checkInt(0 - v.num[i]!, type as 'int2' | 'int4')
  }
}

/** rint(): round half to even, as float8 → integer casts do. */
function rint(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

function castValue(from: ExprType, to: ExprType, v: Vec, i: number, out: Vec): void {
  if (to === 'float8') { out.num[i] = from === 'int8' ? Number(v.big[i]!) : v.num[i]!; return }
  if (to === 'int8') {
    if (from === 'int8') { out.big[i] = v.big[i]!; return }
    if (from !== 'float8') { out.big[i] = BigInt(v.num[i]!); return }
    const x = rint(v.num[i]!)
    if (!(x >= -9223372036854775808 && x < 9223372036854775808)) throw outOfRange('bigint out of range')
    out.big[i] = BigInt(x)
    return
  }
  const target = to as 'int2' | 'int4'
  if (from === 'int8') {
    const x = v.big[i]!
    if (x < -2147483648n || x > 2147483647n) throw outOfRange(INT_RANGE[target][2])
    out.num[i] = checkInt(Number(x), target)
    return
  }
  const x = from === 'float8' ? rint(v.num[i]!) : v.num[i]!
  if (Number.isNaN(x)) throw outOfRange(INT_RANGE[target][2])
  out.num[i] = checkInt(x, target)
}

/** Casts among int2/int4/int8/float8 (float → integer rounds half to even and range-checks). */
export function cast(from: ExprType, to: ExprType, v: Vec, out: Vec, sel: Uint32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    out.nul[i] = v.nul[i]!
    if (v.nul[i] === 0) castValue(from, to, v, i, out)
  }
}

function holds(op: ExprCompareOp, order: number): boolean {
  switch (op) {
    case '=': return order === 0
    case '<>': return order !== 0
    case '<': return order < 0
    case '<=': return order <= 0
    case '>': return order > 0
    case '>=': return order >= 0
  }
}

/** Order of two non-null values of one type at index i of l and j of r (floats as PostgreSQL orders float8). */
export function orderAt(type: ExprType, l: Vec, i: number, r: Vec, j: number): number {
  if (type === 'int8') { const x = l.big[i]!; const y = r.big[j]!; return x < y ? -1 : x > y ? 1 : 0 }
  if (type === 'float8' || type === 'timestamp') return floatOrder(l.num[i]!, r.num[j]!)
  const x = l.num[i]!
  const y = r.num[j]!
  return x < y ? -1 : x > y ? 1 : 0
}

/** out[i] = (l[i] op r[i]) as a bool vector, NULL when either side is. */
export function compare(op: ExprCompareOp, type: ExprType, l: Vec, r: Vec, out: Vec, sel: Uint32Array, n: number): void {
  // The op's verdict per order, decided once (gather.ts orderPasses says why).
  const [less, equal, greater] = [holds(op, -1), holds(op, 0), holds(op, 1)]
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    if (l.nul[i] === 1 || r.nul[i] === 1) { out.nul[i] = 1; continue }
    out.nul[i] = 0
    out.num[i] = orderPasses(orderAt(type, l, i, r, i), less, equal, greater) ? 1 : 0
  }
}

/** IS [NOT] DISTINCT FROM: never NULL; two NULLs are not distinct. */
export function distinct(type: ExprType, negated: boolean, l: Vec, r: Vec, out: Vec, sel: Uint32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    const isDistinct = l.nul[i] === 1 || r.nul[i] === 1 ? l.nul[i] !== r.nul[i] : orderAt(type, l, i, r, i) !== 0
    out.nul[i] = 0
    out.num[i] = isDistinct !== negated ? 1 : 0
  }
}

/** `v IN (list)`: `list` a vector whose first `count` entries are the constants (nul marks a NULL among them). */
export function inList(type: ExprType, negated: boolean, v: Vec, list: Vec, count: number, out: Vec, sel: Uint32Array, n: number): void {
  let listHasNull = false
  for (let c = 0; c < count; c++) if (list.nul[c] === 1) listHasNull = true
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    if (v.nul[i] === 1) { out.nul[i] = 1; continue }
    let found = false
    for (let c = 0; c < count && !found; c++) found = list.nul[c] === 0 && orderAt(type, v, i, list, c) === 0
    if (!found && listHasNull) { out.nul[i] = 1; continue }
    out.nul[i] = 0
    out.num[i] = found !== negated ? 1 : 0
  }
}
