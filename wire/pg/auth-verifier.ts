// wire/pg/auth-verifier: PostgreSQL's password verifiers, as pg_authid.rolpassword stores them:
// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5803, base64) and `md5<hex of md5(password || user)>`.
// Built and checked with node:crypto; PBKDF2 runs on libuv's pool (callback form), never on the event loop.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'

export const SCRAM_KEY_BYTES = 32
// PostgreSQL's SCRAM_DEFAULT_SALT_LEN and scram_iterations' default (15): verifiers look like the ones it makes.
export const SCRAM_SALT_BYTES = 16
export const SCRAM_ITERATIONS_DEFAULT = 4096
// An iteration count past this in a users file is refused: each cleartext check costs that many HMACs.
const SCRAM_ITERATIONS_MAX = 10_000_000
const SCRAM_PREFIX = 'SCRAM-SHA-256$'
const MD5_PREFIX = 'md5'

export interface ScramVerifier {
  readonly kind: 'scram'
  readonly iterations: number
  readonly salt: Buffer
  readonly storedKey: Buffer
  readonly serverKey: Buffer
}

export interface Md5Verifier {
  readonly kind: 'md5'
  /** 32 lowercase hex digits: md5(password || user name). */
  readonly hash: string
}

export type Verifier = ScramVerifier | Md5Verifier

/** Standard base64 that decodes back to the same text (Buffer.from alone accepts anything). */
function decodeBase64Strict(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64')
  return text.length > 0 && bytes.toString('base64') === text ? bytes : null
}

/** Parses a stored verifier; null when the text is neither form (a plain password, say). */
export function parseVerifier(text: string): Verifier | null {
  if (/^md5[0-9a-f]{32}$/.test(text)) return { kind: 'md5', hash: text.slice(MD5_PREFIX.length) }
  const match = /^SCRAM-SHA-256\$(\d{1,9}):([^$:]+)\$([^$:]+):([^$:]+)$/.exec(text)
  if (match === null) return null
  const iterations = Number(match[1])
  const salt = decodeBase64Strict(match[2] ?? '')
  const storedKey = decodeBase64Strict(match[3] ?? '')
  const serverKey = decodeBase64Strict(match[4] ?? '')
  if (iterations < 1 || iterations > SCRAM_ITERATIONS_MAX || salt === null) return null
  if (storedKey?.length !== SCRAM_KEY_BYTES || serverKey?.length !== SCRAM_KEY_BYTES) return null
  return { kind: 'scram', iterations, salt, storedKey, serverKey }
}

export function formatVerifier(verifier: Verifier): string {
  if (verifier.kind === 'md5') return `${MD5_PREFIX}${verifier.hash}`
  const { iterations, salt, storedKey, serverKey } = verifier
  return `${SCRAM_PREFIX}${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest()
}

export function hmacSha256(key: Buffer, data: Buffer | string): Buffer {
  return createHmac('sha256', key).update(data).digest()
}

function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex')
}

/** Equal bytes, in time that does not depend on where they differ. */
export function isSameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b)
}

// RFC 3454 C.1.2 (non-ASCII spaces, mapped to a space) and B.1 (mapped to nothing), as SASLprep (RFC 4013) maps them.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g
// Prohibited output (RFC 3454 C.2–C.9, without the unassigned-code-point table A.1): controls, private use,
// non-characters, surrogates, tagging and bidi controls.
const PROHIBITED = /[\u0000-\u001F\u007F-\u009F\u0340\u0341\u06DD\u070F\u180E\u200E\u200F\u202A-\u202E\u2028\u2029\u206A-\u206F\uE000-\uF8FF\uFDD0-\uFDEF\uFFF9-\uFFFF\uD800-\uDFFF]/

/**
 * The bytes SCRAM salts, as PostgreSQL's pg_saslprep decides: ASCII as is; other valid UTF-8 mapped and NFKC-normalised
 * (RFC 4013); anything SASLprep would reject (invalid UTF-8, prohibited characters) is used raw, as PostgreSQL does.
 */
export function saslPrep(password: Buffer): Buffer {
  if (password.every((byte) => byte < 0x80)) return password
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(password)
  } catch {
    return password
  }
  const prepared = text.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC')
  return PROHIBITED.test(prepared) || prepared.length === 0 ? password : Buffer.from(prepared, 'utf8')
}

function pbkdf2Sha256(password: Buffer, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, SCRAM_KEY_BYTES, 'sha256', (error, key) => (error === null ? resolve(key) : reject(error)))
  })
}

/** SaltedPassword → (StoredKey, ServerKey), RFC 5802 §3. */
function scramKeys(saltedPassword: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  return { storedKey: sha256(hmacSha256(saltedPassword, 'Client Key')), serverKey: hmacSha256(saltedPassword, 'Server Key') }
}

export async function buildScramVerifier(
  password: Buffer, options: { readonly salt?: Buffer; readonly iterations?: number } = {}): Promise<ScramVerifier> {
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES)
  const iterations = options.iterations ?? SCRAM_ITERATIONS_DEFAULT
  const keys = scramKeys(await pbkdf2Sha256(saslPrep(password), salt, iterations))
  return { kind: 'scram', iterations, salt, ...keys }
}

export function buildMd5Verifier(password: Buffer, user: string): Md5Verifier {
  return { kind: 'md5', hash: md5Hex(Buffer.concat([password, Buffer.from(user, 'utf8')])) }
}

/** The md5 method's answer for this verifier and salt: `md5` + md5(hash || salt) in hex (PostgreSQL's pg_md5_encrypt). */
export function md5Response(verifier: Md5Verifier, salt: Buffer): string {
  return `${MD5_PREFIX}${md5Hex(Buffer.concat([Buffer.from(verifier.hash, 'ascii'), salt]))}`
}

/** Checks a cleartext password against a verifier (the `password` method, PostgreSQL's plain_crypt_verify). */
export async function checkCleartext(verifier: Verifier, password: Buffer, user: string): Promise<boolean> {
  if (verifier.kind === 'md5') {
    return isSameBytes(Buffer.from(buildMd5Verifier(password, user).hash), Buffer.from(verifier.hash))
  }
  const keys = scramKeys(await pbkdf2Sha256(saslPrep(password), verifier.salt, verifier.iterations))
  // Both keys must match, as PostgreSQL's scram_verify_plain_password checks.
  return isSameBytes(keys.storedKey, verifier.storedKey) && isSameBytes(keys.serverKey, verifier.serverKey)
}
