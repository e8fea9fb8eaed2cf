// sql/exec/session-settings: one session's settings as PostgreSQL 15 keeps them — startup values validated, SET /
// SET LOCAL / RESET / RESET ALL, values restored by ROLLBACK (and SET LOCAL ones by COMMIT), DISCARD ALL, and the
// reported values wire compares before each ReadyForQuery to send ParameterStatus for what changed.
import { DbError, invalidParameterValue, setLocalOutsideTransaction, undefinedObject } from '../../src/common/errors.js'
import type { SessionContext } from '../api.js'
import type { SqlSet } from '../parse/ast.js'
import { flattenListSetting, intSettingValue } from './setting-values.js'
import { isCustomSetting, parseSetting, SETTINGS, settingDef, type SettingDef } from './settings.js'

/** Startup packet keys that are not settings. */
const STARTUP_KEYS = new Set(['user', 'database', 'options', 'replication'])

function unrecognized(name: string): DbError {
  return undefinedObject(`unrecognized configuration parameter "${name}"`)
}

function asFatal(error: unknown): unknown {
  if (!(error instanceof DbError)) return error
  return new DbError({ severity: 'FATAL', code: error.code, message: error.message, detail: error.detail, hint: error.hint })
}

/** `options=-c name=value --name=value`: libpq's way of setting parameters at startup. */
function startupOptions(options: string): Array<readonly [string, string]> {
  const words = options.match(/(?:\\.|\S)+/g) ?? []
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] ?? '').replace(/\\(.)/g, '$1')
    const assignment = word === '-c' ? (words[++i] ?? '').replace(/\\(.)/g, '$1') : word.startsWith('--') ? word.slice(2) : word.startsWith('-c') ? word.slice(2) : null
    if (assignment === null) throw invalidParameterValue(`invalid command-line argument for server process: ${word}`)
    const eq = assignment.indexOf('=')
    if (eq <= 0) throw invalidParameterValue(`invalid command-line argument for server process: ${word}`)
    pairs.push([assignment.slice(0, eq).replace(/-/g, '_').toLowerCase(), assignment.slice(eq + 1)])
  }
  return pairs
}

/**
 * Validates the startup packet's settings (already in `settings`, seeded with the reported defaults) as PostgreSQL
 * does — FATAL 22023 / 42704 — canonicalizes them, applies `options`, and records the values RESET returns to.
 */
export function initSessionSettings(session: SessionContext, startup: ReadonlyMap<string, string>): void {
  try {
    const assignments: Array<readonly [string, string]> = [...startup].filter(([key]) => !STARTUP_KEYS.has(key.toLowerCase()) && !key.startsWith('_pq_.'))
    assignments.push(...startupOptions(startup.get('options') ?? ''))
    for (const [key, value] of assignments) {
      const def = settingDef(key)
      const lower = key.toLowerCase()
      if (def === undefined && !isCustomSetting(lower)) throw unrecognized(lower)
      session.settings.set(lower, def === undefined ? value : parseSetting(def, value, lower, currentValue(session, def)))
    }
  } catch (thrown) {
    throw asFatal(thrown)
  }
  session.resetValues = new Map(session.settings)
}

function currentValue(session: SessionContext, def: SettingDef): string {
  return session.settings.get(def.name.toLowerCase()) ?? def.boot
}

function resetValue(session: SessionContext, def: SettingDef): string {
  return session.resetValues?.get(def.name.toLowerCase()) ?? def.boot
}

/**
 * SET / SET LOCAL / RESET / RESET ALL. Returns the notices to send (SET LOCAL outside a block: WARNING 25P01).
 * `isRawValue`: the value is the setting's text as set_config passes it (a list is not one quoted item).
 */
export function applySet(statement: SqlSet, session: SessionContext, isRawValue = false): DbError[] {
  if (statement.isLocal && session.transaction === undefined) return [setLocalOutsideTransaction()]
  const store = (key: string, value: string): void => {
    session.settings.set(key, value)
    if (!statement.isLocal) session.transaction?.kept.set(key, value)
  }
  if (statement.name === 'all') {
    for (const def of SETTINGS) if (def.isFixed !== true && def.parse !== undefined) store(def.name.toLowerCase(), resetValue(session, def))
    return []
  }
  const name = statement.name.toLowerCase()
  const def = settingDef(name)
  if (def === undefined) {
    if (!isCustomSetting(name)) throw unrecognized(name)
    store(name, statement.value ?? session.resetValues?.get(name) ?? '')
    return []
  }
  if (statement.value === null) {
    if (def.isFixed === true) parseSetting(def, '', name, '') // 55P02
    store(name, resetValue(session, def))
    return []
  }
  if (statement.items.length > 1 && def.isList !== true && def.name !== 'DateStyle') {
    throw invalidParameterValue(`SET ${name} takes only one argument`)
  }
  const text = def.isList === true && !isRawValue ? flattenListSetting(statement.items) : statement.value
  store(name, parseSetting(def, text, name, currentValue(session, def)))
  return []
}

/**
 * set_config(name, value, is_local): SET (or SET LOCAL in a transaction block) with the raw value, a NULL value
 * resetting; the value as SHOW prints it. is_local outside a block lasts as long as PostgreSQL's implicit
 * transaction — the statement — so the setting is restored at once.
 */
export function setConfig(session: SessionContext, name: string, value: string | null, isLocal: boolean): string {
  const key = name.toLowerCase()
  if (key === 'all') throw unrecognized(name)
  const isStatementOnly = isLocal && session.transaction === undefined
  const before = session.settings.get(key)
  applySet({ kind: 'SqlSet', name, value, items: value === null ? [] : [value], isLocal: isLocal && !isStatementOnly, isReset: value === null }, session, true)
  const shown = showSetting(session, key)[1]
  if (isStatementOnly) {
    if (before === undefined) session.settings.delete(key)
    else session.settings.set(key, before)
  }
  return shown
}

/** SHOW name: [column name, value]; 42704 for a setting nodedb does not know. */
export function showSetting(session: SessionContext, name: string): readonly [string, string] {
  const def = settingDef(name)
  if (def !== undefined) return [def.name, currentValue(session, def)]
  const custom = isCustomSetting(name) ? session.settings.get(name.toLowerCase()) : undefined
  if (custom === undefined) throw unrecognized(name)
  return [name, custom]
}

/** SHOW ALL: name, setting, description of every setting not hidden from it, sorted by name. */
export function showAllSettings(session: SessionContext): string[][] {
  return SETTINGS.filter((def) => def.isHidden !== true).map((def) => [def.name, currentValue(session, def), def.description])
}

/** pg_settings' rows: name, setting (a count of `unit` for integers with units), unit, short_desc, context, vartype, boot_val, reset_val. */
export function settingsCatalogRows(session: SessionContext): Array<Array<string | null>> {
  return SETTINGS.filter((def) => def.isHidden !== true).map((def) => {
    const raw = (shown: string): string => (def.unit === undefined ? shown : String(intSettingValue(shown, def.unit)))
    return [def.name, raw(currentValue(session, def)), def.unit ?? null, def.description, def.isFixed === true ? 'internal' : 'user',
      def.vartype ?? 'string', raw(def.boot), raw(resetValue(session, def))]
  })
}

interface MergedSettings {
  /** The session's own values the merge was made from (a session holds a handful; every known setting is many more). */
  readonly own: ReadonlyArray<readonly [string, string]>
  readonly user: string
  readonly database: string
  readonly merged: ReadonlyMap<string, string>
}

// Every statement reads the merged settings (functionContext) and every ReadyForQuery the reported ones; they change
// only on SET/RESET/ROLLBACK, so the last merge per session is kept while the session's own values are the same
// (compared, not versioned: several places write session.settings).
const MERGED_SETTINGS = new WeakMap<SessionContext, MergedSettings>()
const REPORTED_BY_MERGED = new WeakMap<ReadonlyMap<string, string>, ReadonlyArray<readonly [string, string]>>()
const REPORTED_DEFS = SETTINGS.filter((def) => def.isReported === true)

function isSameSettings(cached: MergedSettings, session: SessionContext): boolean {
  if (cached.own.length !== session.settings.size || cached.user !== session.user || cached.database !== session.database) return false
  for (const [name, value] of cached.own) if (session.settings.get(name) !== value) return false
  return true
}

/**
 * Every known setting's value with `user` and `database` (current_setting()); the same map, never to be changed,
 * while the session's settings are unchanged.
 */
export function mergedSettings(session: SessionContext): ReadonlyMap<string, string> {
  const cached = MERGED_SETTINGS.get(session)
  if (cached !== undefined && isSameSettings(cached, session)) return cached.merged
  const merged = currentSettings(session)
  merged.set('user', session.user)
  merged.set('database', session.database)
  MERGED_SETTINGS.set(session, { own: [...session.settings], user: session.user, database: session.database, merged })
  return merged
}

/** Every known setting's current value (current_setting(), pg_settings): defaults under the session's values. */
export function currentSettings(session: SessionContext): Map<string, string> {
  const merged = new Map<string, string>(SETTINGS.map((def) => [def.name.toLowerCase(), def.boot]))
  for (const [name, value] of session.settings) merged.set(name, value)
  return merged
}

/** BEGIN: what ROLLBACK restores. */
export function beginSettingsTransaction(session: SessionContext): void {
  if (session.transaction !== undefined) return
  session.transaction = { saved: new Map(session.settings), kept: new Map(session.settings) }
}

/** COMMIT keeps the block's SETs and drops its SET LOCALs; ROLLBACK (or COMMIT of a failed block) drops both. */
export function endSettingsTransaction(session: SessionContext, isCommit: boolean): void {
  const transaction = session.transaction
  if (transaction === undefined) return
  session.transaction = undefined
  replaceAll(session.settings, isCommit ? transaction.kept : transaction.saved)
}

/** DISCARD ALL's RESET ALL (it is refused inside a block, so there is no transaction to track). */
export function resetAllSettings(session: SessionContext): void {
  applySet({ kind: 'SqlSet', name: 'all', value: null, items: [], isLocal: false, isReset: true }, session)
}

function replaceAll(target: Map<string, string>, source: ReadonlyMap<string, string>): void {
  target.clear()
  for (const [name, value] of source) target.set(name, value)
}

/** The GUC_REPORT settings' current values, as ParameterStatus names and shows them. */
export function reportedSettings(session: SessionContext): ReadonlyArray<readonly [string, string]> {
  const merged = mergedSettings(session)
  let reported = REPORTED_BY_MERGED.get(merged)
  if (reported === undefined) {
    reported = REPORTED_DEFS.map((def) => [def.name, currentValue(session, def)] as const)
    REPORTED_BY_MERGED.set(merged, reported)
  }
  return reported
}

/** A time setting in milliseconds (statement_timeout, idle_session_timeout, …); 0 when unset. */
export function settingMs(session: SessionContext, name: string): number {
  const value = session.settings.get(name)
  return value === undefined ? 0 : intSettingValue(value, 'ms')
}
