// Goal: Engine.scanStream answers a raw scan in bounded batches with exactly the rows execute(op) returns (segments,
// frozen and active memtables; invariant 2), respects the op's limit, keeps scanning while ingests and flushes go on,
// and stops the cores' work on abort or early exit (invariant 4). Method: a tiny memtable budget forces flushes so
// rows live in segments and memtables; answers are compared with engine-oracle.ts; stats count cancelled streams.
import assert from 'node:assert/strict'
import type { Engine } from '../../../engine/api.js'
import type { RowsPartial } from '../../../engine/batch.js'
import type { TableId } from '../../../src/common/ids.js'
import { SCAN_BATCH_ROWS_COUNT } from '../../../src/common/limits.js'
import { rowsOf, type Row } from './engine-oracle.js'
import { BASE_US, byTsHost, createCpu, makeRows, scanOp, toBatch , useSmallEngine } from './engine-fixture.js'

let engine: Engine | undefined

async function ingestAll(tableId: TableId, rows: ReadonlyArray<Row>, batchRows = 2000): Promise<void> {
  for (let at = 0; at < rows.length; at += batchRows) {
    await engine!.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(rows.slice(at, at + batchRows)) })
  }
}

async function collect(stream: AsyncIterable<RowsPartial>): Promise<RowsPartial[]> {
  const batches: RowsPartial[] = []
  for await (const batch of stream) batches.push(batch)
  return batches
}

describe('engine scanStream (streaming raw scans)', () => {
  useSmallEngine('nodedb-stream-', (opened) => { engine = opened })

  it('streams every row once in batches of at most SCAN_BATCH_ROWS_COUNT, across segments and memtables', async () => {
    const tableId = await createCpu(engine!)
    const rows = makeRows(40_000, 7)
    await ingestAll(tableId, rows)
    assert.ok((engine!.stats().segmentCount ?? 0) > 0, 'some rows are in segments')
    const op = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5] })
    const batches = await collect(engine!.scanStream(op))
    assert.ok(batches.length >= Math.ceil(rows.length / SCAN_BATCH_ROWS_COUNT))
    assert.ok(batches.every((b) => b.rowCount > 0 && b.rowCount <= SCAN_BATCH_ROWS_COUNT))
    assert.deepStrictEqual(rowsOf(batches).sort(byTsHost), [...rows].sort(byTsHost))

    const filtered = scanOp(tableId, { projection: [0, 1, 2, 3, 4, 5], filters: [{ column: 1, op: 'eq', values: ['h3'] }],
      timeRange: { fromUs: BASE_US + 5_000_000, toUs: BASE_US + 50_000_000 } })
    const whole = await engine!.execute(filtered)
    assert.deepStrictEqual(rowsOf(await collect(engine!.scanStream(filtered))).sort(byTsHost), rowsOf(whole.partials).sort(byTsHost))
    assert.equal(engine!.stats().scanStreamOpenCount, 0)
  })

  it('honours the op limit per core', async () => {
    const tableId = await createCpu(engine!)
    await ingestAll(tableId, makeRows(20_000, 3))
    const batches = await collect(engine!.scanStream(scanOp(tableId, { projection: [0], limit: 10 })))
    const total = batches.reduce((n, b) => n + b.rowCount, 0)
    assert.ok(total >= 10 && total <= 20, `got ${total}`)
  })

  it('cancels the cores on early exit and on abort; ingest keeps working meanwhile', async () => {
    const tableId = await createCpu(engine!)
    const rows = makeRows(60_000, 11)
    await ingestAll(tableId, rows)
    const op = scanOp(tableId, { projection: [0, 1, 2] })
    let seen = 0
    for await (const batch of engine!.scanStream(op)) {
      seen += batch.rowCount
      // A suspended stream must not hold up writes (its gate lease ended when its requests were queued).
      await engine!.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(makeRows(100, seen)) })
      if (seen > 2 * SCAN_BATCH_ROWS_COUNT) break
    }
    assert.equal(engine!.stats().scanStreamCancelledCount, 1)
    const controller = new AbortController()
    const iterator = engine!.scanStream(op, { signal: controller.signal })[Symbol.asyncIterator]()
    assert.equal((await iterator.next()).done, false)
    controller.abort()
    assert.equal((await iterator.next()).done, true)
    assert.equal(engine!.stats().scanStreamCancelledCount, 2)
    assert.equal(engine!.stats().scanStreamOpenCount, 0)
    // Every row is still there afterwards, new ones included.
    const after = await collect(engine!.scanStream(op))
    assert.ok(after.reduce((n, b) => n + b.rowCount, 0) > rows.length)
  })
})
