// wire/pg/statement-run: the running statement of one session — its clock and cancel (StatementGuard: a
// CancelRequest or statement_timeout ends it with 57014), the rows being sent, and the statement's execution: in sql,
// or FETCH / MOVE from a cursor the session keeps; a read is given up at once on a cancel, a COMMIT is durable before
// its answer.
import {
  settingMs, type CursorFetch, type ParamValue, type PreparedStatement, type SessionContext, type SqlFacade, type StatementResult,
} from '../../sql/api.js'
import type { ResultCursor, RowSink } from './result-writer.js'
import { StatementGuard } from './timeouts.js'

/** What the run needs of its session: sql, the session's context, its cursors and its transaction block. */
export interface StatementRunParts {
  readonly execute: SqlFacade['execute']
  readonly context: () => SessionContext
  fetch(fetch: CursorFetch, signal?: AbortSignal): Promise<StatementResult> | StatementResult
  /** COMMIT's apply (TransactionBlock.settle): resolves once its rows are durable. */
  settle(result: StatementResult, context: SessionContext): Promise<void> | undefined
}

export class StatementRun {
  /** The cursor whose rows are being sent now: a CancelRequest or a closed socket stops it (and its scan). */
  private sendingCursor: ResultCursor | null = null
  readonly guard = new StatementGuard(() => this.sendingCursor?.close())

  constructor(private readonly parts: StatementRunParts) {}

  /** Starts the statement clock (statement_timeout as set now); waits such as pg_sleep listen to its signal. */
  begin(): void {
    const context = this.parts.context()
    if (!this.guard.isActive) context.signal = this.guard.begin(settingMs(context, 'statement_timeout'))
  }

  end(): void {
    this.guard.end()
    this.parts.context().signal = undefined
  }

  /** The socket is gone: the statement is cancelled and its rows stop. */
  stop(): void {
    this.guard.cancel()
    this.guard.end()
    this.sendingCursor?.close()
  }

  /** A cancel ends a read with 57014 at once (StatementGuard.race); a finished write is durable, so its success stands. */
  async execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredOids: ReadonlyArray<number>): Promise<StatementResult> {
    this.guard.throwIfCanceled()
    const context = this.parts.context()
    let result: StatementResult
    try {
      // FETCH / MOVE read a cursor this session keeps (cursors.ts); everything else runs in sql.
      const fetch = statement.cursorFetch
      const running = fetch === undefined
        ? this.parts.execute(statement, params, declaredOids, context) : Promise.resolve(this.parts.fetch(fetch, context.signal))
      result = await (statement.isReadOnly === true ? this.guard.race(running) : running)
    } catch (thrown) {
      throw this.guard.error() ?? thrown
    }
    const canceled = statement.isReadOnly === true ? this.guard.error() : null
    if (canceled === null) {
      const settling = this.parts.settle(result, context) // COMMIT: durable before its CommandComplete
      if (settling !== undefined) await settling
      return result
    }
    if (result.kind === 'RowStreamResult') result.stream.cancel()
    throw canceled
  }

  /** Sends rows as the running statement: a CancelRequest meanwhile stops the cursor, and the statement is 57014. */
  async sendCursorRows(cursor: ResultCursor, formats: ReadonlyArray<number>, maxRows: number, sink: RowSink): Promise<number> {
    this.guard.throwIfCanceled()
    this.sendingCursor = cursor
    try {
      const sentCount = await cursor.send(sink, formats, maxRows)
      this.guard.throwIfCanceled()
      return sentCount
    } catch (thrown) {
      throw this.guard.error() ?? thrown // a stream stopped by the cancel fails with its own error
    } finally {
      this.sendingCursor = null
    }
  }
}
