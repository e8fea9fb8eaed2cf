// sql/exec/insert: INSERT INTO t [(cols)] VALUES … → IngestOp. Values are bound against the target columns' types
// (which is how $n types are inferred), evaluated, cast, checked for NOT NULL and packed into a ColumnBatch.
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { notNullViolation, syntaxError, undefinedColumn } from '../../src/common/errors.js'
import type { SqlValue, StatementResult } from '../api.js'
import type { BoundExpr } from '../bind/bound.js'
import { bindExpr, coerceTo, type BindContext } from '../bind/bind-expr.js'
import { columnType, requireTable } from '../bind/catalog.js'
import type { SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import { castValue } from '../expr/cast-value.js'
import { evaluate, type EvalEnv } from '../expr/evaluate.js'
import type { SqlInsert } from '../parse/ast.js'
import { buildBatch } from './build-batch.js'

export interface BoundInsert {
  readonly table: TableSchema
  /** Target column index of each value position. */
  readonly targets: ReadonlyArray<number>
  /** SQL type of each target column (resolved once per statement, not per value: the hot path of SQL ingest). */
  readonly targetTypes: ReadonlyArray<SqlType>
  readonly rows: ReadonlyArray<ReadonlyArray<BoundExpr>>
}

function targetColumns(table: TableSchema, statement: SqlInsert): number[] {
  if (statement.columns === null) return table.columns.map((_, index) => index)
  return statement.columns.map((column) => {
    const index = table.columns.findIndex((schema) => schema.name === column.name)
    if (index < 0) throw undefinedColumn(column.name, column.pos + 1)
    return index
  })
}

export function bindInsert(engine: Engine, statement: SqlInsert, paramTypes: Array<SqlType | null>): BoundInsert {
  const table = requireTable(engine, statement.table, statement.tablePos)
  const targets = targetColumns(table, statement)
  const targetTypes = targets.map((target) => columnType(table, target))
  const ctx: BindContext = { table: null, tableAlias: null, paramTypes }
  const rows = statement.rows.map((row) => {
    if (row.length > targets.length) throw syntaxError('INSERT has more expressions than target columns', (row[targets.length]?.pos ?? 0) + 1)
    if (row.length < targets.length && statement.columns !== null) {
      throw syntaxError('INSERT has more target columns than expressions', (statement.columns[row.length]?.pos ?? 0) + 1)
    }
    return row.map((expr, index) => coerceTo(ctx, bindExpr(ctx, expr), targetTypes[index] ?? columnType(table, 0)))
  })
  return { table, targets, targetTypes, rows }
}

function rowValues(bound: BoundInsert, row: ReadonlyArray<BoundExpr>, env: EvalEnv): SqlValue[] {
  const columns = bound.table.columns
  const values: SqlValue[] = new Array<SqlValue>(columns.length).fill(null)
  for (let position = 0; position < row.length; position++) {
    const expr = row[position]
    const type = bound.targetTypes[position]
    if (expr === undefined || type === undefined) continue
    values[bound.targets[position] ?? 0] = castValue(evaluate(expr, [], env), expr.type.name, type)
  }
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index]
    if (column !== undefined && column.notNull && values[index] === null) throw notNullViolation(column.name, bound.table.name)
  }
  return values
}

export async function executeInsert(engine: Engine, bound: BoundInsert, env: EvalEnv): Promise<StatementResult> {
  const rows = bound.rows.map((row) => rowValues(bound, row, env))
  const batch = buildBatch(bound.table.columns, rows)
  await withEngineErrors(() => engine.execute({ kind: 'IngestOp', v: OP_VERSION, tableId: bound.table.id, batch }))
  return { kind: 'CommandResult', commandTag: `INSERT 0 ${rows.length}` }
}
