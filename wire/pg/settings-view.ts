// wire/pg/settings-view: one session's settings as sql merges them (mergedSettings: one map while they are
// unchanged), read once between the statements that may change them. Settings change only while a statement runs in
// sql (SET, RESET, set_config(), DISCARD ALL) or as its transaction ends (COMMIT, ROLLBACK, savepoints): a kept
// constant answer and its ReadyForQuery (SELECT 1 from a pool) then compare nothing. Paranoid mode checks every read
// against sql's.
import { paranoid } from '../../src/common/assert.js'
import { mergedSettings, reportedSettings, type SessionContext } from '../../sql/api.js'

export class SettingsView {
  private merged: ReadonlyMap<string, string> | null = null
  /** The merged map whose reported settings the client was last brought up to date with. */
  private reportedFor: ReadonlyMap<string, string> | null = null

  constructor(private readonly context: () => SessionContext) {}

  /** A statement runs in sql, or its transaction's end was applied: the settings may have changed. */
  invalidate(): void {
    this.merged = null
  }

  /** sql's merged settings map (the kept answers' key: the same object while the settings are unchanged). */
  current(): ReadonlyMap<string, string> {
    const merged = this.merged ?? mergedSettings(this.context())
    paranoid(() => merged === mergedSettings(this.context()), 'settings change only while a statement runs in sql')
    return (this.merged = merged)
  }

  /** The reported settings (ParameterStatus) when they may differ from those last asked for; null when they cannot. */
  reportedIfChanged(): ReadonlyArray<readonly [string, string]> | null {
    const merged = this.current()
    if (merged === this.reportedFor) return null
    this.reportedFor = merged
    return reportedSettings(this.context())
  }
}
