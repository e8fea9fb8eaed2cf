// wire/ilp/http-auth: the credentials the HTTP write endpoints accept when a token is configured (--http-token):
// `Authorization: Token <t>` (InfluxDB 2 clients), `Authorization: Bearer <t>` (QuestDB's token), `Authorization:
// Basic <user:t>` and `?u=<user>&p=<t>` (InfluxDB 1.x clients; the user name is not checked). Knows nothing of SQL.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export type AuthOutcome = 'Authorized' | 'MissingCredentials' | 'BadCredentials'

/** The secret the request presents, or null when it presents none. */
function presentedSecret(request: IncomingMessage, url: URL): string | null {
  const header = request.headers.authorization
  if (header !== undefined) {
    const space = header.indexOf(' ')
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase()
    const value = space < 0 ? '' : header.slice(space + 1).trim()
    if (scheme === 'token' || scheme === 'bearer') return value
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      return colon < 0 ? '' : decoded.slice(colon + 1)
    }
    return ''
  }
  return url.searchParams.get('p')
}

function isSameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time independent of where they differ.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b)
}

/** `token` null means no authentication (trust, as on loopback). */
export function authorize(request: IncomingMessage, url: URL, token: string | null): AuthOutcome {
  if (token === null) return 'Authorized'
  const presented = presentedSecret(request, url)
  if (presented === null) return 'MissingCredentials'
  return isSameSecret(presented, token) ? 'Authorized' : 'BadCredentials'
}
