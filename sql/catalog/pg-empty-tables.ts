// sql/catalog/pg-empty-tables: more of pg_catalog nodedb has nothing to put in — conversions, casts, operators and
// operator classes, languages, foreign data, event triggers, subscriptions, text search, default ACLs, large objects —
// present and empty with PostgreSQL 15's columns so that every psql 15 backslash command runs and lists nothing
// (\dc, \dC, \do, \dAc, \dAf, \dL, \des, \dew, \deu, \dy, \dRs, \drds, \dF…, \ddp, \lo_list). aclitem[] columns are
// text[] here (nodedb has no aclitem type) and pg_lsn ones text; the tables are empty, so no value shows either.
import { emptyTable } from './define-table.js'
import type { VirtualTable } from './virtual-table.js'

export const MORE_EMPTY_CATALOG_TABLES: ReadonlyArray<VirtualTable> = [
  emptyTable('pg_conversion', 2607, `oid:oid conname:name connamespace:oid conowner:oid conforencoding:int4 contoencoding:int4
    conproc:regproc condefault:bool`),
  emptyTable('pg_cast', 2605, 'oid:oid castsource:oid casttarget:oid castfunc:oid castcontext:char castmethod:char'),
  emptyTable('pg_operator', 2617, `oid:oid oprname:name oprnamespace:oid oprowner:oid oprkind:char oprcanmerge:bool oprcanhash:bool
    oprleft:oid oprright:oid oprresult:oid oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc`),
  emptyTable('pg_opclass', 2616, `oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid opcintype:oid
    opcdefault:bool opckeytype:oid`),
  emptyTable('pg_opfamily', 2753, 'oid:oid opfmethod:oid opfname:name opfnamespace:oid opfowner:oid'),
  emptyTable('pg_amop', 2602, `oid:oid amopfamily:oid amoplefttype:oid amoprighttype:oid amopstrategy:int2 amoppurpose:char
    amopopr:oid amopmethod:oid amopsortfamily:oid`),
  emptyTable('pg_amproc', 2603, 'oid:oid amprocfamily:oid amproclefttype:oid amprocrighttype:oid amprocnum:int2 amproc:regproc'),
  emptyTable('pg_language', 2612, `oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid laninline:oid
    lanvalidator:oid lanacl:_text`),
  emptyTable('pg_foreign_data_wrapper', 2328, `oid:oid fdwname:name fdwowner:oid fdwhandler:oid fdwvalidator:oid fdwacl:_text
    fdwoptions:_text`),
  emptyTable('pg_foreign_server', 1417, `oid:oid srvname:name srvowner:oid srvfdw:oid srvtype:text srvversion:text srvacl:_text
    srvoptions:_text`),
  emptyTable('pg_user_mapping', 1418, 'oid:oid umuser:oid umserver:oid umoptions:_text'),
  emptyTable('pg_event_trigger', 3466, 'oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char evttags:_text'),
  emptyTable('pg_db_role_setting', 2964, 'setdatabase:oid setrole:oid setconfig:_text'),
  emptyTable('pg_subscription', 6100, `oid:oid subdbid:oid subskiplsn:text subname:name subowner:oid subenabled:bool subbinary:bool
    substream:bool subtwophasestate:char subdisableonerr:bool subconninfo:text subslotname:name subsynccommit:text
    subpublications:_text`),
  emptyTable('pg_ts_config', 3602, 'oid:oid cfgname:name cfgnamespace:oid cfgowner:oid cfgparser:oid'),
  emptyTable('pg_ts_dict', 3600, 'oid:oid dictname:name dictnamespace:oid dictowner:oid dicttemplate:oid dictinitoption:text'),
  emptyTable('pg_ts_parser', 3601, `oid:oid prsname:name prsnamespace:oid prsstart:regproc prstoken:regproc prsend:regproc
    prsheadline:regproc prslextype:regproc`),
  emptyTable('pg_ts_template', 3764, 'oid:oid tmplname:name tmplnamespace:oid tmplinit:regproc tmpllexize:regproc'),
  emptyTable('pg_default_acl', 826, 'oid:oid defaclrole:oid defaclnamespace:oid defaclobjtype:char defaclacl:_text'),
  emptyTable('pg_largeobject_metadata', 2995, 'oid:oid lomowner:oid lomacl:_text'),
  emptyTable('pg_user_mappings', 12327, 'umid:oid srvid:oid srvname:name umuser:oid usename:name umoptions:_text'),
  emptyTable('pg_transform', 3576, 'oid:oid trftype:oid trflang:oid trffromsql:regproc trftosql:regproc'),
]
