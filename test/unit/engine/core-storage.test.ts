// Goal: one core's storage state machine without threads — when a flush is due (budget, age, forced), that frozen
// rows stay visible to scans until the commit and vanish exactly then (invariant 2), that a failed flush is offered
// again only when asked (the control side's backoff timer sends a FlushRequest), and the low-water LSN the WAL checkpoint relies on. Method: CoreStorage driven
// directly with an injected clock; scans compared with the rows applied.
import assert from 'node:assert/strict'
import type { ApplyIngestRequest } from '../../../engine/bridge/messages.js'
import { vShardsOf } from '../../../engine/bridge/dispatcher.js'
import { CoreStorage } from '../../../engine/core/core-storage.js'
import { MEMTABLE_FLUSH_AGE_MS } from '../../../src/common/limits.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'
import { COLUMNS, makeRows, scanOp, toBatch } from './engine-fixture.js'

const SCHEMA = { id: asTableId(1), name: 'cpu', columns: COLUMNS, timestampIndex: 0 }

function request(lsn: number, count: number): ApplyIngestRequest {
  const batch = toBatch(makeRows(count, lsn))
  return { kind: 'ApplyIngestRequest', id: lsn, tableId: SCHEMA.id, lsn: asLsn(lsn), batch, vShards: vShardsOf(SCHEMA, batch) }
}

function rowCount(storage: CoreStorage): number {
  const partial = storage.scan(scanOp(SCHEMA.id, { projection: [0] }), [])
  return partial?.kind === 'RowsPartial' ? partial.rowCount : -1
}

describe('engine/core/core-storage', () => {
  let nowMs = 1_000_000
  const make = (budgetBytes: number) => {
    const storage = new CoreStorage({ coreId: 0, memtableBudgetBytes: budgetBytes, partitionWidthUs: 86_400_000_000, nowMs: () => nowMs })
    storage.registerTable(SCHEMA)
    return storage
  }

  it('invariant 4: flushes when over budget; frozen rows are scanned until the commit, then only segments hold them', () => {
    const storage = make(20_000)
    storage.apply(request(1, 100))
    assert.equal(storage.maybeFlush(), null, 'under budget')
    assert.equal(storage.lowWaterLsn(), 1)
    storage.apply(request(2, 1000))
    const flush = storage.maybeFlush()
    assert.ok(flush !== null)
    assert.equal(flush.segments.reduce((n, s) => n + s.rowCount, 0), 1100)
    assert.ok(flush.flushedLsns.every((entry) => entry.lsn === 2 || entry.lsn === 1))
    storage.apply(request(3, 10))
    assert.equal(storage.maybeFlush(), null, 'one flush in flight at a time')
    assert.equal(rowCount(storage), 1110, 'frozen + active are both scanned')
    storage.commitFlush(flush.flushId, true)
    assert.equal(rowCount(storage), 10, 'committed rows are the segments\' now')
    assert.equal(storage.lowWaterLsn(), 3)
  })

  it('a failed flush keeps its rows, offers none by itself (even much later), and is offered again when asked', () => {
    const storage = make(20_000)
    storage.apply(request(1, 1000))
    const first = storage.maybeFlush()!
    storage.commitFlush(first.flushId, false)
    assert.equal(rowCount(storage), 1000)
    storage.apply(request(2, 10))
    assert.equal(storage.maybeFlush(), null, 'the retry waits for the backoff timer')
    nowMs += MEMTABLE_FLUSH_AGE_MS
    assert.equal(storage.maybeFlush(), null, 'not at the next request either, however late')
    const again = storage.maybeFlush(true)!
    assert.equal(again.segments.reduce((n, s) => n + s.rowCount, 0), 1010)
    storage.commitFlush(again.flushId, true)
    assert.equal(rowCount(storage), 0)
    assert.equal(storage.lowWaterLsn(), 0)
  })

  it('flushes a memtable older than MEMTABLE_FLUSH_AGE_MS under budget, and anything when forced', () => {
    const storage = make(64 * 1024 * 1024)
    storage.apply(request(1, 10))
    assert.equal(storage.maybeFlush(), null)
    nowMs += MEMTABLE_FLUSH_AGE_MS
    const aged = storage.maybeFlush()!
    storage.commitFlush(aged.flushId, true)
    storage.apply(request(2, 10))
    const forced = storage.maybeFlush(true)!
    assert.equal(forced.segments.reduce((n, s) => n + s.rowCount, 0), 10)
  })
})
