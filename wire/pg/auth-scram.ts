// wire/pg/auth-scram: the server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL's auth-scram.c runs it:
// no channel binding (only SCRAM-SHA-256 is advertised), the user name in the SCRAM message ignored (the startup
// packet's counts), a mock exchange for unknown users. Only HMACs and hashes here: no PBKDF2 at login time.
import { randomBytes } from 'node:crypto'
import { DbError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { hmacSha256, isSameBytes, SCRAM_KEY_BYTES, sha256, type ScramVerifier } from './auth-verifier.js'

export const SCRAM_MECHANISM = 'SCRAM-SHA-256'
// PostgreSQL's SCRAM_RAW_NONCE_LEN: random bytes behind the server's half of the nonce (base64 on the wire).
const SERVER_NONCE_BYTES = 18
// A SCRAM message longer than this is malformed (PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH is 65535).
const SCRAM_MESSAGE_CHARS_MAX = 65_535

function scramError(code: 'protocolViolation' | 'featureNotSupported', message: string, detail?: string): DbError {
  return new DbError({ severity: 'FATAL', code: SqlState[code], message, ...(detail === undefined ? {} : { detail }) })
}

function malformed(detail: string): DbError {
  return scramError('protocolViolation', 'malformed SCRAM message', detail)
}

/** `x=value` → value; throws when the attribute is not the expected one. */
function attribute(part: string | undefined, name: string, where: string): string {
  if (part === undefined || part.length < 2 || part[0] !== name || part[1] !== '=') {
    throw malformed(`Expected attribute "${name}" but found "${part?.[0] ?? 'end of message'}" in ${where}.`)
  }
  return part.slice(2)
}

/** A printable-ASCII nonce without commas (RFC 5802's `printable`). */
function isPrintableNonce(nonce: string): boolean {
  return nonce.length > 0 && /^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)
}

/**
 * One SCRAM exchange. `isDoomed` (unknown user, or no SCRAM verifier) runs every step the same way and fails at the
 * proof, so a client cannot tell a missing user from a wrong password.
 */
export class ScramExchange {
  private gs2Header = ''
  private clientFirstBare = ''
  private serverFirst = ''
  private nonce = ''

  /** `serverNonce` is injected by tests (RFC 7677's example); a server draws SERVER_NONCE_BYTES random bytes. */
  constructor(private readonly verifier: ScramVerifier, private readonly isDoomed: boolean,
    private readonly serverNonce: () => string = () => randomBytes(SERVER_NONCE_BYTES).toString('base64')) {}

  /** client-first-message → server-first-message (`r=<nonce>,s=<salt>,i=<iterations>`). */
  first(message: string): string {
    if (message.length === 0 || message.length > SCRAM_MESSAGE_CHARS_MAX) throw malformed('The message is empty.')
    const flag = message[0]
    if (flag === 'p') {
      throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.')
    }
    if ((flag !== 'n' && flag !== 'y') || message[1] !== ',') throw malformed(`Unexpected channel-binding flag "${flag}".`)
    if (message[2] === 'a') throw scramError('featureNotSupported', 'client uses authorization identity, but it is not supported')
    if (message[2] !== ',') throw malformed(`Unexpected attribute "${message[2] ?? ''}" in client-first-message.`)
    this.gs2Header = message.slice(0, 3)
    this.clientFirstBare = message.slice(3)
    const parts = this.clientFirstBare.split(',')
    if (parts[0]?.startsWith('m=') === true) {
      throw scramError('featureNotSupported', 'client requires an unsupported SCRAM extension')
    }
    attribute(parts[0], 'n', 'client-first-message')
    const clientNonce = attribute(parts[1], 'r', 'client-first-message')
    if (!isPrintableNonce(clientNonce)) throw malformed('non-printable characters in SCRAM nonce')
    this.nonce = clientNonce + this.serverNonce()
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`
    return this.serverFirst
  }

  /** client-final-message → server-final-message (`v=<ServerSignature>`), or null when the proof is wrong. */
  final(message: string): string | null {
    if (message.length > SCRAM_MESSAGE_CHARS_MAX) throw malformed('The message is too long.')
    const parts = message.split(',')
    // Without channel binding the client echoes its GS2 header: "biws" for "n,,", "eSws" for "y,,".
    if (attribute(parts[0], 'c', 'client-final-message') !== Buffer.from(this.gs2Header).toString('base64')) {
      throw scramError('protocolViolation', 'SCRAM channel binding check failed')
    }
    const nonce = attribute(parts[1], 'r', 'client-final-message')
    const last = parts[parts.length - 1]
    if (parts.length < 3 || last === undefined || !last.startsWith('p=')) {
      throw malformed('Could not find proof in client-final-message.')
    }
    const proof = Buffer.from(last.slice(2), 'base64')
    if (proof.length !== SCRAM_KEY_BYTES || proof.toString('base64') !== last.slice(2)) {
      throw malformed('Malformed proof in client-final-message.')
    }
    if (nonce !== this.nonce) throw scramError('protocolViolation', 'invalid SCRAM response', 'Nonce does not match.')
    const withoutProof = message.slice(0, message.length - last.length - 1)
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`
    const clientSignature = hmacSha256(this.verifier.storedKey, authMessage)
    const clientKey = Buffer.alloc(SCRAM_KEY_BYTES)
    for (let i = 0; i < SCRAM_KEY_BYTES; i++) clientKey[i] = (proof[i] ?? 0) ^ (clientSignature[i] ?? 0)
    const isProven = isSameBytes(sha256(clientKey), this.verifier.storedKey)
    if (!isProven || this.isDoomed) return null
    return `v=${hmacSha256(this.verifier.serverKey, authMessage).toString('base64')}`
  }
}
