// src/sync/nats-config: `nodedb sync nats-config --role hub|edge …` (runSyncCommand) — prints a nats-server 2.9 configuration for each
// role of edge-to-cloud sync (issue 11). nodedb never embeds or spawns nats-server: the operator runs it with this file.
// An edge's server is a leaf node of the hub with its own JetStream domain (the edge id), so its stream NDB_WAL is a
// durable outbox while the uplink is down; the hub's domain is HUB_DOMAIN. Knows nothing of the engine.
import { parseArgs } from 'node:util'

/** A bad argument to a sync command: one line on stderr, exit code 2 (main.ts). */
export class SyncUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SyncUsageError'
  }
}

/** The hub's JetStream domain; edges use their node id as theirs. */
export const HUB_DOMAIN = 'hub'
export const NATS_CLIENT_PORT_DEFAULT = 4222
export const NATS_LEAF_PORT_DEFAULT = 7422

export interface NatsConfigRequest {
  readonly role: 'hub' | 'edge'
  readonly nodeId: string
  /** Edge only: the hub's leaf node URL (nats-leaf://HOST:PORT). */
  readonly hubUrl: string
  readonly clientPort: number
  /** Hub only: the port edges connect their leaf node to. */
  readonly leafPort: number
  readonly storeDir: string
}

/** Node ids name JetStream domains, subjects and KV keys: letters, digits, '-' and '_' only. */
export function checkNodeId(nodeId: string, flag = '--node-id'): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) {
    throw new SyncUsageError(`${flag} must be 1 to 64 letters, digits, '-' or '_', got "${nodeId}"`)
  }
  if (nodeId === HUB_DOMAIN) throw new SyncUsageError(`${flag} must not be "${HUB_DOMAIN}" (the hub's JetStream domain)`)
  return nodeId
}

function port(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new SyncUsageError(`--${name} must be a port 1..65535, got "${text}"`)
  return Number(text)
}

/** Parses the arguments after `nodedb sync nats-config`. */
export function parseNatsConfigArgs(argv: ReadonlyArray<string>): NatsConfigRequest {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        'role': { type: 'string' }, 'node-id': { type: 'string' }, 'hub': { type: 'string' },
        'client-port': { type: 'string' }, 'leaf-port': { type: 'string' }, 'store-dir': { type: 'string' },
      },
    }).values
  } catch (error: unknown) {
    throw new SyncUsageError(error instanceof Error ? error.message.split('\n')[0] ?? 'bad arguments' : 'bad arguments')
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined)
  const role = text('role')
  if (role !== 'hub' && role !== 'edge') throw new SyncUsageError(`--role must be hub or edge, got "${role ?? ''}"`)
  const nodeId = checkNodeId(text('node-id') ?? '')
  const hubUrl = text('hub') ?? `nats-leaf://127.0.0.1:${NATS_LEAF_PORT_DEFAULT}`
  if (!/^nats-leaf:\/\/[^\s"]+:\d+$/.test(hubUrl)) throw new SyncUsageError(`--hub must be nats-leaf://HOST:PORT, got "${hubUrl}"`)
  const storeDir = text('store-dir') ?? `./nats-${nodeId}`
  if (/["\n]/.test(storeDir)) throw new SyncUsageError('--store-dir must not contain quotes or newlines')
  return {
    role, nodeId, hubUrl, storeDir,
    clientPort: port('client-port', text('client-port') ?? String(NATS_CLIENT_PORT_DEFAULT)),
    leafPort: port('leaf-port', text('leaf-port') ?? String(NATS_LEAF_PORT_DEFAULT)),
  }
}

/**
 * The configuration text. Clients (nodedb) connect on 127.0.0.1 only; the hub's leaf port listens on every address
 * so edges can reach it. The edge's domain is its node id: the cloud reaches its stream via $JS.<nodeId>.API.
 */
export function natsConfigText(request: NatsConfigRequest): string {
  const common = [
    `# nats-server 2.9 configuration for nodedb sync, role ${request.role}, node ${request.nodeId}`,
    `# run: nats-server -c <this file>`,
    `server_name: "${request.nodeId}"`,
    `listen: "127.0.0.1:${request.clientPort}"`,
    // One message per WAL record: records up to WAL_RECORD_BYTES_MAX travel whole (split only above this).
    'max_payload: 8MB',
  ]
  const domain = request.role === 'hub' ? HUB_DOMAIN : request.nodeId
  const jetstream = ['jetstream {', `  domain: "${domain}"`, `  store_dir: "${request.storeDir}"`, '}']
  const leaf = request.role === 'hub'
    ? ['leafnodes {', `  listen: "0.0.0.0:${request.leafPort}"`, '}']
    : ['leafnodes {', '  remotes: [', `    { url: "${request.hubUrl}" }`, '  ]', '}']
  return [...common, ...jetstream, ...leaf, ''].join('\n')
}

export const SYNC_USAGE = 'usage: nodedb sync nats-config --role hub|edge --node-id ID [--hub nats-leaf://HOST:PORT] ' +
  '[--client-port N] [--leaf-port N] [--store-dir DIR]'

/** Runs `nodedb sync …` (argv after "sync"); returns what to print on stdout. Throws SyncUsageError on bad arguments. */
export function runSyncCommand(argv: ReadonlyArray<string>): string {
  const [subcommand, ...rest] = argv
  if (subcommand === 'nats-config') return natsConfigText(parseNatsConfigArgs(rest))
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') return `${SYNC_USAGE}\n`
  throw new SyncUsageError(`unknown sync command "${subcommand}" (${SYNC_USAGE})`)
}
