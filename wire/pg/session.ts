// wire/pg/session: the protocol state machine of one connection (startup, simple and extended query, transaction
// status, skip-to-Sync recovery). No socket here: bytes go out through SessionHost. This is the statement boundary:
// the ONLY place where an unknown thrown value becomes XX000 (internalError), logged with its stack.
import { assertNever } from '../../src/common/assert.js'
import {
  adminShutdown, DbError, fatalProtocolViolation, idleInTransactionTimeout, idleSessionTimeout, internalError, isDbError, queryCanceled,
} from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import { textSettingsOf, type TextSettings } from '../../src/common/text-settings.js'
import {
  reportedSettings, settingMs,
  type BackendActivity, type ParamValue, type PreparedStatement, type SessionContext, type SqlFacade, type StatementDescription,
  type StatementResult,
} from '../../sql/api.js'
import { type BackendMessage, KeptRowDescription, writeBackend } from './backend.js'
import { BufferWriter } from './buffer-writer.js'
import type { CancelRegistry } from './cancel.js'
import { DataRowBatchEncoder } from './codecs/datarow-batch.js'
import { ConstantAnswers, type RowsResult } from './constant-answers.js'
import { CopyProtocol } from './copy-session.js'
import { ExtendedQuery, type ExtendedQueryHost } from './extended-query.js'
import { ExtendedStep } from './extended-step.js'
import type { Frame } from './framer.js'
import { decodeFrontend, decodeStartup, FrontendCode, FrontendDecodeError, type FrontendMessage } from './frontend.js'
import { RecentString } from './buffer-reader.js'
import type { ResultCursor, RowSink } from './result-writer.js'
import { runSimpleStatement } from './simple-query.js'
import type { StartupAnswer } from './startup.js'
import type { PgAuth } from './auth-exchange.js'
import { StartupPhase } from './session-startup.js'
import { IdleTimer } from './timeouts.js'
import { StatementRun } from './statement-run.js'
import { activityRow, type Peer, SessionActivity } from './activity.js'
import { TransactionBlock } from './transaction-block.js'
import { NotificationDelivery } from './notification-delivery.js'
import { ReportedParameters } from './parameter-status.js'
import { SettingsView } from './settings-view.js'

export interface SessionHost {
  /** Hands the session's output to the socket; a promise while the send buffer is over its bound. */
  flush(): Promise<void> | undefined
  /** Sends what is buffered, then ends the connection. */
  close(): void
  /** The client's address and port (pg_stat_activity), and its TLS session (pg_stat_ssl). */
  peer?(): Peer
  /** Present when TLS is configured: sends what is buffered (the 'S'), then upgrades the socket (wire/pg/tls.ts). */
  readonly startTls?: () => void
}

export interface SessionOptions {
  readonly sql: SqlFacade
  readonly host: SessionHost
  readonly cancelRegistry: CancelRegistry
  /** Over the connection limit: the StartupMessage is answered with FATAL 53300 (a CancelRequest still works). */
  readonly isOverCapacity: boolean
  /** How a StartupMessage is authenticated (auth-exchange.ts); absent = trust. */
  readonly auth?: PgAuth
}

type Phase = 'Startup' | 'Ready' | 'Closed'

export class Session implements ExtendedQueryHost {
  readonly sql: SqlFacade
  private readonly writer = new BufferWriter()
  private readonly answers = new ConstantAnswers(this.writer)
  private readonly rowDescription = new KeptRowDescription()
  private readonly extended = new ExtendedQuery(this)
  readonly copy = new CopyProtocol(this)
  private phase: Phase = 'Startup'
  private readonly block = new TransactionBlock(this.extended)
  private readonly notifications = new NotificationDelivery(this)
  private context: SessionContext = { settings: new Map(), user: '', database: '' }
  private key = { pid: 0, secret: 0 }
  private isSkippingToSync = false
  private encoder: DataRowBatchEncoder | null = null
  private readonly run = new StatementRun({
    execute: (statement, params, oids, context) => this.sql.execute(statement, params, oids, context), context: () => this.context,
    fetch: (fetch, signal) => this.extended.fetch(fetch, signal), settle: (result, context) => this.block.settle(result, context),
  })
  private readonly idleTimer = new IdleTimer()
  private readonly tracker = new SessionActivity()
  private readonly steps = new ExtendedStep({
    extended: this.extended, block: this.block, tracker: this.tracker, run: this.run, fail: (thrown) => this.extendedError(thrown),
  })
  private readonly parameters = new ReportedParameters((message) => this.send(message))
  private readonly settings = new SettingsView(() => this.context)
  private readonly parseText = new RecentString()
  private readonly queryText = new RecentString()
  private readonly startup: StartupPhase

  constructor(private readonly options: SessionOptions) {
    this.startup = new StartupPhase({
      cancelRegistry: options.cancelRegistry, isOverCapacity: options.isOverCapacity, auth: options.auth, startTls: options.host.startTls,
      byte: (value) => this.writer.byte(value), bytes: (value) => this.writer.bytes(value), send: (message) => this.send(message),
      terminate: (error) => this.terminate(error), toDbError: (thrown) => this.toDbError(thrown),
      closeQuietly: () => { this.dispose(); options.host.close() }, started: (context, answer) => this.finishStartup(context, answer),
    })
    this.sql = options.sql
  }

  /** Past the StartupMessage (authenticating or Ready): frames from here on are typed. */
  get isStarted(): boolean {
    return this.phase !== 'Startup' || this.startup.isAuthenticating
  }

  get isClosed(): boolean { return this.phase === 'Closed' }

  /** Past startup and authentication (the connection's authentication timeout stops here). */
  get isAuthenticated(): boolean { return this.phase === 'Ready' }

  /** Bytes written but not yet taken by the connection. */
  get outputByteCount(): number { return this.writer.byteCount }

  /** Output written since the last call (whole messages), in order; empty when there is none. */
  takeOutput(): Buffer[] { return this.writer.byteCount === 0 ? [] : this.writer.takeChunks() }

  send(message: BackendMessage): void { writeBackend(this.writer, message, this.rowDescription) }

  /** One per session, made at its first result (RowSink.dataRowEncoder). */
  get dataRowEncoder(): DataRowBatchEncoder {
    return (this.encoder ??= new DataRowBatchEncoder())
  }

  flush(): Promise<void> | undefined { return this.options.host.flush() }

  /** pg_stat_activity's row (Cancelable): the tracker's state with who and where the session is. */
  activity(pid: number): BackendActivity { return activityRow(pid, this.context, this.tracker.snapshot(), this.options.host.peer?.()) }

  /** CancelRequest: the running statement answers 57014; rows being streamed stop and their scan is cancelled. */
  cancelRunningStatement(): void {
    this.run.guard.cancel()
    this.copy.stop(queryCanceled())
  }

  /** Connection.receive, around the frames of one packet: they share one read of pg_stat_activity's clock. */
  inPacket(isIn: boolean): void { this.tracker.inPacket(isIn) }

  /** Handles one frame; a promise while a statement runs (the caller must not pass the next frame before it settles). */
  handleFrame(frame: Frame): Promise<void> | undefined {
    if (this.phase === 'Closed') return undefined
    if (this.startup.isAuthenticating) return this.startup.authenticate(frame)
    this.idleTimer.disarm()
    this.notifications.received(frame)
    if (frame.kind === 'FramingError') return this.terminate(frame.error)
    let message: FrontendMessage
    const recent = frame.kind !== 'StartupFrame' && frame.code === FrontendCode.Query ? this.queryText : this.parseText
    try {
      message = frame.kind === 'StartupFrame' ? decodeStartup(frame.body) : decodeFrontend(frame.code, frame.bytes, frame.start, frame.end, recent)
    } catch (thrown) {
      return this.handleDecodeError(thrown)
    }
    if (this.phase === 'Startup') return this.startup.handle(message)
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
    this.startup.abandon()
    this.idleTimer.disarm()
    this.run.stop()
    this.extended.dropPortals()
    this.copy.stop(queryCanceled())
    this.block.abandon()
    this.notifications.stop()
  }

  private terminate(error: DbError | null): undefined {
    if (error !== null) this.send({ kind: 'ErrorResponse', error })
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

  /** Authenticated (or trust): the rest of startup, then Ready. */
  private finishStartup(context: SessionContext, answer: StartupAnswer): void {
    this.context = context
    this.settings.invalidate()
    context.preparedStatements = this.extended
    context.writes = this.block.writes
    context.backends = this.options.cancelRegistry
    // The reported values as the startup packet set them (TimeZone=Europe/Berlin, not the default), in PG's order.
    const current = new Map(reportedSettings(this.context))
    for (const message of answer.messages) {
      if (message.kind !== 'ParameterStatus') this.send(message)
      else this.parameters.report(message.name, current.get(message.name) ?? message.value)
    }
    context.backendPid = (this.key = this.options.cancelRegistry.allocateKey()).pid
    this.options.cancelRegistry.register(this.key.pid, this.key.secret, this)
    this.notifications.start(this.options.cancelRegistry, this.key.pid, context.database)
    this.send({ kind: 'BackendKeyData', pid: this.key.pid, secret: this.key.secret })
    this.phase = 'Ready'
    this.sendReady()
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
      case 'Parse': case 'Bind': case 'Describe': case 'Execute': case 'Close': return this.steps.handle(message)
      case 'Sync': return this.sync()
      case 'Flush': return this.options.host.flush() // output held behind pipelined frames goes out now (its backpressure waits)
      case 'PasswordMessage': return undefined // trust authentication: nothing was asked, so it is ignored
      case 'CopyData': case 'CopyDone': case 'CopyFail': return undefined // dropped after a failed COPY, as PostgreSQL does
      case 'StartupMessage': case 'SSLRequest': case 'GSSENCRequest': case 'CancelRequest':
        return this.terminate(fatalProtocolViolation(`unexpected ${message.kind} after startup`))
      default: return assertNever(message)
    }
  }

  /** Sync: ends skip-to-Sync, the implicit transaction (its writes durable first) and the statement clock; ReadyForQuery.
   *  Portals are dropped (streams cancelled) outside a block, and in a failed block, where PostgreSQL has already marked them unusable. */
  private sync(): Promise<void> | undefined {
    this.endStatement()
    this.isSkippingToSync = false
    const ending = this.endImplicit()
    return ending === undefined ? this.readyAfterSync() : ending.then(() => this.readyAfterSync())
  }

  private readyAfterSync(): undefined {
    this.block.sync()
    return this.sendReady()
  }

  /** An extended-query message failed: ErrorResponse, then discard until Sync. */
  private extendedError(thrown: unknown): undefined {
    this.sendError(this.toDbError(thrown))
    this.isSkippingToSync = true
    return undefined
  }

  /**
   * Simple Query. A lone constant statement whose answer this session kept is answered from it, without a promise:
   * nothing waits, so nothing can cancel it or time it out, and its statement clock is not started.
   */
  private simpleQuery(text: string): Promise<void> | undefined {
    this.extended.drop('S', '') // PostgreSQL drops the unnamed statement and portal first, whether or not the text parses
    this.extended.drop('P', '')
    let statements: ReadonlyArray<PreparedStatement>
    try {
      statements = this.sql.parse(text)
    } catch (thrown) {
      return this.runQuery(text, () => { throw thrown })
    }
    const lone = statements.length === 1 && this.block.status !== 'E' ? statements[0]! : null
    if (lone === null || this.answers.write(lone, this.settings.current(), null) === null) return this.runQuery(text, () => statements)
    this.tracker.running(text)
    const ending = this.endImplicit()
    if (ending === undefined) return this.sendReady()
    return ending.then(() => this.sendReady())
  }

  /** Each statement in order, stop at the first error, one ReadyForQuery at the end. */
  private async runQuery(text: string, parse: () => ReadonlyArray<PreparedStatement>): Promise<void> {
    try {
      const statements = parse()
      if (statements.length === 0) this.send({ kind: 'EmptyQueryResponse' })
      if (statements.length > 1) this.block.enterImplicit() // one implicit transaction; a lone statement autocommits
      for (const statement of statements) {
        // Each statement is timed on its own (PostgreSQL ≥ 13 applies statement_timeout per statement).
        this.beginStatement(text)
        await runSimpleStatement(this, statement).finally(() => this.endStatement())
      }
    } catch (thrown) {
      this.sendError(this.toDbError(thrown))
    }
    const ending = this.endImplicit()
    if (ending !== undefined) await ending
    this.sendReady()
  }

  /** Commits (or, after an error, rolls back) the implicit transaction; a failing COMMIT is an ErrorResponse. */
  private endImplicit(): Promise<void> | undefined {
    return this.block.endImplicit()?.catch((thrown: unknown) => this.sendError(this.toDbError(thrown)))
  }

  /** Sends rows as the running statement: a CancelRequest meanwhile stops the cursor, and the statement is 57014. */
  sendCursorRows(cursor: ResultCursor, formats: ReadonlyArray<number>, maxRows: number, sink: RowSink = this): Promise<number> {
    return this.run.sendCursorRows(cursor, formats, maxRows, sink)
  }

  runCopy(result: StatementResult & { kind: 'CopyInResult' | 'CopyOutResult' }): Promise<string> {
    return this.copy.run(result)
  }

  writeConstantAnswer(statement: PreparedStatement, formats: ReadonlyArray<number>): RowsResult | null {
    this.run.guard.throwIfCanceled()
    return this.answers.write(statement, this.settings.current(), formats)
  }

  recordConstantAnswer(statement: PreparedStatement, formats: ReadonlyArray<number> | null, result: RowsResult): () => void {
    return this.answers.record(statement, this.settings.current(), formats, result)
  }

  /** The statement (or extended-query message) shows as active in pg_stat_activity, and its clock starts. */
  private beginStatement(text: string): void {
    this.tracker.running(text)
    this.run.begin()
  }

  private endStatement(): void {
    this.run.end()
  }

  /** The TimeZone, DateStyle and IntervalStyle date/time text is printed in (startup or SET; PostgreSQL's defaults). */
  textSettings(): TextSettings {
    return textSettingsOf(this.context.settings)
  }

  checkNotAborted(statement: PreparedStatement): void {
    this.block.checkNotAborted(statement)
  }

  /** Transaction and savepoint effects (transaction-block.ts); DEALLOCATE, DISCARD ALL, DECLARE and CLOSE act on this session's statements and portals. */
  applyCommandResult(result: StatementResult & { kind: 'CommandResult' }): string {
    if (result.sessionEffect !== undefined) this.extended.applyEffect(result.sessionEffect)
    const notices = [...(result.notices ?? [])]
    const tag = this.block.apply(result, this.context, notices)
    this.settings.invalidate() // COMMIT keeps a block's settings, ROLLBACK (TO) restores them
    for (const notice of notices) this.send({ kind: 'NoticeResponse', notice })
    return tag
  }

  /** Runs in sql (or reads a cursor), as the running statement (statement-run.ts). */
  execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredOids: ReadonlyArray<number>): Promise<StatementResult> {
    this.settings.invalidate()
    return this.run.execute(statement, params, declaredOids)
  }

  get sessionContext(): SessionContext { return this.context }
  keptDescription(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): StatementDescription | undefined {
    return this.answers.kept(statement, declaredOids)
  }
  describe(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): StatementDescription | Promise<StatementDescription> {
    if (statement.cursorFetch !== undefined) return this.extended.describeFetch(statement.cursorFetch)
    return this.answers.describe(statement, declaredOids, () => this.sql.describe(statement, declaredOids, this.context))
  }

  private sendError(error: DbError): void {
    this.send({ kind: 'ErrorResponse', error: this.block.fail(error) })
  }

  /**
   * ReadyForQuery, preceded by ParameterStatus for each reported setting that changed (SET, RESET, ROLLBACK, the end
   * of SET LOCAL), as PostgreSQL 15 reports them; then the idle timeout for the state the session is left in.
   */
  private sendReady(): undefined {
    this.notifications.beforeReady(this.block.status) // LISTEN's notifications outside a block, before ParameterStatus as PostgreSQL 15
    const reported = this.settings.reportedIfChanged()
    if (reported !== null) this.parameters.reportChanged(reported)
    this.send({ kind: 'ReadyForQuery', status: this.block.status })
    this.tracker.ready(this.block.status)
    const isIdleInTransaction = this.block.status !== 'I'
    const timeoutMs = settingMs(this.context, isIdleInTransaction ? 'idle_in_transaction_session_timeout' : 'idle_session_timeout')
    if (timeoutMs > 0) {
      this.idleTimer.arm(timeoutMs, () => {
        if (this.phase === 'Ready') this.terminate(isIdleInTransaction ? idleInTransactionTimeout() : idleSessionTimeout())
      })
    } else this.idleTimer.disarm()
    return undefined
  }

  /** The statement boundary: a DbError goes to the client as is; anything else is a bug, logged and sent as XX000. */
  private toDbError(thrown: unknown): DbError {
    if (isDbError(thrown)) return thrown
    const detail = thrown instanceof Error ? thrown.message : String(thrown)
    log.error({ err: thrown, pid: this.key.pid }, 'internal error at the statement boundary')
    return internalError(detail)
  }
}
