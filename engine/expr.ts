// engine/expr: the one executable expression form of the physical plan — ScanExpr, a closed union of plain data
// (no SQL text, no closures) that crosses the rings inside a ScanOp and runs as vector kernels on the cores
// (timeseries/expr-eval.ts). Versioned; node kinds are append-only. The SQL layer lowers its bound expressions into
// it (sql/plan/lower-expr.ts) only where every node has a kernel with PostgreSQL's exact semantics.

/**
 * Bumped when the shape of a node changes incompatibly; a core refuses a ScanWhere of another version. DeleteRecords
 * in the WAL hold ScanWheres (wal/delete-payload.ts): a bump must keep reading the old version while the WAL may.
 */
export const EXPR_VERSION = 1

/**
 * The value types kernels compute in: int2/int4 as exact JS numbers, int8 as bigint, float8 as double (NaN ordered
 * as PostgreSQL orders it), timestamp as µs since the Unix epoch (timestamptz and timestamp alike: only compared),
 * bool, and text (symbol or text columns, compared only with constants).
 */
export type ExprType = 'bool' | 'int2' | 'int4' | 'int8' | 'float8' | 'timestamp' | 'text'

export type ExprCompareOp = '=' | '<>' | '<' | '<=' | '>' | '>='
export type ExprArithOp = '+' | '-' | '*' | '/' | '%'

/** A constant: number for int2/int4/float8/timestamp, bigint for int8, boolean for bool, string for text. */
export type ExprValue = number | bigint | boolean | string | null

export type ScanExpr =
  | { readonly k: 'column'; readonly column: number; readonly type: ExprType }
  | { readonly k: 'const'; readonly value: ExprValue; readonly type: ExprType }
  /** int2/int4/int8/float8 arithmetic with PostgreSQL's overflow (22003) and division-by-zero (22012) checks. */
  | { readonly k: 'arith'; readonly op: ExprArithOp; readonly left: ScanExpr; readonly right: ScanExpr; readonly type: ExprType }
  | { readonly k: 'negate'; readonly arg: ScanExpr; readonly type: ExprType }
  /** Both sides of one type (text: one side a column, the other a constant; only = and <>). */
  | { readonly k: 'compare'; readonly op: ExprCompareOp; readonly left: ScanExpr; readonly right: ScanExpr }
  /** Three-valued, evaluated left to right: a later argument sees only the rows the earlier ones left undecided. */
  | { readonly k: 'and' | 'or'; readonly args: ReadonlyArray<ScanExpr> }
  | { readonly k: 'not'; readonly arg: ScanExpr }
  | { readonly k: 'isNull'; readonly arg: ScanExpr; readonly negated: boolean }
  | { readonly k: 'isDistinct'; readonly left: ScanExpr; readonly right: ScanExpr; readonly negated: boolean }
  /** `arg IN (values)` with constants of arg's type (NULL among them: no match gives NULL, as PostgreSQL). */
  | { readonly k: 'in'; readonly arg: ScanExpr; readonly values: ReadonlyArray<ExprValue>; readonly negated: boolean }
  /** Searched CASE: a THEN sees only the rows its WHEN was true for; `else` the rows no WHEN took. */
  | { readonly k: 'case'; readonly whens: ReadonlyArray<{ readonly when: ScanExpr; readonly then: ScanExpr }>; readonly else: ScanExpr; readonly type: ExprType }
  /** A later argument is evaluated only on the rows the earlier ones left NULL. */
  | { readonly k: 'coalesce'; readonly args: ReadonlyArray<ScanExpr>; readonly type: ExprType }
  /** Among int2/int4/int8/float8: widening, or narrowing with 22003 ("integer out of range") as PostgreSQL. */
  | { readonly k: 'cast'; readonly arg: ScanExpr; readonly type: ExprType }

/** A boolean ScanExpr a scan applies after its time range and filters: a row passes when it is true. */
export interface ScanWhere {
  readonly v: typeof EXPR_VERSION
  readonly expr: ScanExpr
}

/** The direct children of a node. */
export function exprChildren(expr: ScanExpr): ReadonlyArray<ScanExpr> {
  switch (expr.k) {
    case 'column': case 'const': return []
    case 'arith': case 'compare': case 'isDistinct': return [expr.left, expr.right]
    case 'negate': case 'not': case 'isNull': case 'in': case 'cast': return [expr.arg]
    case 'and': case 'or': case 'coalesce': return expr.args
    case 'case': return [...expr.whens.flatMap((w) => [w.when, w.then]), expr.else]
  }
}

/** The table columns an expression reads, ascending. */
export function exprColumns(expr: ScanExpr): number[] {
  const columns = new Set<number>()
  const walk = (node: ScanExpr): void => {
    if (node.k === 'column') columns.add(node.column)
    for (const child of exprChildren(node)) walk(child)
  }
  walk(expr)
  return [...columns].sort((a, b) => a - b)
}

/** The expression as text for EXPLAIN: columns as #index, SQL-like operators. */
export function formatExpr(expr: ScanExpr): string {
  const list = (args: ReadonlyArray<ScanExpr>, sep: string): string => args.map(formatExpr).join(sep)
  switch (expr.k) {
    case 'column': return `#${expr.column}`
    case 'const': return typeof expr.value === 'string' ? `'${expr.value.replace(/'/g, "''")}'` : expr.value === null ? 'NULL' : String(expr.value)
    case 'arith': case 'compare': return `(${formatExpr(expr.left)} ${expr.op} ${formatExpr(expr.right)})`
    case 'negate': return `(- ${formatExpr(expr.arg)})`
    case 'and': case 'or': return `(${list(expr.args, ` ${expr.k.toUpperCase()} `)})`
    case 'not': return `(NOT ${formatExpr(expr.arg)})`
    case 'isNull': return `(${formatExpr(expr.arg)} IS ${expr.negated ? 'NOT ' : ''}NULL)`
    case 'isDistinct': return `(${formatExpr(expr.left)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${formatExpr(expr.right)})`
    case 'in': return `(${formatExpr(expr.arg)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.values.map((v) => formatExpr({ k: 'const', value: v, type: 'text' })).join(', ')}))`
    case 'case': return `CASE ${expr.whens.map((w) => `WHEN ${formatExpr(w.when)} THEN ${formatExpr(w.then)}`).join(' ')} ELSE ${formatExpr(expr.else)} END`
    case 'coalesce': return `COALESCE(${list(expr.args, ', ')})`
    case 'cast': return `${formatExpr(expr.arg)}::${expr.type}`
  }
}
