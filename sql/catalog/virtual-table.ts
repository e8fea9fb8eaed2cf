// sql/catalog/virtual-table: tables nodedb computes instead of storing — pg_catalog and information_schema — read by
// the same operators as any table (joins, filters, CASE in psql's and Grafana's queries run through the executor).
// Each is generated from nodedb's own catalog (engine.tables()) and the session when a statement reads it.
import type { Engine } from '../../engine/api.js'
import type { SessionContext, SqlValue } from '../api.js'
import type { SqlType } from '../bind/types.js'

export interface VirtualColumn {
  readonly name: string
  readonly type: SqlType
}

/** What a virtual table's rows may depend on. */
export interface VirtualContext {
  readonly engine: Engine
  readonly session: SessionContext
}

export interface VirtualTable {
  readonly schema: 'pg_catalog' | 'information_schema'
  readonly name: string
  /** The table's OID as PostgreSQL 15 has it (pg_class.oid of the catalog relation), for RowDescription. */
  readonly oid: number
  readonly columns: ReadonlyArray<VirtualColumn>
  /** Rows in column order, values as sql/api.ts SqlValue. Small by nature (one row per table, column, type…). */
  rows(ctx: VirtualContext): ReadonlyArray<ReadonlyArray<SqlValue>>
}
