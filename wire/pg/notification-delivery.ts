// wire/pg/notification-delivery: sends a session's LISTEN notifications (sql/exec/notifications.ts) as
// NotificationResponse when PostgreSQL 15 does: just before ReadyForQuery when the session is left outside a
// transaction block, and at once while it is idle (waiting for a query outside a block). Inside a block — or while
// a statement, an extended-query batch before its Sync, or a COPY runs — they wait. Sending pauses while the client
// does not read (the connection's send buffer over its bound) and goes on when it drains; meanwhile they wait in the
// hub, whose bound (NOTIFY_QUEUE_BYTES_MAX) makes NOTIFY fail rather than the server grow.
import { notificationHub, type BackendDirectory, type NotificationHub } from '../../sql/api.js'
import type { BackendMessage, TransactionStatus } from './backend.js'
import type { Frame } from './framer.js'

/** The frontend's Flush ('H'). */
const FLUSH_CODE = 0x48
/** Notifications written per turn before the send buffer is looked at again. */
const NOTIFICATIONS_PER_TURN_COUNT = 256

export interface DeliveryHost {
  send(message: BackendMessage): void
  /** Hands the output to the socket; a promise while the send buffer is over its bound. */
  flush(): Promise<void> | undefined
}

export class NotificationDelivery {
  private hub: NotificationHub | null = null
  private pid = 0
  /** ReadyForQuery 'I' was sent and no frame came since: a notification goes out at once. */
  private isIdle = false
  private isSending = false

  constructor(private readonly host: DeliveryHost) {}

  /** The session started (its BackendKeyData pid): it may LISTEN from now on. */
  start(backends: BackendDirectory, pid: number, database: string): void {
    this.hub = notificationHub(backends)
    this.pid = pid
    this.hub.attach(pid, database, () => { if (this.isIdle) queueMicrotask(() => this.sendIdle()) })
  }

  /** A frame arrived: the session is busy until its next ReadyForQuery — but for a Flush, after which PostgreSQL waits idle again. */
  received(frame: Frame): void {
    if (frame.kind !== 'TypedFrame' || frame.code !== FLUSH_CODE) this.isIdle = false
  }

  /** Just before ReadyForQuery: outside a block, what is queued goes first; then the session is idle. */
  beforeReady(status: TransactionStatus): void {
    if (status !== 'I') return
    const hasMore = this.write()
    this.isIdle = true
    if (hasMore) queueMicrotask(() => this.sendIdle())
  }

  /** The session closed: it stops listening, its queue is dropped. */
  stop(): void {
    this.isIdle = false
    this.hub?.detach(this.pid)
    this.hub = null
  }

  /** Writes up to one turn's notifications; whether more wait. */
  private write(): boolean {
    const hub = this.hub
    if (hub === null || !hub.hasQueued(this.pid)) return false
    for (const { pid, channel, payload } of hub.take(this.pid, NOTIFICATIONS_PER_TURN_COUNT)) {
      this.host.send({ kind: 'NotificationResponse', pid, channel, payload })
    }
    return hub.hasQueued(this.pid)
  }

  /** Idle: sends and flushes until nothing waits, pausing while the client does not read. */
  private sendIdle(): void {
    if (this.isSending || !this.isIdle) return
    this.isSending = true
    const turn = (): void => {
      if (!this.isIdle) { this.isSending = false; return }
      const hasMore = this.write()
      const draining = this.host.flush()
      if (!hasMore && draining === undefined) { this.isSending = false; return }
      if (draining === undefined) setImmediate(turn)
      else draining.then(turn, turn)
    }
    turn()
  }
}
