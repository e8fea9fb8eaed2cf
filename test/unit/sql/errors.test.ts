// Goal: issue 12's codes — the engine's DiskFull is 53100 and Io (a failed fsync) is 58030, through the one map in
// sql/errors.ts; SHOW nodedb_status answers (name, value) rows from Engine.status(). Method: the map and the SHOW
// path called directly, with FakeEngine given a status.
import assert from 'node:assert/strict'
import { EngineFailureError, type DiskStatus } from '../../../engine/api.js'
import { isDbError } from '../../../src/common/errors.js'
import { engineFailureToDbError, withEngineErrors } from '../../../sql/errors.js'
import { executeShow, showFields } from '../../../sql/exec/utility.js'
import type { SessionContext } from '../../../sql/api.js'
import { FakeEngine } from './fake-engine.js'

describe('sql/errors (issue 12)', () => {
  it('issue 12: DiskFull maps to 53100 disk_full and Io to 58030 io_error', async () => {
    assert.equal(engineFailureToDbError({ kind: 'DiskFull', detail: 'ENOSPC' }).code, '53100')
    assert.equal(engineFailureToDbError({ kind: 'Io', detail: 'fdatasync failed: EIO' }).code, '58030')
    await assert.rejects(withEngineErrors(() => Promise.reject(new EngineFailureError({ kind: 'DiskFull', detail: 'x' }))),
      (error: unknown) => isDbError(error) && error.code === '53100')
  })

  it('issue 12: SHOW nodedb_status lists state, free bytes, reserve and failing background writers', () => {
    const engine = new FakeEngine()
    const status: DiskStatus = {
      state: 'DiskFull', detail: 'wal write failed: ENOSPC', freeBytes: 4096, totalBytes: 8 * 1024 * 1024, reserveBytes: 0,
      resumeCount: 2, backgroundFailures: [
        { task: 'flush', scope: '1', detail: 'ENOSPC', count: 3, sinceMs: 0, nextRetryMs: 4000 },
        { task: 'checkpoint', scope: '', detail: 'EIO', count: 1, sinceMs: 0, nextRetryMs: null },
      ],
    }
    Object.assign(engine, { status: () => status })
    const session: SessionContext = { settings: new Map(), user: 'u', database: 'd' }
    const result = executeShow({ kind: 'SqlShow', name: 'nodedb_status' }, session, engine)
    assert.ok(result.kind === 'RowsResult')
    assert.deepEqual(showFields('nodedb_status').map((field) => field.name), ['name', 'value'])
    const rows = new Map(result.rows.map((row) => [String(row[0]), String(row[1])]))
    assert.equal(rows.get('state'), 'DiskFull')
    assert.equal(rows.get('disk_free_bytes'), '4096')
    assert.equal(rows.get('writes_resumed_count'), '2')
    assert.equal(rows.get('flush_1_failing'), '3 failed attempts since 1970-01-01T00:00:00.000Z, next attempt at 1970-01-01T00:00:04.000Z: ENOSPC')
    assert.equal(rows.get('checkpoint_failing'), '1 failed attempt since 1970-01-01T00:00:00.000Z, next attempt after the next committed flush: EIO')
  })
})
