#!/usr/bin/env node
// src/main: the command line. argv + NODEDB_* → ServerConfig → startServer(); signals; exit codes.
// Operating errors (bad flag, port in use, locked data dir) are one line on stderr and a non-zero exit, never a stack.
import { isEngineFailureError } from '../engine/api.js'
import { log } from './common/log.js'
import { NODEDB_VERSION } from './common/version.js'
import { ConfigError, helpText, parseCommandLine } from './config.js'
import { ListenError, startServer, type RunningServer } from './server.js'

const EXIT_FAILURE = 1
const EXIT_USAGE = 2

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

async function main(): Promise<void> {
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
  if (command.kind === 'version') {
    process.stdout.write(`nodedb ${NODEDB_VERSION}\n`)
    return
  }
  try {
    await startServer(command.config, { beforeReady: installSignalHandlers })
  } catch (error: unknown) {
    if (error instanceof ListenError) fail(error.message, EXIT_FAILURE)
    if (isEngineFailureError(error)) fail(error.failure.detail, EXIT_FAILURE)
    throw error
  }
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'fatal error')
  process.stderr.write(`nodedb: fatal: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(EXIT_FAILURE)
})
