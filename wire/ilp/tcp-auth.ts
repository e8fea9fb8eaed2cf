// wire/ilp/tcp-auth: QuestDB's ILP-over-TCP authentication (--ilp-auth-file). The client sends its key id and '\n';
// we send 512 random printable ASCII characters and '\n'; the client answers with the base64 ECDSA P-256 SHA-256
// signature of them (DER, or 64-byte IEEE P1363) and '\n', then streams lines. A wrong signature or an unknown key id
// (asked for a signature all the same) closes the connection: there is no reply channel. Knows nothing of SQL.
import { createPublicKey, type KeyObject, randomInt, verify } from 'node:crypto'
import { promises as fs } from 'node:fs'
import type { Socket } from 'node:net'
import { log } from '../../src/common/log.js'
import { ILP_TCP_AUTH_LINE_BYTES_MAX, ILP_TCP_AUTH_TIMEOUT_MS } from '../../src/common/limits.js'

/** Key id → public key. */
export type IlpPublicKeys = ReadonlyMap<string, KeyObject>

export class IlpAuthFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IlpAuthFileError'
  }
}

const KEY_TYPE = 'ec-p-256-sha256'
// QuestDB's CHALLENGE_LEN; characters 0x20..0x7e.
const CHALLENGE_BYTES = 512
const NEWLINE = 0x0a
// A P1363 signature is r || s, 32 bytes each; anything else is taken as DER (as QuestDB decides).
const P1363_SIGNATURE_BYTES = 64

/** `key_id ec-p-256-sha256 x y` per line (x, y base64url, QuestDB's auth db); # starts a comment. */
export function parseIlpAuthFile(text: string, file: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>()
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const [keyId, type, x, y, ...rest] = line.split(/\s+/)
    const where = `${file}:${index + 1}`
    if (keyId === undefined || type !== KEY_TYPE || x === undefined || y === undefined || rest.length > 0) {
      throw new IlpAuthFileError(`${where}: expected "key_id ${KEY_TYPE} x y"`)
    }
    try {
      keys.set(keyId, createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' }))
    } catch (error: unknown) {
      throw new IlpAuthFileError(`${where}: not a P-256 public key (${error instanceof Error ? error.message : String(error)})`)
    }
  })
  return keys
}

export async function loadIlpAuthFile(file: string): Promise<Map<string, KeyObject>> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error: unknown) {
    throw new IlpAuthFileError(`cannot read ILP auth file ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return parseIlpAuthFile(text, file)
}

function makeChallenge(): Buffer {
  const challenge = Buffer.allocUnsafe(CHALLENGE_BYTES)
  for (let i = 0; i < CHALLENGE_BYTES; i++) challenge[i] = randomInt(0x20, 0x7f)
  return challenge
}

/** Verifies on libuv's pool (the callback form of crypto.verify), off the event loop. */
function isSigned(challenge: Buffer, key: KeyObject | undefined, signature: Buffer): Promise<boolean> {
  if (key === undefined || signature.length === 0 || signature.every((byte) => byte === 0)) return Promise.resolve(false)
  const dsaEncoding = signature.length === P1363_SIGNATURE_BYTES ? 'ieee-p1363' : 'der'
  return new Promise((resolve) => {
    try {
      verify('sha256', challenge, { key, dsaEncoding }, signature, (error, isValid) => resolve(error === null && isValid))
    } catch {
      resolve(false)
    }
  })
}

/**
 * Runs the handshake on a fresh socket. Resolves with the bytes that followed the signature line (the first ILP
 * lines; the socket is left paused) once the client proved its key, or null when it did not (the caller closes).
 */
export function authenticateIlpTcp(socket: Socket, keys: IlpPublicKeys): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0)
    let keyId: string | null = null
    const challenge = makeChallenge()
    let isDone = false
    let isVerifying = false
    const finish = (rest: Buffer | null): void => {
      if (isDone) return
      isDone = true
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.pause()
      if (rest === null) log.info({ peer: socket.remoteAddress, keyId }, 'ilp tcp: authentication failed')
      resolve(rest)
    }
    // A client may end its stream right after its signature and first lines: Node emits 'end' (and, the socket not
    // being half-open, 'close') even while paused, so once the signature is in, the verdict decides, not the close.
    const onClose = (): void => {
      if (!isVerifying) finish(null)
    }
    const timer = setTimeout(() => finish(null), ILP_TCP_AUTH_TIMEOUT_MS)
    const onData = (chunk: Buffer): void => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      for (let newline = buffered.indexOf(NEWLINE); newline >= 0 && !isDone; newline = buffered.indexOf(NEWLINE)) {
        const line = buffered.subarray(0, newline)
        buffered = buffered.subarray(newline + 1)
        if (keyId === null) {
          keyId = line.toString('utf8').trim()
          socket.write(Buffer.concat([challenge, Buffer.of(NEWLINE)]))
          continue
        }
        const rest = buffered
        isVerifying = true
        socket.pause()
        void isSigned(challenge, keys.get(keyId), Buffer.from(line.toString('ascii').trim(), 'base64'))
          .then((isValid) => finish(isValid ? rest : null))
        return
      }
      if (buffered.length > ILP_TCP_AUTH_LINE_BYTES_MAX) finish(null)
    }
    socket.on('data', onData)
    socket.on('close', onClose)
  })
}
