// sql/api-backends: what wire tells sql about every started session — pg_stat_activity's rows — and the signals
// pg_cancel_backend / pg_terminate_backend send to one of them by pid. Part of the sql ↔ wire contract (sql/api.ts).

export interface BackendActivity {
  readonly pid: number
  readonly user: string
  readonly database: string
  readonly applicationName: string
  /** inet's text of the client's address, null when unknown; the client's port. */
  readonly clientAddress: string | null
  readonly clientPort: number | null
  readonly backendStartUs: number
  /** The transaction's start (a statement outside a block is its own), null when idle. */
  readonly xactStartUs: number | null
  readonly queryStartUs: number | null
  readonly stateChangeUs: number | null
  readonly state: 'active' | 'idle' | 'idle in transaction' | 'idle in transaction (aborted)'
  /** The running statement's text, or the last one's when idle. */
  readonly query: string
  /** Over TLS (pg_stat_ssl): the protocol version, OpenSSL's cipher name and its bits; absent or null in the clear. */
  readonly tls?: { readonly version: string; readonly cipher: string; readonly bits: number } | null
}

export interface BackendDirectory {
  /** Every started session now, in pid order. */
  list(): ReadonlyArray<BackendActivity>
  /**
   * pg_cancel_backend: the session's running statement ends with 57014; pg_terminate_backend: the session ends with
   * FATAL 57P01. False when no session has that pid.
   */
  signal(pid: number, how: 'cancel' | 'terminate'): boolean
  /** Whether a session with this pid is still connected (advisory locks die with their session). */
  isAlive?(pid: number): boolean
}

/** The server's LISTEN/NOTIFY hub, one per BackendDirectory: wire sends each session its queued notifications. */
export { notificationHub, type NotificationHub } from './exec/notifications.js'
