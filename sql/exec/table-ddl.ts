// sql/exec/table-ddl: TRUNCATE, ALTER TABLE … RENAME and ALTER TABLE … ADD/DROP COLUMN, ALTER COLUMN SET/DROP DEFAULT → the engine's
// table ops. Names are checked against the catalog first, PostgreSQL's way (codes and wording), so a statement
// naming a missing table or column changes nothing. A statement naming several tables or columns runs one op each:
// each op is atomic and durable, the statement as a whole is not (nodedb has no transactions).
import type { Engine } from '../../engine/api.js'
import { OP_VERSION, droppedColumnName, type ColumnSchema, type TableSchema } from '../../engine/ops.js'
import {
  columnAlreadyExists, duplicateTable, featureNotSupported, featureNotSupportedMessage, programLimitExceeded, undefinedColumn, type DbError,
} from '../../src/common/errors.js'
import { COLUMNS_PER_TABLE_MAX_COUNT } from '../../src/common/limits.js'
import type { SessionContext, StatementResult } from '../api.js'
import { findColumn, findTable, missingTable, visibleColumns } from '../bind/catalog.js'
import { withEngineErrors } from '../errors.js'
import type { SqlAlterColumnAction, SqlAlterTableColumns, SqlColumnDef, SqlRename, SqlTruncate } from '../parse/ast.js'
import type { View } from '../catalog/view-definition.js'
import { columnSchemaOf, cookedColumnDefault, type DefaultCooker } from './create-table.js'
import { viewsBrokenBy, viewsReading } from './view-deps.js'
import { dropDependentViews } from './view-ddl.js'

const ALTER_TABLE: StatementResult = { kind: 'CommandResult', commandTag: 'ALTER TABLE' }

export async function executeTruncate(engine: Engine, statement: SqlTruncate): Promise<StatementResult> {
  const tables = new Map<number, TableSchema>()
  for (const ref of statement.tables) {
    const table = findTable(engine, ref.name)
    if (table === undefined) throw missingTable(engine, ref.name, ref.pos)
    tables.set(table.id, table)
  }
  for (const table of tables.values()) {
    await withEngineErrors(() => engine.execute({ kind: 'TruncateTableOp', v: OP_VERSION, tableId: table.id }))
  }
  return { kind: 'CommandResult', commandTag: 'TRUNCATE TABLE' }
}

export async function executeRename(engine: Engine, statement: SqlRename): Promise<StatementResult> {
  const table = findTable(engine, statement.table)
  if (table === undefined) {
    if (statement.ifExists) return ALTER_TABLE
    throw missingTable(engine, statement.table, statement.tablePos)
  }
  if (statement.column === null) {
    if (findTable(engine, statement.newName) !== undefined) throw duplicateTable(statement.newName)
    refuseForViews(`renaming table "${table.name}"`, viewsReading(engine, table))
    await withEngineErrors(() => engine.execute({ kind: 'RenameTableOp', v: OP_VERSION, tableId: table.id, name: statement.newName }))
    return ALTER_TABLE
  }
  const column = findColumn(table, statement.column)
  if (column === undefined) throw undefinedColumn(statement.column)
  if (findColumn(table, statement.newName) !== undefined) throw columnAlreadyExists(statement.newName, table.name)
  const renamed = table.columns.map((c, i) => (i === column ? { ...c, name: statement.newName } : c))
  refuseForViews(`renaming column "${statement.column}" of table "${table.name}"`, viewsBrokenBy(engine, table, { ...table, columns: renamed }))
  await withEngineErrors(() => engine.execute({
    kind: 'RenameColumnOp', v: OP_VERSION, tableId: table.id, column, name: statement.newName,
  }))
  return ALTER_TABLE
}

/**
 * PostgreSQL renames under a view (its rule holds attnums); nodedb's view holds its query as written, which would no
 * longer read: 0A000 naming the views, never a view that silently stops answering.
 */
function refuseForViews(what: string, readers: ReadonlyArray<View>): void {
  if (readers.length === 0) return
  const names = readers.map((view) => `"${view.schema.name}"`).join(', ')
  const plural = readers.length > 1
  throw featureNotSupportedMessage(`${what} is not supported while view${plural ? 's' : ''} ${names} read${plural ? '' : 's'} it: nodedb keeps a view's query as written (drop the view, alter the table, create the view again)`)
}

/**
 * One step of ALTER TABLE's plan: columns to add together, one column to drop (`cascade`: dependent views too), or
 * one column's default to set (`value` the cooked default, null to drop it).
 */
type AlterStep =
  | { readonly kind: 'add'; readonly columns: ColumnSchema[] }
  | { readonly kind: 'drop'; readonly column: number; readonly name: string; readonly cascade: boolean }
  | { readonly kind: 'default'; readonly column: number; readonly value: unknown }

/** ALTER COLUMN c SET DEFAULT e / DROP DEFAULT: the step, checked (and the default cooked) now. */
function defaultStep(table: TableSchema, action: Extract<SqlAlterColumnAction, { kind: 'SetDefault' }>, index: number | undefined, cook: DefaultCooker): AlterStep {
  if (index === undefined) throw undefinedColumn(`${action.name}" of relation "${table.name}`)
  if (index < 0) throw featureNotSupported(`ALTER COLUMN "${action.name}" in the ALTER TABLE that adds it`)
  const column = table.columns[index]!
  if (action.default === null) return { kind: 'default', column: index, value: null }
  return { kind: 'default', column: index, value: cook(action.default, column) }
}

/**
 * ADD COLUMN … DEFAULT: PostgreSQL gives every stored row the default; nodedb's stored rows read NULL in an added
 * column, so a default other than NULL is refused rather than answered NULL for old rows.
 */
function refuseAddedDefault(column: SqlColumnDef, schema: ColumnSchema, cook: DefaultCooker): void {
  if (column.default === undefined || cook(column.default, schema) === null) return
  throw featureNotSupported('ADD COLUMN … DEFAULT (rows already stored would read NULL, not the default; add the column, then ALTER COLUMN … SET DEFAULT for new rows)', column.default.pos + 1)
}

/**
 * Checks every action in order against the columns as they will be (names added or dropped by earlier actions
 * count), PostgreSQL's errors for each, and groups consecutive ADDs into one AddColumnsOp. IF [NOT] EXISTS skips.
 */
function planAlter(table: TableSchema, actions: ReadonlyArray<SqlAlterColumnAction>, cook: DefaultCooker): AlterStep[] {
  const names = new Map(visibleColumns(table).map((visible) => [visible.column.name, visible.index]))
  let columnCount = table.columns.length
  const steps: AlterStep[] = []
  for (const action of actions) {
    if (action.kind === 'AddColumn') {
      const { column } = action
      if (names.has(column.name)) {
        if (action.ifNotExists) continue
        throw columnAlreadyExists(column.name, table.name)
      }
      if (column.notNull) throw featureNotSupported('ADD COLUMN … NOT NULL (rows already stored have no value; added columns are nullable)', column.pos + 1)
      if (++columnCount > COLUMNS_PER_TABLE_MAX_COUNT) throw programLimitExceeded(`tables can have at most ${COLUMNS_PER_TABLE_MAX_COUNT} columns`)
      const last = steps[steps.length - 1]
      const schema = columnSchemaOf(column)
      refuseAddedDefault(column, schema, cook)
      if (last?.kind === 'add') last.columns.push(schema)
      else steps.push({ kind: 'add', columns: [schema] })
      names.set(column.name, -1)
      continue
    }
    const index = names.get(action.name)
    if (action.kind === 'SetDefault') {
      steps.push(defaultStep(table, action, index, cook))
      continue
    }
    if (index === undefined) {
      if (action.ifExists) continue
      throw undefinedColumn(`${action.name}" of relation "${table.name}`)
    }
    if (index === table.timestampIndex) throw featureNotSupported(`dropping the designated timestamp column "${action.name}"`)
    if (index < 0) throw featureNotSupported(`dropping column "${action.name}" in the ALTER TABLE that adds it`)
    steps.push({ kind: 'drop', column: index, name: action.name, cascade: action.cascade })
    names.delete(action.name)
  }
  return steps
}

export async function executeAlterTableColumns(engine: Engine, statement: SqlAlterTableColumns, session: SessionContext): Promise<StatementResult> {
  const table = findTable(engine, statement.table)
  if (table === undefined) {
    if (statement.ifExists) return ALTER_TABLE
    throw missingTable(engine, statement.table, statement.tablePos)
  }
  const notices: DbError[] = []
  for (const step of planAlter(table, statement.actions, cookedColumnDefault(engine, session))) {
    if (step.kind === 'default') {
      await withEngineErrors(() => engine.execute({ kind: 'SetColumnDefaultOp', v: OP_VERSION, tableId: table.id, column: step.column, default: step.value }))
    } else if (step.kind === 'add') {
      await withEngineErrors(() => engine.execute({ kind: 'AddColumnsOp', v: OP_VERSION, tableId: table.id, columns: step.columns }))
    } else {
      const current = findTable(engine, table.name) ?? table
      const dropped = current.columns.map((c, i) => (i === step.column ? { ...c, name: droppedColumnName(i + 1), isDropped: true } : c))
      const broken = viewsBrokenBy(engine, current, { ...current, columns: dropped })
      notices.push(...await dropDependentViews(engine, broken, `column ${step.name} of table ${table.name}`, step.cascade))
      await withEngineErrors(() => engine.execute({ kind: 'DropColumnOp', v: OP_VERSION, tableId: table.id, column: step.column }))
    }
  }
  return notices.length > 0 ? { kind: 'CommandResult', commandTag: 'ALTER TABLE', notices } : ALTER_TABLE
}
