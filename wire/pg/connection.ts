// wire/pg/connection: binds one net.Socket to a Session. Feeds the framer, hands the session one frame at a time
// (never two statements at once; pipelined frames wait in the framer), yields every PG_MESSAGES_PER_TICK_COUNT
// messages, and applies backpressure both ways (PG_SEND_BUFFER_BYTES_MAX). After SSLRequest → 'S' the socket is
// swapped for a TLSSocket over it (tls.ts); everything above the socket stays the same.
import type { Socket } from 'node:net'
import type { SecureContext } from 'node:tls'
import { log } from '../../src/common/log.js'
import {
  PG_AUTHENTICATION_TIMEOUT_MS, PG_HELD_OUTPUT_BYTES_MAX, PG_MESSAGES_PER_TICK_COUNT, PG_UNAUTHENTICATED_BYTES_MAX, PG_RECEIVE_QUEUE_BYTES_MAX, PG_SEND_BUFFER_BYTES_MAX,
} from '../../src/common/limits.js'
import type { SqlFacade } from '../../sql/api.js'
import type { CancelRegistry } from './cancel.js'
import { Framer } from './framer.js'
import { Session, type SessionHost } from './session.js'
import type { PgAuth } from './auth-exchange.js'
import { startServerTls } from './tls.js'
import { type Peer, tlsFacts } from './activity.js'


export interface ConnectionOptions {
  readonly socket: Socket
  readonly sql: SqlFacade
  readonly cancelRegistry: CancelRegistry
  readonly isOverCapacity: boolean
  /** Authentication of the StartupMessage (absent = trust). */
  readonly auth?: PgAuth
  /** Present when --tls-cert/--tls-key are set: SSLRequest is answered 'S'. */
  readonly tlsContext?: SecureContext | null
  readonly onClosed: (connection: Connection) => void
}

export class Connection implements SessionHost {
  private socket: Socket
  readonly startTls: (() => void) | undefined
  /** Closes a socket still unauthenticated after PG_AUTHENTICATION_TIMEOUT_MS (PostgreSQL's authentication_timeout). */
  private readonly authenticationTimer: NodeJS.Timeout
  private readonly framer = new Framer()
  private readonly session: Session
  private isBusy = false
  private isPumpScheduled = false
  private isShuttingDown = false
  private isEnded = false

  constructor(private readonly options: ConnectionOptions) {
    this.socket = options.socket
    const tlsContext = options.tlsContext ?? null
    this.startTls = tlsContext === null ? undefined : () => this.upgradeToTls(tlsContext)
    this.session = new Session({
      sql: options.sql, host: this, cancelRegistry: options.cancelRegistry, isOverCapacity: options.isOverCapacity,
      ...(options.auth === undefined ? {} : { auth: options.auth }),
    })
    // The SQL parser loads while the connection starts up (pump waits for it); a failure reaches that wait.
    options.sql.parserLoading?.()?.catch(() => undefined)
    this.authenticationTimer = setTimeout(() => {
      if (this.session.isAuthenticated || this.isEnded) return
      log.info('pg: startup and authentication not finished in time; closing')
      this.destroy()
    }, PG_AUTHENTICATION_TIMEOUT_MS)
    this.socket.setNoDelay(true)
    this.socket.on('error', (error) => log.debug({ err: error }, 'pg socket error'))
    this.attach(this.socket)
  }

  private readonly onData = (chunk: Buffer): void => this.receive(chunk)
  private readonly onDrain = (): void => {
    this.updateReading()
    if (!this.isBusy && !this.isPumpScheduled) this.pump()
  }
  private readonly onClose = (): void => {
    clearTimeout(this.authenticationTimer)
    this.isEnded = true
    this.session.dispose()
    this.options.onClosed(this)
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData)
    socket.on('drain', this.onDrain)
    socket.on('close', this.onClose)
  }

  /**
   * SSLRequest answered 'S': send it in clear, then speak TLS on the same connection. Bytes that arrived after the
   * SSLRequest and before the handshake were not encrypted and may have been injected (CVE-2021-23214): the
   * connection is dropped, as PostgreSQL does.
   */
  private upgradeToTls(context: SecureContext): void {
    const plain = this.socket
    if (this.framer.bufferedByteCount > 0) {
      log.warn('pg: received unencrypted data after SSL request; closing')
      this.session.dispose()
      plain.destroy()
      return
    }
    writeChunks(plain, this.session.takeOutput())
    plain.off('data', this.onData)
    plain.off('drain', this.onDrain)
    plain.off('close', this.onClose)
    const secure = startServerTls(plain, context)
    // As on the plain socket: without it Nagle held small answers back (SELECT 1 over TLS: 1.7 ms → 0.8 ms a round trip).
    secure.setNoDelay(true)
    secure.on('error', (error) => log.debug({ err: error }, 'pg tls error'))
    this.socket = secure
    this.attach(secure)
  }

  /** True while a statement runs: listener shutdown waits for it. */
  get isRunningStatement(): boolean {
    return this.isBusy
  }

  /** Listener shutdown: an idle session gets FATAL 57P01 now, a busy one after its statement. */
  shutdown(): void {
    this.isShuttingDown = true
    if (!this.isBusy) this.finishShutdown()
  }

  destroy(): void {
    this.socket.destroy()
  }

  flush(): Promise<void> | undefined {
    const output = this.session.takeOutput()
    if (!this.isEnded && this.socket.writable) writeChunks(this.socket, output)
    if (this.socket.writableLength <= PG_SEND_BUFFER_BYTES_MAX || this.isEnded) return undefined
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  /** SessionHost.peer: the client's address and port (pg_stat_activity), and its TLS session if any (pg_stat_ssl). */
  peer(): Peer {
    return { address: this.socket.remoteAddress, port: this.socket.remotePort, tls: tlsFacts(this.socket) }
  }

  close(): void {
    if (this.isEnded) return
    const output = this.session.takeOutput()
    this.isEnded = true
    writeChunks(this.socket, output)
    this.socket.end()
  }

  private receive(chunk: Buffer): void {
    if (this.isEnded) return
    this.framer.push(chunk)
    this.session.inPacket(true)
    try {
      this.pump()
    } finally {
      this.session.inPacket(false)
    }
    // Checked after the pump: a trusted client may send its startup packet and a large first query in one chunk.
    if (!this.session.isAuthenticated && this.framer.bufferedByteCount > PG_UNAUTHENTICATED_BYTES_MAX) {
      log.info('pg: too much input before authentication; closing')
      this.destroy()
    }
  }

  private finishShutdown(): void {
    this.session.shutdown()
    if (!this.isEnded) this.close()
  }

  /** Hands frames to the session one at a time, at most PG_MESSAGES_PER_TICK_COUNT per tick. */
  private pump(): void {
    this.isPumpScheduled = false
    let handledCount = 0
    while (!this.isBusy && !this.isEnded && !this.isShuttingDown) {
      if (handledCount >= PG_MESSAGES_PER_TICK_COUNT) {
        this.isPumpScheduled = true
        setImmediate(() => this.pump())
        break
      }
      const frame = this.framer.next()
      if (frame === null) break
      handledCount++
      // SQL text is parsed by a module the server loads at its first pg connection (SqlFacade.parserLoading): past
      // startup, a frame waits for it.
      const loading = this.session.isAuthenticated ? this.options.sql.parserLoading?.() : undefined
      const pending = loading === undefined ? this.session.handleFrame(frame) : loading.then(() => this.session.handleFrame(frame))
      if (this.session.isStarted) this.framer.expectTypedFrames()
      if (pending !== undefined) {
        this.isBusy = true
        pending.then(() => this.statementDone(), (error: unknown) => this.statementFailed(error))
      } else if (this.session.outputByteCount + this.socket.writableLength > PG_SEND_BUFFER_BYTES_MAX) {
        // The client is not reading its answers: stop answering until 'drain' (output stays bounded).
        break
      }
    }
    if (this.session.isAuthenticated) clearTimeout(this.authenticationTimer)
    // A statement still running with pipelined frames queued behind it (Parse/Bind/Describe/Execute/Sync in one
    // packet): their answers join this output and go out in one write when the input is used up, as PostgreSQL
    // flushes at ReadyForQuery or a full buffer. A statement that waits for its client (COPY FROM) flushes itself.
    const isHoldingOutput = this.isBusy && this.framer.bufferedByteCount > 0 && this.session.outputByteCount < PG_HELD_OUTPUT_BYTES_MAX
    if (!isHoldingOutput) this.flush()
    this.updateReading()
  }

  private statementDone(): void {
    this.isBusy = false
    if (this.isShuttingDown) this.finishShutdown()
    else this.pump()
  }

  /** The session catches everything at its boundary; reaching this is a bug, so the connection is dropped. */
  private statementFailed(error: unknown): void {
    log.error({ err: error }, 'pg session failed outside its statement boundary')
    this.isBusy = false
    this.destroy()
  }

  /** Backpressure: stop reading while the client does not read our output, or while its queued input is large. */
  private updateReading(): void {
    if (this.isEnded) return
    const isSendBacklogged = this.socket.writableLength > PG_SEND_BUFFER_BYTES_MAX
    const isWaiting = this.isBusy || this.isPumpScheduled
    const isReceiveBacklogged = isWaiting && this.framer.bufferedByteCount > PG_RECEIVE_QUEUE_BYTES_MAX
    if (isSendBacklogged || isReceiveBacklogged) this.socket.pause()
    else if (this.socket.isPaused()) {
      this.socket.resume()
    }
  }
}

/** The chunks in one writev when there are several (attached DataRow views between the session's own bytes). */
function writeChunks(socket: Socket, chunks: ReadonlyArray<Buffer>): void {
  if (chunks.length === 1) {
    socket.write(chunks[0]!)
    return
  }
  if (chunks.length === 0) return
  socket.cork()
  for (const chunk of chunks) socket.write(chunk)
  socket.uncork()
}
