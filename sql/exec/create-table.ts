// sql/exec/create-table: CREATE TABLE → CreateTableOp. Picks the designated timestamp (first TIMESTAMP/TIMESTAMPTZ
// NOT NULL column), maps each SQL type to its engine kind and keeps the exact SQL type in ColumnSchema.sqlType.
// Column DEFAULTs are cooked by column-default.ts. WITH (ttl = '…', partition_by = 'day') as storage parameters; any other is 22023 as PostgreSQL answers.
import type { Engine } from '../../engine/api.js'
import type { ColumnSchema, CreateTableOp } from '../../engine/ops.js'
import { OP_VERSION } from '../../engine/ops.js'
import {
  duplicateColumn, featureNotSupported, featureNotSupportedMessage, invalidParameterValue, invalidTableDefinition,
  programLimitExceeded,
} from '../../src/common/errors.js'
import { COLUMNS_PER_TABLE_MAX_COUNT } from '../../src/common/limits.js'
import type { SessionContext, StatementResult } from '../api.js'
import { PG_TYPES, formatStoredType, isTimestampType, parseStoredType, resolveTypeName } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import type { SqlColumnDef, SqlCreateTable, SqlExpr } from '../parse/ast.js'
import { parseTtlUs } from './alter-table.js'
import { cookDefault } from './column-default.js'

/** The partition widths partition_by names; only 'day' is built (the segment store's width is one per engine). */
const PARTITION_BY_VALUES: ReadonlySet<string> = new Set(['hour', 'day', 'month'])

/** A column as CREATE TABLE and ALTER TABLE ADD COLUMN define it: the SQL type → engine kind + stored type text. */
export function columnSchemaOf(column: SqlColumnDef): ColumnSchema {
  const type = resolveTypeName(column.type)
  const kind = PG_TYPES[type.name].columnKind
  if (kind === null) throw featureNotSupported(`columns of type ${type.name}`, column.pos + 1)
  return { name: column.name, kind, sqlType: formatStoredType(type), notNull: column.notNull }
}

/** WITH (…): the retention in µs (undefined: none given). partition_by other than 'day' is refused, not ignored. */
function retentionOf(statement: SqlCreateTable): number | undefined {
  let retentionUs: number | undefined
  for (const option of statement.options) {
    if (option.name === 'ttl') {
      retentionUs = parseTtlUs(option.value ?? '')
    } else if (option.name === 'partition_by') {
      const value = (option.value ?? '').toLowerCase()
      if (!PARTITION_BY_VALUES.has(value)) throw invalidParameterValue(`invalid value for parameter "partition_by": "${option.value ?? ''}"`)
      if (value !== 'day') throw featureNotSupportedMessage(`partition_by = '${value}' is not supported: tables are partitioned by day`)
    } else {
      throw invalidParameterValue(`unrecognized parameter "${option.name}"`)
    }
  }
  return retentionUs
}
/** Cooks a column's DEFAULT into its stored form (null: none); buildCreateTableOp's callers without one pass none. */
export type DefaultCooker = (expr: SqlExpr, schema: ColumnSchema) => unknown

/** A column's schema with its cooked default (CREATE TABLE, and ALTER TABLE … SET DEFAULT's check of it). */
export function cookedColumnDefault(engine: Engine, session: SessionContext): DefaultCooker {
  return (expr, schema) => cookDefault(engine, session, schema, parseStoredType(schema.sqlType, schema.kind), expr)
}

export function buildCreateTableOp(statement: SqlCreateTable, cook: DefaultCooker | null = null): CreateTableOp {
  if (statement.columns.length > COLUMNS_PER_TABLE_MAX_COUNT) {
    throw programLimitExceeded(`tables can have at most ${COLUMNS_PER_TABLE_MAX_COUNT} columns`)
  }
  const seen = new Set<string>()
  const columns: ColumnSchema[] = statement.columns.map((column) => {
    if (seen.has(column.name)) throw duplicateColumn(column.name)
    seen.add(column.name)
    const schema = columnSchemaOf(column)
    const cooked = column.default === undefined ? null : cook === null ? refuseDefault(column) : cook(column.default, schema)
    return cooked === null ? schema : { ...schema, default: cooked }
  })
  const timestampIndex = statement.columns.findIndex(
    (column) => column.notNull && isTimestampType(resolveTypeName(column.type).name))
  if (timestampIndex < 0) {
    throw invalidTableDefinition(
      `table "${statement.name}" needs a designated timestamp: a TIMESTAMP or TIMESTAMPTZ NOT NULL column`)
  }
  const retentionUs = retentionOf(statement)
  return {
    kind: 'CreateTableOp', v: OP_VERSION, name: statement.name, columns, timestampIndex, ifNotExists: statement.ifNotExists,
    ...(retentionUs === undefined ? {} : { retentionUs }),
  }
}

function refuseDefault(column: SqlColumnDef): never {
  throw featureNotSupported('DEFAULT here', column.pos + 1)
}

export async function executeCreateTable(engine: Engine, statement: SqlCreateTable, session: SessionContext): Promise<StatementResult> {
  const op = buildCreateTableOp(statement, cookedColumnDefault(engine, session))
  await withEngineErrors(() => engine.execute(op))
  return { kind: 'CommandResult', commandTag: 'CREATE TABLE' }
}
