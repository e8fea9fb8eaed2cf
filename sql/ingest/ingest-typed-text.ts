// sql/ingest/ingest-typed-text: line-protocol strings and tags bound for varchar(n), character(n) or uuid columns
// (tables created over SQL) go through the types' input rules as an INSERT's would: varchar(n) and character(n)
// values longer than n are refused (22001's rule: only trailing blanks may be cut), character(n) values are
// blank-padded, uuids are checked and written in their canonical form, bytea
// strings are read as byteain reads them. A value that does not fit refuses its row.
import type { TableSchema } from '../../engine/ops.js'
import { isDbError } from '../../src/common/errors.js'
import { parseUuid } from '../../src/common/uuid.js'
import type { IngestBatch, IngestColumn } from '../api.js'
import { parseStoredType } from '../bind/types.js'
import { parseBytea } from '../expr/bytea.js'
import { fitCharType, hasCharLimit } from '../expr/char-types.js'
import { canonicalJsonb, parseJson } from '../expr/json.js'
import type { ColumnPlan } from './ingest-plan.js'
import type { RowRefusals } from './ingest-rows.js'

type Fit = (text: string) => string

/** How values of column `index` of `table` are fitted, or null when they are stored as given. */
function fitOf(table: TableSchema, index: number): Fit | null {
  const schema = table.columns[index]!
  const type = parseStoredType(schema.sqlType, schema.kind)
  if (type.name === 'uuid') return parseUuid
  if (type.name === 'bytea') return parseBytea
  if (type.name === 'json') return (text) => { parseJson(text, false); return text }
  if (type.name === 'jsonb') return canonicalJsonb
  return hasCharLimit(type) ? (text) => fitCharType(text, type, false) : null
}

/** `fit` of `text`, or the message of the error it raises. */
function tryFit(fit: Fit, text: string): { value: string } | { message: string } {
  try {
    return { value: fit(text) }
  } catch (error) {
    // Without the value (`invalid input syntax for type uuid`): one reason per column, however many bad values.
    if (isDbError(error)) return { message: error.message.replace(/: ".*"$/s, '') }
    throw error
  }
}

function fitColumn(column: IngestColumn, fit: Fit, refuse: (row: number, message: string) => void): IngestColumn {
  if (column.kind === 'tag') {
    const fitted = column.dict.map((text) => tryFit(fit, text))
    column.ids.forEach((id, row) => {
      const entry = id < 0 ? undefined : fitted[id]
      if (entry !== undefined && 'message' in entry) refuse(row, entry.message)
    })
    return { ...column, dict: fitted.map((entry, id) => ('value' in entry ? entry.value : column.dict[id]!)) }
  }
  if (column.kind !== 'string') return column
  const values = column.values.map((text, row) => {
    if (text === null) return null
    const entry = tryFit(fit, text)
    if ('value' in entry) return entry.value
    refuse(row, entry.message)
    return text
  })
  return { ...column, values }
}

/** The batch with the values of typed text columns fitted; rows whose value does not fit are refused. */
export function fitTypedText(table: TableSchema, batch: IngestBatch, plans: ReadonlyArray<ColumnPlan>, refusals: RowRefusals): IngestBatch {
  let columns: IngestColumn[] | null = null
  plans.forEach((plan, index) => {
    if (plan.kind !== 'map') return
    const fit = fitOf(table, plan.column)
    if (fit === null) return
    const column = batch.columns[index]!
    const refuse = (row: number, message: string): void =>
      refusals.refuseRow(row, 'ValueOutOfRange', `column "${column.name}" of "${table.name}": ${message}`)
    columns ??= [...batch.columns]
    columns[index] = fitColumn(column, fit, refuse)
  })
  return columns === null ? batch : { ...batch, columns }
}
