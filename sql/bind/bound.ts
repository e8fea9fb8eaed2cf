// sql/bind/bound: the bound expression tree — names resolved against the catalog, every node typed. Table columns
// (BoundColumn) are replaced by slots of the merged row (BoundSlot) when the logical plan is built.
import type { AggregateFn } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import type { SqlBinaryOp } from '../parse/ast.js'
import type { SqlType } from './types.js'

export type ScalarFn = 'now' | 'version' | 'current_setting' | 'current_database' | 'current_user'

export type BoundExpr =
  | { readonly kind: 'BoundColumn'; readonly column: number; readonly name: string; readonly pos: number; readonly type: SqlType }
  | { readonly kind: 'BoundSlot'; readonly slot: number; readonly type: SqlType }
  | { readonly kind: 'BoundConst'; readonly value: null | boolean | number | bigint | string; readonly type: SqlType }
  /** index is 0-based ($1 → 0). */
  | { readonly kind: 'BoundParam'; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'BoundBinary'; readonly op: SqlBinaryOp; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: SqlType }
  | { readonly kind: 'BoundUnary'; readonly op: '-' | 'not'; readonly expr: BoundExpr; readonly type: SqlType }
  | { readonly kind: 'BoundIn'; readonly expr: BoundExpr; readonly list: ReadonlyArray<BoundExpr>; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'BoundIsNull'; readonly expr: BoundExpr; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'BoundCast'; readonly expr: BoundExpr; readonly type: SqlType }
  /** column null: count(*). */
  | { readonly kind: 'BoundAggregate'; readonly fn: AggregateFn; readonly column: number | null; readonly type: SqlType }
  | { readonly kind: 'BoundTimeBucket'; readonly widthUs: number; readonly originUs: number; readonly arg: BoundExpr; readonly type: SqlType }
  | { readonly kind: 'BoundScalarCall'; readonly fn: ScalarFn; readonly args: ReadonlyArray<BoundExpr>; readonly type: SqlType }

export type BoundExprKind = BoundExpr['kind']

/** Rebuilds `expr` bottom-up, letting `replace` substitute a node (returning undefined keeps descending). */
export function mapBound(expr: BoundExpr, replace: (node: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const replaced = replace(expr)
  if (replaced !== undefined) return replaced
  const map = (child: BoundExpr): BoundExpr => mapBound(child, replace)
  switch (expr.kind) {
    case 'BoundColumn': case 'BoundSlot': case 'BoundConst': case 'BoundParam': case 'BoundAggregate': return expr
    case 'BoundBinary': return { ...expr, left: map(expr.left), right: map(expr.right) }
    case 'BoundUnary': return { ...expr, expr: map(expr.expr) }
    case 'BoundIn': return { ...expr, expr: map(expr.expr), list: expr.list.map(map) }
    case 'BoundIsNull': return { ...expr, expr: map(expr.expr) }
    case 'BoundCast': return { ...expr, expr: map(expr.expr) }
    case 'BoundTimeBucket': return { ...expr, arg: map(expr.arg) }
    case 'BoundScalarCall': return { ...expr, args: expr.args.map(map) }
    default: return assertNever(expr)
  }
}

/** True when two bound expressions compute the same value (used to match GROUP BY keys). */
export function isSameBound(a: BoundExpr, b: BoundExpr): boolean {
  if (a.kind === 'BoundColumn' && b.kind === 'BoundColumn') return a.column === b.column
  if (a.kind === 'BoundTimeBucket' && b.kind === 'BoundTimeBucket') {
    return a.widthUs === b.widthUs && a.originUs === b.originUs && isSameBound(a.arg, b.arg)
  }
  return false
}
