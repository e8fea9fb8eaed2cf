// wire/pg/transaction-block: the session's transaction status (I/T/E as ReadyForQuery reports it), its savepoints,
// and what each boundary does to settings and portals. nodedb's writes are durable at once (no undo), so a
// ROLLBACK TO SAVEPOINT is done only when no write ran since the savepoint — then it is exact, as PostgreSQL's —
// and refused with 0A000 otherwise. Savepoints, cursors and settings roll back; data never needs to.
import {
  featureNotSupportedMessage, inFailedTransaction, noActiveSqlTransaction, transactionWarning, undefinedSavepoint, type DbError,
} from '../../src/common/errors.js'
import {
  beginSettingsTransaction, endSettingsTransaction, restoreSettings, snapshotSettings,
  type PreparedStatement, type SavepointEffect, type SessionContext, type SettingsSnapshot, type StatementResult,
} from '../../sql/api.js'
import type { TransactionStatus } from './backend.js'
import type { PortalsEnd } from './extended-query.js'

/** What the block needs of the session's portals. */
export interface PortalLifetimes {
  dropPortals(end: PortalsEnd): void
  readonly lastPortalSerial: number
  dropPortalsAfter(serial: number): void
  /** A WITH HOLD cursor declared outside a block is committed with its statement. */
  holdPendingCursors(): void
}

interface Savepoint {
  readonly name: string
  /** SessionContext.dataWriteCount when it was made: a larger count now means a write ROLLBACK TO cannot undo. */
  readonly writeCount: number
  readonly settings: SettingsSnapshot
  readonly portalSerial: number
}

const SAVEPOINT_STATEMENTS: Readonly<Record<SavepointEffect['action'], string>> = {
  savepoint: 'SAVEPOINT', release: 'RELEASE SAVEPOINT', rollbackTo: 'ROLLBACK TO SAVEPOINT',
}

export class TransactionBlock {
  private current: TransactionStatus = 'I'
  private savepoints: Savepoint[] = []

  constructor(private readonly portals: PortalLifetimes) {}

  get status(): TransactionStatus {
    return this.current
  }

  /** An error inside a block fails it (E) until ROLLBACK, or ROLLBACK TO a savepoint. */
  fail(): void {
    if (this.current === 'T') this.current = 'E'
  }

  /** In a failed block (E) PostgreSQL runs only COMMIT, ROLLBACK and ROLLBACK TO; everything else gets 25P02. */
  checkNotAborted(statement: PreparedStatement): void {
    const isExit = statement.transaction === 'commit' || statement.transaction === 'rollback' || statement.transaction === 'rollbackTo'
    if (this.current === 'E' && !isExit) throw inFailedTransaction()
  }

  /** Sync: the end of an implicit transaction (outside a block) or of the failed block's portals. */
  sync(): void {
    if (this.current !== 'T') this.portals.dropPortals(this.current === 'E' ? 'rollback' : 'commit')
  }

  /**
   * BEGIN → T; COMMIT/ROLLBACK → I (in E both are a rollback, tag ROLLBACK), settings kept or restored with them;
   * savepoints. Warnings are appended to `notices`; returns the tag to send.
   */
  apply(result: StatementResult & { kind: 'CommandResult' }, context: SessionContext, notices: DbError[]): string {
    if (result.savepoint !== undefined) return this.applySavepoint(result.savepoint, context, result.commandTag)
    if (result.sessionEffect?.kind === 'DeclareCursor' && this.current === 'I') this.portals.holdPendingCursors()
    let tag = result.commandTag
    if (result.transaction === 'begin') {
      if (this.current === 'I') beginSettingsTransaction(context)
      else notices.push(transactionWarning('there is already a transaction in progress'))
      if (this.current === 'I') this.current = 'T'
    }
    if (result.transaction === 'commit' || result.transaction === 'rollback') {
      const isCommit = result.transaction === 'commit' && this.current === 'T'
      if (this.current === 'E') tag = 'ROLLBACK'
      if (this.current === 'I') notices.push(transactionWarning('there is no transaction in progress'))
      endSettingsTransaction(context, isCommit)
      this.current = 'I'
      this.savepoints = []
      // Portals end with their transaction (their streams are cancelled); WITH HOLD cursors outlive a commit.
      this.portals.dropPortals(isCommit ? 'commit' : 'rollback')
    }
    return tag
  }

  private applySavepoint(effect: SavepointEffect, context: SessionContext, tag: string): string {
    if (this.current === 'I') throw noActiveSqlTransaction(SAVEPOINT_STATEMENTS[effect.action])
    if (effect.action === 'savepoint') {
      const writeCount = context.dataWriteCount ?? 0
      this.savepoints.push({ name: effect.name, writeCount, settings: snapshotSettings(context), portalSerial: this.portals.lastPortalSerial })
      return tag
    }
    // The newest savepoint of that name (names may repeat; PostgreSQL finds the innermost).
    const index = this.savepoints.map((savepoint) => savepoint.name).lastIndexOf(effect.name)
    const savepoint = this.savepoints[index]
    if (savepoint === undefined) throw undefinedSavepoint(effect.name)
    if (effect.action === 'release') {
      this.savepoints = this.savepoints.slice(0, index)
      return tag
    }
    if ((context.dataWriteCount ?? 0) > savepoint.writeCount) {
      throw featureNotSupportedMessage(`ROLLBACK TO SAVEPOINT cannot undo the writes made since savepoint "${effect.name}": ` +
        'nodedb writes are durable at once, not transactional (ROLLBACK ends the block and keeps them)')
    }
    this.savepoints = this.savepoints.slice(0, index + 1)
    restoreSettings(context, savepoint.settings)
    this.portals.dropPortalsAfter(savepoint.portalSerial)
    this.current = 'T'
    return tag
  }
}
