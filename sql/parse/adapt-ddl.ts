// sql/parse/adapt-ddl: DROP TABLE (DropStmt), TRUNCATE (TruncateStmt), ALTER TABLE … RENAME (RenameStmt) and the
// column commands of ALTER TABLE (ADD/DROP COLUMN, ALTER COLUMN SET/DROP DEFAULT) → nodedb's statements. Other object kinds are 0A000 by name.
import type { SqlAlterColumnAction, SqlAlterTableColumns, SqlDropTable, SqlRename, SqlTableRef, SqlTruncate } from './ast.js'
import { type AdaptContext, type Node, bool, list, nodeField, str, stringList, unsupported, wrapped } from './adapt-node.js'
import { adaptExpr } from './adapt-expr.js'
import { columnDef, tableName } from './adapt-table.js'

/** DROP TABLE's names arrive as lists of strings without a location: [name], [schema, name] or [db, schema, name]. */
function droppedName(ctx: AdaptContext, value: unknown): SqlTableRef {
  const names = stringList(list(wrapped(value, 'List') ?? {}, 'items')) ?? []
  const name = names[names.length - 1] ?? ''
  if (names.length > 2) return unsupported('a cross-database reference', ctx.statementPos)
  if (names.length === 2 && names[0] !== 'public') return unsupported(`tables in schema "${names[0] ?? ''}"`, ctx.statementPos)
  return { name, pos: ctx.statementPos }
}

export function adaptDropTable(ctx: AdaptContext, node: Node): SqlDropTable {
  const removeType = str(node, 'removeType')
  if (removeType !== 'OBJECT_TABLE' && removeType !== 'OBJECT_VIEW') return unsupported(`DROP ${removeType.replace('OBJECT_', '').replace(/_/g, ' ')}`, ctx.statementPos)
  if (node.concurrent === true) return unsupported('DROP … CONCURRENTLY', ctx.statementPos)
  const tables = list(node, 'objects').map((value) => droppedName(ctx, value))
  return {
    kind: 'SqlDropTable', objectKind: removeType === 'OBJECT_VIEW' ? 'view' : 'table', tables, ifExists: bool(node, 'missing_ok'),
    cascade: str(node, 'behavior') === 'DROP_CASCADE',
  }
}

/** ONLY, RESTART/CONTINUE IDENTITY and CASCADE/RESTRICT change nothing: no inheritance, sequences or dependents. */
export function adaptTruncate(ctx: AdaptContext, node: Node): SqlTruncate {
  const tables = list(node, 'relations').map((value) => tableName(ctx, wrapped(value, 'RangeVar') ?? {}))
  return { kind: 'SqlTruncate', tables }
}

export function adaptRename(ctx: AdaptContext, node: Node): SqlRename {
  const renameType = str(node, 'renameType')
  const isColumn = renameType === 'OBJECT_COLUMN' && str(node, 'relationType') === 'OBJECT_TABLE'
  if (renameType !== 'OBJECT_TABLE' && !isColumn) return unsupported(`ALTER ${renameType.replace('OBJECT_', '').replace(/_/g, ' ')} … RENAME`, ctx.statementPos)
  const { name: table, pos: tablePos } = tableName(ctx, nodeField(node, 'relation') ?? {})
  return {
    kind: 'SqlRename', table, tablePos, ifExists: bool(node, 'missing_ok'),
    column: isColumn ? str(node, 'subname') : null, newName: str(node, 'newname'),
  }
}

/**
 * ALTER TABLE's ADD COLUMN / DROP COLUMN / ALTER COLUMN SET|DROP DEFAULT commands, given as AlterTableCmd nodes (the
 * caller checked their subtypes).
 */
export function adaptAlterColumns(ctx: AdaptContext, node: Node, cmds: ReadonlyArray<Node>): SqlAlterTableColumns {
  const { name: table, pos: tablePos } = tableName(ctx, nodeField(node, 'relation') ?? {})
  const actions = cmds.map((cmd): SqlAlterColumnAction => {
    if (str(cmd, 'subtype') === 'AT_AddColumn') {
      const def = wrapped(cmd.def, 'ColumnDef')
      if (def === null) return unsupported('this ADD COLUMN', tablePos)
      return { kind: 'AddColumn', column: columnDef(ctx, def, table), ifNotExists: bool(cmd, 'missing_ok') }
    }
    if (str(cmd, 'subtype') === 'AT_ColumnDefault') {
      const expr = cmd.def === undefined ? null : adaptExpr(ctx, cmd.def)
      return { kind: 'SetDefault', name: str(cmd, 'name'), default: expr, pos: expr?.pos ?? tablePos }
    }
    return { kind: 'DropColumn', name: str(cmd, 'name'), ifExists: bool(cmd, 'missing_ok'), cascade: str(cmd, 'behavior') === 'DROP_CASCADE' }
  })
  return { kind: 'SqlAlterTableColumns', table, tablePos, ifExists: bool(node, 'missing_ok'), actions }
}
