// sql/exec/view-ddl: CREATE [OR REPLACE] VIEW and DROP VIEW, and what DROP TABLE owes the views over a table. The
// view's query is planned once here, as a query of its own, for its columns (unknown becomes text, as PostgreSQL 10+
// does) and the relations it reads; the catalog keeps the text (engine.createView). PostgreSQL's rules and words:
// 42P07 for a taken name, 42809 for the wrong kind of relation, 42701 for a repeated column name, 42P16 for an OR
// REPLACE that drops, renames or retypes a column, 2BP01 for a DROP that would leave a view without its relation
// (CASCADE drops those views first, with PostgreSQL's NOTICE).
import type { Engine } from '../../engine/api.js'
import { OP_VERSION, type TableSchema } from '../../engine/ops.js'
import { dbError, DbError, duplicateTable, featureNotSupported, syntaxError, undefinedTableToDrop } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { StatementResult } from '../api.js'
import { findTable } from '../bind/catalog.js'
import { formatName } from '../bind/type-rules.js'
import { sqlType } from '../bind/types.js'
import { findView, newViewDefinition, views, type View, type ViewColumn } from '../catalog/view-definition.js'
import { withEngineErrors } from '../errors.js'
import type { SqlCreateView, SqlDropTable } from '../parse/ast.js'
import { Planner } from '../plan/planner.js'

function viewColumns(engine: Engine, statement: SqlCreateView): { columns: ViewColumn[]; relations: string[] } {
  const planner = new Planner(engine, [], () => undefined)
  const plan = planner.planQuery(statement.query, null).plan
  const names = statement.columnNames ?? []
  if (names.length > plan.columns.length) throw syntaxError('CREATE VIEW specifies more column names than columns')
  const columns = plan.columns.map((c, i): ViewColumn => ({
    name: names[i] ?? c.name, type: c.type.name === 'unknown' ? sqlType('text') : c.type, queryName: c.name, tableOid: c.tableOid, columnAttr: c.columnAttr,
  }))
  const seen = new Set<string>()
  for (const column of columns) {
    if (seen.has(column.name)) throw dbError(SqlState.duplicateColumn, `column "${column.name}" specified more than once`)
    seen.add(column.name)
  }
  return { columns, relations: [...planner.relations] }
}

/** OR REPLACE keeps the old columns in place (names and types) and may only add new ones at the end (42P16). */
function checkReplace(old: View, columns: ReadonlyArray<ViewColumn>): void {
  const before = old.definition.columns
  if (columns.length < before.length) throw dbError(SqlState.invalidTableDefinition, 'cannot drop columns from view')
  before.forEach((c, i) => {
    const now = columns[i]!
    if (now.name !== c.name) {
      throw dbError(SqlState.invalidTableDefinition, `cannot change name of view column "${c.name}" to "${now.name}"`,
        { hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.' })
    }
    if (now.type.name !== c.type.name || now.type.typmod !== c.type.typmod) {
      throw dbError(SqlState.invalidTableDefinition, `cannot change data type of view column "${c.name}" from ${formatName(c.type)} to ${formatName(now.type)}`)
    }
  })
}

function viewsUnsupported(engine: Engine): never | void {
  if (engine.createView === undefined || engine.dropView === undefined) throw featureNotSupported('views on this engine')
}

export async function executeCreateView(engine: Engine, statement: SqlCreateView): Promise<StatementResult> {
  viewsUnsupported(engine)
  if (findTable(engine, statement.name) !== undefined) {
    if (statement.orReplace) throw dbError(SqlState.wrongObjectType, `"${statement.name}" is not a view`)
    throw duplicateTable(statement.name)
  }
  const existing = findView(engine, statement.name)
  if (existing !== undefined && !statement.orReplace) throw duplicateTable(statement.name)
  const { columns, relations } = viewColumns(engine, statement)
  if (existing !== undefined) checkReplace(existing, columns)
  const definition = newViewDefinition(statement.queryText, columns, relations)
  await withEngineErrors(() => engine.createView!(statement.name, definition, statement.orReplace))
  return { kind: 'CommandResult', commandTag: 'CREATE VIEW' }
}

/** A view reached from the dropped relations, and the relation it was reached through. */
interface Dependent { readonly view: View; readonly on: string; readonly onKind: 'table' | 'view' | null }

/** PostgreSQL's DETAIL line: `view v depends on table t`, or on `column c of table t` (`onKind` null: `on` says it all). */
function dependsLine(d: Dependent): string {
  return `view ${d.view.schema.name} depends on ${d.onKind === null ? '' : `${d.onKind} `}${d.on}`
}

/**
 * The views that read `name`, each followed by the views that read it in turn — depth first, in creation order, as
 * PostgreSQL's DETAIL lists them — skipping those already `reached`.
 */
function visitReaders(all: ReadonlyArray<View>, name: string, onKind: 'table' | 'view', reached: Set<string>, found: Dependent[]): void {
  for (const view of all) {
    if (reached.has(view.schema.name) || !view.definition.relations.includes(name)) continue
    reached.add(view.schema.name)
    found.push({ view, on: name, onKind })
    visitReaders(all, view.schema.name, 'view', reached, found)
  }
}

/** The views that read `names`, directly or through other views. */
function dependentViews(engine: Engine, names: ReadonlySet<string>, kindOf: (name: string) => 'table' | 'view'): Dependent[] {
  const found: Dependent[] = []
  const reached = new Set(names)
  const all = views(engine)
  for (const name of names) visitReaders(all, name, kindOf(name), reached, found)
  return found
}

function cascadeNotice(dropped: ReadonlyArray<Dependent>): DbError {
  const lines = dropped.map((d) => `drop cascades to view ${d.view.schema.name}`)
  if (lines.length === 1) return new DbError({ severity: 'NOTICE', code: SqlState.successfulCompletion, message: lines[0]! })
  return new DbError({ severity: 'NOTICE', code: SqlState.successfulCompletion, message: `drop cascades to ${lines.length} other objects`, detail: lines.join('\n') })
}

function dependentsError(kind: 'table' | 'view', name: string, dependents: ReadonlyArray<Dependent>): DbError {
  return dbError(SqlState.dependentObjectsStillExist, `cannot drop ${kind} ${name} because other objects depend on it`, {
    detail: dependents.map(dependsLine).join('\n'),
    hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
  })
}

/**
 * ALTER TABLE … DROP COLUMN: the views that read the column (`direct`) and those reading them are refused (2BP01, as
 * PostgreSQL words it) or, with CASCADE, dropped — dependents first — with PostgreSQL's NOTICE, which is returned.
 */
export async function dropDependentViews(engine: Engine, direct: ReadonlyArray<View>, what: string, cascade: boolean): Promise<DbError[]> {
  if (direct.length === 0) return []
  const all = views(engine)
  const reached = new Set(direct.map((view) => view.schema.name))
  const dependents: Dependent[] = []
  for (const view of direct) {
    dependents.push({ view, on: what, onKind: null })
    visitReaders(all, view.schema.name, 'view', reached, dependents)
  }
  if (!cascade) {
    throw dbError(SqlState.dependentObjectsStillExist, `cannot drop ${what} because other objects depend on it`, {
      detail: dependents.map(dependsLine).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    })
  }
  for (const view of dependents.map((d) => d.view).reverse()) await withEngineErrors(() => engine.dropView!(view.schema.name))
  return [cascadeNotice(dependents)]
}

function skipping(kind: 'table' | 'view', name: string): DbError {
  return new DbError({ severity: 'NOTICE', code: SqlState.successfulCompletion, message: `${kind} "${name}" does not exist, skipping` })
}

/**
 * DROP TABLE / DROP VIEW: every name is checked first (missing: 42P01, or a NOTICE with IF EXISTS; the other kind:
 * 42809), then views that depend on them are refused (2BP01) or, with CASCADE, dropped first; then the relations.
 */
export async function executeDrop(engine: Engine, statement: SqlDropTable): Promise<StatementResult> {
  const kind = statement.objectKind
  const notices: DbError[] = []
  const tables = new Map<number, TableSchema>()
  const dropped = new Map<string, View>()
  for (const ref of statement.tables) {
    const table = findTable(engine, ref.name)
    const view = findView(engine, ref.name)
    if (kind === 'table' && view !== undefined) throw dbError(SqlState.wrongObjectType, `"${ref.name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' })
    if (kind === 'view' && table !== undefined) throw dbError(SqlState.wrongObjectType, `"${ref.name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' })
    if (table === undefined && view === undefined) {
      if (!statement.ifExists) throw kind === 'table' ? undefinedTableToDrop(ref.name) : dbError(SqlState.undefinedTable, `view "${ref.name}" does not exist`)
      notices.push(skipping(kind, ref.name))
    }
    if (table !== undefined) tables.set(table.id, table)
    if (view !== undefined) dropped.set(view.schema.name, view)
  }
  const names = new Set([...[...tables.values()].map((t) => t.name), ...dropped.keys()])
  const dependents = dependentViews(engine, names, (name) => (dropped.has(name) ? 'view' : 'table'))
  if (dependents.length > 0 && !statement.cascade) throw dependentsError(kind, dependents[0]!.on, dependents)
  if (dependents.length > 0) notices.push(cascadeNotice(dependents))
  const toDrop = [...dependents.map((d) => d.view).reverse(), ...dropped.values()]
  for (const view of toDrop) await withEngineErrors(() => engine.dropView!(view.schema.name))
  for (const table of tables.values()) await withEngineErrors(() => engine.execute({ kind: 'DropTableOp', v: OP_VERSION, tableId: table.id }))
  return { kind: 'CommandResult', commandTag: kind === 'table' ? 'DROP TABLE' : 'DROP VIEW', ...(notices.length > 0 ? { notices } : {}) }
}
