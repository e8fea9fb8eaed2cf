// wire/pg/tls: TLS for the pg listener (--tls-cert, --tls-key). The certificate is loaded once at startup; a session
// that sent SSLRequest and got 'S' has its socket wrapped in a server-side TLSSocket over the same TCP connection,
// so the handshake and the encryption run in OpenSSL on the event loop's I/O, with no extra blocking step.
import { promises as fs } from 'node:fs'
import type { Socket } from 'node:net'
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls'

export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TlsConfigError'
  }
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await fs.readFile(file)
  } catch (error: unknown) {
    throw new TlsConfigError(`cannot read TLS ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Reads the PEM certificate chain and private key; throws TlsConfigError (one line) when they do not load or match. */
export async function loadTlsContext(certFile: string, keyFile: string): Promise<SecureContext> {
  const cert = await readPem(certFile, 'certificate')
  const key = await readPem(keyFile, 'key')
  try {
    return createSecureContext({ cert, key })
  } catch (error: unknown) {
    throw new TlsConfigError(`cannot use TLS certificate ${certFile} with key ${keyFile}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The server side of TLS over an accepted socket (after 'S' was sent on it in clear). */
export function startServerTls(socket: Socket, context: SecureContext): TLSSocket {
  return new TLSSocket(socket, { isServer: true, secureContext: context })
}
