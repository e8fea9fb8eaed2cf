// sql/exec/insert: INSERT INTO t [(cols)] VALUES … | query → IngestOp. VALUES expressions are bound against the target
// columns' types (which is how $n types are inferred); a query's rows are cast to them. NOT NULL is checked, and
// the rows are packed into one ColumnBatch (one WAL record: the whole INSERT is atomic). RETURNING is a select list
// evaluated over each inserted row once it is durable.
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { featureNotSupported, notNullViolation, syntaxError, undefinedColumn } from '../../src/common/errors.js'
import type { FieldDescription, SessionContext, SqlValue, StatementResult } from '../api.js'
import { bindExpr } from '../bind/bind-expr.js'
import { columnType, findColumn, requireTable, tableOid, visibleColumns } from '../bind/catalog.js'
import { coerce } from '../bind/coerce.js'
import { someExpr, type Expr } from '../bind/expr.js'
import { Scope } from '../bind/scope.js'
import type { SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlInsert, SqlSelectItem } from '../parse/ast.js'
import type { PlanNode } from '../plan/plan-node.js'
import { Planner } from '../plan/planner.js'
import { expandItems, type SelectItemBound } from '../plan/plan-select.js'
import { buildBatch } from './build-batch.js'
import { evaluate } from './evaluate.js'
import { newExecEnv } from './exec-env.js'
import { fieldOf, functionContext } from './query.js'
import { printRegColumns } from '../catalog/reg-cast.js'
import { runPlan } from './run-plan.js'
import { castTyped } from './value-ops.js'

export interface BoundInsert {
  readonly table: TableSchema
  readonly targets: ReadonlyArray<number>
  readonly targetTypes: ReadonlyArray<SqlType>
  readonly rows: ReadonlyArray<ReadonlyArray<Expr>>
  readonly query: PlanNode | null
  /** RETURNING's items over a whole table row (slot = column index); null without RETURNING. */
  readonly returning: ReadonlyArray<SelectItemBound> | null
}

/** RETURNING bound over the table's visible columns, as a select list over the inserted row (no aggregates). */
function bindReturning(planner: Planner, table: TableSchema, items: ReadonlyArray<SqlSelectItem> | undefined): SelectItemBound[] | null {
  if (items === undefined) return null
  const oid = tableOid(table)
  const scope = new Scope(visibleColumns(table).map(({ index, column }) => ({
    qualifier: table.name, name: column.name, type: columnType(table, index), slot: index, tableOid: oid, columnAttr: index + 1,
  })), null)
  const bound = expandItems(planner.bindContext(scope, 'RETURNING'), items)
  if (bound.some((item) => someExpr(item.expr, (e) => e.kind === 'Subquery'))) throw featureNotSupported('a subquery in RETURNING')
  return bound
}

/** The RowDescription of INSERT … RETURNING (null without it). */
export function returningFields(bound: BoundInsert): ReadonlyArray<FieldDescription> | null {
  return bound.returning === null ? null : bound.returning.map((item) => fieldOf({ name: item.name, type: item.expr.type, ...item.origin }))
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
  return { table, targets, targetTypes, rows, query, returning: bindReturning(planner, table, statement.returning) }
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
  // RETURNING is evaluated before the write: an error there (22012, …) leaves nothing inserted, as PostgreSQL's rollback.
  const items = bound.returning
  const returned = items === null ? null : rows.map((row) => items.map((item) => evaluate(item.expr, row, [], env)))
  if (rows.length > 0) {
    const batch = buildBatch(bound.table.columns, rows)
    await withEngineErrors(() => engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId: bound.table.id, batch }))
  }
  const commandTag = `INSERT 0 ${rows.length}`
  if (items === null || returned === null) return { kind: 'CommandResult', commandTag }
  const printed = printRegColumns(items.map((item) => item.expr.type), returned, env.functions.catalog)
  return { kind: 'RowsResult', fields: returningFields(bound)!, rows: printed, commandTag }
}
