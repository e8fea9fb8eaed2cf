// sql/catalog/pg-stat-views: the cumulative statistics views monitoring tools read (pg_stat_database, pg_stat_*_tables,
// pg_statio_*_tables, pg_stat_bgwriter, pg_stat_ssl, …) with PostgreSQL 15's columns and types, filled from what nodedb
// knows: the sessions (numbackends, pg_stat_ssl's TLS facts), the relations pg_class lists, the server's start (the
// stats_reset of the server-wide views). nodedb keeps no access or transaction counters, so every counter reads 0 — what
// PostgreSQL shows for a fresh database — and the times of vacuum/analyze NULL (nodedb has neither). Views of things
// nodedb lacks (indexes, replication, functions' calls) are present and empty. pg_stat_statements is an extension's
// view and stays absent (42P01), as on a PostgreSQL without it. inet, xid and pg_lsn columns are text, oid and text.
import { DATABASE_OID } from './catalog-ids.js'
import { type CatalogRow, defineTable, emptyTable } from './define-table.js'
import { allRelations, type VirtualTableList } from './pg-class-tables.js'
import { schemaName } from './pg-system-views.js'
import type { VirtualContext, VirtualTable } from './virtual-table.js'
import { PROCESS_START_US } from '../functions/catalog-functions.js'

const TABLE_COUNTERS = `seq_scan:int8 seq_tup_read:int8 idx_scan:int8 idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8
  n_tup_hot_upd:int8`
const TABLE_COLUMNS = `relid:oid schemaname:name relname:name ${TABLE_COUNTERS} n_live_tup:int8 n_dead_tup:int8
  n_mod_since_analyze:int8 n_ins_since_vacuum:int8 last_vacuum:timestamptz last_autovacuum:timestamptz last_analyze:timestamptz
  last_autoanalyze:timestamptz vacuum_count:int8 autovacuum_count:int8 analyze_count:int8 autoanalyze_count:int8`
const STATIO_COLUMNS = `relid:oid schemaname:name relname:name heap_blks_read:int8 heap_blks_hit:int8 idx_blks_read:int8
  idx_blks_hit:int8 toast_blks_read:int8 toast_blks_hit:int8 tidx_blks_read:int8 tidx_blks_hit:int8`
const INDEX_COLUMNS = 'relid:oid indexrelid:oid schemaname:name relname:name indexrelname:name idx_scan:int8 idx_tup_read:int8 idx_tup_fetch:int8'

type Scope = 'all' | 'user' | 'sys'

/** The tables a scope lists (PostgreSQL's relkind r): user tables are those outside pg_catalog and information_schema. */
function tablesOf(ctx: VirtualContext, virtuals: VirtualTableList, scope: Scope): Array<readonly [number, string, string]> {
  return allRelations(ctx, virtuals).filter((rel) => rel.kind === 'r').map((rel) => [rel.oid, schemaName(rel.namespace), rel.name] as const)
    .filter(([, schema]) => scope === 'all' || (scope === 'sys') === (schema === 'pg_catalog' || schema === 'information_schema'))
}

/** pg_stat_all_tables / _user_tables / _sys_tables: every counter 0 (nodedb counts no scans or tuples per table). */
function tableStatsView(name: string, oid: number, scope: Scope, virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', name, oid, TABLE_COLUMNS, (ctx) => tablesOf(ctx, virtuals, scope).map(([relid, schema, relname]) => [
    relid, schema, relname, 0n, 0n, null, null, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, null, null, null, null, 0n, 0n, 0n, 0n,
  ]))
}

/** pg_statio_*_tables: heap blocks 0; the index and TOAST columns NULL, as for a table with neither. */
function statioView(name: string, oid: number, scope: Scope, virtuals: VirtualTableList): VirtualTable {
  return defineTable('pg_catalog', name, oid, STATIO_COLUMNS, (ctx) => tablesOf(ctx, virtuals, scope).map(([relid, schema, relname]) => [
    relid, schema, relname, 0n, 0n, null, null, null, null, null, null,
  ]))
}

/**
 * pg_stat_database: the shared-objects row (datid 0, datname NULL) and the one database; numbackends counts its
 * sessions. checksum_failures is NULL (no data checksums in PostgreSQL's sense), stats_reset NULL (never reset).
 */
const PG_STAT_DATABASE: VirtualTable = defineTable('pg_catalog', 'pg_stat_database', 12266, `datid:oid datname:name numbackends:int4
  xact_commit:int8 xact_rollback:int8 blks_read:int8 blks_hit:int8 tup_returned:int8 tup_fetched:int8 tup_inserted:int8
  tup_updated:int8 tup_deleted:int8 conflicts:int8 temp_files:int8 temp_bytes:int8 deadlocks:int8 checksum_failures:int8
  checksum_last_failure:timestamptz blk_read_time:float8 blk_write_time:float8 session_time:float8 active_time:float8
  idle_in_transaction_time:float8 sessions:int8 sessions_abandoned:int8 sessions_fatal:int8 sessions_killed:int8 stats_reset:timestamptz`,
(ctx) => {
  const database = ctx.session.database
  const backends = (ctx.session.backends?.list() ?? []).filter((b) => b.database === database).length
  const counters = (datid: number, datname: string | null, numbackends: number): CatalogRow => [
    datid, datname, numbackends, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, null, null, 0, 0, 0, 0, 0, 0n, 0n, 0n, 0n, null,
  ]
  return [counters(0, null, 0), counters(DATABASE_OID, database, backends)]
})

const PG_STAT_DATABASE_CONFLICTS: VirtualTable = defineTable('pg_catalog', 'pg_stat_database_conflicts', 12271,
  'datid:oid datname:name confl_tablespace:int8 confl_lock:int8 confl_snapshot:int8 confl_bufferpin:int8 confl_deadlock:int8',
  (ctx) => [[DATABASE_OID, ctx.session.database, 0n, 0n, 0n, 0n, 0n]])

/** Server-wide views: one row, counters 0, reset at the server's start (PostgreSQL's is initdb's first start). */
const PG_STAT_BGWRITER: VirtualTable = defineTable('pg_catalog', 'pg_stat_bgwriter', 12289, `checkpoints_timed:int8 checkpoints_req:int8
  checkpoint_write_time:float8 checkpoint_sync_time:float8 buffers_checkpoint:int8 buffers_clean:int8 maxwritten_clean:int8
  buffers_backend:int8 buffers_backend_fsync:int8 buffers_alloc:int8 stats_reset:timestamptz`,
() => [[0n, 0n, 0, 0, 0n, 0n, 0n, 0n, 0n, 0n, PROCESS_START_US]])

const PG_STAT_ARCHIVER: VirtualTable = defineTable('pg_catalog', 'pg_stat_archiver', 12285, `archived_count:int8 last_archived_wal:text
  last_archived_time:timestamptz failed_count:int8 last_failed_wal:text last_failed_time:timestamptz stats_reset:timestamptz`,
() => [[0n, null, null, 0n, null, null, PROCESS_START_US]])

/**
 * pg_stat_ssl: one row per client backend — ssl and, over TLS, the protocol version, OpenSSL's cipher name and its
 * bits; no client certificates are requested, so the DN and serial columns are NULL.
 */
const PG_STAT_SSL: VirtualTable = defineTable('pg_catalog', 'pg_stat_ssl', 12249,
  'pid:int4 ssl:bool version:text cipher:text bits:int4 client_dn:text client_serial:numeric issuer_dn:text',
  (ctx) => (ctx.session.backends?.list() ?? []).map((b) => {
    const tls = b.tls ?? null
    return [b.pid, tls !== null, tls?.version ?? null, tls?.cipher ?? null, tls?.bits ?? null, null, null, null]
  }))

/** pg_stat_gssapi: nodedb has no GSSAPI authentication or encryption. */
const PG_STAT_GSSAPI: VirtualTable = defineTable('pg_catalog', 'pg_stat_gssapi', 12253,
  'pid:int4 gss_authenticated:bool principal:text encrypted:bool',
  (ctx) => (ctx.session.backends?.list() ?? []).map((b) => [b.pid, false, null, false]))

const EMPTY_STAT_VIEWS: ReadonlyArray<VirtualTable> = [
  emptyTable('pg_stat_all_indexes', 12183, INDEX_COLUMNS),
  emptyTable('pg_stat_user_indexes', 12192, INDEX_COLUMNS),
  emptyTable('pg_statio_user_indexes', 12205,
    'relid:oid indexrelid:oid schemaname:name relname:name indexrelname:name idx_blks_read:int8 idx_blks_hit:int8'),
  emptyTable('pg_stat_user_functions', 12275, 'funcid:oid schemaname:name funcname:name calls:int8 total_time:float8 self_time:float8'),
  emptyTable('pg_stat_replication', 12227, `pid:int4 usesysid:oid usename:name application_name:text client_addr:text
    client_hostname:text client_port:int4 backend_start:timestamptz backend_xmin:oid state:text sent_lsn:text write_lsn:text
    flush_lsn:text replay_lsn:text write_lag:interval flush_lag:interval replay_lag:interval sync_priority:int4 sync_state:text
    reply_time:timestamptz`),
]

/** Every statistics view, with the relation list the per-table views read (virtual-tables.ts passes it in). */
export function statViews(virtuals: VirtualTableList): ReadonlyArray<VirtualTable> {
  return [
    PG_STAT_DATABASE, PG_STAT_DATABASE_CONFLICTS, PG_STAT_BGWRITER, PG_STAT_ARCHIVER, PG_STAT_SSL, PG_STAT_GSSAPI,
    tableStatsView('pg_stat_all_tables', 12142, 'all', virtuals), tableStatsView('pg_stat_sys_tables', 12152, 'sys', virtuals),
    tableStatsView('pg_stat_user_tables', 12161, 'user', virtuals),
    statioView('pg_statio_all_tables', 12170, 'all', virtuals), statioView('pg_statio_user_tables', 12179, 'user', virtuals),
    ...EMPTY_STAT_VIEWS,
  ]
}
