// wire/pg/session: the protocol state machine of one connection (startup, simple and extended query, transaction
// status, skip-to-Sync recovery). No socket here: bytes go out through SessionHost. This is the statement boundary:
// the ONLY place where an unknown thrown value becomes XX000 (internalError), logged with its stack.
import { assertNever } from '../../src/common/assert.js'
import {
  adminShutdown, DbError, fatalProtocolViolation, inFailedTransaction, internalError, isDbError,
  queryCanceled, tooManyConnections,
} from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import type {
  ParamValue, PreparedStatement, SessionContext, SqlFacade, StatementDescription, StatementResult,
} from '../../sql/api.js'
import { type BackendMessage, type TransactionStatus, writeBackend } from './backend.js'
import { BufferWriter } from './buffer-writer.js'
import type { CancelRegistry } from './cancel.js'
import { CopyProtocol } from './copy-session.js'
import { ExtendedQuery, type ExtendedQueryHost } from './extended-query.js'
import type { Frame } from './framer.js'
import { decodeFrontend, decodeStartup, FrontendDecodeError, type FrontendMessage } from './frontend.js'
import { ResultCursor, type RowSink } from './result-writer.js'
import { answerStartup } from './startup.js'

export interface SessionHost {
  /** Hands the session's output to the socket; a promise while the send buffer is over its bound. */
  flush(): Promise<void> | undefined
  /** Sends what is buffered, then ends the connection. */
  close(): void
}

export interface SessionOptions {
  readonly sql: SqlFacade
  readonly host: SessionHost
  readonly cancelRegistry: CancelRegistry
  /** Over the connection limit: the StartupMessage is answered with FATAL 53300 (a CancelRequest still works). */
  readonly isOverCapacity: boolean
}

type Phase = 'Startup' | 'Ready' | 'Closed'

const NO_BYTE = 0x4e // 'N': SSLRequest / GSSENCRequest declined

export class Session implements ExtendedQueryHost {
  readonly sql: SqlFacade
  private readonly writer = new BufferWriter()
  private readonly extended = new ExtendedQuery(this)
  readonly copy = new CopyProtocol(this)
  private phase: Phase = 'Startup'
  private status: TransactionStatus = 'I'
  private context: SessionContext = { settings: new Map(), user: '', database: '' }
  private key = { pid: 0, secret: 0 }
  private isSkippingToSync = false
  private isRunning = false
  private isCanceled = false
  /** The cursor whose rows are being sent now: a CancelRequest or a closed socket stops it (and its scan). */
  private sendingCursor: ResultCursor | null = null
  private negotiated = new Set<string>()

  constructor(private readonly options: SessionOptions) {
    this.sql = options.sql
  }

  get isStarted(): boolean {
    return this.phase !== 'Startup'
  }

  get isClosed(): boolean {
    return this.phase === 'Closed'
  }

  /** Bytes written but not yet taken by the connection. */
  get outputByteCount(): number {
    return this.writer.byteCount
  }

  /** Output written since the last call (whole messages). */
  takeOutput(): Buffer | null {
    return this.writer.byteCount === 0 ? null : this.writer.take()
  }

  send(message: BackendMessage): void {
    writeBackend(this.writer, message)
  }

  flush(): Promise<void> | undefined {
    return this.options.host.flush()
  }

  /** CancelRequest: the running statement answers 57014; rows being streamed stop and their scan is cancelled. */
  cancelRunningStatement(): void {
    if (this.isRunning) this.isCanceled = true
    if (this.sendingCursor !== null) {
      this.isCanceled = true
      this.sendingCursor.close()
    }
    this.copy.stop(queryCanceled())
  }

  /** Handles one frame; a promise while a statement runs (the caller must not pass the next frame before it settles). */
  handleFrame(frame: Frame): Promise<void> | undefined {
    if (this.phase === 'Closed') return undefined
    if (frame.kind === 'FramingError') return this.terminate(frame.error)
    let message: FrontendMessage
    try {
      message = frame.kind === 'StartupFrame' ? decodeStartup(frame.body) : decodeFrontend(frame.code, frame.body)
    } catch (thrown) {
      return this.handleDecodeError(thrown)
    }
    if (this.phase === 'Startup') return this.handleStartup(message)
    // COPY FROM STDIN takes the frames that follow its CopyInResponse while its statement still runs.
    const isCopyMessage = message.kind === 'CopyData' || message.kind === 'CopyDone' || message.kind === 'CopyFail'
    if (isCopyMessage || (this.copy.isCopyingIn && message.kind !== 'Terminate')) return this.copy.receive(message)
    const pending = this.handleMessage(message)
    return pending === undefined ? undefined : this.copy.track(pending)
  }

  /** Listener shutdown: FATAL 57P01 to a started session, then close. */
  shutdown(): void {
    if (this.phase === 'Ready') this.terminate(adminShutdown())
    else this.dispose()
  }

  /** Socket gone: forget the cancel key; stop every stream (sending or held by a portal) so its scan ends. */
  dispose(): void {
    if (this.phase === 'Ready') this.options.cancelRegistry.unregister(this.key.pid)
    this.phase = 'Closed'
    this.sendingCursor?.close()
    this.extended.dropPortals()
    this.copy.stop(queryCanceled())
  }

  private terminate(error: DbError): undefined {
    this.send({ kind: 'ErrorResponse', error })
    this.dispose()
    this.options.host.close()
    return undefined
  }

  private handleDecodeError(thrown: unknown): undefined {
    const isExtended = thrown instanceof FrontendDecodeError && thrown.isExtendedQuery
    const error = this.toDbError(thrown instanceof FrontendDecodeError ? thrown.error : thrown)
    if (error.severity === 'FATAL' || this.phase === 'Startup') return this.terminate(error)
    if (this.isSkippingToSync) return undefined
    this.sendError(error)
    if (isExtended) this.isSkippingToSync = true
    else this.sendReady()
    return undefined
  }

  private handleStartup(message: FrontendMessage): undefined {
    switch (message.kind) {
      case 'SSLRequest':
      case 'GSSENCRequest':
        // Each may be asked once; we have neither TLS nor GSSAPI, so the answer is a single 'N' byte.
        if (this.negotiated.has(message.kind)) return this.terminate(fatalProtocolViolation(`duplicate ${message.kind}`))
        this.negotiated.add(message.kind)
        this.writer.byte(NO_BYTE)
        return undefined
      case 'CancelRequest':
        this.options.cancelRegistry.cancel(message.pid, message.secret)
        this.dispose()
        this.options.host.close()
        return undefined
      case 'StartupMessage':
        return this.start(message.protocolVersion, message.params)
      default:
        return this.terminate(fatalProtocolViolation(`expected startup message, got ${message.kind}`))
    }
  }

  private start(protocolVersion: number, params: ReadonlyMap<string, string>): undefined {
    if (this.options.isOverCapacity) return this.terminate(tooManyConnections())
    let answer
    try {
      answer = answerStartup(protocolVersion, params)
    } catch (thrown) {
      return this.terminate(this.toDbError(thrown))
    }
    this.context = answer.context
    for (const message of answer.messages) this.send(message)
    this.key = this.options.cancelRegistry.allocateKey()
    this.options.cancelRegistry.register(this.key.pid, this.key.secret, this)
    this.send({ kind: 'BackendKeyData', pid: this.key.pid, secret: this.key.secret })
    this.phase = 'Ready'
    this.sendReady()
    return undefined
  }

  private handleMessage(message: FrontendMessage): Promise<void> | undefined {
    if (message.kind === 'Terminate') {
      this.dispose()
      this.options.host.close()
      return undefined
    }
    // After an error in extended query mode, every message up to Sync is discarded (PostgreSQL's ignore_till_sync).
    if (this.isSkippingToSync && message.kind !== 'Sync') return undefined
    switch (message.kind) {
      case 'Query': return this.simpleQuery(message.text)
      case 'Parse': return this.extendedStep(() => this.extended.parse(message.name, message.text, message.paramTypeOids))
      case 'Bind': return this.extendedStep(() => this.extended.bind(message))
      case 'Describe':
        return this.extendedStep(() => message.target === 'S'
          ? this.extended.describeStatement(message.name) : this.extended.describePortal(message.name))
      case 'Execute': return this.extendedStep(() => this.extended.execute(message.portal, message.maxRows))
      case 'Close': return this.extendedStep(() => this.extended.close(message.target, message.name))
      case 'Sync': return this.sync()
      case 'Flush': return undefined // the connection hands output to the socket after every batch anyway
      case 'PasswordMessage': return undefined // trust authentication: nothing was asked, so it is ignored
      case 'CopyData': case 'CopyDone': case 'CopyFail': return undefined // dropped after a failed COPY, as PostgreSQL does
      case 'StartupMessage': case 'SSLRequest': case 'GSSENCRequest': case 'CancelRequest':
        return this.terminate(fatalProtocolViolation(`unexpected ${message.kind} after startup`))
      default: return assertNever(message)
    }
  }

  /**
   * Sync: ends skip-to-Sync and the implicit transaction; ReadyForQuery. Portals are dropped (their streams
   * cancelled) outside a block, and in a failed block, where PostgreSQL has already marked them unusable.
   */
  private sync(): undefined {
    this.isSkippingToSync = false
    if (this.status !== 'T') this.extended.dropPortals()
    this.sendReady()
    return undefined
  }

  /** Runs one extended-query message; any error: ErrorResponse, then discard until Sync. */
  private extendedStep(step: () => Promise<void> | void): Promise<void> | undefined {
    const onError = (thrown: unknown): void => {
      this.sendError(this.toDbError(thrown))
      this.isSkippingToSync = true
    }
    try {
      const pending = step()
      return pending === undefined ? undefined : pending.catch(onError)
    } catch (thrown) {
      onError(thrown)
      return undefined
    }
  }

  /** Simple Query: each statement in order, stop at the first error, one ReadyForQuery at the end. */
  private async simpleQuery(text: string): Promise<void> {
    try {
      const statements = this.sql.parse(text)
      if (statements.length === 0) this.send({ kind: 'EmptyQueryResponse' })
      for (const statement of statements) await this.runSimpleStatement(statement)
    } catch (thrown) {
      this.sendError(this.toDbError(thrown))
    }
    this.sendReady()
  }

  private async runSimpleStatement(statement: PreparedStatement): Promise<void> {
    this.checkNotAborted(statement)
    const result = await this.execute(statement, [], [])
    if (result.kind === 'CommandResult') {
      this.send({ kind: 'CommandComplete', tag: this.applyCommandResult(result) })
      return
    }
    if (result.kind === 'CopyInResult' || result.kind === 'CopyOutResult') {
      this.send({ kind: 'CommandComplete', tag: await this.runCopy(result) })
      return
    }
    const formats = result.fields.map(() => 0)
    this.send({ kind: 'RowDescription', fields: result.fields, formats })
    const cursor = new ResultCursor(result)
    try {
      await this.sendCursorRows(cursor, formats, 0)
    } finally {
      // On an error mid-stream the scan still runs on the cores: stop it (a no-op once exhausted).
      cursor.close()
    }
    this.send({ kind: 'CommandComplete', tag: cursor.commandTag })
  }

  /** Sends rows as the running statement: a CancelRequest meanwhile stops the cursor, and the statement is 57014. */
  async sendCursorRows(cursor: ResultCursor, formats: ReadonlyArray<number>, maxRows: number, sink: RowSink = this): Promise<number> {
    this.sendingCursor = cursor
    this.isCanceled = false
    try {
      const sentCount = await cursor.send(sink, formats, maxRows)
      if (this.isCanceled) throw queryCanceled()
      return sentCount
    } finally {
      this.sendingCursor = null
      this.isCanceled = false
    }
  }

  runCopy(result: StatementResult & { kind: 'CopyInResult' | 'CopyOutResult' }): Promise<string> {
    return this.copy.run(result)
  }

  /** The TimeZone setting timestamptz text is printed in (startup or SET; 'UTC' when neither gave one). */
  sessionTimeZone(): string {
    return this.context.settings.get('timezone') ?? 'UTC'
  }

  /** In a failed transaction (E) PostgreSQL runs only COMMIT/ROLLBACK; everything else gets 25P02. */
  checkNotAborted(statement: PreparedStatement): void {
    const isExit = statement.transaction === 'commit' || statement.transaction === 'rollback'
    if (this.status === 'E' && !isExit) throw inFailedTransaction()
  }

  /** BEGIN → T; COMMIT/ROLLBACK → I (in E both are a rollback, tag ROLLBACK); a reported SET → ParameterStatus. */
  applyCommandResult(result: StatementResult & { kind: 'CommandResult' }): string {
    let tag = result.commandTag
    if (result.transaction === 'begin' && this.status === 'I') this.status = 'T'
    if (result.transaction === 'commit' || result.transaction === 'rollback') {
      if (this.status === 'E') tag = 'ROLLBACK'
      this.status = 'I'
      // Portals end with their transaction; their streams are cancelled.
      this.extended.dropPortals()
    }
    if (result.parameterStatus !== undefined) {
      const { name, value } = result.parameterStatus
      this.context.settings.set(name.toLowerCase(), value)
      this.send({ kind: 'ParameterStatus', name, value })
    }
    return tag
  }

  /** Runs a statement; a cancel that arrived while it ran turns its outcome into 57014. */
  async execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredOids: ReadonlyArray<number>): Promise<StatementResult> {
    this.isRunning = true
    this.isCanceled = false
    try {
      const result = await this.sql.execute(statement, params, declaredOids, this.context)
      if (this.isCanceled) throw queryCanceled()
      return result
    } catch (thrown) {
      throw this.isCanceled ? queryCanceled() : thrown
    } finally {
      this.isRunning = false
      this.isCanceled = false
    }
  }

  async describe(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): Promise<StatementDescription> {
    return this.sql.describe(statement, declaredOids, this.context)
  }

  private sendError(error: DbError): void {
    if (this.status === 'T') this.status = 'E'
    this.send({ kind: 'ErrorResponse', error })
  }

  private sendReady(): void {
    this.send({ kind: 'ReadyForQuery', status: this.status })
  }

  /** The statement boundary: a DbError goes to the client as is; anything else is a bug, logged and sent as XX000. */
  private toDbError(thrown: unknown): DbError {
    if (isDbError(thrown)) return thrown
    const detail = thrown instanceof Error ? thrown.message : String(thrown)
    log.error({ err: thrown, pid: this.key.pid }, 'internal error at the statement boundary')
    return internalError(detail)
  }
}
