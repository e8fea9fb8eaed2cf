// Goal: a WAL record whose CRC is valid but whose payload is not a batch of its table (a bug, or corruption that
// the checksum did not catch) stops the open with 'Corrupt' naming its LSN — it is never applied as data — now that
// the cores decode and validate records during replay. Method: a real engine writes one good record; the test
// appends a CRC-valid bad record by hand and opens again.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError, type EngineConfig } from '../../../engine/api.js'
import { FrameCodec } from '../../../engine/bridge/frame-codec.js'
import { openEngine } from '../../../engine/engine.js'
import { encodeWalRecord } from '../../../engine/wal/record.js'
import { asLsn } from '../../../src/common/ids.js'
import { createCpu, makeRows, toBatch } from './engine-fixture.js'

describe('engine replay of a CRC-valid but malformed record (invariant 6)', function () {
  this.timeout(30_000)
  const codec = new FrameCodec()
  const good = toBatch(makeRows(10, 1))
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['garbage bytes', Uint8Array.from([0xc1, 1, 2, 3]), /wal record lsn 2: undecodable payload/],
    ['a row count its columns do not have', codec.encode({ rowCount: 11, columns: good.columns }), /wal record lsn 2: /],
    ['no columns at all', codec.encode({ rowCount: 0, columns: [] }), /wal record lsn 2: /],
  ]
  for (const [label, payload, pattern] of cases) {
    it(`refuses ${label} with Corrupt naming the LSN`, async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-replay-corrupt-'))
      try {
        const config: EngineConfig = { dataDir: dir, coreCount: 2, memtableMb: 64, fsync: 'off' }
        const engine = await openEngine(config)
        const tableId = await createCpu(engine)
        await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(100, 1)) })
        await engine.close()
        const walDir = path.join(dir, 'wal')
        const last = fs.readdirSync(walDir).sort().pop()
        assert.ok(last !== undefined)
        fs.appendFileSync(path.join(walDir, last), encodeWalRecord(asLsn(2), 'IngestRecord', tableId, payload))
        await assert.rejects(openEngine(config), (error: unknown) => {
          assert.ok(isEngineFailureError(error), String(error))
          assert.equal(error.failure.kind, 'Corrupt')
          assert.match(error.failure.detail, pattern)
          return true
        })
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})
