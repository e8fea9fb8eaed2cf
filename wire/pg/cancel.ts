// wire/pg/cancel: the registry behind CancelRequest. Each started session registers its BackendKeyData (pid, secret);
// a CancelRequest arriving on a new socket marks that session's running statement canceled when both match.
import { randomInt } from 'node:crypto'

export interface Cancelable {
  /** Marks the running statement (if any) canceled; it then ends with 57014 instead of its result. */
  cancelRunningStatement(): void
}

const SECRET_END = 2 ** 32

export class CancelRegistry {
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
}
