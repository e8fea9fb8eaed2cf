// Goal: a core receives ingest payloads into one buffer it reuses (engine/core/core-loop.ts, issue 10) and still
// applies every row exactly once with its own values: many large payloads in flight at once (each overwriting the
// buffer the previous one was received into), scans between them, and the same answers after a reopen (replay).
// Method: seeded rows in batches whose payloads exceed CORE_RECEIVE_BUFFER_BYTES_MIN, sent without waiting; answers
// compared with the plain row list (engine-fixture's checkAnswers, an oracle independent of the engine's kernels).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine } from '../../../engine/api.js'
import { openEngine } from '../../../engine/engine.js'
import { encodeCorePayloads, payloadOfCore } from '../../../engine/bridge/core-payloads.js'
import { CORE_RECEIVE_BUFFER_BYTES_MIN } from '../../../src/common/limits.js'
import { checkAnswers, createCpu, makeRows, scanOp, toBatch } from './engine-fixture.js'

describe('engine/core receive buffer', () => {
  let dir = ''
  const open: Engine[] = []

  afterEach(async () => {
    await Promise.all(open.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('applies many large ingests in flight at once, between scans, exactly once, live and after replay', async function () {
    // Heavy by design (many large ingests, a reopen): ~10 s alone on a quiet machine, ~30 s beside other work.
    this.timeout(120_000)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-receive-'))
    const config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 64, fsync: 'always' as const }
    let engine = await openEngine(config)
    open.push(engine)
    const tableId = await createCpu(engine)
    const rows = makeRows(36_000, 5)
    const batchRows = 6000
    // Each core receives its own rows only (core-payloads.ts): the payloads of at least one core use the buffer.
    const table = engine.tables().find((t) => t.id === tableId)!
    const payloads = encodeCorePayloads(table, toBatch(rows.slice(0, batchRows)), 2, (n) => new Uint8Array(n))
    assert.ok([0, 1].some((core) => payloadOfCore(payloads, core).length > 2 * CORE_RECEIVE_BUFFER_BYTES_MIN), 'payloads use the buffer')
    const writes: Array<Promise<unknown>> = []
    for (let at = 0; at < rows.length; at += batchRows) {
      writes.push(engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + batchRows)) }))
      writes.push(engine.execute(scanOp(tableId, { projection: [0] })))
    }
    await Promise.all(writes)
    await checkAnswers(engine, tableId, rows)
    await engine.close()
    open.splice(0)
    engine = await openEngine(config)
    open.push(engine)
    await checkAnswers(engine, tableId, rows)
  })
})
