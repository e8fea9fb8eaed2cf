// sql/exec/utility: SET, SHOW, BEGIN/COMMIT/ROLLBACK and DISCARD ALL against the session's settings. There are no
// real transactions yet: every write is durable on its own, so BEGIN/COMMIT only report the state change to wire.
import { assertNever } from '../../src/common/assert.js'
import { undefinedObject } from '../../src/common/errors.js'
import type { BackgroundFailure, DiskStatus, Engine } from '../../engine/api.js'
import type { FieldDescription, SessionContext, StatementResult } from '../api.js'
import { PG_TYPES } from '../bind/types.js'
import { canonicalTimeZone } from '../expr/time-zone.js'
import type { SqlDiscard, SqlSet, SqlShow, SqlTransaction } from '../parse/ast.js'

/** Settings PostgreSQL reports with ParameterStatus when they change, spelled as PostgreSQL spells them. */
const REPORTED: Readonly<Record<string, string>> = {
  application_name: 'application_name', client_encoding: 'client_encoding', datestyle: 'DateStyle',
  intervalstyle: 'IntervalStyle', timezone: 'TimeZone', integer_datetimes: 'integer_datetimes',
  is_superuser: 'is_superuser', server_encoding: 'server_encoding', server_version: 'server_version',
  session_authorization: 'session_authorization', standard_conforming_strings: 'standard_conforming_strings',
  default_transaction_read_only: 'default_transaction_read_only', in_hot_standby: 'in_hot_standby',
}

/** Settings SHOW knows even when the session map lacks them, with PostgreSQL 15's defaults. */
const DEFAULTS: Readonly<Record<string, string>> = {
  server_version: '15.0', server_version_num: '150000', server_encoding: 'UTF8', client_encoding: 'UTF8',
  datestyle: 'ISO, MDY', intervalstyle: 'postgres', timezone: 'UTC', integer_datetimes: 'on',
  standard_conforming_strings: 'on', application_name: '', search_path: '"$user", public', extra_float_digits: '1',
  statement_timeout: '0', lock_timeout: '0', idle_in_transaction_session_timeout: '0', client_min_messages: 'notice',
  transaction_isolation: 'read committed', default_transaction_isolation: 'read committed',
  default_transaction_read_only: 'off', transaction_read_only: 'off', max_identifier_length: '63', bytea_output: 'hex',
  is_superuser: 'on', in_hot_standby: 'off', synchronous_commit: 'on', work_mem: '4MB', jit: 'off', row_security: 'on',
  max_connections: '1000', lc_messages: 'C', lc_monetary: 'C', lc_numeric: 'C', lc_time: 'C', block_size: '8192',
}

function isKnownSetting(name: string, session: SessionContext): boolean {
  return session.settings.has(name) || Object.hasOwn(DEFAULTS, name) || name.includes('.')
}

/** SHOW nodedb_status (issue 12): the engine's write state, free space and failing background writers. */
const STATUS_SETTING = 'nodedb_status'

export function showFields(name: string): ReadonlyArray<FieldDescription> {
  const text = PG_TYPES.text
  const field = (fieldName: string): FieldDescription =>
    ({ name: fieldName, tableOid: 0, columnAttr: 0, typeOid: text.oid, typeSize: text.typlen, typeModifier: -1 })
  return name === STATUS_SETTING ? [field('name'), field('value')] : [field(name)]
}

function statusRows(status: DiskStatus): string[][] {
  const rows = [
    ['state', status.state], ['detail', status.detail ?? ''], ['disk_free_bytes', String(status.freeBytes ?? '')],
    ['disk_total_bytes', String(status.totalBytes ?? '')], ['disk_reserve_bytes', String(status.reserveBytes)],
    ['writes_resumed_count', String(status.resumeCount)],
  ]
  for (const failure of status.backgroundFailures) rows.push([`${failure.task}${failure.scope === '' ? '' : `_${failure.scope}`}_failing`, failingText(failure)])
  return rows
}

/** "3 failed attempts since …, next attempt at …: <last error>" (the next attempt runs by itself, no traffic needed). */
function failingText(failure: BackgroundFailure): string {
  const next = failure.nextRetryMs === null ? 'next attempt after the next committed flush' : `next attempt at ${new Date(failure.nextRetryMs).toISOString()}`
  return `${failure.count} failed attempt${failure.count === 1 ? '' : 's'} since ${new Date(failure.sinceMs).toISOString()}, ${next}: ${failure.detail}`
}

export function executeSet(statement: SqlSet, session: SessionContext): StatementResult {
  if (!isKnownSetting(statement.name, session)) throw undefinedObject(`unrecognized configuration parameter "${statement.name}"`)
  const raw = /^default$/i.test(statement.value) ? DEFAULTS[statement.name] ?? '' : statement.value
  // TimeZone is validated and canonicalized as PostgreSQL does (22023 for an unknown zone).
  const value = statement.name === 'timezone' ? canonicalTimeZone(raw) : raw
  session.settings.set(statement.name, value)
  const reported = REPORTED[statement.name]
  return reported === undefined
    ? { kind: 'CommandResult', commandTag: 'SET' }
    : { kind: 'CommandResult', commandTag: 'SET', parameterStatus: { name: reported, value } }
}

export function executeShow(statement: SqlShow, session: SessionContext, engine?: Engine): StatementResult {
  const status = statement.name === STATUS_SETTING ? engine?.status?.() : undefined
  if (status !== undefined) return { kind: 'RowsResult', fields: showFields(STATUS_SETTING), rows: statusRows(status), commandTag: 'SHOW' }
  const value = session.settings.get(statement.name) ?? (Object.hasOwn(DEFAULTS, statement.name) ? DEFAULTS[statement.name] : undefined)
  if (value === undefined) throw undefinedObject(`unrecognized configuration parameter "${statement.name}"`)
  return { kind: 'RowsResult', fields: showFields(statement.name), rows: [[value]], commandTag: 'SHOW' }
}

export function executeTransaction(statement: SqlTransaction): StatementResult {
  switch (statement.action) {
    case 'begin': return { kind: 'CommandResult', commandTag: 'BEGIN', transaction: 'begin' }
    case 'commit': return { kind: 'CommandResult', commandTag: 'COMMIT', transaction: 'commit' }
    case 'rollback': return { kind: 'CommandResult', commandTag: 'ROLLBACK', transaction: 'rollback' }
    default: return assertNever(statement.action)
  }
}

export function executeDiscard(_statement: SqlDiscard): StatementResult {
  return { kind: 'CommandResult', commandTag: 'DISCARD ALL' }
}

/** For current_setting(): the session's value, else the default. */
export function settingsWithDefaults(session: SessionContext): ReadonlyMap<string, string> {
  const merged = new Map<string, string>(Object.entries(DEFAULTS))
  for (const [name, value] of session.settings) merged.set(name, value)
  merged.set('user', session.user)
  merged.set('database', session.database)
  return merged
}
