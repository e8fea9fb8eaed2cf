// wire/pg/cancel: the registry of started sessions. Each registers its BackendKeyData (pid, secret); a CancelRequest
// arriving on a new socket marks that session's running statement canceled when both match. The same registry is
// the BackendDirectory sql reads for pg_stat_activity and signals for pg_cancel_backend / pg_terminate_backend.
import { randomInt } from 'node:crypto'
import type { BackendActivity, BackendDirectory } from '../../sql/api.js'

export interface Cancelable {
  /** Marks the running statement (if any) canceled; it then ends with 57014 instead of its result. */
  cancelRunningStatement(): void
  /** pg_terminate_backend: FATAL 57P01 to the client, then the connection closes. */
  shutdown(): void
  /** pg_stat_activity's row for the session now. */
  activity(pid: number): BackendActivity
}

const SECRET_END = 2 ** 32

export class CancelRegistry implements BackendDirectory {
  private nextPid = 1
  private readonly sessions = new Map<number, { readonly secret: number; readonly session: Cancelable }>()

  /** A fresh BackendKeyData: pid from a counter (int32 range), secret a random uint32. */
  allocateKey(): { readonly pid: number; readonly secret: number } {
    const pid = this.nextPid
    this.nextPid = this.nextPid >= 0x7fffffff ? 1 : this.nextPid + 1
    return { pid, secret: randomInt(0, SECRET_END) }
  }

  register(pid: number, secret: number, session: Cancelable): void {
    this.sessions.set(pid, { secret, session })
  }

  unregister(pid: number): void {
    this.sessions.delete(pid)
  }

  /** Returns whether a session matched; a wrong secret is ignored, as PostgreSQL does (no reply either way). */
  cancel(pid: number, secret: number): boolean {
    const entry = this.sessions.get(pid)
    if (entry === undefined || entry.secret !== secret >>> 0) return false
    entry.session.cancelRunningStatement()
    return true
  }

  list(): BackendActivity[] {
    return [...this.sessions].sort(([a], [b]) => a - b).map(([pid, entry]) => entry.session.activity(pid))
  }

  isAlive(pid: number): boolean {
    return this.sessions.has(pid)
  }

  signal(pid: number, how: 'cancel' | 'terminate'): boolean {
    const session = this.sessions.get(pid)?.session
    if (session === undefined) return false
    // Terminating the calling session itself must let its own statement finish sending first.
    if (how === 'terminate') setImmediate(() => session.shutdown())
    else session.cancelRunningStatement()
    return true
  }
}
