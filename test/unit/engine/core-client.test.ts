// Goal: the control side's handle on a core — requests answered by a real worker thread, and a core that exits
// unexpectedly fails its requests with 'Io' "core N exited" instead of leaving them hanging. Method: a CoreClient on
// the compiled worker entry; the worker is terminated abruptly to play a crash.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError } from '../../../engine/api.js'
import { CoreClient } from '../../../engine/bridge/core-client.js'
import { asTableId } from '../../../src/common/ids.js'

const WORKER = path.join(__dirname, '..', '..', '..', 'engine', 'core', 'core-worker.js')
const TABLE = {
  id: asTableId(1), name: 't', timestampIndex: 0,
  columns: [{ name: 'ts', kind: 'timestamp' as const, sqlType: 'timestamptz', notNull: true }],
}

describe('engine/bridge/core-client', () => {
  it('answers requests in order and shuts down cleanly', async () => {
    const core = new CoreClient(0, WORKER, 1024 * 1024)
    const responses = await Promise.all([
      core.request({ kind: 'RegisterTableRequest', table: TABLE }),
      core.request({
        kind: 'ScanRequest',
        op: {
          kind: 'ScanOp', v: 1, tableId: TABLE.id, timeRange: { fromUs: 0, toUs: 10 }, filters: [], projection: [0],
          groupBy: [], aggregates: [], limit: null,
        },
        segments: [],
      }),
    ])
    assert.deepEqual(responses.map((r) => r.kind), ['DoneResponse', 'ScanResponse'])
    await core.shutdown()
    assert.equal(await core.exited, 0)
  })

  it('rejects requests after the worker died with Io "core 0 exited" when the worker dies', async () => {
    const core = new CoreClient(0, WORKER, 1024 * 1024)
    await core.request({ kind: 'RegisterTableRequest', table: TABLE })
    await core.terminate()
    await core.exited
    await assert.rejects(core.request({ kind: 'RegisterTableRequest', table: TABLE }), (error: unknown) => {
      assert.ok(isEngineFailureError(error))
      assert.equal(error.failure.kind, 'Io')
      assert.equal(error.failure.detail, 'core 0 exited')
      return true
    })
    await core.shutdown()
  })

  it('rejects requests in flight when the core exits before answering', async () => {
    // A stand-in worker that never reads its ring and exits: whatever was sent is in flight when it goes.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-core-'))
    const script = path.join(dir, 'exiting-worker.js')
    fs.writeFileSync(script, "setTimeout(() => process.exit(3), 20)\n")
    try {
      const core = new CoreClient(4, script, 1024 * 1024)
      const pending = core.request({ kind: 'RegisterTableRequest', table: TABLE })
      await assert.rejects(pending, (error: unknown) => {
        assert.ok(isEngineFailureError(error))
        assert.deepEqual(error.failure, { kind: 'Io', detail: 'core 4 exited' })
        return true
      })
      assert.equal(await core.exited, 3)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
