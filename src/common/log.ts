// src/common/log: the one logger (pino), usable from the main thread and from worker threads alike.
// JSON lines on stdout; NODEDB_LOG_LEVEL sets the level (info by default, silent under tests unless asked).
import { pino, type Logger } from 'pino'
import { isMainThread, threadId } from 'node:worker_threads'

export type { Logger }

function defaultLevel(): string {
  return process.env.NODEDB_LOG_LEVEL ?? 'info'
}

export const log: Logger = pino({
  level: defaultLevel(),
  base: isMainThread ? { pid: process.pid } : { pid: process.pid, thread: threadId },
  timestamp: pino.stdTimeFunctions.isoTime,
}, pino.destination({ dest: 1, sync: true }))
