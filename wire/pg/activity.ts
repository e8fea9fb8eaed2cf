// wire/pg/activity: what pg_stat_activity shows of one session — its state (active while a statement runs, idle, idle
// in transaction, idle in transaction (aborted) at ReadyForQuery), the current or last query's text and start, the
// transaction's start and when the state last changed — as PostgreSQL's backend reports it (pgstat_report_activity
// at Query, Parse, Bind and Execute; idle at ReadyForQuery). An idle session waits on Client/ClientRead, as there.
import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { BackendActivity, SessionContext } from '../../sql/api.js'

type State = BackendActivity['state']

const STATE_OF: Readonly<Record<'I' | 'T' | 'E', State>> = { I: 'idle', T: 'idle in transaction', E: 'idle in transaction (aborted)' }

function nowUs(): number {
  return Date.now() * 1000
}

// Slots of SessionActivity.times. NaN is "none" (null in pg_stat_activity).
const TURN = 0
const QUERY_START = 1
const STATE_CHANGE = 2
const XACT_START = 3

export class SessionActivity {
  readonly backendStartUs = nowUs()
  /**
   * The times in µs since the epoch, in a Float64Array: beyond a small integer, a number stored in an object's field
   * is a new heap object each time, five a round trip. TURN is the clock read once per turn of the event loop: the
   * messages of one packet (a driver's Parse, Bind, Describe, Execute, Sync) are handled in one turn, so they report
   * the same millisecond Date.now() would give each of them, for one read instead of five.
   */
  private readonly times = new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN])
  private readonly endTurn = (): void => { this.times[TURN] = Number.NaN }
  /**
   * True while the connection hands the session the frames of one received packet (Connection.receive): they are
   * handled in one synchronous run, so the turn ends when it returns, without a microtask per round trip (~4% of an
   * extended round trip's session CPU). Elsewhere (a statement finishing later) the microtask ends the turn.
   */
  private isInPacket = false
  private state: State = 'idle'
  private query = ''

  /** A statement (or a Parse/Bind/Execute of one) starts: the session is active with this text. */
  running(text: string): void {
    const now = this.now()
    this.state = 'active'
    this.query = text
    // Each message reports anew, as PostgreSQL's pgstat_report_activity: both times move to the latest message.
    this.times[STATE_CHANGE] = now
    this.times[QUERY_START] = now
    if (Number.isNaN(this.times[XACT_START])) this.times[XACT_START] = now
  }

  /** ReadyForQuery with this transaction status: idle, or idle inside a (failed) transaction block. */
  ready(status: 'I' | 'T' | 'E'): void {
    this.state = STATE_OF[status]
    this.times[STATE_CHANGE] = this.now()
    // A failed block's transaction is over (PostgreSQL aborted it at the error): no xact_start until the next one.
    if (status !== 'T') this.times[XACT_START] = Number.NaN
  }

  /** Around the frames of one received packet: one clock read serves them all, and none outlives the packet. */
  inPacket(isIn: boolean): void {
    this.isInPacket = isIn
    this.times[TURN] = Number.NaN
  }

  private now(): number {
    if (Number.isNaN(this.times[TURN])) {
      this.times[TURN] = nowUs()
      if (!this.isInPacket) queueMicrotask(this.endTurn)
    }
    return this.times[TURN]!
  }

  snapshot(): Pick<BackendActivity, 'state' | 'query' | 'queryStartUs' | 'stateChangeUs' | 'xactStartUs' | 'backendStartUs'> {
    const time = (slot: number): number | null => Number.isNaN(this.times[slot]) ? null : this.times[slot]!
    return {
      state: this.state, query: this.query, queryStartUs: time(QUERY_START), stateChangeUs: time(STATE_CHANGE),
      xactStartUs: time(XACT_START), backendStartUs: this.backendStartUs,
    }
  }
}

/** An IPv4 client on a dual-stack socket shows as inet prints it ('127.0.0.1', not '::ffff:127.0.0.1'). */
export function clientAddress(address: string | undefined): string | null {
  if (address === undefined) return null
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address
}

/** Where a session's client is: its address and port, and its TLS session (null in the clear). */
export interface Peer {
  readonly address: string | undefined
  readonly port: number | undefined
  readonly tls?: BackendActivity['tls']
}

/**
 * pg_stat_ssl's facts of a TLS socket: the protocol ('TLSv1.3'), OpenSSL's cipher name and its key bits, which Node
 * does not give (SSL_get_cipher_bits): read from the name, 256 for AES-256 and ChaCha20, 128 for AES-128.
 */
export function tlsFacts(socket: Socket): BackendActivity['tls'] {
  if (!(socket instanceof TLSSocket)) return null
  const cipher = socket.getCipher()
  const version = socket.getProtocol()
  if (version === null) return null
  const bits = /AES_?256|CHACHA20/i.test(cipher.name) ? 256 : /AES_?128/i.test(cipher.name) ? 128 : 0
  return { version, cipher: cipher.name, bits }
}

/** The session's pg_stat_activity row: who (user, database, application_name), from where, and the tracker's state. */
export function activityRow(pid: number, context: SessionContext, state: ReturnType<SessionActivity['snapshot']>,
  peer: Peer | undefined): BackendActivity {
  return {
    pid, user: context.user, database: context.database, applicationName: context.settings.get('application_name') ?? '',
    clientAddress: clientAddress(peer?.address), clientPort: peer?.port ?? null, ...state, tls: peer?.tls ?? null,
  }
}
