// sql/bind/expr: the bound, executable expression — names resolved to row slots, every node typed, functions and
// operators resolved to their registry definitions. Built by bind-expr.ts, evaluated by sql/exec/evaluate.ts over
// one row of the plan node it belongs to. Aggregate and window calls appear only until the planner replaces them by
// slots of the Aggregate or Window node that computes them.
import type { SqlValue } from '../api.js'
import type { AggregateFunction, ScalarFunction } from '../functions/function-def.js'
import type { PlanNode } from '../plan/plan-node.js'
import type { SqlType } from './types.js'

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>='

export interface AggCall {
  readonly fn: AggregateFunction
  readonly args: ReadonlyArray<Expr>
  readonly argTypes: ReadonlyArray<SqlType>
  readonly distinct: boolean
  readonly star: boolean
  readonly filter: Expr | null
  readonly orderBy: ReadonlyArray<ExprSortKey>
  readonly type: SqlType
}

export interface ExprSortKey {
  readonly expr: Expr
  readonly descending: boolean
  readonly nullsFirst: boolean
}

export type WindowFrameBound =
  | { readonly kind: 'unboundedPreceding' | 'currentRow' | 'unboundedFollowing' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: Expr }

export interface WindowCall {
  /** A ranking/value window function by name, or an aggregate used as a window. */
  readonly fn: string
  readonly agg: AggregateFunction | null
  readonly args: ReadonlyArray<Expr>
  readonly argTypes: ReadonlyArray<SqlType>
  readonly filter: Expr | null
  readonly partitionBy: ReadonlyArray<Expr>
  readonly orderBy: ReadonlyArray<ExprSortKey>
  readonly frame: { readonly mode: 'rows' | 'range' | 'groups'; readonly start: WindowFrameBound; readonly end: WindowFrameBound }
  readonly type: SqlType
}

/** 'array' is ARRAY(subquery): the one column's values as an array (text form). */
export type SubqueryMode = 'scalar' | 'exists' | 'any' | 'all' | 'array'

export type Expr =
  /** `pos` (0-based) is where a column reference was written, for errors such as 42803. */
  | { readonly kind: 'Slot'; readonly slot: number; readonly type: SqlType; readonly name: string; readonly pos?: number }
  /** A column of an enclosing query's row (correlated subquery); depth 1 is the nearest enclosing query. */
  | { readonly kind: 'Outer'; readonly depth: number; readonly slot: number; readonly type: SqlType }
  | { readonly kind: 'Const'; readonly value: SqlValue; readonly type: SqlType }
  /** index 0-based ($1 → 0). */
  | { readonly kind: 'Param'; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'Call'; readonly fn: ScalarFunction; readonly args: ReadonlyArray<Expr>; readonly type: SqlType }
  // isExplicit: CAST / :: (varchar(n) and character(n) then truncate instead of raising 22001 as assignments do).
  | { readonly kind: 'Cast'; readonly expr: Expr; readonly type: SqlType; readonly isExplicit?: boolean }
  | { readonly kind: 'Compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr; readonly type: SqlType }
  | { readonly kind: 'And' | 'Or'; readonly args: ReadonlyArray<Expr>; readonly type: SqlType }
  | { readonly kind: 'Not'; readonly arg: Expr; readonly type: SqlType }
  | { readonly kind: 'IsNull'; readonly arg: Expr; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'IsBool'; readonly arg: Expr; readonly test: 'true' | 'false' | 'unknown'; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'IsDistinct'; readonly left: Expr; readonly right: Expr; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'InList'; readonly arg: Expr; readonly list: ReadonlyArray<Expr>; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'Like'; readonly arg: Expr; readonly pattern: Expr; readonly escape: Expr | null; readonly caseInsensitive: boolean; readonly negated: boolean; readonly type: SqlType }
  | { readonly kind: 'Case'; readonly whens: ReadonlyArray<{ readonly when: Expr; readonly then: Expr }>; readonly else: Expr; readonly type: SqlType }
  | { readonly kind: 'Coalesce' | 'Greatest' | 'Least'; readonly args: ReadonlyArray<Expr>; readonly type: SqlType }
  | { readonly kind: 'NullIf'; readonly left: Expr; readonly right: Expr; readonly type: SqlType }
  /**
   * A subquery, run per evaluation (correlated) or once per statement (uncorrelated: `correlated` false, the result
   * is cached by the evaluator). For 'any'/'all', `test` compares `left` with the subquery's one column.
   */
  /** `row`: a row IN (SELECT …) — the items compared pairwise with the subquery's columns (left is null then). */
  | { readonly kind: 'Subquery'; readonly mode: SubqueryMode; readonly plan: PlanNode; readonly correlated: boolean; readonly left: Expr | null; readonly op: CompareOp | null; readonly negated: boolean; readonly type: SqlType; readonly row?: ReadonlyArray<Expr> }
  | { readonly kind: 'Aggregate'; readonly call: AggCall; readonly type: SqlType }
  | { readonly kind: 'Window'; readonly call: WindowCall; readonly type: SqlType }

export type ExprKind = Expr['kind']

/** The direct children of an expression (subquery plans and aggregate internals are not descended into). */
export function children(expr: Expr): ReadonlyArray<Expr> {
  switch (expr.kind) {
    case 'Slot': case 'Outer': case 'Const': case 'Param': case 'Aggregate': case 'Window': return []
    case 'Call': return expr.args
    case 'Cast': return [expr.expr]
    case 'Compare': case 'IsDistinct': case 'NullIf': return [expr.left, expr.right]
    case 'And': case 'Or': case 'Coalesce': case 'Greatest': case 'Least': return expr.args
    case 'Not': case 'IsNull': case 'IsBool': return [expr.arg]
    case 'InList': return [expr.arg, ...expr.list]
    case 'Like': return expr.escape === null ? [expr.arg, expr.pattern] : [expr.arg, expr.pattern, expr.escape]
    case 'Case': return [...expr.whens.flatMap((w) => [w.when, w.then]), expr.else]
    case 'Subquery': return [...(expr.left === null ? [] : [expr.left]), ...(expr.row ?? [])]
  }
}

/** Rebuilds `expr` top-down: `replace` may substitute a node (undefined keeps descending into it). */
export function mapExpr(expr: Expr, replace: (node: Expr) => Expr | undefined): Expr {
  const replaced = replace(expr)
  if (replaced !== undefined) return replaced
  const map = (child: Expr): Expr => mapExpr(child, replace)
  switch (expr.kind) {
    case 'Slot': case 'Outer': case 'Const': case 'Param': case 'Aggregate': case 'Window': return expr
    case 'Call': return { ...expr, args: expr.args.map(map) }
    case 'Cast': return { ...expr, expr: map(expr.expr) }
    case 'Compare': case 'IsDistinct': case 'NullIf': return { ...expr, left: map(expr.left), right: map(expr.right) }
    case 'And': case 'Or': case 'Coalesce': case 'Greatest': case 'Least': return { ...expr, args: expr.args.map(map) }
    case 'Not': case 'IsNull': case 'IsBool': return { ...expr, arg: map(expr.arg) }
    case 'InList': return { ...expr, arg: map(expr.arg), list: expr.list.map(map) }
    case 'Like': return { ...expr, arg: map(expr.arg), pattern: map(expr.pattern), escape: expr.escape === null ? null : map(expr.escape) }
    case 'Case': return { ...expr, whens: expr.whens.map((w) => ({ when: map(w.when), then: map(w.then) })), else: map(expr.else) }
    case 'Subquery': return { ...expr, left: expr.left === null ? null : map(expr.left), ...(expr.row === undefined ? {} : { row: expr.row.map(map) }) }
  }
}

/** True when any node satisfies `test`. */
export function someExpr(expr: Expr, test: (node: Expr) => boolean): boolean {
  if (test(expr)) return true
  return children(expr).some((child) => someExpr(child, test))
}

function valueKey(value: SqlValue): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return `iv:${value.months}:${value.days}:${value.us}`
  return `${typeof value}:${String(value)}`
}

/**
 * A structural key: two expressions with the same key compute the same value over the same row (used to match
 * GROUP BY keys with select-list expressions, and to share aggregate computations).
 */
export function exprKey(expr: Expr): string {
  switch (expr.kind) {
    case 'Slot': return `s${expr.slot}`
    case 'Outer': return `o${expr.depth}.${expr.slot}`
    case 'Const': return `c(${valueKey(expr.value)}:${expr.type.name})`
    case 'Param': return `p${expr.index}`
    case 'Call': return `f:${expr.fn.name}/${expr.fn.args.join(',')}(${expr.args.map(exprKey).join(',')})`
    case 'Cast': return `cast(${exprKey(expr.expr)}:${expr.type.name}:${expr.type.typmod})`
    case 'Aggregate': {
      const c = expr.call
      return `agg:${c.fn.name}/${c.fn.args.join(',')}:${c.distinct}:${c.star}(${c.args.map(exprKey).join(',')})` +
        `f(${c.filter === null ? '' : exprKey(c.filter)})o(${c.orderBy.map((k) => `${exprKey(k.expr)}${k.descending}${k.nullsFirst}`).join(',')})`
    }
    case 'Window': return `win:${Math.random()}` // never shared: each window call is its own column
    case 'Subquery': return `sub:${Math.random()}`
    default: return `${expr.kind}(${children(expr).map(exprKey).join(',')})${JSON.stringify(extraKey(expr))}`
  }
}

function extraKey(expr: Expr): unknown {
  switch (expr.kind) {
    case 'Compare': return expr.op
    case 'IsNull': case 'InList': case 'IsDistinct': return expr.negated
    case 'IsBool': return [expr.test, expr.negated]
    case 'Like': return [expr.caseInsensitive, expr.negated]
    default: return expr.type.name
  }
}
