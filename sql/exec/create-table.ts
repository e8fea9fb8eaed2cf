// sql/exec/create-table: CREATE TABLE → CreateTableOp. Picks the designated timestamp (first TIMESTAMP/TIMESTAMPTZ
// NOT NULL column), maps each SQL type to its engine kind and keeps the exact SQL type in ColumnSchema.sqlType.
import type { Engine } from '../../engine/api.js'
import type { ColumnSchema, CreateTableOp } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import { duplicateColumn, featureNotSupported, invalidTableDefinition, programLimitExceeded } from '../../src/common/errors.js'
import { COLUMNS_PER_TABLE_MAX_COUNT } from '../../src/common/limits.js'
import type { StatementResult } from '../api.js'
import { PG_TYPES, formatStoredType, isTimestampType, resolveTypeName } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlCreateTable } from '../parse/ast.js'

export function buildCreateTableOp(statement: SqlCreateTable): CreateTableOp {
  if (statement.columns.length > COLUMNS_PER_TABLE_MAX_COUNT) {
    throw programLimitExceeded(`tables can have at most ${COLUMNS_PER_TABLE_MAX_COUNT} columns`)
  }
  const seen = new Set<string>()
  const columns: ColumnSchema[] = statement.columns.map((column) => {
    if (seen.has(column.name)) throw duplicateColumn(column.name)
    seen.add(column.name)
    const type = resolveTypeName(column.type)
    const kind = PG_TYPES[type.name].columnKind
    if (kind === null) throw featureNotSupported(`columns of type ${type.name}`, column.pos + 1)
    return { name: column.name, kind, sqlType: formatStoredType(type), notNull: column.notNull }
  })
  const timestampIndex = statement.columns.findIndex(
    (column) => column.notNull && isTimestampType(resolveTypeName(column.type).name))
  if (timestampIndex < 0) {
    throw invalidTableDefinition(
      `table "${statement.name}" needs a designated timestamp: a TIMESTAMP or TIMESTAMPTZ NOT NULL column`)
  }
  return { kind: 'CreateTableOp', v: OP_VERSION, name: statement.name, columns, timestampIndex, ifNotExists: statement.ifNotExists }
}

export async function executeCreateTable(engine: Engine, statement: SqlCreateTable): Promise<StatementResult> {
  const op = buildCreateTableOp(statement)
  await withEngineErrors(() => engine.execute(op))
  return { kind: 'CommandResult', commandTag: 'CREATE TABLE' }
}
