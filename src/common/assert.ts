// src/common/assert: programmer-error checks. Input is never checked with assert: bad input becomes a coded DbError.
// Imports nothing of ours; every layer (and every worker thread) may import it.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AssertionError'
  }
}

/**
 * Always on. A failure is a bug in nodedb, never a user error. The message is an argument, so it is built on every call,
 * the check passing or not: a template with numbers in it costs a number-to-string conversion and a string each time
 * (the rings built three per used(), issue 8). Where it runs per message, row or value, test the condition first and
 * call `assert(false, message)` only when it fails.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}

/** Closes every switch over a closed union: a new kind fails to compile where it is not handled. */
export function assertNever(value: never): never {
  throw new AssertionError(`unexpected kind: ${JSON.stringify(value)}`)
}

const PARANOID = process.env.NODEDB_PARANOID === '1'

/** O(n) self-checks, run only when NODEDB_PARANOID=1 (the test suite sets it). */
export function paranoid(check: () => boolean, message: string): void {
  if (PARANOID && !check()) throw new AssertionError(`paranoid: ${message}`)
}
