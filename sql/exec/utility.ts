// sql/exec/utility: SET, SHOW, BEGIN/COMMIT/ROLLBACK, DISCARD ALL and DEALLOCATE against the session's settings.
// There are no real transactions yet: every write is durable on its own, so BEGIN/COMMIT only report the state change
// to wire (which also restores settings on ROLLBACK, session-settings.ts).
import { assertNever } from '../../src/common/assert.js'
import { activeSqlTransaction } from '../../src/common/errors.js'
import type { BackgroundFailure, DiskStatus, Engine, SyncStatus } from '../../engine/api.js'
import type { FieldDescription, SessionContext, StatementResult } from '../api.js'
import { PG_TYPES } from '../bind/types.js'
import type { SqlClose, SqlDeallocate, SqlDiscard, SqlSavepoint, SqlSet, SqlShow, SqlTransaction } from '../parse/ast.js'
import { applySet, resetAllSettings, showAllSettings, showSetting } from './session-settings.js'
import { settingDef } from './settings.js'
import { listen } from './notifications.js'

/** SHOW nodedb_status (issue 12): the engine's write state, free space and failing background writers. */
const STATUS_SETTING = 'nodedb_status'

/** SHOW's columns: the setting as PostgreSQL spells it (SHOW datestyle → DateStyle); SHOW ALL's three. */
export function showFields(name: string): ReadonlyArray<FieldDescription> {
  const text = PG_TYPES.text
  const field = (fieldName: string): FieldDescription =>
    ({ name: fieldName, tableOid: 0, columnAttr: 0, typeOid: text.oid, typeSize: text.typlen, typeModifier: -1 })
  if (name === STATUS_SETTING) return [field('name'), field('value')]
  if (name === 'all') return [field('name'), field('setting'), field('description')]
  return [field(settingDef(name)?.name ?? name)]
}

/** Sync health (issue 11): the role, each chain's state and lag, and why ingest is refused for sync (if it is). */
function syncRows(sync: SyncStatus | undefined): string[][] {
  if (sync === undefined || sync.role === null) return [['sync_role', '']]
  const rows = [['sync_role', sync.role], ['sync_writes', sync.refusal === null ? 'accepted' : `refused: ${sync.refusal}`]]
  for (const chain of sync.chains) {
    const lag = `${chain.lagRecords ?? 'unknown'} records, ${chain.lagSeconds === null ? 'unknown' : chain.lagSeconds.toFixed(1)} s behind`
    const error = chain.lastError === null ? '' : `; last error: ${chain.lastError}`
    rows.push([`sync_${chain.nodeId}${chain.incarnation === null ? '' : `_${chain.incarnation}`}`, `${chain.state}, ${lag}${error}`])
  }
  return rows
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
  const notices = applySet(statement, session)
  const commandTag = statement.isReset ? 'RESET' : 'SET'
  return notices.length === 0 ? { kind: 'CommandResult', commandTag } : { kind: 'CommandResult', commandTag, notices }
}

export function executeShow(statement: SqlShow, session: SessionContext, engine?: Engine): StatementResult {
  const status = statement.name === STATUS_SETTING ? engine?.status?.() : undefined
  if (status !== undefined) {
    const rows = [...statusRows(status), ...syncRows(engine?.syncStatus?.())]
    return { kind: 'RowsResult', fields: showFields(STATUS_SETTING), rows, commandTag: 'SHOW' }
  }
  if (statement.name === 'all') {
    const rows = showAllSettings(session)
    return { kind: 'RowsResult', fields: showFields('all'), rows, commandTag: 'SHOW' }
  }
  const [name, value] = showSetting(session, statement.name)
  return { kind: 'RowsResult', fields: showFields(name), rows: [[value]], commandTag: 'SHOW' }
}

export function executeTransaction(statement: SqlTransaction): StatementResult {
  switch (statement.action) {
    case 'begin': return { kind: 'CommandResult', commandTag: 'BEGIN', transaction: 'begin' }
    case 'commit': return { kind: 'CommandResult', commandTag: 'COMMIT', transaction: 'commit' }
    case 'rollback': return { kind: 'CommandResult', commandTag: 'ROLLBACK', transaction: 'rollback' }
    default: return assertNever(statement.action)
  }
}

/** DISCARD ALL: RESET ALL and UNLISTEN * here; wire deallocates statements and closes portals (sessionEffect). 25001 in a block. */
export function executeDiscard(_statement: SqlDiscard, session: SessionContext): StatementResult {
  if (session.transaction !== undefined) throw activeSqlTransaction('DISCARD ALL cannot run inside a transaction block')
  resetAllSettings(session)
  listen(session, null, false)
  return { kind: 'CommandResult', commandTag: 'DISCARD ALL', sessionEffect: { kind: 'DiscardAll' } }
}

/** DEALLOCATE [PREPARE] name | ALL: prepared statements live in wire, which checks the name (26000). */
export function executeDeallocate(statement: SqlDeallocate): StatementResult {
  const commandTag = statement.name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE'
  return { kind: 'CommandResult', commandTag, sessionEffect: { kind: 'Deallocate', name: statement.name } }
}

/** CLOSE name | ALL: portals live in wire, which checks the name (34000); PostgreSQL's tags CLOSE CURSOR [ALL]. */
export function executeClose(statement: SqlClose): StatementResult {
  const commandTag = statement.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR'
  return { kind: 'CommandResult', commandTag, sessionEffect: { kind: 'ClosePortal', name: statement.name } }
}

/** SAVEPOINT / RELEASE / ROLLBACK TO: wire keeps the savepoints with the block's state and checks them (25P01, 3B001). */
export function executeSavepoint(statement: SqlSavepoint): StatementResult {
  const commandTag = statement.action === 'savepoint' ? 'SAVEPOINT' : statement.action === 'release' ? 'RELEASE' : 'ROLLBACK'
  return { kind: 'CommandResult', commandTag, savepoint: { action: statement.action, name: statement.name } }
}
