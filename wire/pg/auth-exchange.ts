// wire/pg/auth-exchange: the authentication step of one connection, between StartupMessage and AuthenticationOk
// (PostgreSQL's ClientAuthentication): cleartext password, md5 (with a 4-byte salt) or SASL SCRAM-SHA-256, checked
// against the users file. Every failure after the exchange is the same FATAL 28P01, whether the user exists or not.
// No socket here: frames in, Authentication* messages out.
import { randomBytes } from 'node:crypto'
import { DbError, fatalProtocolViolation } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { BackendCode } from './backend.js'
import { BufferWriter } from './buffer-writer.js'
import { SCRAM_MECHANISM, ScramExchange } from './auth-scram.js'
import type { UsersStore } from './auth-users.js'
import { checkCleartext, isSameBytes, md5Response, type Md5Verifier, type Verifier } from './auth-verifier.js'
import type { Frame } from './framer.js'

export type AuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256'

/** What the pg listener authenticates with; trust needs no users. */
export type PgAuth = { readonly method: 'trust' } | { readonly method: Exclude<AuthMethod, 'trust'>; readonly users: UsersStore }

/** AuthenticationXxx request codes (the int32 after 'R'). */
const enum AuthCode {
  CleartextPassword = 3,
  MD5Password = 5,
  SASL = 10,
  SASLContinue = 11,
  SASLFinal = 12,
}

const PASSWORD_MESSAGE = 0x70 // p: PasswordMessage, SASLInitialResponse and SASLResponse alike
const TERMINATE = 0x58 // X
const MD5_SALT_BYTES = 4

export type AuthStep =
  | { readonly kind: 'Continue'; readonly output: Buffer }
  | { readonly kind: 'Authenticated'; readonly output: Buffer | null }
  | { readonly kind: 'Failed'; readonly error: DbError }
  /** The client went away (Terminate) without answering: close quietly, as PostgreSQL does. */
  | { readonly kind: 'Closed' }

/** 28P01, the one answer to a wrong password and to an unknown user. */
export function passwordAuthFailed(user: string): DbError {
  return new DbError({ severity: 'FATAL', code: SqlState.invalidPassword, message: `password authentication failed for user "${user}"` })
}

function authRequest(code: AuthCode, build?: (writer: BufferWriter) => void): Buffer {
  const writer = new BufferWriter()
  writer.start(BackendCode.Authentication).int32(code)
  build?.(writer)
  writer.end()
  return writer.take()
}

/** A password packet's one string: it must end at the terminator (PostgreSQL's "invalid password packet size"). */
function passwordOf(body: Buffer): Buffer {
  if (body.length === 0 || body.indexOf(0) !== body.length - 1) throw fatalProtocolViolation('invalid password packet size')
  return body.subarray(0, body.length - 1)
}

type State =
  | { readonly kind: 'Begin' }
  | { readonly kind: 'Cleartext'; readonly verifier: Verifier | null }
  | { readonly kind: 'Md5'; readonly verifier: Md5Verifier | null; readonly salt: Buffer }
  | { readonly kind: 'SaslInitial' | 'SaslFirst' | 'SaslFinal'; readonly scram: ScramExchange }

export class AuthExchange {
  private state: State = { kind: 'Begin' }

  constructor(private readonly method: Exclude<AuthMethod, 'trust'>, private readonly users: UsersStore,
    private readonly user: string) {}

  /** The first call passes null (send the request); later calls pass each frame the client sent. */
  async step(frame: Frame | null): Promise<AuthStep> {
    try {
      if (frame === null) return await this.begin()
      if (frame.kind === 'FramingError') return { kind: 'Failed', error: frame.error }
      if (frame.kind === 'TypedFrame' && frame.code === TERMINATE) return { kind: 'Closed' }
      if (frame.kind !== 'TypedFrame' || frame.code !== PASSWORD_MESSAGE) {
        const code = frame.kind === 'TypedFrame' ? frame.code : 0
        return { kind: 'Failed', error: fatalProtocolViolation(`expected password response, got message type ${code}`) }
      }
      return await this.answer(frame.body)
    } catch (thrown) {
      if (thrown instanceof DbError) return { kind: 'Failed', error: thrown }
      throw thrown
    }
  }

  /** Chooses the request as PostgreSQL does: md5 with a SCRAM verifier uses SCRAM; scram-sha-256 always does. */
  private async begin(): Promise<AuthStep> {
    const verifier = await this.users.lookup(this.user)
    if (this.method === 'password') {
      this.state = { kind: 'Cleartext', verifier }
      return { kind: 'Continue', output: authRequest(AuthCode.CleartextPassword) }
    }
    const useMd5 = this.method === 'md5' && (verifier === null ? this.users.commonKind() === 'md5' : verifier.kind === 'md5')
    if (useMd5) {
      const salt = randomBytes(MD5_SALT_BYTES)
      this.state = { kind: 'Md5', verifier: verifier?.kind === 'md5' ? verifier : null, salt }
      return { kind: 'Continue', output: authRequest(AuthCode.MD5Password, (w) => w.bytes(salt)) }
    }
    const isDoomed = verifier?.kind !== 'scram'
    const scram = new ScramExchange(verifier?.kind === 'scram' ? verifier : this.users.mockScramVerifier(this.user), isDoomed)
    this.state = { kind: 'SaslInitial', scram }
    return { kind: 'Continue', output: authRequest(AuthCode.SASL, (w) => w.cstring(SCRAM_MECHANISM).byte(0)) }
  }

  private async answer(body: Buffer): Promise<AuthStep> {
    const state = this.state
    switch (state.kind) {
      case 'Cleartext': {
        const password = passwordOf(body)
        // An unknown user costs the same PBKDF2 as a known one: timing tells nothing either.
        const verifier = state.verifier ?? this.users.mockScramVerifier(this.user)
        const isMatch = password.length > 0 && await checkCleartext(verifier, password, this.user)
        return this.outcome(isMatch && state.verifier !== null, null)
      }
      case 'Md5': {
        const answer = passwordOf(body)
        const expected = state.verifier === null ? randomBytes(35) : Buffer.from(md5Response(state.verifier, state.salt))
        return this.outcome(isSameBytes(answer, expected) && state.verifier !== null, null)
      }
      case 'SaslInitial': return this.saslInitial(body, state.scram)
      case 'SaslFirst': return this.saslFirst(body.toString('utf8'), state.scram)
      case 'SaslFinal': {
        const serverFinal = state.scram.final(body.toString('utf8'))
        return this.outcome(serverFinal !== null, serverFinal === null ? null : authRequest(AuthCode.SASLFinal, (w) => w.bytes(Buffer.from(serverFinal))))
      }
      case 'Begin': return { kind: 'Failed', error: fatalProtocolViolation('password response before the request') }
    }
  }

  /** SASLInitialResponse: mechanism, int32 length (-1: none yet), the client-first-message. */
  private saslInitial(body: Buffer, scram: ScramExchange): AuthStep {
    const end = body.indexOf(0)
    const mechanism = end < 0 ? '' : body.subarray(0, end).toString('utf8')
    if (mechanism !== SCRAM_MECHANISM) {
      // SCRAM-SHA-256-PLUS included: it is never advertised (no channel binding), so choosing it is invalid.
      throw fatalProtocolViolation('client selected an invalid SASL authentication mechanism')
    }
    if (body.length < end + 5) throw fatalProtocolViolation('invalid SASLInitialResponse message')
    const length = body.readInt32BE(end + 1)
    const data = body.subarray(end + 5)
    if (length === -1 && data.length === 0) {
      // No initial response: ask for it with an empty challenge (PostgreSQL does the same).
      this.state = { kind: 'SaslFirst', scram }
      return { kind: 'Continue', output: authRequest(AuthCode.SASLContinue) }
    }
    if (length !== data.length) throw fatalProtocolViolation('invalid SASLInitialResponse message')
    return this.saslFirst(data.toString('utf8'), scram)
  }

  private saslFirst(clientFirst: string, scram: ScramExchange): AuthStep {
    const serverFirst = scram.first(clientFirst)
    this.state = { kind: 'SaslFinal', scram }
    return { kind: 'Continue', output: authRequest(AuthCode.SASLContinue, (w) => w.bytes(Buffer.from(serverFirst))) }
  }

  private outcome(isAuthenticated: boolean, output: Buffer | null): AuthStep {
    return isAuthenticated ? { kind: 'Authenticated', output } : { kind: 'Failed', error: passwordAuthFailed(this.user) }
  }
}
