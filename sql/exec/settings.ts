// sql/exec/settings: the settings (GUCs) nodedb knows, as PostgreSQL 15 names, describes, validates and displays
// them, and which of them it reports with ParameterStatus. A value PostgreSQL accepts but nodedb cannot honour
// (client_encoding LATIN1, bytea_output escape, …) is refused with 0A000, never stored and ignored. Session state (values, RESET targets, transaction snapshots) lives in session-settings.ts.
import { cantChangeRuntimeParam, featureNotSupportedMessage } from '../../src/common/errors.js'
import { canonicalTimeZone } from '../expr/time-zone.js'
import {
  cleanAscii, type IntUnit, invalidSettingValue, parseBoolSetting, parseDateStyle, parseEnumSetting, parseIntSetting, showIntSetting,
} from './setting-values.js'

export interface SettingDef {
  /** As PostgreSQL spells it (SHOW's column name, SHOW ALL, ParameterStatus). */
  readonly name: string
  /** pg_settings.short_desc, as SHOW ALL prints it. */
  readonly description: string
  /** The value before the startup packet or SET changes it. */
  readonly boot: string
  /** GUC_REPORT: a change is sent to the client as ParameterStatus. */
  readonly isReported?: boolean
  /** Internal or postmaster settings: SET is 55P02. */
  readonly isFixed?: boolean
  /** GUC_NO_SHOW_ALL: SHOW names it, SHOW ALL does not list it. */
  readonly isHidden?: boolean
  /** GUC_LIST_INPUT | GUC_LIST_QUOTE: SET takes several values, quoted as identifiers. */
  readonly isList?: boolean
  /** The value as SHOW prints it; 22023 for an invalid one, 0A000 for one nodedb cannot honour. */
  readonly parse?: (value: string, givenName: string, current: string) => string
  /** pg_settings.vartype ('string' when absent). */
  readonly vartype?: 'bool' | 'integer' | 'enum' | 'string'
  /** pg_settings.unit of an integer setting with units: its value there is a count of it. */
  readonly unit?: IntUnit
}

const INT_MAX = 2147483647

type Kind = Pick<SettingDef, 'parse' | 'vartype' | 'unit'>

function bool(unsupported?: string): Kind {
  const parse = (value: string, name: string): string => {
    const parsed = parseBoolSetting(name, value)
    if (parsed === unsupported) throw notHonoured(name, parsed)
    return parsed
  }
  return { parse, vartype: 'bool' }
}

function int(min: number, max: number, unit?: IntUnit, supportedMin = min): Kind {
  const parse = (value: string, name: string): string => {
    const parsed = parseIntSetting(name, value, min, max, unit)
    if (parsed < supportedMin) throw notHonoured(name, String(parsed))
    return showIntSetting(parsed, unit)
  }
  return unit === undefined ? { parse, vartype: 'integer' } : { parse, vartype: 'integer', unit }
}

function oneOf(values: ReadonlyArray<string>, supported: ReadonlyArray<string> = values): Kind {
  const parse = (value: string, name: string): string => {
    const parsed = parseEnumSetting(name, value, values)
    if (!supported.includes(parsed)) throw notHonoured(name, parsed)
    return parsed
  }
  return { parse, vartype: 'enum' }
}

function notHonoured(name: string, value: string): Error {
  return featureNotSupportedMessage(`${name} = '${value}' is not supported by nodedb`)
}

/** PostgreSQL's encoding names (and aliases) nodedb does not convert to: valid, but 0A000. */
const OTHER_ENCODINGS = new Set([
  'sql_ascii', 'latin1', 'latin2', 'latin3', 'latin4', 'latin5', 'latin6', 'latin7', 'latin8', 'latin9', 'latin10',
  'win1250', 'win1251', 'win1252', 'win1253', 'win1254', 'win1255', 'win1256', 'win1257', 'win1258', 'win866', 'win874',
  'koi8r', 'koi8u', 'euc_jp', 'euc_cn', 'euc_kr', 'euc_tw', 'euc_jis_2004', 'sjis', 'shift_jis_2004', 'big5', 'gbk',
  'gb18030', 'uhc', 'johab', 'mule_internal', 'iso_8859_5', 'iso_8859_6', 'iso_8859_7', 'iso_8859_8', 'windows1252',
])

/** PostgreSQL's clean_encoding_name: only letters and digits count, lower-cased ("'utf-8'", as asyncpg sends it, is utf8). */
const encodingKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '')
const OTHER_ENCODING_KEYS = new Set([...OTHER_ENCODINGS].map(encodingKey))

function clientEncoding(value: string): string {
  const key = encodingKey(value)
  if (key === 'utf8' || key === 'unicode') return 'UTF8'
  if (OTHER_ENCODING_KEYS.has(key)) throw notHonoured('client_encoding', value.toUpperCase())
  throw invalidSettingValue('client_encoding', value)
}


const ISOLATION_LEVELS = ['serializable', 'repeatable read', 'read committed', 'read uncommitted']
const MESSAGE_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']
const LOCALE_ONLY_C: Kind = { parse: oneOf(['C', 'POSIX'], ['C']).parse, vartype: 'string' }

/** Sorted as SHOW ALL lists them (case-insensitively by name). */
export const SETTINGS: ReadonlyArray<SettingDef> = [
  { name: 'application_name', description: 'Sets the application name to be reported in statistics and logs.', boot: '', isReported: true, parse: cleanAscii },
  { name: 'block_size', description: 'Shows the size of a disk block.', boot: '8192', isFixed: true, vartype: 'integer' },
  { name: 'bytea_output', description: 'Sets the output format for bytea.', boot: 'hex', ...oneOf(['escape', 'hex'], ['hex']) },
  { name: 'client_encoding', description: "Sets the client's character set encoding.", boot: 'UTF8', isReported: true, parse: clientEncoding },
  { name: 'client_min_messages', description: 'Sets the message levels that are sent to the client.', boot: 'notice', ...oneOf(MESSAGE_LEVELS) },
  { name: 'DateStyle', description: 'Sets the display format for date and time values.', boot: 'ISO, MDY', isReported: true, parse: (value, _name, current) => parseDateStyle(value, current) },
  { name: 'default_transaction_isolation', description: 'Sets the transaction isolation level of each new transaction.', boot: 'read committed', ...oneOf(ISOLATION_LEVELS) },
  { name: 'default_transaction_read_only', description: 'Sets the default read-only status of new transactions.', boot: 'off', isReported: true, ...bool('on') },
  { name: 'extra_float_digits', description: 'Sets the number of digits displayed for floating-point values.', boot: '1', ...int(-15, 3, undefined, 1) },
  { name: 'idle_in_transaction_session_timeout', description: 'Sets the maximum allowed idle time between queries, when in a transaction.', boot: '0', ...int(0, INT_MAX, 'ms') },
  { name: 'idle_session_timeout', description: 'Sets the maximum allowed idle time between queries, when not in a transaction.', boot: '0', ...int(0, INT_MAX, 'ms') },
  { name: 'in_hot_standby', description: 'Shows whether hot standby is currently active.', boot: 'off', isReported: true, isFixed: true, vartype: 'bool' },
  { name: 'integer_datetimes', description: 'Shows whether datetimes are integer based.', boot: 'on', isReported: true, isFixed: true, vartype: 'bool' },
  { name: 'IntervalStyle', description: 'Sets the display format for interval values.', boot: 'postgres', isReported: true, ...oneOf(['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601']) },
  { name: 'is_superuser', description: 'Shows whether the current user is a superuser.', boot: 'on', isReported: true, isFixed: true, isHidden: true, vartype: 'bool' },
  { name: 'jit', description: 'Allow JIT compilation.', boot: 'off', ...bool() },
  // The database's collation and character classification: C (byte order; lower/upper change ASCII letters only).
  { name: 'lc_collate', description: 'Shows the collation order locale.', boot: 'C', isFixed: true },
  { name: 'lc_ctype', description: 'Shows the character classification and case conversion locale.', boot: 'C', isFixed: true },
  { name: 'lc_messages', description: 'Sets the language in which messages are displayed.', boot: 'C', ...LOCALE_ONLY_C },
  { name: 'lc_monetary', description: 'Sets the locale for formatting monetary amounts.', boot: 'C', ...LOCALE_ONLY_C },
  { name: 'lc_numeric', description: 'Sets the locale for formatting numbers.', boot: 'C', ...LOCALE_ONLY_C },
  { name: 'lc_time', description: 'Sets the locale for formatting date and time values.', boot: 'C', ...LOCALE_ONLY_C },
  { name: 'lock_timeout', description: 'Sets the maximum allowed duration of any wait for a lock.', boot: '0', ...int(0, INT_MAX, 'ms') },
  { name: 'max_connections', description: 'Sets the maximum number of concurrent connections.', boot: '1000', isFixed: true, vartype: 'integer' },
  { name: 'max_identifier_length', description: 'Shows the maximum identifier length.', boot: '63', isFixed: true, vartype: 'integer' },
  { name: 'row_security', description: 'Enable row security.', boot: 'on', ...bool() },
  { name: 'search_path', description: 'Sets the schema search order for names that are not schema-qualified.', boot: '"$user", public', isList: true, parse: (value) => value },
  { name: 'server_encoding', description: 'Shows the server (database) character set encoding.', boot: 'UTF8', isReported: true, isFixed: true },
  { name: 'server_version', description: 'Shows the server version.', boot: '15.0', isReported: true, isFixed: true },
  { name: 'server_version_num', description: 'Shows the server version as an integer.', boot: '150000', isFixed: true, vartype: 'integer' },
  { name: 'session_authorization', description: 'Sets the session user name.', boot: '', isReported: true, isHidden: true, parse: (value) => { throw notHonoured('session_authorization', value) } },
  { name: 'standard_conforming_strings', description: "Causes '...' strings to treat backslashes literally.", boot: 'on', isReported: true, ...bool('off') },
  { name: 'statement_timeout', description: 'Sets the maximum allowed duration of any statement.', boot: '0', ...int(0, INT_MAX, 'ms') },
  { name: 'synchronous_commit', description: "Sets the current transaction's synchronization level.", boot: 'on', ...oneOf(['local', 'remote_write', 'remote_apply', 'on', 'off']) },
  { name: 'TimeZone', description: 'Sets the time zone for displaying and interpreting time stamps.', boot: 'UTC', isReported: true, parse: (value) => canonicalTimeZone(value) },
  { name: 'transaction_isolation', description: "Sets the current transaction's isolation level.", boot: 'read committed', ...oneOf(ISOLATION_LEVELS) },
  { name: 'transaction_read_only', description: "Sets the current transaction's read-only status.", boot: 'off', ...bool('on') },
  { name: 'work_mem', description: 'Sets the maximum memory to be used for query workspaces.', boot: '4MB', ...int(64, INT_MAX, 'kB') },
]

const BY_KEY: ReadonlyMap<string, SettingDef> = new Map(SETTINGS.map((def) => [def.name.toLowerCase(), def]))

/** The definition of a setting by any-case name; undefined for unknown ones (and custom 'x.y' placeholders). */
export function settingDef(name: string): SettingDef | undefined {
  return BY_KEY.get(name.toLowerCase())
}

/** Custom placeholder settings ('myapp.flag', 'nodedb.disabled_optimizers'): any value, kept as text. */
export function isCustomSetting(name: string): boolean {
  return name.includes('.')
}

/** The value SET stores for `def` (22023 / 0A000 / 55P02 as PostgreSQL would refuse it). */
export function parseSetting(def: SettingDef, value: string, givenName: string, current: string): string {
  if (def.isFixed === true || def.parse === undefined) throw cantChangeRuntimeParam(givenName)
  return def.parse(value, givenName, current)
}
