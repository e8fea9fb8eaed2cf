#!/usr/bin/env node
// src/main: the command line. argv + NODEDB_* → ServerConfig → startServer(); signals; exit codes.
// Operating errors (bad flag, port in use, locked data dir) are one line on stderr and a non-zero exit, never a stack.
import v8 from 'node:v8'
import { isEngineFailureError } from '../engine/api.js'
import { log } from './common/log.js'
import { NODEDB_VERSION } from './common/version.js'
import { ConfigError, helpText, parseCommandLine, type UserCommand } from './config.js'
import { removeUser, setUser, UsersFileError } from '../wire/pg/auth-users.js'
import { ListenError, startServer, type RunningServer } from './server.js'
import { runSyncCommand, SyncUsageError } from './sync/nats-config.js'
import { invalidateDetachProtector } from './common/detach-protector.js'
import { startMallocTrimmer } from './common/malloc-trim.js'

invalidateDetachProtector() // the event loop transfers ILP bodies and COPY chunks: see detach-protector.ts

const EXIT_FAILURE = 1
const EXIT_USAGE = 2
// Exit code after a failed fsync (issue 12): distinct, so a supervisor's logs say why; any non-zero code restarts.
const EXIT_FSYNC_FAILED = 3
// How long a fatal stop waits for listeners and in-flight requests (which get 58030) before exiting anyway.
const FATAL_CLOSE_WAIT_MS = 5000

function fail(message: string, code: number): never {
  process.stderr.write(`nodedb: ${message}\n`)
  process.exit(code)
}

function installSignalHandlers(server: RunningServer): void {
  let signalled = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting without a clean shutdown')
      process.exit(EXIT_FAILURE)
    }
    signalled = true
    log.info({ signal }, 'signal received')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(EXIT_FAILURE)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

/**
 * An fsync failed: writes are refused (58030) and the page cache cannot be trusted, so stop and let the supervisor
 * (systemd Restart=, a container restart policy) start us again; replay then rebuilds from what is really on disk.
 */
function onFatal(detail: string, server: RunningServer): void {
  process.stderr.write(`nodedb: fatal: ${detail}\n`)
  const timer = setTimeout(() => process.exit(EXIT_FSYNC_FAILED), FATAL_CLOSE_WAIT_MS)
  server.close().then(
    () => process.exit(EXIT_FSYNC_FAILED),
    (error: unknown) => {
      log.error({ err: error }, 'shutdown after a failed fsync failed')
      clearTimeout(timer)
      process.exit(EXIT_FSYNC_FAILED)
    },
  )
}

/** The password for `nodedb user set`: stdin up to the first line break (a pipe, or typed and ended with Enter). */
async function readPasswordLine(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    if (Buffer.concat(chunks).includes(0x0a)) break
  }
  const all = Buffer.concat(chunks)
  const end = all.indexOf(0x0a)
  const line = end < 0 ? all : all.subarray(0, end)
  return line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line
}

async function runUserCommand(command: UserCommand): Promise<void> {
  try {
    if (command.action === 'remove') await removeUser(command.usersFile, command.name)
    else await setUser(command.usersFile, command.name, await readPasswordLine(), command.verifier)
  } catch (error: unknown) {
    if (error instanceof UsersFileError) fail(error.message, EXIT_FAILURE)
    fail(error instanceof Error ? error.message : String(error), EXIT_FAILURE)
  }
  process.stdout.write(`user "${command.name}" ${command.action === 'set' ? 'set' : 'removed'} in ${command.usersFile}\n`)
}

async function main(): Promise<void> {
  if (process.argv[2] === 'sync') {
    try {
      process.stdout.write(runSyncCommand(process.argv.slice(3)))
    } catch (error: unknown) {
      if (error instanceof SyncUsageError) fail(error.message, EXIT_USAGE)
      throw error
    }
    return
  }
  let command
  try {
    command = parseCommandLine(process.argv.slice(2), process.env)
  } catch (error: unknown) {
    if (error instanceof ConfigError) fail(error.message, EXIT_USAGE)
    throw error
  }
  if (command.kind === 'help') {
    process.stdout.write(`${helpText(NODEDB_VERSION)}\n`)
    return
  }
  if (command.kind === 'user') {
    await runUserCommand(command)
    return
  }
  if (command.kind === 'version') {
    process.stdout.write(`nodedb ${NODEDB_VERSION}\n`)
    return
  }
  // bin/nodedb's --max-semi-space-size=2 sized this isolate's young generation as it started; V8's flags are
  // process-wide, so left as is it would size every worker's too, over their resourceLimits (WORKER_YOUNG_GENERATION_MB:
  // 3, a 1 MiB semi-space). The workers start after this line and get 1 MiB (issue 10, ARCHITECTURE.md).
  v8.setFlagsFromString('--max-semi-space-size=1')
  // Likewise bin/nodedb's --initial-old-space-size=64 (the event loop's mark-compacts under ingest): the workers keep
  // V8's default, sized from their own heaps (0 = the default).
  v8.setFlagsFromString('--initial-old-space-size=0')
  try {
    await startServer(command.config, { beforeReady: installSignalHandlers, onFatal })
    // Process-wide, so here and not in startServer (tests run several servers in one process): gives the memory
    // glibc's arenas keep free back to the OS (malloc-trim.ts). Its timer is unref'd; exit needs no stop.
    startMallocTrimmer()
  } catch (error: unknown) {
    if (error instanceof ListenError) fail(error.message, EXIT_FAILURE)
    if (error instanceof ConfigError) fail(error.message, EXIT_USAGE)
    if (isEngineFailureError(error)) fail(error.failure.detail, EXIT_FAILURE)
    throw error
  }
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'fatal error')
  process.stderr.write(`nodedb: fatal: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(EXIT_FAILURE)
})
