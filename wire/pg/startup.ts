// wire/pg/startup: what a StartupMessage is answered with: NegotiateProtocolVersion when needed (before any
// authentication request), then, once authenticated (auth-exchange.ts), AuthenticationOk and the 13 ParameterStatus
// values PostgreSQL 15 reports, in its order, and the SessionContext settings they seed. Knows nothing of sockets.
import { noUserName, unsupportedProtocol } from '../../src/common/errors.js'
import type { SessionContext } from '../../sql/api.js'
import type { BackendMessage } from './backend.js'
import { NODEDB_VERSION } from '../../src/common/version.js'

export const SERVER_VERSION = `15.0 (nodedb ${NODEDB_VERSION})`
const PROTOCOL_MAJOR = 3
// Startup options of the form _pq_.name are protocol extensions; we know none, so NegotiateProtocolVersion lists them.
const PROTOCOL_OPTION_PREFIX = '_pq_.'

/** The reported parameters, in the order PostgreSQL 15 sends them (clients.md §0.1). */
function reportedParameters(applicationName: string, user: string): ReadonlyArray<readonly [string, string]> {
  return [
    ['application_name', applicationName],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
    ['integer_datetimes', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', 'on'],
    ['server_encoding', 'UTF8'],
    ['server_version', SERVER_VERSION],
    ['session_authorization', user],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', 'Etc/UTC'],
  ]
}

export interface StartupAnswer {
  readonly context: SessionContext
  /** [NegotiateProtocolVersion]: sent at once, before any authentication request (PostgreSQL's order). */
  readonly negotiation: ReadonlyArray<BackendMessage>
  /** Everything after authentication and before BackendKeyData: AuthenticationOk, 13 × ParameterStatus. */
  readonly messages: ReadonlyArray<BackendMessage>
}

/** Throws a FATAL DbError for an unsupported protocol (0A000, like PostgreSQL) or a missing user name (28000). */
export function answerStartup(protocolVersion: number, params: ReadonlyMap<string, string>): StartupAnswer {
  const major = protocolVersion >>> 16
  const minor = protocolVersion & 0xffff
  if (major !== PROTOCOL_MAJOR) {
    throw unsupportedProtocol(major, minor)
  }
  const user = params.get('user') ?? ''
  if (user === '') throw noUserName()
  const database = params.get('database') ?? user
  const reported = reportedParameters(params.get('application_name') ?? '', user)
  const settings = new Map<string, string>()
  for (const [name, value] of reported) settings.set(name.toLowerCase(), value)
  const unknownOptions: string[] = []
  for (const [name, value] of params) {
    if (name.startsWith(PROTOCOL_OPTION_PREFIX)) unknownOptions.push(name)
    else settings.set(name.toLowerCase(), value)
  }
  const negotiation: BackendMessage[] = []
  // A 3.x request with x > 0, or with protocol options, is answered with what we speak (PostgreSQL ≥ 9.3.22 does so).
  if (minor > 0 || unknownOptions.length > 0) negotiation.push({ kind: 'NegotiateProtocolVersion', minorVersion: 0, options: unknownOptions })
  const messages: BackendMessage[] = [{ kind: 'AuthenticationOk' }]
  for (const [name, value] of reported) messages.push({ kind: 'ParameterStatus', name, value })
  return { context: { settings, user, database }, negotiation, messages }
}
