// engine/wal/expr-shape: the shape check of a ScanWhere read back from disk (a DeleteRecord's WHERE): every node a
// kind the kernels know, with operators, types and constants of the kinds engine/expr.ts allows, casts among the
// numeric types only. Type-checking against a table is compileWhere's (timeseries/expr-eval.ts). Knows nothing of SQL.
import { EXPR_VERSION, type ExprType, type ScanExpr, type ScanWhere } from '../expr.js'

const TYPES: ReadonlySet<unknown> = new Set<ExprType>(['bool', 'int2', 'int4', 'int8', 'float8', 'timestamp', 'text'])
const NUMERIC: ReadonlySet<unknown> = new Set<ExprType>(['int2', 'int4', 'int8', 'float8'])
const COMPARE_OPS: ReadonlySet<unknown> = new Set(['=', '<>', '<', '<=', '>', '>='])
const ARITH_OPS: ReadonlySet<unknown> = new Set(['+', '-', '*', '/', '%'])
/** Deeper trees than this are not read (a recursion bound; SQL never lowers one anywhere near it). */
const DEPTH_MAX = 256

function field(value: object, key: string): unknown {
  return Reflect.get(value, key)
}

function isValue(value: unknown): boolean {
  return value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value)
}

function isList(value: unknown, depth: number): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((arg) => isNode(arg, depth))
}

function isCase(node: object, depth: number): boolean {
  const whens = field(node, 'whens')
  if (!Array.isArray(whens) || whens.length === 0 || !TYPES.has(field(node, 'type')) || !isNode(field(node, 'else'), depth)) return false
  return whens.every((w: unknown) => typeof w === 'object' && w !== null && isNode(field(w, 'when'), depth) && isNode(field(w, 'then'), depth))
}

function isNode(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null || depth > DEPTH_MAX) return false
  const next = depth + 1
  const has = (key: string): boolean => isNode(field(value, key), next)
  const type = field(value, 'type')
  switch (field(value, 'k')) {
    case 'column': { const column = field(value, 'column'); return TYPES.has(type) && typeof column === 'number' && Number.isSafeInteger(column) && column >= 0 }
    case 'const': return TYPES.has(type) && isValue(field(value, 'value'))
    case 'arith': return NUMERIC.has(type) && ARITH_OPS.has(field(value, 'op')) && has('left') && has('right')
    case 'negate': return NUMERIC.has(type) && has('arg')
    case 'cast': return NUMERIC.has(type) && has('arg')
    case 'compare': return COMPARE_OPS.has(field(value, 'op')) && has('left') && has('right')
    case 'and': case 'or': return isList(field(value, 'args'), next)
    case 'not': return has('arg')
    case 'isNull': return typeof field(value, 'negated') === 'boolean' && has('arg')
    case 'isDistinct': return typeof field(value, 'negated') === 'boolean' && has('left') && has('right')
    case 'in': {
      const values = field(value, 'values')
      return typeof field(value, 'negated') === 'boolean' && Array.isArray(values) && values.every(isValue) && has('arg')
    }
    case 'case': return isCase(value, next)
    case 'coalesce': return TYPES.has(type) && isList(field(value, 'args'), next)
    default: return false
  }
}

/** The WHERE as read from disk when its shape is right, else undefined (the caller reports corruption). */
export function checkedWhere(value: unknown): ScanWhere | undefined {
  if (typeof value !== 'object' || value === null || field(value, 'v') !== EXPR_VERSION) return undefined
  const expr = field(value, 'expr')
  return isNode(expr, 0) ? { v: EXPR_VERSION, expr: expr as ScanExpr } : undefined
}
