// sql/catalog/pg-attrdef: column defaults as the catalog shows them — pg_attrdef's rows, pg_attribute.atthasdef,
// information_schema.columns.column_default — and what pg_get_expr makes of pg_attrdef.adbin. A default is kept as
// PostgreSQL's deparsed text (sql/exec/column-default.ts cooks it), plain and pretty; adbin carries both in a node-like
// text (PostgreSQL's adbin is a pg_node_tree no client reads as such) that pg_get_expr(adbin, adrelid[, pretty]) prints.
import type { ColumnSchema, TableSchema } from '../../engine/ops.js'
import { dataCorrupted, featureNotSupportedMessage } from '../../src/common/errors.js'
import { isIsoDateStyle } from '../../src/common/date-style-text.js'
import { DEFAULT_DATE_STYLE, formatTimestamptz } from '../../src/common/timestamp-text.js'
import { tableOid } from '../bind/catalog.js'
import { defineTable, type CatalogRow } from './define-table.js'
import type { VirtualTable } from './virtual-table.js'

/** Version of the stored default's shape (ColumnSchema.default): append-only, as catalog.json's. */
export const COLUMN_DEFAULT_VERSION = 1

/** What the catalog keeps for a column's default (ColumnSchema.default, opaque to the engine). */
export interface ColumnDefault {
  readonly v: number
  /** pg_get_expr's text: re-parsed and bound for every INSERT/COPY that needs it. */
  readonly expr: string
  /** pg_get_expr(…, true)'s text (psql's \d). */
  readonly pretty: string
}

const CHECKED = new WeakMap<object, ColumnDefault>()

/** The stored default of a column (null: none), checked once per object (XX001 when catalog.json holds another shape). */
export function columnDefault(column: ColumnSchema): ColumnDefault | null {
  const raw = column.default
  if (raw === undefined || raw === null || column.isDropped === true) return null
  const known = typeof raw === 'object' ? CHECKED.get(raw) : undefined
  if (known !== undefined) return known
  const d = raw as Record<string, unknown>
  if (typeof d !== 'object' || d.v !== COLUMN_DEFAULT_VERSION || typeof d.expr !== 'string' || typeof d.pretty !== 'string') {
    throw dataCorrupted(`the catalog's default of column "${column.name}" is not one this version reads`)
  }
  const value = d as unknown as ColumnDefault
  CHECKED.set(d, value)
  return value
}

/**
 * A timestamptz constant's place in a stored text: its µs between two U+0001 marks, printed in the reader's TimeZone
 * (PostgreSQL prints the constant with timestamptz_out at pg_get_expr time, so its text follows the session).
 */
const ZONED = /\u0001([^\u0001]*)\u0001/g

export function zonedConstantText(us: number): string {
  return `\u0001${us}\u0001`
}

/**
 * A stored default's text with its timestamptz constants printed in `timeZone` and `dateStyle`. date and timestamp
 * constants are stored as ISO text: in another DateStyle PostgreSQL would print them otherwise, so that is 0A000.
 */
export function defaultTextIn(text: string, timeZone: string, dateStyle = DEFAULT_DATE_STYLE): string {
  if (!isIsoDateStyle(dateStyle) && /'::(?:date|timestamp without time zone)\b/.test(text)) {
    throw featureNotSupportedMessage(`printing a DEFAULT's date or timestamp constant in DateStyle '${dateStyle}'`)
  }
  return text.includes('\u0001') ? text.replace(ZONED, (_, us: string) => formatTimestamptz(Number(us), timeZone, dateStyle)) : text
}

const ADBIN_PREFIX = '{NODEDB_DEFAULT :text '

function adbinOf(stored: ColumnDefault): string {
  return `${ADBIN_PREFIX}${JSON.stringify([stored.expr, stored.pretty])}}`
}

/** pg_get_expr: a default's adbin → its text (pretty for psql's \d); any other text passes through unchanged. */
export function printAdbin(adbin: string, pretty: boolean, timeZone: string, dateStyle = DEFAULT_DATE_STYLE): string {
  if (!adbin.startsWith(ADBIN_PREFIX) || !adbin.endsWith('}')) return adbin
  let texts: unknown
  try {
    texts = JSON.parse(adbin.slice(ADBIN_PREFIX.length, -1))
  } catch {
    return adbin // not one of ours after all: printed as given, as any other text
  }
  // Outside the try: defaultTextIn's 0A000 (a constant it cannot print in this DateStyle) reaches the client.
  if (Array.isArray(texts) && typeof texts[0] === 'string' && typeof texts[1] === 'string') return defaultTextIn(pretty ? texts[1] : texts[0], timeZone, dateStyle)
  return adbin
}

/** pg_attrdef.oid: one per (table, attnum), above every relation OID. */
const ATTRDEF_OID_BASE = 1_000_000_000
const ATTNUMS_PER_TABLE = 1600

function attrdefRows(table: TableSchema): CatalogRow[] {
  const relid = tableOid(table)
  return table.columns.flatMap((column, index) => {
    const stored = columnDefault(column)
    return stored === null ? [] : [[ATTRDEF_OID_BASE + (table.id - 1) * ATTNUMS_PER_TABLE + index + 1, relid, index + 1, adbinOf(stored)]]
  })
}

export const PG_ATTRDEF: VirtualTable = defineTable('pg_catalog', 'pg_attrdef', 2604, 'oid:oid adrelid:oid adnum:int2 adbin:text',
  (ctx) => ctx.engine.tables().flatMap(attrdefRows))
