// src/sync/sync-command: `nodedb sync <subcommand>` — the sync tools that run and exit (today: nats-config).
import { ConfigError } from '../config.js'
import { natsConfigText, parseNatsConfigArgs } from './nats-config.js'

export const SYNC_USAGE = 'usage: nodedb sync nats-config --role hub|edge --node-id ID [--hub nats-leaf://HOST:PORT] ' +
  '[--client-port N] [--leaf-port N] [--store-dir DIR]'

/** Runs `nodedb sync …` (argv after "sync"); returns what to print on stdout. Throws ConfigError on bad arguments. */
export function runSyncCommand(argv: ReadonlyArray<string>): string {
  const [subcommand, ...rest] = argv
  if (subcommand === 'nats-config') return natsConfigText(parseNatsConfigArgs(rest))
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') return `${SYNC_USAGE}\n`
  throw new ConfigError(`unknown sync command "${subcommand}" (${SYNC_USAGE})`)
}
