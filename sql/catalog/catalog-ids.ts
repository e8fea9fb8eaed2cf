// sql/catalog/catalog-ids: the fixed identities nodedb's catalog reports, as PostgreSQL 15 numbers them: namespaces,
// the bootstrap superuser, the one database, access methods and tablespaces. User tables are 16384 + tableId - 1
// (sql/bind/catalog.ts).
export const PG_CATALOG_NAMESPACE_OID = 11
export const PUBLIC_NAMESPACE_OID = 2200
export const INFORMATION_SCHEMA_NAMESPACE_OID = 13207
/** Present in every PostgreSQL database (empty here: nodedb has no TOAST tables). */
export const PG_TOAST_NAMESPACE_OID = 99
/** The bootstrap superuser: nodedb reports the session user under this OID (pg_get_userbyid(10)). */
export const SUPERUSER_OID = 10
/** PostgreSQL 15 makes pg_database_owner own schema public. */
export const DATABASE_OWNER_ROLE_OID = 6171
export const DATABASE_OID = 5
export const HEAP_AM_OID = 2
export const DEFAULT_TABLESPACE_OID = 1663
export const DEFAULT_COLLATION_OID = 100
/** pg_encoding_to_char(6) = 'UTF8'. */
export const UTF8_ENCODING = 6

export const NAMESPACES: ReadonlyArray<readonly [number, string, number]> = [
  [PG_CATALOG_NAMESPACE_OID, 'pg_catalog', SUPERUSER_OID],
  [PUBLIC_NAMESPACE_OID, 'public', DATABASE_OWNER_ROLE_OID],
  [INFORMATION_SCHEMA_NAMESPACE_OID, 'information_schema', SUPERUSER_OID],
  [PG_TOAST_NAMESPACE_OID, 'pg_toast', SUPERUSER_OID],
]

export function namespaceOidOf(schema: string): number {
  return NAMESPACES.find(([, name]) => name === schema)?.[0] ?? PUBLIC_NAMESPACE_OID
}

/** The virtual relations with PostgreSQL 15's OIDs; relkind 'v' for those PostgreSQL defines as views. */
export const VIRTUAL_RELATIONS: ReadonlyArray<readonly [schema: string, name: string, oid: number, relkind: 'r' | 'v']> = [
  ['pg_catalog', 'pg_type', 1247, 'r'], ['pg_catalog', 'pg_attribute', 1249, 'r'], ['pg_catalog', 'pg_proc', 1255, 'r'],
  ['pg_catalog', 'pg_class', 1259, 'r'], ['pg_catalog', 'pg_authid', 1260, 'r'], ['pg_catalog', 'pg_auth_members', 1261, 'r'],
  ['pg_catalog', 'pg_database', 1262, 'r'], ['pg_catalog', 'pg_tablespace', 1213, 'r'], ['pg_catalog', 'pg_namespace', 2615, 'r'],
  ['pg_catalog', 'pg_am', 2601, 'r'], ['pg_catalog', 'pg_attrdef', 2604, 'r'], ['pg_catalog', 'pg_constraint', 2606, 'r'],
  ['pg_catalog', 'pg_description', 2609, 'r'], ['pg_catalog', 'pg_index', 2610, 'r'], ['pg_catalog', 'pg_inherits', 2611, 'r'],
  ['pg_catalog', 'pg_rewrite', 2618, 'r'], ['pg_catalog', 'pg_trigger', 2620, 'r'], ['pg_catalog', 'pg_sequence', 2224, 'r'],
  ['pg_catalog', 'pg_extension', 3079, 'r'], ['pg_catalog', 'pg_foreign_table', 3118, 'r'], ['pg_catalog', 'pg_policy', 3256, 'r'],
  ['pg_catalog', 'pg_partitioned_table', 3350, 'r'], ['pg_catalog', 'pg_statistic_ext', 3381, 'r'],
  ['pg_catalog', 'pg_collation', 3456, 'r'], ['pg_catalog', 'pg_enum', 3501, 'r'], ['pg_catalog', 'pg_range', 3541, 'r'],
  ['pg_catalog', 'pg_publication', 6104, 'r'], ['pg_catalog', 'pg_publication_rel', 6106, 'r'],
  ['pg_catalog', 'pg_publication_namespace', 6237, 'r'], ['pg_catalog', 'pg_roles', 12000, 'v'], ['pg_catalog', 'pg_user', 12014, 'v'],
  ['pg_catalog', 'pg_settings', 12104, 'v'],
  ['pg_catalog', 'pg_conversion', 2607, 'r'], ['pg_catalog', 'pg_cast', 2605, 'r'], ['pg_catalog', 'pg_operator', 2617, 'r'],
  ['pg_catalog', 'pg_opclass', 2616, 'r'], ['pg_catalog', 'pg_opfamily', 2753, 'r'], ['pg_catalog', 'pg_amop', 2602, 'r'],
  ['pg_catalog', 'pg_amproc', 2603, 'r'], ['pg_catalog', 'pg_language', 2612, 'r'], ['pg_catalog', 'pg_foreign_data_wrapper', 2328, 'r'],
  ['pg_catalog', 'pg_foreign_server', 1417, 'r'], ['pg_catalog', 'pg_user_mapping', 1418, 'r'], ['pg_catalog', 'pg_event_trigger', 3466, 'r'],
  ['pg_catalog', 'pg_db_role_setting', 2964, 'r'], ['pg_catalog', 'pg_subscription', 6100, 'r'], ['pg_catalog', 'pg_ts_config', 3602, 'r'],
  ['pg_catalog', 'pg_ts_dict', 3600, 'r'], ['pg_catalog', 'pg_ts_parser', 3601, 'r'], ['pg_catalog', 'pg_ts_template', 3764, 'r'],
  ['pg_catalog', 'pg_default_acl', 826, 'r'], ['pg_catalog', 'pg_largeobject_metadata', 2995, 'r'], ['pg_catalog', 'pg_transform', 3576, 'r'],
  ['pg_catalog', 'pg_user_mappings', 12327, 'v'], ['pg_catalog', 'pg_views', 12028, 'v'], ['pg_catalog', 'pg_tables', 12033, 'v'],
  ['pg_catalog', 'pg_matviews', 12038, 'v'], ['pg_catalog', 'pg_indexes', 12043, 'v'], ['pg_catalog', 'pg_sequences', 12048, 'v'],
  ['pg_catalog', 'pg_prepared_statements', 12095, 'v'], ['pg_catalog', 'pg_stat_activity', 12222, 'v'],
  ['pg_catalog', 'pg_locks', 12073, 'v'],
  ['pg_catalog', 'pg_stat_database', 12266, 'v'], ['pg_catalog', 'pg_stat_database_conflicts', 12271, 'v'],
  ['pg_catalog', 'pg_stat_bgwriter', 12289, 'v'], ['pg_catalog', 'pg_stat_archiver', 12285, 'v'], ['pg_catalog', 'pg_stat_ssl', 12249, 'v'],
  ['pg_catalog', 'pg_stat_gssapi', 12253, 'v'], ['pg_catalog', 'pg_stat_all_tables', 12142, 'v'], ['pg_catalog', 'pg_stat_sys_tables', 12152, 'v'],
  ['pg_catalog', 'pg_stat_user_tables', 12161, 'v'], ['pg_catalog', 'pg_statio_all_tables', 12170, 'v'],
  ['pg_catalog', 'pg_statio_user_tables', 12179, 'v'], ['pg_catalog', 'pg_stat_all_indexes', 12183, 'v'],
  ['pg_catalog', 'pg_stat_user_indexes', 12192, 'v'], ['pg_catalog', 'pg_statio_user_indexes', 12205, 'v'],
  ['pg_catalog', 'pg_stat_user_functions', 12275, 'v'], ['pg_catalog', 'pg_stat_replication', 12227, 'v'],
  ['information_schema', 'columns', 13295, 'v'], ['information_schema', 'schemata', 13382, 'v'],
  ['information_schema', 'tables', 13425, 'v'], ['information_schema', 'views', 13483, 'v'],
  // nodedb's own view (issue 11, sql/catalog/nodedb-sync-table.ts).
  ['pg_catalog', 'nodedb_sync', 9990, 'v'],
]
