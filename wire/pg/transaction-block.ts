// wire/pg/transaction-block: the session's transaction status (I/T/E as ReadyForQuery reports it), its savepoints,
// and what each boundary does to settings, portals and data. Writes inside a transaction wait in the session's
// SessionWrites (sql/exec/pending-writes.ts): COMMIT applies them, ROLLBACK drops them, ROLLBACK TO SAVEPOINT drops
// those after the savepoint — all exact. Outside a block, a multi-statement Query and the Executes before a Sync are
// one implicit transaction (PostgreSQL's): committed at its end, rolled back when a statement of it failed.
import {
  DbError, inFailedTransaction, noActiveSqlTransaction, transactionWarning, undefinedSavepoint,
} from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import {
  beginSettingsTransaction, endSettingsTransaction, restoreSettings, SessionWrites, snapshotSettings,
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
  /** SessionWrites.mark when it was made: ROLLBACK TO undoes the writes after it. */
  readonly mark: number
  readonly settings: SettingsSnapshot
  readonly portalSerial: number
}

const SAVEPOINT_STATEMENTS: Readonly<Record<SavepointEffect['action'], string>> = {
  savepoint: 'SAVEPOINT', release: 'RELEASE SAVEPOINT', rollbackTo: 'ROLLBACK TO SAVEPOINT',
}

export class TransactionBlock {
  private current: TransactionStatus = 'I'
  private savepoints: Savepoint[] = []
  /** The session's transaction writes (SessionContext.writes). */
  readonly writes = new SessionWrites()
  /** Statements run in an implicit transaction (a multi-statement Query, Executes before Sync) not yet ended. */
  private isImplicit = false
  /** A statement of the implicit transaction failed: its end rolls back. */
  private isImplicitFailed = false

  constructor(private readonly portals: PortalLifetimes) {}

  get status(): TransactionStatus {
    return this.current
  }

  /**
   * An error inside a block fails it (E) until ROLLBACK, or ROLLBACK TO a savepoint; one in an implicit transaction
   * rolls it back at its end. Returns the error to send: when statements of the implicit transaction that nothing
   * undoes (DELETE, DROP, …) already ran, its detail says they stay done.
   */
  fail(error: DbError): DbError {
    if (this.current === 'T') {
      this.current = 'E'
      this.writes.releaseAfter(this.savepoints.at(-1)?.mark ?? 0) // the aborted (sub)transaction's xact advisory locks
    }
    if (this.current === 'I' && !this.isImplicit && !this.writes.isEmpty) {
      // A failed autocommit statement: what it left for its commit (NOTIFY) is dropped, its xact locks released.
      this.writes.rollback().catch((thrown: unknown) => log.error({ err: thrown }, 'rollback of a failed statement failed'))
    }
    if (this.current !== 'I' || !this.isImplicit) return error
    this.isImplicitFailed = true
    const kept = this.writes.irreversible
    if (kept.length === 0) return error
    const detail = `${[...new Set(kept)].join(', ')} earlier in this implicit transaction ran at once and is not rolled back`
    return new DbError({ ...error, message: error.message, detail: error.detail === undefined ? detail : `${error.detail}\n${detail}` })
  }

  /** A statement of an implicit transaction follows: its writes wait for the transaction's end. */
  enterImplicit(): void {
    this.isImplicit = true
    this.writes.isInTransaction = true
  }

  /**
   * The end of the implicit transaction (the Query's last statement, Sync; an autocommit statement is one too):
   * commit, or roll back after an error. Inside a block (a BEGIN made it explicit) nothing ends. Undefined when there
   * is nothing to do (no write, no undo, no xact advisory lock held): the autocommit path pays nothing more.
   */
  endImplicit(): Promise<void> | undefined {
    if (this.current !== 'I') return undefined // an autocommit statement ends here too (its xact advisory locks)
    const isFailed = this.isImplicitFailed
    this.isImplicit = false
    this.isImplicitFailed = false
    this.writes.isInTransaction = false
    if (this.writes.irreversible.length > 0) this.writes.irreversible = []
    if (this.writes.isEmpty) return undefined
    return isFailed ? this.writes.rollback() : this.writes.commit()
  }

  /** The connection is gone: what the transaction holds is dropped (its undos run). */
  abandon(): void {
    this.writes.isInTransaction = false
    this.writes.isInBlock = false
    if (!this.writes.isEmpty) this.writes.rollback().catch((error: unknown) => log.error({ err: error }, 'rollback of a closed session failed'))
  }

  /**
   * The data side of COMMIT, ROLLBACK and ROLLBACK TO, before their CommandComplete: COMMIT resolves once every row is
   * durable; when it fails, the transaction is over (rolled back; settings and portals too) and the error is COMMIT's.
   */
  settle(result: StatementResult, context: SessionContext): Promise<void> | undefined {
    if (result.kind !== 'CommandResult' || this.writes.isEmpty) return undefined
    if (result.savepoint?.action === 'rollbackTo') {
      const savepoint = this.savepoints[this.savepointIndex(result.savepoint.name)]
      return savepoint === undefined ? undefined : this.writes.rollbackTo(savepoint.mark)
    }
    if (result.transaction === 'rollback' || (result.transaction === 'commit' && this.current === 'E')) return this.writes.rollback()
    if (result.transaction !== 'commit') return undefined
    return this.writes.commit().catch((error: unknown) => {
      if (this.current !== 'I') endSettingsTransaction(context, false)
      this.end('rollback')
      throw error
    })
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
      this.writes.isInTransaction = true
      this.writes.isInBlock = true
    }
    if (result.transaction === 'commit' || result.transaction === 'rollback') {
      const isCommit = result.transaction === 'commit' && this.current === 'T'
      if (this.current === 'E') tag = 'ROLLBACK'
      if (this.current === 'I') notices.push(transactionWarning('there is no transaction in progress'))
      endSettingsTransaction(context, isCommit)
      this.end(isCommit ? 'commit' : 'rollback')
    }
    return tag
  }

  /** The block is over: status I; portals end with their transaction (streams cancelled; WITH HOLD cursors outlive a commit). */
  private end(how: 'commit' | 'rollback'): void {
    this.current = 'I'
    this.savepoints = []
    this.writes.isInBlock = false
    this.writes.isInTransaction = this.isImplicit
    this.portals.dropPortals(how)
  }

  /** The newest savepoint of that name (names may repeat; PostgreSQL finds the innermost); -1 when none. */
  private savepointIndex(name: string): number {
    return this.savepoints.map((savepoint) => savepoint.name).lastIndexOf(name)
  }

  private applySavepoint(effect: SavepointEffect, context: SessionContext, tag: string): string {
    if (this.current === 'I') throw noActiveSqlTransaction(SAVEPOINT_STATEMENTS[effect.action])
    if (effect.action === 'savepoint') {
      this.savepoints.push({ name: effect.name, mark: this.writes.mark, settings: snapshotSettings(context), portalSerial: this.portals.lastPortalSerial })
      return tag
    }
    const index = this.savepointIndex(effect.name)
    const savepoint = this.savepoints[index]
    if (savepoint === undefined) throw undefinedSavepoint(effect.name)
    if (effect.action === 'release') {
      this.savepoints = this.savepoints.slice(0, index)
      return tag
    }
    this.savepoints = this.savepoints.slice(0, index + 1)
    restoreSettings(context, savepoint.settings)
    this.portals.dropPortalsAfter(savepoint.portalSerial)
    this.current = 'T'
    return tag
  }
}
