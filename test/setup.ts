// test/setup: loaded by mocha before every test file (.mocharc.cjs). Turns on paranoid checks, keeps logs quiet,
// loads the SQL parser's WebAssembly module (parsing is synchronous after that), and makes an unhandled rejection
// fail the run instead of passing silently.
process.env.NODEDB_PARANOID = '1'
process.env.NODEDB_LOG_LEVEL = process.env.NODEDB_LOG_LEVEL ?? 'silent'

process.on('unhandledRejection', (reason) => {
  // Rethrowing inside the handler turns it into an uncaught exception, which mocha reports as a failure.
  throw reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`)
})

/** Mocha root hooks: run once before any test, in every spec file's process. */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    // Imported here, not at the top: src/common/assert.ts reads NODEDB_PARANOID when it loads, after the line above.
    const { loadParser } = await import('../sql/parse/adapter.js')
    await loadParser()
  },
}
