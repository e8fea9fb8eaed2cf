// wire/pg/parameter-status: the ParameterStatus values a session's client has, so that a reported setting changed by
// SET, RESET, ROLLBACK or the end of SET LOCAL is sent again before ReadyForQuery, as PostgreSQL 15 reports them.
import type { BackendMessage } from './backend.js'

export class ReportedParameters {
  private readonly reported = new Map<string, string>()
  /** The reported settings last compared with `reported`. */
  private lastCompared: ReadonlyArray<readonly [string, string]> | null = null

  constructor(private readonly send: (message: BackendMessage) => void) {}

  report(name: string, value: string): void {
    this.reported.set(name, value)
    this.send({ kind: 'ParameterStatus', name, value })
  }

  /** Each of `current` that differs from what the client has; sql hands the same array while settings are unchanged. */
  reportChanged(current: ReadonlyArray<readonly [string, string]>): void {
    if (current === this.lastCompared) return
    for (const [name, value] of current) if (this.reported.get(name) !== value) this.report(name, value)
    this.lastCompared = current
  }
}
