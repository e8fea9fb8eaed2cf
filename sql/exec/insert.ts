// sql/exec/insert: INSERT INTO t [(cols)] VALUES … | query → IngestOp. VALUES expressions are bound against the target
// columns' types (which is how $n types are inferred); a query's rows are cast to them. NOT NULL is checked, and
// the rows are packed into one ColumnBatch (one WAL record: the whole INSERT is atomic).
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { notNullViolation, syntaxError, undefinedColumn } from '../../src/common/errors.js'
import type { SessionContext, SqlValue, StatementResult } from '../api.js'
import { bindExpr } from '../bind/bind-expr.js'
import { columnType, findColumn, requireTable, visibleColumns } from '../bind/catalog.js'
import { coerce } from '../bind/coerce.js'
import type { Expr } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import type { SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlInsert } from '../parse/ast.js'
import type { PlanNode } from '../plan/plan-node.js'
import { Planner } from '../plan/planner.js'
import { buildBatch } from './build-batch.js'
import { evaluate } from './evaluate.js'
import { newExecEnv } from './exec-env.js'
import { functionContext } from './query.js'
import { runPlan } from './run-plan.js'
import { castTyped } from './value-ops.js'

export interface BoundInsert {
  readonly table: TableSchema
  readonly targets: ReadonlyArray<number>
  readonly targetTypes: ReadonlyArray<SqlType>
  readonly rows: ReadonlyArray<ReadonlyArray<Expr>>
  readonly query: PlanNode | null
}

function targetColumns(table: TableSchema, statement: SqlInsert): number[] {
  // Dropped columns (ALTER TABLE DROP COLUMN) are neither listed nor found by name; they receive NULL.
  if (statement.columns === null) return visibleColumns(table).map((visible) => visible.index)
  return statement.columns.map((column) => {
    const index = findColumn(table, column.name) ?? -1
    if (index < 0) throw undefinedColumn(`${column.name}" of relation "${table.name}`, column.pos + 1)
    return index
  })
}

export function bindInsert(engine: Engine, statement: SqlInsert, paramTypes: Array<SqlType | null>): BoundInsert {
  const table = requireTable(engine, statement.table, statement.tablePos)
  const targets = targetColumns(table, statement)
  const targetTypes = targets.map((target) => columnType(table, target))
  const planner = new Planner(engine, paramTypes, () => undefined)
  const ctx = planner.bindContext(new Scope([], null), 'VALUES')
  const rows = statement.rows.map((row) => {
    if (row.length > targets.length) throw syntaxError('INSERT has more expressions than target columns', (row[targets.length]?.pos ?? 0) + 1)
    if (row.length < targets.length && statement.columns !== null) {
      throw syntaxError('INSERT has more target columns than expressions', (statement.columns[row.length]?.pos ?? 0) + 1)
    }
    return row.map((expr, i) => coerce(ctx, bindExpr(ctx, expr), targetTypes[i]!))
  })
  let query: PlanNode | null = null
  if (statement.query !== null) {
    query = planner.planQuery(statement.query, null).plan
    if (query.columns.length > targets.length) throw syntaxError('INSERT has more expressions than target columns', statement.tablePos + 1)
  }
  return { table, targets, targetTypes, rows, query }
}

function place(bound: BoundInsert, values: ReadonlyArray<SqlValue>): SqlValue[] {
  const columns = bound.table.columns
  const row: SqlValue[] = new Array<SqlValue>(columns.length).fill(null)
  values.forEach((value, position) => { row[bound.targets[position]!] = value })
  columns.forEach((column, index) => { if (column.notNull && row[index] === null) throw notNullViolation(column.name, bound.table.name) })
  return row
}

export async function executeInsert(engine: Engine, bound: BoundInsert, params: ReadonlyArray<SqlValue>, session: SessionContext): Promise<StatementResult> {
  const env = newExecEnv(engine, params, functionContext(session, engine), session)
  let rows: SqlValue[][]
  if (bound.query !== null) {
    const types = bound.query.columns.map((c) => c.type)
    rows = (await runPlan(bound.query, env, [])).map((r) => place(bound, r.map((v, i) => castTyped(v, types[i]!, bound.targetTypes[i]!, env.functions))))
  } else {
    rows = bound.rows.map((exprs) => place(bound, exprs.map((e, i) => castTyped(evaluate(e, [], [], env), e.type, bound.targetTypes[i]!, env.functions))))
  }
  if (rows.length > 0) {
    const batch = buildBatch(bound.table.columns, rows)
    await withEngineErrors(() => engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId: bound.table.id, batch }))
  }
  return { kind: 'CommandResult', commandTag: `INSERT 0 ${rows.length}` }
}
