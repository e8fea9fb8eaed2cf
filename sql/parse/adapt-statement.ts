// sql/parse/adapt-statement: one RawStmt's statement node → SqlStatement. Each statement type nodedb runs has a
// handler in STATEMENT_HANDLERS; every other statement is 0A000 naming it ("DROP TABLE is not supported").
import { syntaxError } from '../../src/common/errors.js'
import type { SqlAlterTableColumns, SqlAlterTableOptions, SqlInsert, SqlStatement } from './ast.js'
import { adaptCopy } from './adapt-copy.js'
import { adaptAlterColumns, adaptDropTable, adaptRename, adaptTruncate } from './adapt-ddl.js'
import { adaptDelete } from './adapt-delete.js'
import { adaptExpr } from './adapt-expr.js'
import { explainOptions } from './adapt-explain.js'
import { type AdaptContext, type Node, bool, firstPos, list, loc, nodeField, str, unsupported, unwrap, wrapped } from './adapt-node.js'
import { adaptQuery, selectItems } from './adapt-query.js'
import { adaptCreateView } from './adapt-view.js'
import { adaptCreateTable, definitionValue, tableName } from './adapt-table.js'
import { adaptDeclareCursor, adaptExecute, adaptFetch, adaptPrepare } from './adapt-session.js'
import { adaptSet, adaptShow, adaptTransaction } from './adapt-utility.js'

type StatementHandler = (ctx: AdaptContext, node: Node) => SqlStatement

/** INSERT: plain VALUES become rows; any other query (SELECT, VALUES with ORDER BY, …) becomes `query`. */
function insert(ctx: AdaptContext, node: Node): SqlInsert {
  const relation = nodeField(node, 'relation') ?? {}
  const { name: table, pos: tablePos } = tableName(ctx, relation)
  if (nodeField(node, 'onConflictClause') !== null) return unsupported('ON CONFLICT', firstPos(ctx, node.onConflictClause, tablePos))
  if (nodeField(node, 'withClause') !== null) return unsupported('WITH on INSERT', ctx.statementPos)
  const returningClause = nodeField(node, 'returningClause')
  if (returningClause !== null && list(returningClause, 'options').length > 0) return unsupported('RETURNING WITH (OLD/NEW)', tablePos)
  const returningList = returningClause === null ? list(node, 'returningList') : list(returningClause, 'exprs')
  const returning = returningList.length === 0 ? {} : { returning: selectItems(ctx, returningList, tablePos) }
  const override = str(node, 'override')
  if (override !== '' && override !== 'OVERRIDING_NOT_SET') return unsupported('OVERRIDING', tablePos)
  const columns = node.cols === undefined ? null : list(node, 'cols').map((value) => {
    const target = wrapped(value, 'ResTarget')
    const pos = target === null ? tablePos : loc(ctx, target, tablePos)
    if (target === null || list(target, 'indirection').length > 0) return unsupported('a subscript or field in an INSERT column', pos)
    return { name: str(target, 'name'), pos }
  })
  // INSERT … DEFAULT VALUES has no selectStmt: one row, every column its default.
  if (node.selectStmt === undefined) return { kind: 'SqlInsert', table, tablePos, columns: [], rows: [[]], query: null, ...returning }
  const select = wrapped(node.selectStmt, 'SelectStmt')
  if (select === null) return unsupported('this INSERT', tablePos)
  const isPlainValues = select.valuesLists !== undefined && list(select, 'sortClause').length === 0 &&
    select.limitCount === undefined && select.limitOffset === undefined && select.withClause === undefined
  if (!isPlainValues) return { kind: 'SqlInsert', table, tablePos, columns, rows: [], query: adaptQuery(ctx, select, firstPos(ctx, select, tablePos)), ...returning }
  const rows = list(select, 'valuesLists').map((value) => list(wrapped(value, 'List') ?? {}, 'items').map((item) => {
    const marker = wrapped(item, 'SetToDefault')
    return marker === null ? adaptExpr(ctx, item) : { kind: 'InsertDefault' as const, pos: loc(ctx, marker, tablePos) }
  }))
  return { kind: 'SqlInsert', table, tablePos, columns, rows, query: null, ...returning }
}

function explain(ctx: AdaptContext, node: Node): SqlStatement {
  const options = explainOptions(ctx, node)
  const query = wrapped(node.query, 'SelectStmt')
  if (query === null) return unsupported(`EXPLAIN of ${statementName(unwrap(node.query)?.type ?? '', {})}`, ctx.statementPos)
  return { kind: 'SqlExplain', options, query: adaptQuery(ctx, query, firstPos(ctx, query, ctx.statementPos)) }
}

const OPTION_SUBTYPES: ReadonlySet<string> = new Set(['AT_SetRelOptions', 'AT_ResetRelOptions'])
const COLUMN_SUBTYPES: ReadonlySet<string> = new Set(['AT_AddColumn', 'AT_DropColumn', 'AT_ColumnDefault'])

/**
 * ALTER TABLE t SET (…) / RESET (…), or ADD COLUMN / DROP COLUMN / ALTER COLUMN SET|DROP DEFAULT, several commands of one family in order; any other
 * command, or a mix of the two families, is refused.
 */
function alterTable(ctx: AdaptContext, node: Node): SqlAlterTableOptions | SqlAlterTableColumns {
  const relation = nodeField(node, 'relation') ?? {}
  const { name: table, pos } = tableName(ctx, relation)
  if (str(node, 'objtype') !== 'OBJECT_TABLE') return unsupported(`ALTER ${str(node, 'objtype').replace('OBJECT_', '')}`, ctx.statementPos)
  const cmds = list(node, 'cmds').map((value) => wrapped(value, 'AlterTableCmd') ?? {})
  for (const cmd of cmds) {
    const subtype = str(cmd, 'subtype')
    if (!OPTION_SUBTYPES.has(subtype) && !COLUMN_SUBTYPES.has(subtype)) return unsupported(`ALTER TABLE … ${words(subtype.replace(/^AT_/, ''))}`, pos)
  }
  const columnCount = cmds.filter((cmd) => COLUMN_SUBTYPES.has(str(cmd, 'subtype'))).length
  if (columnCount === cmds.length && columnCount > 0) return adaptAlterColumns(ctx, node, cmds)
  if (columnCount > 0) return unsupported('ALTER TABLE mixing SET/RESET with column changes', pos)
  const options: Array<{ name: string; value: string | null }> = []
  for (const cmd of cmds) {
    const subtype = str(cmd, 'subtype')
    for (const item of list(wrapped(cmd.def, 'List') ?? {}, 'items')) {
      const option = wrapped(item, 'DefElem') ?? {}
      if (str(option, 'defnamespace') !== '') return unsupported('a qualified storage parameter', loc(ctx, option, pos))
      const isReset = subtype === 'AT_ResetRelOptions'
      // The grammar takes RESET (name = value) and PostgreSQL refuses it later (22023); nodedb refused it as 42601.
      if (isReset && option.arg !== undefined) throw syntaxError('RESET must not include values for parameters', loc(ctx, option, pos) + 1)
      options.push({ name: str(option, 'defname'), value: isReset ? null : definitionValue(ctx, option) })
    }
  }
  return { kind: 'SqlAlterTableOptions', table, ifExists: bool(node, 'missing_ok'), options }
}

const STATEMENT_HANDLERS: Readonly<Record<string, StatementHandler>> = {
  SelectStmt: (ctx, node) => adaptQuery(ctx, node, ctx.statementPos),
  InsertStmt: insert,
  CreateStmt: adaptCreateTable,
  AlterTableStmt: alterTable,
  VariableSetStmt: adaptSet,
  VariableShowStmt: adaptShow,
  TransactionStmt: adaptTransaction,
  DiscardStmt: (ctx, node) => (str(node, 'target') === 'DISCARD_ALL'
    ? { kind: 'SqlDiscard' } : unsupported(`DISCARD ${str(node, 'target').replace('DISCARD_', '')}`, ctx.statementPos)),
  DropStmt: adaptDropTable,
  TruncateStmt: adaptTruncate,
  RenameStmt: adaptRename,
  DeallocateStmt: (_ctx, node) => ({ kind: 'SqlDeallocate', name: bool(node, 'isall') ? null : str(node, 'name') }),
  CheckPointStmt: (ctx, node) => (list(node, 'options').length === 0 ? { kind: 'SqlCheckpoint' } : unsupported('CHECKPOINT options', ctx.statementPos)),
  ExplainStmt: explain,
  CopyStmt: adaptCopy,
  DeleteStmt: adaptDelete,
  ClosePortalStmt: (_ctx, node) => ({ kind: 'SqlClose', name: str(node, 'portalname') === '' ? null : str(node, 'portalname') }),
  ListenStmt: (_ctx, node) => ({ kind: 'SqlNotification', action: 'LISTEN', channel: str(node, 'conditionname'), payload: '' }),
  NotifyStmt: (_ctx, node) => ({ kind: 'SqlNotification', action: 'NOTIFY', channel: str(node, 'conditionname'), payload: str(node, 'payload') }),
  UnlistenStmt: (_ctx, node) => ({ kind: 'SqlNotification', action: 'UNLISTEN', channel: node.conditionname === undefined ? null : str(node, 'conditionname'), payload: '' }),
  PrepareStmt: (ctx, node) => adaptPrepare(ctx, node, adaptStatement),
  ExecuteStmt: adaptExecute,
  DeclareCursorStmt: adaptDeclareCursor,
  FetchStmt: adaptFetch,
  ViewStmt: adaptCreateView,
}

/** Every statement node type the adapter translates (the tests pin this list). */
export const STATEMENT_NODE_TYPES: ReadonlyArray<string> = Object.keys(STATEMENT_HANDLERS)

/** 'AddColumn' → 'ADD COLUMN'. */
function words(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase()
}

const STATEMENT_NAMES: Readonly<Record<string, string>> = {
  CreateTableAsStmt: 'CREATE TABLE AS', IndexStmt: 'CREATE INDEX', ViewStmt: 'CREATE VIEW', CreatedbStmt: 'CREATE DATABASE',
  CreateSchemaStmt: 'CREATE SCHEMA', CreateFunctionStmt: 'CREATE FUNCTION', CreateSeqStmt: 'CREATE SEQUENCE',
  CreateExtensionStmt: 'CREATE EXTENSION', CreateRoleStmt: 'CREATE ROLE', VacuumStmt: 'VACUUM', DeclareCursorStmt: 'DECLARE',
  ClosePortalStmt: 'CLOSE', RenameStmt: 'ALTER … RENAME', LockStmt: 'LOCK',
  GrantStmt: 'GRANT', DoStmt: 'DO', CopyStmt: 'COPY', TruncateStmt: 'TRUNCATE', AlterObjectSchemaStmt: 'ALTER … SET SCHEMA',
}

/** The statement as a reader would name it: 'DROP TABLE', 'DELETE', 'CREATE INDEX'. */
function statementName(type: string, node: Node): string {
  if (type === 'DropStmt') return `DROP ${str(node, 'removeType').replace('OBJECT_', '').replace(/_/g, ' ')}`
  if (type === 'VacuumStmt' && node['is_vacuumcmd'] !== true) return 'ANALYZE'
  if (type === 'CreateTableAsStmt' && str(node, 'objtype') === 'OBJECT_MATVIEW') return 'CREATE MATERIALIZED VIEW'
  return STATEMENT_NAMES[type] ?? words(type.replace(/Stmt$/, ''))
}

/** One RawStmt's `stmt` (wrapped) → SqlStatement. */
export function adaptStatement(ctx: AdaptContext, value: unknown): SqlStatement {
  const found = unwrap(value)
  if (found === null) return unsupported('this statement', ctx.statementPos)
  const handler = Object.hasOwn(STATEMENT_HANDLERS, found.type) ? STATEMENT_HANDLERS[found.type] : undefined
  if (handler === undefined) return unsupported(statementName(found.type, found.node), ctx.statementPos)
  return handler(ctx, found.node)
}
