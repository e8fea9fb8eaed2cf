// sql/exec/delete: DELETE FROM t [WHERE …] → the engine's DeleteRowsOp. The WHERE moves into the op whole, by the
// pushdown SELECT uses (plan/pushdown.ts: what the cores evaluate exactly as PostgreSQL does), with this execution's
// parameters, now() and uncorrelated subqueries (delete-subqueries.ts) folded; a condition the cores cannot evaluate
// exactly, or one that may raise on some row, is refused (0A000), never ignored, widened or left to fail half-way.
// Like INSERT, a DELETE is durable on its own: inside BEGIN … ROLLBACK it is not undone (README).
import type { Engine } from '../../engine/api.js'
import { EXPR_VERSION, OP_VERSION, raisingNode, type ScanExpr, type TableSchema } from '../../engine/ops.js'
import type { SessionContext, SqlValue, StatementResult } from '../api.js'
import { bindExpr, toBool } from '../bind/bind-expr.js'
import { someExpr, type Expr } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import type { SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlDelete } from '../parse/ast.js'
import { planFromItem } from '../plan/plan-from.js'
import type { PlanNode } from '../plan/plan-node.js'
import { disabledOptimizers, type Optimizer } from '../plan/optimizers.js'
import { Planner, refuse } from '../plan/planner.js'
import { lowerExpr } from '../plan/lower-expr.js'
import { conjuncts, pushFilter, type Folder } from '../plan/pushdown.js'
import { inlineSubqueries } from './delete-subqueries.js'
import { newExecEnv, type ExecEnv } from './exec-env.js'
import { folder, functionContext } from './query.js'

type ScanNode = Extract<PlanNode, { kind: 'ScanNode' }>

export interface BoundDelete {
  readonly table: TableSchema
  readonly scan: ScanNode
  readonly where: Expr | null
  readonly wherePos: number
}

/** What the cores evaluate exactly; the refusal names it so a user knows what to rewrite. */
const PUSHABLE = 'comparisons, AND/OR/NOT, IN lists, IS [NOT] NULL, IS [NOT] DISTINCT FROM, CASE, COALESCE and numeric casts ' +
  'over bool, integer, float8, timestamp columns and text tags (= and <> with constants)'

/**
 * Names and types the statement (inferring $n types), as describe() and execute() both need. With `env` (execute),
 * subqueries are planned as a SELECT's are, with this execution's parameters folded into their scans.
 */
export function bindDelete(engine: Engine, statement: SqlDelete, paramTypes: Array<SqlType | null>, env: ExecEnv | null = null): BoundDelete {
  const disabled = env === null ? new Set<Optimizer>() : disabledOptimizers(env.functions.settings)
  const planner = new Planner(engine, paramTypes, folder(env), env === null, env?.functions.timeZone ?? null, disabled)
  const item = { kind: 'FromTable' as const, schema: null, name: statement.table, alias: statement.alias, columnAliases: null, pos: statement.tablePos }
  const from = planFromItem(planner, item, null)
  if (from.plan.kind !== 'ScanNode') return refuse(`DELETE from "${statement.table}" (not a nodedb table)`, statement.tablePos)
  const table = engine.tables().find((candidate) => candidate.id === (from.plan as ScanNode).op.tableId)
  if (table === undefined) return refuse(`DELETE from "${statement.table}"`, statement.tablePos)
  if (statement.where === null) return { table, scan: from.plan, where: null, wherePos: statement.wherePos }
  const ctx = planner.bindContext(new Scope(from.columns, null), 'WHERE')
  const where = toBool(ctx, bindExpr(ctx, statement.where), 'WHERE', statement.wherePos)
  if (someExpr(where, (node) => node.kind === 'Subquery' && node.correlated)) refuse('a correlated subquery in DELETE … WHERE', statement.wherePos)
  return { table, scan: from.plan, where, wherePos: statement.wherePos }
}

/**
 * The WHERE's conjuncts once those reading no row are decided: null when one is never true (false, NULL, or a
 * comparison with a NULL: no row passes, as in PostgreSQL), else the rest for the cores (true ones dropped).
 */
function undecidedConjuncts(where: Expr, fold: Folder): Expr[] | null {
  const rest: Expr[] = []
  for (const conjunct of conjuncts(where)) {
    const isNullComparison = conjunct.kind === 'Compare' && [conjunct.left, conjunct.right].some((side) => fold(side)?.value === null)
    const folded = fold(conjunct)
    if (isNullComparison || (folded !== undefined && folded.value !== true)) return null
    if (folded === undefined) rest.push(conjunct)
  }
  return rest
}

/**
 * The predicate as the scan's time range, filters and one WHERE expression for the cores. Conjuncts are ANDed in any
 * order: none can raise (checked here), so the rows the AND is true for do not depend on the order. A conjunct with
 * a node the cores cannot evaluate exactly, or one that may raise on some row, is refused — never dropped (that would
 * widen the DELETE), and never left to fail after the WAL record is written.
 */
function deleteScan(bound: BoundDelete, predicate: Expr, fold: Folder): ScanNode['op'] {
  const { scan, residual } = pushFilter(bound.table, bound.scan, predicate, fold)
  const parts: ScanExpr[] = scan.op.where === undefined || scan.op.where === null ? [] : [scan.op.where.expr]
  for (const conjunct of residual === null ? [] : conjuncts(residual)) {
    const lowered = lowerExpr({ table: bound.table, scan, fold }, conjunct)
    if (lowered === null) return refuse(`a DELETE … WHERE condition other than ${PUSHABLE}`, bound.wherePos)
    parts.push(lowered)
  }
  if (parts.length === 0) return scan.op
  const expr: ScanExpr = parts.length === 1 ? parts[0]! : { k: 'and', args: parts }
  const raising = raisingNode(expr)
  if (raising !== null) {
    return refuse(`a DELETE … WHERE expression that may raise an error on some row (${RAISING[raising.k] ?? raising.k})`, bound.wherePos)
  }
  return { ...scan.op, where: { v: EXPR_VERSION, expr } }
}

/** How a refusal names the node that may raise. */
const RAISING: Readonly<Record<string, string>> = {
  arith: 'arithmetic that may overflow or divide by zero', negate: 'integer negation that may overflow', cast: 'a narrowing cast',
}

const DELETED_NOTHING: StatementResult = { kind: 'CommandResult', commandTag: 'DELETE 0' }

/** Command tag `DELETE n`, n the rows deleted (PostgreSQL's count). */
export async function executeDelete(engine: Engine, statement: SqlDelete, paramTypes: Array<SqlType | null>, params: ReadonlyArray<SqlValue>,
  session: SessionContext): Promise<StatementResult> {
  const env = newExecEnv(engine, params, functionContext(session, engine), session)
  const bound = bindDelete(engine, statement, paramTypes, env)
  let op = bound.scan.op
  if (bound.where !== null) {
    const fold = folder(env)
    const rest = undecidedConjuncts(await inlineSubqueries(bound.where, env, bound.wherePos), fold)
    if (rest === null) return DELETED_NOTHING
    const predicate: Expr = rest.length === 1 ? rest[0]! : { kind: 'And', args: rest, type: bound.where.type }
    op = rest.length === 0 ? op : deleteScan(bound, predicate, fold)
  }
  const where = op.where ?? null
  const result = await withEngineErrors(() => engine.execute({
    kind: 'DeleteRowsOp', v: OP_VERSION, tableId: bound.table.id, timeRange: op.timeRange, filters: op.filters, ...(where === null ? {} : { where }),
  }))
  return { kind: 'CommandResult', commandTag: `DELETE ${result.rowCount}` }
}
