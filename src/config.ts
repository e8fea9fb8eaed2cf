// src/config: the server's settings from argv and NODEDB_* environment variables, with defaults and hard bounds.
// Every bad value is one clear ConfigError message; nothing here touches the network or the data dir.
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import path from 'node:path'
import type { FsyncMode } from '../engine/api.js'
import type { AuthMethod } from '../wire/pg/auth-exchange.js'
import type { SyncSettings } from '../engine/sync/sync-node.js'
import { checkNodeId } from './sync/nats-config.js'
import {
  CHUNK_CACHE_MB_DEFAULT, CHUNK_CACHE_MB_MAX, CORES_MAX_COUNT, DISK_RESERVE_MB_DEFAULT, DISK_RESERVE_MB_MAX, DISK_RESERVE_PERCENT_DEFAULT, MEMTABLE_MB_DEFAULT, MEMTABLE_MB_MAX,
  MEMTABLE_MB_MIN, ILP_TCP_BUFFERED_BYTES_MAX, ILP_TCP_BUFFER_MB_MAX, ILP_HTTP_BUFFERED_BYTES_MAX, ILP_TCP_BUFFER_MB_MIN, ILP_PARSE_WORKERS_MAX_COUNT,
  TRANSACTION_BUFFER_MB_DEFAULT, TRANSACTION_BUFFER_MB_MIN, TRANSACTION_BUFFER_MB_MAX,
} from './common/limits.js'

export interface ServerConfig {
  readonly dataDir: string
  readonly host: string
  readonly pgPort: number
  readonly ilpPort: number
  readonly httpPort: number
  /** Token the HTTP write endpoints require; null = none (trust, as on loopback). */
  readonly httpToken: string | null
  readonly coreCount: number
  readonly memtableMb: number
  readonly chunkCacheMb: number
  /** Nice increment of the core threads (`--core-nice`, 0..19): the event loop then runs ahead of them. */
  readonly coreNice?: number
  readonly fsync: FsyncMode
  /** Bytes all ILP TCP connections together buffer before their reads pause; absent = ILP_TCP_BUFFERED_BYTES_MAX. */
  readonly ilpTcpBufferBytes?: number
  /** Bytes all ILP HTTP write requests together hold before further ones wait unread; absent = ILP_HTTP_BUFFERED_BYTES_MAX. */
  readonly ilpHttpBufferBytes?: number
  /** ILP parse worker threads (--ilp-parse-workers); absent = defaultParsePoolSize(). */
  readonly ilpParseWorkers?: number
  /** Uncommitted rows one session's transaction may hold, bytes (--transaction-buffer-mb); absent = the default. */
  readonly transactionBufferBytes?: number
  /** Ingest is refused below this many free MiB on the data volume; null = the default (issue 12). */
  readonly diskReserveMb: number | null
  /** pg authentication (absent = trust); anything but trust reads usersFile (wire/pg/auth-users.ts). */
  readonly auth?: AuthMethod
  readonly usersFile?: string | null
  /** PEM files for pg TLS; absent or null = none. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | null
  /** ILP TCP public keys (QuestDB's auth db format); absent or null = no ILP TCP authentication. */
  readonly ilpAuthFile?: string | null
  /** Edge-to-cloud sync over NATS JetStream (issue 11); null without --sync-role. */
  readonly sync?: SyncSettings | null
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

interface OptionSpec {
  readonly flag: string
  readonly env: string
  readonly help: string
  readonly fallback: () => string
}

/** Flag, environment variable, help text and default of every setting; --help prints this table. */
export const OPTION_SPECS: ReadonlyArray<OptionSpec> = [
  { flag: 'data-dir', env: 'NODEDB_DATA_DIR', help: 'data directory (created if missing)', fallback: () => './data' },
  { flag: 'host', env: 'NODEDB_HOST', help: 'address every listener binds', fallback: () => '127.0.0.1' },
  { flag: 'pg-port', env: 'NODEDB_PG_PORT', help: 'PostgreSQL wire protocol port (0 = any free port)', fallback: () => '5432' },
  { flag: 'ilp-port', env: 'NODEDB_ILP_PORT', help: 'InfluxDB line protocol TCP port (0 = any free port)', fallback: () => '9009' },
  { flag: 'http-port', env: 'NODEDB_HTTP_PORT', help: 'HTTP port: ILP writes, /ping, /health (0 = any free port)', fallback: () => '8086' },
  { flag: 'http-token', env: 'NODEDB_HTTP_TOKEN', help: 'token HTTP writes must present (empty = no authentication)', fallback: () => '' },
  { flag: 'cores', env: 'NODEDB_CORES', help: 'worker cores (threads)', fallback: () => String(availableParallelism()) },
  { flag: 'memtable-mb', env: 'NODEDB_MEMTABLE_MB', help: 'memtable budget per core, MiB', fallback: () => String(MEMTABLE_MB_DEFAULT) },
  { flag: 'cache-mb', env: 'NODEDB_CACHE_MB', help: 'decoded segment-chunk cache per core, MiB (repeated queries)', fallback: () => String(CHUNK_CACHE_MB_DEFAULT) },
  { flag: 'core-nice', env: 'NODEDB_CORE_NICE', help: 'lower the core threads\' CPU priority by this nice increment, 0..19 (see ARCHITECTURE.md: a machine of its own)', fallback: () => '0' },
  { flag: 'fsync', env: 'NODEDB_FSYNC', help: 'WAL fsync: always | batch | off', fallback: () => 'always' },
  {
    flag: 'ilp-tcp-buffer-mb', env: 'NODEDB_ILP_TCP_BUFFER_MB', help: 'input all ILP TCP connections buffer before reads pause, MiB',
    fallback: () => String(ILP_TCP_BUFFERED_BYTES_MAX / 2 ** 20),
  },
  {
    flag: 'transaction-buffer-mb', env: 'NODEDB_TRANSACTION_BUFFER_MB', help: 'uncommitted rows one session\'s transaction holds until COMMIT, MiB',
    fallback: () => String(TRANSACTION_BUFFER_MB_DEFAULT),
  },
  {
    flag: 'ilp-http-buffer-mb', env: 'NODEDB_ILP_HTTP_BUFFER_MB', help: 'bytes all ILP HTTP write requests hold before more wait unread, MiB',
    fallback: () => String(ILP_HTTP_BUFFERED_BYTES_MAX / 2 ** 20),
  },
  {
    flag: 'ilp-parse-workers', env: 'NODEDB_ILP_PARSE_WORKERS',
    help: `ILP parse worker threads, 1-${ILP_PARSE_WORKERS_MAX_COUNT} (empty = available parallelism - 1, at least 1)`, fallback: () => '',
  },
  {
    flag: 'disk-reserve-mb', env: 'NODEDB_DISK_RESERVE_MB',
    help: `refuse writes below this many free MiB (empty = ${DISK_RESERVE_MB_DEFAULT}, at most ${DISK_RESERVE_PERCENT_DEFAULT}% of the volume)`,
    fallback: () => '',
  },
  { flag: 'auth', env: 'NODEDB_AUTH', help: 'pg authentication: trust | password | md5 | scram-sha-256', fallback: () => 'trust' },
  { flag: 'users-file', env: 'NODEDB_USERS_FILE', help: 'users and password verifiers for --auth (nodedb user set)', fallback: () => '' },
  { flag: 'tls-cert', env: 'NODEDB_TLS_CERT', help: 'PEM certificate (chain) for pg TLS (SSLRequest)', fallback: () => '' },
  { flag: 'tls-key', env: 'NODEDB_TLS_KEY', help: 'PEM private key of --tls-cert', fallback: () => '' },
  { flag: 'ilp-auth-file', env: 'NODEDB_ILP_AUTH_FILE', help: 'ILP TCP clients\' public keys (QuestDB auth db); empty = none', fallback: () => '' },
  { flag: 'node-id', env: 'NODEDB_NODE_ID', help: 'this node\'s id for sync (letters, digits, - and _)', fallback: () => '' },
  { flag: 'sync-role', env: 'NODEDB_SYNC_ROLE', help: 'edge-to-cloud sync: edge | cloud (empty = off)', fallback: () => '' },
  { flag: 'sync-nats', env: 'NODEDB_SYNC_NATS', help: 'the local nats-server for sync', fallback: () => 'nats://127.0.0.1:4222' },
  { flag: 'sync-outbox-bytes', env: 'NODEDB_SYNC_OUTBOX_BYTES', help: 'edge: max bytes of the NDB_WAL stream', fallback: () => '8GiB' },
  { flag: 'sync-wal-bytes', env: 'NODEDB_SYNC_WAL_BYTES', help: 'edge: refuse ingest past this much WAL the cloud has not acknowledged', fallback: () => '16GiB' },
  { flag: 'sync-source-tag', env: 'NODEDB_SYNC_SOURCE_TAG', help: 'cloud: tag naming the edge in synced rows', fallback: () => '_edge' },
]

const AUTH_METHODS: ReadonlyArray<AuthMethod> = ['trust', 'password', 'md5', 'scram-sha-256']

/** 127.0.0.0/8, ::1 and localhost: the addresses where trust (no authentication) is allowed. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)
}

type SecurityConfig = Required<Pick<ServerConfig, 'auth' | 'usersFile' | 'tls' | 'ilpAuthFile'>>

/** Auth, TLS and ILP keys; a non-loopback host needs authentication on every port that takes writes or queries. */
function resolveSecurity(raw: (flag: string) => string, host: string, httpToken: string | null): SecurityConfig {
  const method = raw('auth')
  const auth = AUTH_METHODS.find((m) => m === method)
  if (auth === undefined) throw new ConfigError(`--auth must be trust, password, md5 or scram-sha-256, got "${method}"`)
  const usersFile = raw('users-file') === '' ? null : path.resolve(raw('users-file'))
  if (auth !== 'trust' && usersFile === null) throw new ConfigError(`--auth ${auth} needs --users-file`)
  if (auth === 'trust' && usersFile !== null) throw new ConfigError('--users-file needs --auth password, md5 or scram-sha-256')
  const certFile = raw('tls-cert')
  const keyFile = raw('tls-key')
  if ((certFile === '') !== (keyFile === '')) throw new ConfigError('--tls-cert and --tls-key go together')
  const ilpAuthFile = raw('ilp-auth-file') === '' ? null : path.resolve(raw('ilp-auth-file'))
  if (!isLoopbackHost(host)) {
    const missing = [
      ...(auth === 'trust' ? ['--auth (not trust) with --users-file'] : []),
      ...(ilpAuthFile === null ? ['--ilp-auth-file'] : []),
      ...(httpToken === null ? ['--http-token'] : []),
    ]
    if (missing.length > 0) {
      throw new ConfigError(`refusing to listen on ${host} (not a loopback address) without authentication: set ${missing.join(', ')}`)
    }
  }
  const tls = certFile === '' ? null : { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }
  return { auth, usersFile, tls, ilpAuthFile }
}


const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, 'KiB': 1024, 'MiB': 1024 ** 2, 'GiB': 1024 ** 3, 'TiB': 1024 ** 4 }

function parseBytes(name: string, text: string): number {
  const match = /^(\d+)(|KiB|MiB|GiB|TiB)$/.exec(text.trim())
  const value = match === null ? NaN : Number(match[1]) * SIZE_UNITS[match[2]!]!
  if (!Number.isSafeInteger(value) || value < 1024 * 1024) throw new ConfigError(`--${name} must be a size of at least 1MiB (e.g. 8GiB), got "${text}"`)
  return value
}

function parseSync(raw: (flag: string) => string): SyncSettings | null {
  const role = raw('sync-role')
  if (role === '') return null
  if (role !== 'edge' && role !== 'cloud') throw new ConfigError(`--sync-role must be edge or cloud, got "${role}"`)
  const nodeId = raw('node-id')
  try {
    checkNodeId(nodeId)
  } catch (error: unknown) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)} (required with --sync-role)`)
  }
  const sourceTag = raw('sync-source-tag')
  if (sourceTag === 'none') throw new ConfigError('--sync-source-tag none is not implemented: the tag keeps each edge\'s applied position')
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(sourceTag)) throw new ConfigError(`--sync-source-tag must be a column name, got "${sourceTag}"`)
  return {
    role, nodeId, natsUrl: raw('sync-nats'), sourceTag,
    outboxBytes: parseBytes('sync-outbox-bytes', raw('sync-outbox-bytes')), walBudgetBytes: parseBytes('sync-wal-bytes', raw('sync-wal-bytes')),
  }
}

function parseInteger(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`--${name} must be a whole number, got "${text}"`)
  const value = Number(text)
  if (value < min || value > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

function parseFsync(text: string): FsyncMode {
  if (text === 'always' || text === 'batch' || text === 'off') return text
  throw new ConfigError(`--fsync must be always, batch or off, got "${text}"`)
}

/** Resolves every setting: flag first, then environment variable, then default. */
export function resolveConfig(values: Readonly<Record<string, string | undefined>>, env: NodeJS.ProcessEnv): ServerConfig {
  const raw = (flag: string): string => {
    const spec = OPTION_SPECS.find((s) => s.flag === flag)
    if (spec === undefined) throw new ConfigError(`unknown option --${flag}`)
    return values[flag] ?? env[spec.env] ?? spec.fallback()
  }
  const host = raw('host')
  if (host.length === 0) throw new ConfigError('--host must not be empty')
  const httpToken = raw('http-token') === '' ? null : raw('http-token')
  return {
    ...resolveSecurity(raw, host, httpToken),
    dataDir: path.resolve(raw('data-dir')),
    host,
    pgPort: parseInteger('pg-port', raw('pg-port'), 0, 65535),
    ilpPort: parseInteger('ilp-port', raw('ilp-port'), 0, 65535),
    httpPort: parseInteger('http-port', raw('http-port'), 0, 65535),
    httpToken,
    coreCount: parseInteger('cores', raw('cores'), 1, CORES_MAX_COUNT),
    memtableMb: parseInteger('memtable-mb', raw('memtable-mb'), MEMTABLE_MB_MIN, MEMTABLE_MB_MAX),
    chunkCacheMb: parseInteger('cache-mb', raw('cache-mb'), 0, CHUNK_CACHE_MB_MAX),
    coreNice: parseInteger('core-nice', raw('core-nice'), 0, 19),
    fsync: parseFsync(raw('fsync')),
    ilpTcpBufferBytes: parseInteger('ilp-tcp-buffer-mb', raw('ilp-tcp-buffer-mb'), ILP_TCP_BUFFER_MB_MIN, ILP_TCP_BUFFER_MB_MAX) * 2 ** 20,
    ilpHttpBufferBytes: parseInteger('ilp-http-buffer-mb', raw('ilp-http-buffer-mb'), ILP_TCP_BUFFER_MB_MIN, ILP_TCP_BUFFER_MB_MAX) * 2 ** 20,
    ...(raw('ilp-parse-workers') === '' ? {} : { ilpParseWorkers: parseInteger('ilp-parse-workers', raw('ilp-parse-workers'), 1, ILP_PARSE_WORKERS_MAX_COUNT) }),
    transactionBufferBytes: parseInteger('transaction-buffer-mb', raw('transaction-buffer-mb'), TRANSACTION_BUFFER_MB_MIN, TRANSACTION_BUFFER_MB_MAX) * 2 ** 20,
    diskReserveMb: raw('disk-reserve-mb') === '' ? null : parseInteger('disk-reserve-mb', raw('disk-reserve-mb'), 0, DISK_RESERVE_MB_MAX),
    sync: parseSync(raw),
  }
}

/** `nodedb user set|remove NAME`: edits the users file; set reads the password from stdin's first line. */
export interface UserCommand {
  readonly kind: 'user'
  readonly action: 'set' | 'remove'
  readonly name: string
  readonly usersFile: string
  /** The verifier `set` writes: SCRAM-SHA-256 (default) or md5 (for --auth md5 with old clients). */
  readonly verifier: 'scram' | 'md5'
}

export type Command =
  | { readonly kind: 'serve'; readonly config: ServerConfig } | { readonly kind: 'help' } | { readonly kind: 'version' } | UserCommand

function parseUserCommand(argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): UserCommand {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: { 'users-file': { type: 'string' }, verifier: { type: 'string' } },
    })
  } catch (error: unknown) {
    throw new ConfigError(error instanceof Error ? error.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments')
  }
  const [action, name, ...rest] = parsed.positionals
  if ((action !== 'set' && action !== 'remove') || name === undefined || rest.length > 0) {
    throw new ConfigError('usage: nodedb user set|remove NAME --users-file PATH [--verifier scram-sha-256|md5]')
  }
  const fileValue = parsed.values['users-file']
  const usersFile = typeof fileValue === 'string' ? fileValue : env['NODEDB_USERS_FILE'] ?? ''
  if (usersFile === '') throw new ConfigError('nodedb user needs --users-file (or NODEDB_USERS_FILE)')
  const verifierValue = parsed.values['verifier'] ?? 'scram-sha-256'
  if (verifierValue !== 'scram-sha-256' && verifierValue !== 'md5') {
    throw new ConfigError(`--verifier must be scram-sha-256 or md5, got "${String(verifierValue)}"`)
  }
  return { kind: 'user', action, name, usersFile: path.resolve(usersFile), verifier: verifierValue === 'md5' ? 'md5' : 'scram' }
}

/** Parses `nodedb [serve] [--flag value]...`; throws ConfigError on anything unknown or malformed. */
export function parseCommandLine(argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Command {
  if (argv[0] === 'user') return parseUserCommand(argv.slice(1), env)
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  }
  for (const spec of OPTION_SPECS) options[spec.flag] = { type: 'string' }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (error: unknown) {
    throw new ConfigError(error instanceof Error ? error.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments')
  }
  if (parsed.values.help === true) return { kind: 'help' }
  if (parsed.values.version === true) return { kind: 'version' }
  const [command, ...rest] = parsed.positionals
  if (command !== undefined && command !== 'serve') throw new ConfigError(`unknown command "${command}" (try --help)`)
  if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}"`)
  const values: Record<string, string | undefined> = {}
  for (const spec of OPTION_SPECS) {
    const value = parsed.values[spec.flag]
    values[spec.flag] = typeof value === 'string' ? value : undefined
  }
  return { kind: 'serve', config: resolveConfig(values, env) }
}

export function helpText(version: string): string {
  const lines = [
    `nodedb ${version}: a timeseries database that speaks PostgreSQL`,
    '',
    'usage: nodedb serve [options]',
    '       nodedb user set NAME --users-file PATH [--verifier scram-sha-256|md5]   (password: first line of stdin)',
    '       nodedb user remove NAME --users-file PATH',
    '       nodedb sync nats-config --role hub|edge --node-id ID [--hub nats-leaf://HOST:PORT] [--client-port N]',
    '                               [--leaf-port N] [--store-dir DIR]   (prints a nats-server config for sync)',
    '',
    'options (each also as an environment variable):',
  ]
  for (const spec of OPTION_SPECS) {
    const left = `  --${spec.flag} <value>`.padEnd(26)
    lines.push(`${left}${spec.help} [${spec.env}, default ${spec.fallback()}]`)
  }
  lines.push('  -h, --help                this text', '  -v, --version             print the version')
  return lines.join('\n')
}
