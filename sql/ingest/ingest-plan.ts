// sql/ingest/ingest-plan: decides, per column of an IngestBatch, which table column receives it and how (as is,
// widened, or refused), and which columns a table must gain. Pure: no engine calls, no I/O.
import type { ColumnKind } from '../../engine/batch.js'
import type { ColumnSchema, TableSchema } from '../../engine/ops.js'
import { assertNever } from '../../src/common/assert.js'
import { COLUMNS_PER_TABLE_MAX_COUNT, ILP_NAME_BYTES_MAX } from '../../src/common/limits.js'
import type { IngestColumn, IngestColumnKind, IngestErrorCode } from '../api.js'

/** Name of the designated timestamp of tables ILP creates. */
export const INGEST_TIMESTAMP_COLUMN = 'time'

/** How a value moves from a batch column into its table column. */
export type Conversion =
  | 'tagToSymbol' | 'tagToText' | 'stringToText' | 'stringToSymbol' | 'float' | 'integer' | 'unsigned' | 'boolean'

export type ColumnPlan =
  | { readonly kind: 'map'; readonly column: number; readonly conversion: Conversion; readonly rangeBits: 16 | 32 | 64 }
  | { readonly kind: 'reject'; readonly code: IngestErrorCode; readonly message: string }
  | { readonly kind: 'add'; readonly schema: ColumnSchema }

/** Why a table or column name is refused, or undefined when it is acceptable (PostgreSQL's NAMEDATALEN rule). */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'empty name'
  if (name.includes('\u0000')) return 'name contains a NUL character'
  const bytes = Buffer.byteLength(name, 'utf8')
  if (bytes > ILP_NAME_BYTES_MAX) return `name of ${bytes} bytes exceeds ${ILP_NAME_BYTES_MAX}`
  return undefined
}

/** The column ILP creates for a batch column of this kind. */
export function newColumnSchema(name: string, kind: IngestColumnKind): ColumnSchema {
  const typed = (columnKind: ColumnKind, sqlType: string): ColumnSchema => ({ name, kind: columnKind, sqlType, notNull: false })
  switch (kind) {
    case 'tag': return typed('symbol', 'text')
    case 'float': return typed('f64', 'float8')
    case 'integer': case 'unsigned': return typed('i64', 'int8')
    case 'string': return typed('text', 'text')
    case 'boolean': return typed('bool', 'bool')
    default: return assertNever(kind)
  }
}

const ILP_TYPE_NAMES: Readonly<Record<IngestColumnKind, string>> = {
  tag: 'tag', float: 'float', integer: 'integer', unsigned: 'unsigned integer', string: 'string', boolean: 'boolean',
}

function rangeBitsOf(sqlType: string): 16 | 32 | 64 {
  if (sqlType === 'int2') return 16
  if (sqlType === 'int4') return 32
  return 64
}

/** The conversion of a `source` value into a column of `target` kind, or undefined when it would be a cast. */
function conversionOf(source: IngestColumnKind, target: ColumnKind): Conversion | undefined {
  switch (source) {
    case 'tag': return target === 'symbol' ? 'tagToSymbol' : target === 'text' ? 'tagToText' : undefined
    case 'string': return target === 'text' ? 'stringToText' : target === 'symbol' ? 'stringToSymbol' : undefined
    case 'float': return target === 'f64' ? 'float' : undefined
    // No widening, integer into float8 included: InfluxDB calls that a field type conflict, and the parser refuses
    // it within one request, so accepting it across requests would make the outcome depend on how a TCP stream
    // happened to be cut into flushes.
    case 'integer': return target === 'i64' ? 'integer' : undefined
    case 'unsigned': return target === 'i64' ? 'unsigned' : undefined
    case 'boolean': return target === 'bool' ? 'boolean' : undefined
    default: return assertNever(source)
  }
}

/** Plans one batch column against `table` (already holding every column it can). */
export function planColumn(table: TableSchema, column: IngestColumn): ColumnPlan {
  const problem = nameProblem(column.name)
  if (problem !== undefined) {
    return { kind: 'reject', code: 'BadName', message: `invalid column name "${column.name}" in "${table.name}": ${problem}` }
  }
  const index = table.columns.findIndex((schema) => schema.name === column.name)
  const target = table.columns[index]
  if (target === undefined) return { kind: 'add', schema: newColumnSchema(column.name, column.kind) }
  const conversion = index === table.timestampIndex ? undefined : conversionOf(column.kind, target.kind)
  if (conversion === undefined) {
    return {
      kind: 'reject', code: 'TypeConflict',
      message: `column "${column.name}" of "${table.name}" is ${target.sqlType}, got ${ILP_TYPE_NAMES[column.kind]}`,
    }
  }
  return { kind: 'map', column: index, conversion, rangeBits: rangeBitsOf(target.sqlType) }
}

/** The table ILP creates for a batch: `time`, then the batch's columns with valid names, in order of first use. */
export function newTableColumns(columns: ReadonlyArray<IngestColumn>): ColumnSchema[] {
  const schemas: ColumnSchema[] = [{ name: INGEST_TIMESTAMP_COLUMN, kind: 'timestamp', sqlType: 'timestamptz', notNull: true }]
  for (const column of columns) {
    // Columns past the limit are left to AddColumnsOp, whose LimitExceeded refuses only the rows that use them.
    if (schemas.length === COLUMNS_PER_TABLE_MAX_COUNT) break
    if (column.name === INGEST_TIMESTAMP_COLUMN || nameProblem(column.name) !== undefined) continue
    schemas.push(newColumnSchema(column.name, column.kind))
  }
  return schemas
}
