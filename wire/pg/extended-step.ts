// wire/pg/extended-step: one extended-query message (Parse, Bind, Describe, Execute, Close) of a session as its
// running statement — active in pg_stat_activity, under the statement clock from the first of Parse/Bind/Describe/
// Execute to the Execute's completion (or Sync), as PostgreSQL 15 times them — and the Executes up to Sync as one
// implicit transaction. Most answer without a promise (extended-query.ts); an error goes to the session's `fail`.
import { assertNever } from '../../src/common/assert.js'
import type { ExtendedQuery } from './extended-query.js'
import type { FrontendMessage } from './frontend.js'
import type { SessionActivity } from './activity.js'
import type { StatementRun } from './statement-run.js'
import type { TransactionBlock } from './transaction-block.js'

export type ExtendedMessage = Extract<FrontendMessage, { kind: 'Parse' | 'Bind' | 'Describe' | 'Execute' | 'Close' }>

export interface ExtendedStepParts {
  readonly extended: ExtendedQuery
  readonly block: TransactionBlock
  readonly tracker: SessionActivity
  readonly run: StatementRun
  /** ErrorResponse, then discard until Sync. */
  readonly fail: (thrown: unknown) => undefined
}

export class ExtendedStep {
  constructor(private readonly parts: ExtendedStepParts) {}

  /** Runs one message; any error (thrown or rejected) goes to `fail`. No closure per message: a round trip is five. */
  handle(message: ExtendedMessage): Promise<void> | undefined {
    try {
      const pending = this.dispatch(message)
      return pending === undefined ? undefined : pending.catch(this.parts.fail)
    } catch (thrown) {
      return this.parts.fail(thrown)
    }
  }

  private dispatch(message: ExtendedMessage): Promise<void> | undefined {
    const { extended, run } = this.parts
    if (message.kind !== 'Close') {
      this.parts.tracker.running(extended.sourceText(message))
      run.begin()
    }
    switch (message.kind) {
      case 'Parse': return extended.parse(message.name, message.text, message.paramTypeOids)
      case 'Bind': return extended.bind(message)
      case 'Describe': return message.target === 'S' ? extended.describeStatement(message.name) : extended.describePortal(message.name)
      case 'Execute':
        this.parts.block.enterImplicit() // the Executes up to Sync are one implicit transaction (committed at Sync)
        return this.execute(message.portal, message.maxRows)
      case 'Close': extended.close(message.target, message.name); return undefined
      default: return assertNever(message)
    }
  }

  /** Execute ends the statement clock when it is done: at once when it answered without a promise (or threw). */
  private execute(portal: string, maxRows: number): Promise<void> | undefined {
    let running: Promise<void> | undefined
    try {
      running = this.parts.extended.execute(portal, maxRows)
    } finally {
      if (running === undefined) this.parts.run.end()
    }
    return running?.finally(() => this.parts.run.end())
  }
}
