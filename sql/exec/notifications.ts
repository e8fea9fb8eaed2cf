// sql/exec/notifications: PostgreSQL's LISTEN / NOTIFY / UNLISTEN within one nodedb server. One NotificationHub per
// server (keyed by its BackendDirectory, as the advisory lock table is) holds which session listens on which channel
// of which database and, per listening session, the notifications it has not been sent yet. As in PostgreSQL, a
// session listening on any channel queues every notification of its database, and which of them it is sent is decided
// when they are sent (the channels it listens on then: an UNLISTEN committed meanwhile drops them); a session that
// stops listening on every channel drops its queue. What a transaction
// notifies or (un)listens waits in its SessionWrites (atCommit) and takes effect at COMMIT — LISTEN/UNLISTEN first,
// then the notifications in send order, as PostgreSQL's PreCommit_Notify does — and is dropped at ROLLBACK or
// ROLLBACK TO a savepoint made before it. A (channel, payload) pair notified twice in one transaction is sent once.
// Memory is bounded: every notification, from NOTIFY until the last listener has been sent it, counts once against
// NOTIFY_QUEUE_BYTES_MAX; past it NOTIFY is 54000 as PostgreSQL's full queue. wire/pg sends the queued notifications
// (wire/pg/notification-delivery.ts); nothing here knows the protocol.
import { featureNotSupportedMessage, invalidParameterValue, programLimitExceeded } from '../../src/common/errors.js'
import { NOTIFY_QUEUE_BYTES_MAX } from '../../src/common/limits.js'
import type { BackendDirectory } from '../api-backends.js'
import type { SessionContext, StatementResult } from '../api.js'
import type { SqlNotification } from '../parse/ast.js'
import type { SessionWrites } from './pending-writes.js'

/** One notification as NotificationResponse carries it: the notifying session's pid, channel, payload. */
export interface Notification {
  readonly pid: number
  readonly channel: string
  readonly payload: string
}

interface Queued extends Notification { readonly byteCount: number; listenerCount: number }

interface Listener {
  readonly database: string
  readonly channels: Set<string>
  /** Not yet sent: queue[head …]. */
  queue: Queued[]
  head: number
  /** Called (synchronously, from the committing session) when a notification was queued for it. */
  readonly wake: () => void
}

/** PostgreSQL's NOTIFY_PAYLOAD_MAX_LENGTH (BLCKSZ - NAMEDATALEN - 128): a payload must be shorter, in bytes. */
const PAYLOAD_BYTES_LIMIT = 8000
/** NAMEDATALEN: a channel name must be shorter, in bytes. */
const CHANNEL_BYTES_LIMIT = 64
/** What a notification is counted as besides its text. */
const NOTIFICATION_OVERHEAD_BYTES = 32
/** A queue's sent entries are cut off once there are this many and they are over half of it (amortised O(1) a take). */
const QUEUE_COMPACT_AT = 1024

export class NotificationHub {
  private readonly listeners = new Map<number, Listener>()
  private heldByteCount = 0

  constructor(private readonly bytesMax: number) {}

  /** A started session: it may listen from now on; `wake` tells it a notification waits (NotificationHub.take). */
  attach(pid: number, database: string, wake: () => void): void {
    this.listeners.set(pid, { database, channels: new Set(), queue: [], head: 0, wake })
  }

  /** A closed session: it stops listening and what was queued for it is dropped. */
  detach(pid: number): void {
    const listener = this.listeners.get(pid)
    if (listener === undefined) return
    this.listeners.delete(pid)
    this.dropQueue(listener)
  }

  listen(pid: number, channel: string): void { this.listeners.get(pid)?.channels.add(channel) }

  /** UNLISTEN channel; null: UNLISTEN * (and DISCARD ALL). Listening on nothing, the session drops its queue. */
  unlisten(pid: number, channel: string | null): void {
    const listener = this.listeners.get(pid)
    if (listener === undefined) return
    if (channel === null) listener.channels.clear()
    else listener.channels.delete(channel)
    if (listener.channels.size === 0) this.dropQueue(listener)
  }

  /** pg_listening_channels(): in the order the session started listening. */
  channels(pid: number): string[] { return [...(this.listeners.get(pid)?.channels ?? [])] }

  /** Holds a notification's bytes from NOTIFY on; 54000 past the bound. */
  reserve(byteCount: number): void {
    if (this.heldByteCount + byteCount > this.bytesMax) throw programLimitExceeded('too many notifications in the NOTIFY queue')
    this.heldByteCount += byteCount
  }

  release(byteCount: number): void { this.heldByteCount -= byteCount }

  /** COMMIT: queued for every session of the database listening on any channel (its reserved bytes move with it). */
  publish(notification: Notification, database: string, byteCount: number): void {
    const queued: Queued = { ...notification, byteCount, listenerCount: 0 }
    const woken: Listener[] = []
    for (const listener of this.listeners.values()) {
      if (listener.database !== database || listener.channels.size === 0) continue
      listener.queue.push(queued)
      queued.listenerCount++
      woken.push(listener)
    }
    if (queued.listenerCount === 0) this.release(byteCount)
    for (const listener of woken) listener.wake()
  }

  /** The session's queued notifications on channels it listens on now, oldest first, taken off its queue (at most `count`). */
  take(pid: number, count: number): Notification[] {
    const listener = this.listeners.get(pid)
    if (listener === undefined) return []
    const taken: Notification[] = []
    while (listener.head < listener.queue.length && taken.length < count) {
      const queued = listener.queue[listener.head++]!
      this.unqueue(queued)
      if (listener.channels.has(queued.channel)) taken.push({ pid: queued.pid, channel: queued.channel, payload: queued.payload })
    }
    if (listener.head === listener.queue.length) listener.queue = []
    else if (listener.head > QUEUE_COMPACT_AT && listener.head * 2 > listener.queue.length) listener.queue = listener.queue.slice(listener.head)
    else return taken
    listener.head = 0
    return taken
  }

  hasQueued(pid: number): boolean {
    const listener = this.listeners.get(pid)
    return listener !== undefined && listener.head < listener.queue.length
  }

  /** Bytes held now (tests and pg_notification_queue_usage-like reporting). */
  get byteCount(): number { return this.heldByteCount }

  private dropQueue(listener: Listener): void {
    for (let i = listener.head; i < listener.queue.length; i++) this.unqueue(listener.queue[i]!)
    listener.queue = []
    listener.head = 0
  }

  private unqueue(queued: Queued): void {
    queued.listenerCount--
    if (queued.listenerCount === 0) this.release(queued.byteCount)
  }
}

const HUBS = new WeakMap<BackendDirectory, NotificationHub>()

/** The server's hub (one per BackendDirectory, made on first use). */
export function notificationHub(backends: BackendDirectory): NotificationHub {
  let hub = HUBS.get(backends)
  if (hub === undefined) HUBS.set(backends, hub = new NotificationHub(NOTIFY_QUEUE_BYTES_MAX))
  return hub
}

interface SessionParts { readonly hub: NotificationHub; readonly pid: number; readonly writes: SessionWrites; readonly database: string }

function sessionParts(session: SessionContext, what: string): SessionParts {
  const { backends, backendPid, writes } = session
  if (backends === undefined || backendPid === undefined || writes === undefined) throw featureNotSupportedMessage(`${what} outside a session is not supported`)
  return { hub: notificationHub(backends), pid: backendPid, writes, database: session.database }
}

/** (channel, payload) pairs notified by each session's open transaction: a repeat is sent once. */
const PENDING = new WeakMap<SessionWrites, Set<string>>()

/** NOTIFY channel, payload / pg_notify(channel, payload): checked now, sent at COMMIT. */
export function notify(session: SessionContext, channel: string, payload: string): void {
  const channelBytes = Buffer.byteLength(channel)
  if (channelBytes === 0) throw invalidParameterValue('channel name cannot be empty')
  if (channelBytes >= CHANNEL_BYTES_LIMIT) throw invalidParameterValue('channel name too long')
  const payloadBytes = Buffer.byteLength(payload)
  if (payloadBytes >= PAYLOAD_BYTES_LIMIT) throw invalidParameterValue('payload string too long')
  const { hub, pid, writes, database } = sessionParts(session, 'NOTIFY')
  let pending = PENDING.get(writes)
  if (pending === undefined) PENDING.set(writes, pending = new Set())
  const key = `${channel}\u0000${payload}`
  if (pending.has(key)) return
  const byteCount = channelBytes + payloadBytes + NOTIFICATION_OVERHEAD_BYTES
  hub.reserve(byteCount)
  pending.add(key)
  writes.atCommit(1, () => {
    pending.delete(key)
    hub.publish({ pid, channel, payload }, database, byteCount)
  }, () => {
    pending.delete(key)
    hub.release(byteCount)
  })
}

/** LISTEN channel (true) / UNLISTEN channel or * (channel null): at COMMIT. UNLISTEN outside a session listens to nothing. */
export function listen(session: SessionContext, channel: string | null, isListen: boolean): void {
  if (!isListen && session.backends === undefined) return
  const { hub, pid, writes } = sessionParts(session, isListen ? 'LISTEN' : 'UNLISTEN')
  writes.atCommit(0, () => (isListen && channel !== null ? hub.listen(pid, channel) : hub.unlisten(pid, channel)), () => {})
}

/** pg_listening_channels(): the channels the session listens on as of its last commit. */
export function listeningChannels(session: SessionContext): string[] {
  const { backends, backendPid } = session
  if (backends === undefined || backendPid === undefined) return []
  return notificationHub(backends).channels(backendPid)
}

/** The LISTEN, NOTIFY and UNLISTEN statements. */
export function executeNotification(statement: SqlNotification, session: SessionContext): StatementResult {
  if (statement.action === 'NOTIFY') notify(session, statement.channel ?? '', statement.payload)
  else listen(session, statement.channel, statement.action === 'LISTEN')
  return { kind: 'CommandResult', commandTag: statement.action }
}
