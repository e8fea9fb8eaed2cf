// sql/exec/savepoint-settings: the settings a SAVEPOINT remembers and ROLLBACK TO restores (PostgreSQL undoes the
// SETs of a rolled-back subtransaction, SET LOCAL included). Wire drives it: only it knows the savepoints.
import type { SessionContext } from '../api.js'

/** The live settings and what COMMIT would keep, as they are at the savepoint. */
export interface SettingsSnapshot {
  readonly settings: ReadonlyMap<string, string>
  readonly kept: ReadonlyMap<string, string> | null
}

export function snapshotSettings(session: SessionContext): SettingsSnapshot {
  const kept = session.transaction?.kept
  return { settings: new Map(session.settings), kept: kept === undefined ? null : new Map(kept) }
}

/** ROLLBACK TO SAVEPOINT: both maps back to the snapshot (the block itself and its BEGIN snapshot stay). */
export function restoreSettings(session: SessionContext, snapshot: SettingsSnapshot): void {
  replaceAll(session.settings, snapshot.settings)
  const kept = session.transaction?.kept
  if (kept !== undefined && snapshot.kept !== null) replaceAll(kept, snapshot.kept)
}

function replaceAll(target: Map<string, string>, source: ReadonlyMap<string, string>): void {
  target.clear()
  for (const [name, value] of source) target.set(name, value)
}
