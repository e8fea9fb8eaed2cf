// sql/catalog/pg-misc-tables: the rest of pg_catalog that clients read — the one database, the one superuser role
// (named after the session user; collation 'C': nodedb orders text by bytes), settings, tablespaces, collations, functions — and the relations nodedb has no
// such thing for (indexes, constraints, policies, publications, extensions…), present and empty so that psql's and
// Grafana's queries run and find nothing. pg_extension in particular is empty: nodedb is not TimescaleDB.
import { settingsCatalogRows } from '../exec/session-settings.js'
import { PG_TYPE_NAMES, PG_TYPES } from '../bind/types.js'
import { formatArrayText } from '../functions/array-text.js'
import {
  DATABASE_OID, DEFAULT_COLLATION_OID, DEFAULT_TABLESPACE_OID, PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID, UTF8_ENCODING,
} from './catalog-ids.js'
import { defineTable, emptyTable } from './define-table.js'
import { advisoryLocks } from '../exec/advisory-locks.js'
import type { VirtualTable } from './virtual-table.js'

export const PG_DATABASE: VirtualTable = defineTable('pg_catalog', 'pg_database', 1262, `oid:oid datname:name datdba:oid encoding:int4
  datlocprovider:char datistemplate:bool datallowconn:bool datconnlimit:int4 datfrozenxid:oid datminmxid:oid dattablespace:oid datcollate:text datctype:text
  daticulocale:text datcollversion:text datacl:_text`,
(ctx) => [[DATABASE_OID, ctx.session.database, SUPERUSER_OID, UTF8_ENCODING, 'c', false, true, -1, 716, 1, DEFAULT_TABLESPACE_OID, 'C', 'C', null, null, null]])

const ROLE_FLAGS = 'rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool rolreplication:bool rolbypassrls:bool'

export const PG_ROLES: VirtualTable = defineTable('pg_catalog', 'pg_roles', 12000,
  `rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool rolreplication:bool
  rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:_text oid:oid`,
  (ctx) => [[ctx.session.user, true, true, true, true, true, true, -1, '********', null, true, null, SUPERUSER_OID]])

export const PG_AUTHID: VirtualTable = defineTable('pg_catalog', 'pg_authid', 1260,
  `oid:oid rolname:name ${ROLE_FLAGS} rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz`,
  (ctx) => [[SUPERUSER_OID, ctx.session.user, true, true, true, true, true, true, true, -1, null, null]])

export const PG_USER: VirtualTable = defineTable('pg_catalog', 'pg_user', 12014, `usename:name usesysid:oid usecreatedb:bool
  usesuper:bool userepl:bool usebypassrls:bool passwd:text valuntil:timestamptz useconfig:_text`,
(ctx) => [[ctx.session.user, SUPERUSER_OID, true, true, true, true, '********', null, null]])

export const PG_SETTINGS: VirtualTable = defineTable('pg_catalog', 'pg_settings', 12104, `name:text setting:text unit:text
  category:text short_desc:text extra_desc:text context:text vartype:text source:text min_val:text max_val:text enumvals:_text
  boot_val:text reset_val:text sourcefile:text sourceline:int4 pending_restart:bool`,
(ctx) => settingsCatalogRows(ctx.session).map(([name, setting, unit, description, context, vartype, boot, reset]) =>
  [name, setting, unit, 'Ungrouped', description, null, context, vartype, 'session', null, null, null, boot, reset, null, null, false]))

/**
 * Every started session (wire's BackendDirectory), as PostgreSQL lists its client backends: an idle one waits on
 * Client/ClientRead; the transaction's xids are NULL (nodedb assigns none). client_addr (inet) is its text, backend_xid
 * and backend_xmin (xid) are oid columns: nodedb has neither type. Background processes are not listed.
 */
export const PG_STAT_ACTIVITY: VirtualTable = defineTable('pg_catalog', 'pg_stat_activity', 12222, `datid:oid datname:name pid:int4
  leader_pid:int4 usesysid:oid usename:name application_name:text client_addr:text client_hostname:text client_port:int4
  backend_start:timestamptz xact_start:timestamptz query_start:timestamptz state_change:timestamptz wait_event_type:text
  wait_event:text state:text backend_xid:oid backend_xmin:oid query_id:int8 query:text backend_type:text`,
(ctx) => (ctx.session.backends?.list() ?? []).map((b) => {
  const isIdle = b.state !== 'active'
  return [
    DATABASE_OID, b.database, b.pid, null, SUPERUSER_OID, b.user, b.applicationName, b.clientAddress, null, b.clientPort,
    b.backendStartUs, b.xactStartUs, b.queryStartUs, b.stateChangeUs, isIdle ? 'Client' : null, isIdle ? 'ClientRead' : null,
    b.state, null, null, null, b.query, 'client backend',
  ]
}))

/** An advisory lock key's classid / objid / objsubid, as pg_locks shows it (an int8 split in halves; two int4 as is). */
function advisoryKeyColumns(key: string): [number, number, number] {
  const parts = key.split(':')
  if (parts[0] === '1') {
    const value = BigInt.asUintN(64, BigInt(parts[1]!))
    return [Number(value >> 32n), Number(value & 0xffffffffn), 1]
  }
  return [Number(parts[1]) >>> 0, Number(parts[2]) >>> 0, 2]
}

/** pg_locks: the advisory locks (nodedb takes no other locks a client could see), held and awaited. */
export const PG_LOCKS: VirtualTable = defineTable('pg_catalog', 'pg_locks', 12073, `locktype:text database:oid relation:oid page:int4
  tuple:int2 virtualxid:text transactionid:oid classid:oid objid:oid objsubid:int2 virtualtransaction:text pid:int4 mode:text
  granted:bool fastpath:bool waitstart:timestamptz`,
(ctx) => (ctx.session.backends === undefined ? [] : advisoryLocks(ctx.session.backends).list()).map((lock) => [
  'advisory', DATABASE_OID, null, null, null, null, null, ...advisoryKeyColumns(lock.key), `${lock.pid}/1`, lock.pid,
  lock.mode === 'exclusive' ? 'ExclusiveLock' : 'ShareLock', lock.granted, false, null,
]))

/** regtypeout: format_type's name of a type OID, the number when nodedb has no such type. */
function regtypeText(oid: number): string {
  const name = PG_TYPE_NAMES.find((key) => PG_TYPES[key].oid === oid)
  return name === undefined ? String(oid) : PG_TYPES[name].formatName
}

/**
 * The session's named prepared statements (PREPARE and the protocol's Parse). parameter_types prints as regtype[]
 * prints (format_type's names); generic_plans counts every Bind and EXECUTE, custom_plans is 0: nodedb plans a
 * statement once with its parameters as parameters and reuses that plan, never one per set of values.
 */
export const PG_PREPARED_STATEMENTS: VirtualTable = defineTable('pg_catalog', 'pg_prepared_statements', 12095,
  'name:text statement:text prepare_time:timestamptz parameter_types:_regtype from_sql:bool generic_plans:int8 custom_plans:int8',
  (ctx) => (ctx.session.preparedStatements?.list() ?? []).map((info) => [
    info.name, info.text, info.preparedAtUs,
    formatArrayText(info.paramTypeOids.map(regtypeText)),
    info.fromSql, BigInt(info.plans), 0n,
  ]))

export const PG_TABLESPACE: VirtualTable = defineTable('pg_catalog', 'pg_tablespace', 1213,
  'oid:oid spcname:name spcowner:oid spcacl:_text spcoptions:_text',
  () => [[DEFAULT_TABLESPACE_OID, 'pg_default', SUPERUSER_OID, null, null], [1664, 'pg_global', SUPERUSER_OID, null, null]])

export const PG_COLLATION: VirtualTable = defineTable('pg_catalog', 'pg_collation', 3456, `oid:oid collname:name collnamespace:oid
  collowner:oid collprovider:char collisdeterministic:bool collencoding:int4 collcollate:text collctype:text colliculocale:text
  collversion:text`,
() => [
  [DEFAULT_COLLATION_OID, 'default', PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID, 'd', true, -1, null, null, null, null],
  [950, 'C', PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID, 'c', true, -1, 'C', 'C', null, null],
  [951, 'POSIX', PG_CATALOG_NAMESPACE_OID, SUPERUSER_OID, 'c', true, -1, 'POSIX', 'POSIX', null, null],
])

export const EMPTY_CATALOG_TABLES: ReadonlyArray<VirtualTable> = [
  emptyTable('pg_auth_members', 1261, 'roleid:oid member:oid grantor:oid admin_option:bool'),
  emptyTable('pg_index', 2610, `indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indnullsnotdistinct:bool indisprimary:bool
    indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool
    indisreplident:bool indkey:_int2 indcollation:_oid indclass:_oid indoption:_int2 indexprs:text indpred:text`),
  emptyTable('pg_description', 2609, 'objoid:oid classoid:oid objsubid:int4 description:text'),
  emptyTable('pg_constraint', 2606, `oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool
    convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid confupdtype:char confdeltype:char
    confmatchtype:char conislocal:bool coninhcount:int4 connoinherit:bool conkey:_int2 confkey:_int2 conpfeqop:_oid conppeqop:_oid
    conffeqop:_oid confdelsetcols:_int2 conexclop:_oid conbin:text`),
  emptyTable('pg_inherits', 2611, 'inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool'),
  emptyTable('pg_extension', 3079, `oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion:text
    extconfig:_oid extcondition:_text`),
  emptyTable('pg_statistic_ext', 3381, `oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4
    stxkeys:_int2 stxkind:_char stxexprs:text`),
  emptyTable('pg_policy', 3256, `oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:_oid polqual:text
    polwithcheck:text`),
  emptyTable('pg_publication', 6104, `oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool
    pubdelete:bool pubtruncate:bool pubviaroot:bool`),
  emptyTable('pg_publication_namespace', 6237, 'oid:oid pnpubid:oid pnnspid:oid'),
  emptyTable('pg_publication_rel', 6106, 'oid:oid prpubid:oid prrelid:oid prqual:text prattrs:_int2'),
  emptyTable('pg_trigger', 2620, `oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char
    tgisinternal:bool tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2
    tgattr:_int2 tgargs:text tgqual:text tgoldtable:name tgnewtable:name`),
  emptyTable('pg_rewrite', 2618, 'oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool ev_qual:text ev_action:text'),
  emptyTable('pg_foreign_table', 3118, 'ftrelid:oid ftserver:oid ftoptions:_text'),
  emptyTable('pg_partitioned_table', 3350, `partrelid:oid partstrat:char partnatts:int2 partdefid:oid partattrs:_int2
    partclass:_oid partcollation:_oid partexprs:text`),
  emptyTable('pg_sequence', 2224, `seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 seqcache:int8
    seqcycle:bool`),
  emptyTable('pg_range', 3541, 'rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid rngsubopc:oid rngcanonical:regproc rngsubdiff:regproc'),
  emptyTable('pg_enum', 3501, 'oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name'),
]
