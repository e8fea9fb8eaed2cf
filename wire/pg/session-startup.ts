// wire/pg/session-startup: a session's first phase — SSLRequest / GSSENCRequest negotiation (TLS when configured),
// CancelRequest, the StartupMessage with its settings, and the authentication exchange (auth-exchange.ts) — up to the
// point where the session proper takes over (AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery).
import { DbError, fatalProtocolViolation, tooManyConnections } from '../../src/common/errors.js'
import { initSessionSettings, type SessionContext } from '../../sql/api.js'
import type { BackendMessage } from './backend.js'
import { AuthExchange, type PgAuth } from './auth-exchange.js'
import type { CancelRegistry } from './cancel.js'
import type { Frame } from './framer.js'
import type { FrontendMessage } from './frontend.js'
import { answerStartup, type StartupAnswer } from './startup.js'

const NO_BYTE = 0x4e // 'N': SSLRequest / GSSENCRequest declined
const YES_BYTE = 0x53 // 'S': SSLRequest accepted, the TLS handshake follows

/** What the startup phase needs of its session. */
export interface StartupHost {
  readonly cancelRegistry: CancelRegistry
  readonly isOverCapacity: boolean
  readonly auth: PgAuth | undefined
  /** Present when TLS is configured: sends what is buffered (the 'S'), then upgrades the socket. */
  readonly startTls: (() => void) | undefined
  byte(value: number): void
  bytes(value: Buffer): void
  send(message: BackendMessage): void
  /** FATAL (or nothing, for null) to the client, then close. */
  terminate(error: DbError | null): undefined
  /** A CancelRequest's socket: close without a word. */
  closeQuietly(): void
  toDbError(thrown: unknown): DbError
  /** Authenticated: the session sends the rest of startup and becomes Ready. */
  started(context: SessionContext, answer: StartupAnswer): void
}

export class StartupPhase {
  private readonly negotiated = new Set<string>()
  private exchange: { readonly auth: AuthExchange; readonly answer: StartupAnswer; readonly context: SessionContext } | null = null

  constructor(private readonly host: StartupHost) {}

  /** Between the StartupMessage and AuthenticationOk: every frame belongs to the exchange. */
  get isAuthenticating(): boolean {
    return this.exchange !== null
  }

  handle(message: FrontendMessage): Promise<void> | undefined {
    switch (message.kind) {
      case 'SSLRequest':
      case 'GSSENCRequest':
        // Each may be asked once; 'S' to SSLRequest when TLS is configured, else (and to GSSAPI) a single 'N' byte.
        if (this.negotiated.has(message.kind)) return this.host.terminate(fatalProtocolViolation(`duplicate ${message.kind}`))
        this.negotiated.add(message.kind)
        if (message.kind === 'SSLRequest' && this.host.startTls !== undefined) {
          this.host.byte(YES_BYTE)
          this.host.startTls()
          return undefined
        }
        this.host.byte(NO_BYTE)
        return undefined
      case 'CancelRequest':
        this.host.cancelRegistry.cancel(message.pid, message.secret)
        this.host.closeQuietly()
        return undefined
      case 'StartupMessage':
        return this.start(message.protocolVersion, message.params)
      default:
        return this.host.terminate(fatalProtocolViolation(`expected startup message, got ${message.kind}`))
    }
  }

  private start(protocolVersion: number, params: ReadonlyMap<string, string>): Promise<void> | undefined {
    if (this.host.isOverCapacity) return this.host.terminate(tooManyConnections())
    let answer: StartupAnswer
    try {
      answer = answerStartup(protocolVersion, params)
      initSessionSettings(answer.context, params)
    } catch (thrown) {
      return this.host.terminate(this.host.toDbError(thrown))
    }
    for (const message of answer.negotiation) this.host.send(message)
    const auth = this.host.auth
    if (auth === undefined || auth.method === 'trust') {
      this.host.started(answer.context, answer)
      return undefined
    }
    this.exchange = { auth: new AuthExchange(auth.method, auth.users, answer.context.user), answer, context: answer.context }
    return this.authenticate(null)
  }

  /** One step of the authentication exchange; the rest of startup once it succeeds. */
  authenticate(frame: Frame | null): Promise<void> | undefined {
    const exchange = this.exchange
    if (exchange === null) return undefined
    return exchange.auth.step(frame).then((step) => {
      if (this.exchange !== exchange) return
      if (step.kind === 'Failed' || step.kind === 'Closed') {
        this.exchange = null
        this.host.terminate(step.kind === 'Failed' ? step.error : null)
        return
      }
      if (step.output !== null) this.host.bytes(step.output)
      if (step.kind === 'Authenticated') {
        this.exchange = null
        this.host.started(exchange.context, exchange.answer)
      }
    })
  }

  /** The socket closed mid-exchange: a step still pending finds nothing to continue. */
  abandon(): void {
    this.exchange = null
  }
}
