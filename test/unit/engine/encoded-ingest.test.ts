// Goal: a batch whose record payloads a worker encoded ahead (IngestOp.encoded, engine/encoded-ingest.ts) is written
// exactly as the same batch encoded by the engine: the same WAL bytes, the same rows before and after a reopen; and a
// schema change racing the encode never writes a record that disagrees with the catalog — payloads whose kinds or
// designated timestamp disagree with the table at the write are not used (the batch is validated and refused, or
// encoded again, as without them), a prefix of the table (columns added since) is used.
// Method: a real engine on a temp dir with two cores; stale snapshots are TableSchemas edited as a racing DDL would.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encodeIngestAhead, type Engine, type EngineConfig } from '../../../engine/api.js'
import type { ColumnBatch } from '../../../engine/batch.js'
import { openEngine } from '../../../engine/engine.js'
import { OP_VERSION, type IngestOp, type TableSchema } from '../../../engine/ops.js'
import { encodeRecordPayloads } from '../../../engine/encoded-ingest.js'
import { encodeCorePayloads } from '../../../engine/bridge/core-payloads.js'
import { encodeWalIngestPayload } from '../../../engine/wal/ingest-payload.js'
import type { TableId } from '../../../src/common/ids.js'
import { COLUMNS, createCpu, expectFailure, makeRows, scanOp, toBatch } from './engine-fixture.js'
import { valueAt, type Value } from './engine-oracle.js'

async function scanAll(engine: Engine, tableId: TableId, width: number): Promise<Value[][]> {
  const result = await engine.execute(scanOp(tableId, { projection: Array.from({ length: width }, (_, i) => i) }))
  const rows: Value[][] = []
  for (const partial of result.partials) {
    if (partial.kind !== 'RowsPartial') throw new Error('expected RowsPartial')
    for (let i = 0; i < partial.rowCount; i++) rows.push(partial.columns.map((column) => valueAt(column, i)))
  }
  return rows.sort((a, b) => String(a).localeCompare(String(b)))
}

const ingestOp = (tableId: TableId, batch: ColumnBatch, encoded?: IngestOp['encoded']): IngestOp =>
  ({ kind: 'IngestOp', v: OP_VERSION, tableId, batch, ...(encoded === undefined ? {} : { encoded }) })

describe('engine: record payloads encoded ahead (IngestOp.encoded, issues 9 and 10)', () => {
  let dir = ''
  let config: EngineConfig
  const engines: Engine[] = []
  const start = async (): Promise<Engine> => {
    const engine = await openEngine(config)
    engines.push(engine)
    return engine
  }
  const tableOf = (engine: Engine, id: TableId): TableSchema => engine.tables().find((table) => table.id === id)!

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-encoded-'))
    config = { dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' }
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()))
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('writes the bytes the engine would, and the same rows live and after a reopen', async () => {
    const engine = await start()
    const ahead = await createCpu(engine)
    const plain = (await engine.execute({ kind: 'CreateTableOp', v: OP_VERSION, name: 'cpu_plain', columns: COLUMNS, timestampIndex: 0, ifNotExists: false })).table.id
    const batch = toBatch(makeRows(2_000, 7))
    const encoded = encodeIngestAhead(tableOf(engine, ahead), batch, 2)
    assert.ok(encoded !== undefined)
    const engineWould = encodeRecordPayloads(tableOf(engine, ahead), batch, 2)
    assert.deepEqual(encoded.wal, engineWould.wal)
    assert.deepEqual(encoded.ring, engineWould.ring)
    assert.deepEqual(encoded.wal, encodeWalIngestPayload(batch))
    assert.deepEqual(encoded.ring, encodeCorePayloads(tableOf(engine, ahead), batch, 2, (n) => new Uint8Array(n)))
    await engine.execute(ingestOp(ahead, batch, encoded))
    await engine.execute(ingestOp(plain, batch))
    const live = await scanAll(engine, ahead, COLUMNS.length)
    assert.equal(live.length, 2_000)
    assert.deepEqual(live, await scanAll(engine, plain, COLUMNS.length))
    await engine.close()
    const reopened = await start()
    assert.deepEqual(await scanAll(reopened, ahead, COLUMNS.length), live)
  })

  it('does not use payloads that disagree with the table at the write: refuses as without them, or encodes again', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const table = tableOf(engine, tableId)
    const rows = makeRows(500, 3)
    const batch = toBatch(rows)
    // A stale snapshot where `usage` was i64: the batch built against it holds an i64 there, which the catalog refuses.
    const stale: TableSchema = { ...table, columns: table.columns.map((c, i) => (i === 2 ? { ...c, kind: 'i64' as const, sqlType: 'int8' } : c)) }
    const staleBatch: ColumnBatch = { ...batch, columns: batch.columns.map((v, i) => (i === 2 ? { kind: 'i64' as const, values: new BigInt64Array(500) } : v)) }
    const staleEncoded = encodeIngestAhead(stale, staleBatch, 2)
    assert.ok(staleEncoded !== undefined)
    await expectFailure(engine.execute(ingestOp(tableId, staleBatch, staleEncoded)), 'InvalidBatch', /column "usage" is f64, batch has i64/)
    // Another designated timestamp in the snapshot: not used, the batch is encoded again and written as it is.
    const moved = encodeIngestAhead({ ...table, timestampIndex: 0 }, batch, 2)!
    await engine.execute(ingestOp(tableId, batch, { ...moved, timestampIndex: 1 }))
    // Payloads of another row count than the batch's (a bug upstream): not used either.
    const other = encodeIngestAhead(table, toBatch(rows.slice(0, 10)), 2)!
    await engine.execute(ingestOp(tableId, batch, other))
    // Payloads split for another core count than the engine's (3 against 2): not used, the batch is encoded again.
    const otherCores = encodeIngestAhead(table, batch, 3)!
    await engine.execute(ingestOp(tableId, batch, otherCores))
    assert.equal((await scanAll(engine, tableId, COLUMNS.length)).length, 1_500)
  })

  it('uses payloads of a prefix of the table (columns added since): the new columns read NULL', async () => {
    const engine = await start()
    const tableId = await createCpu(engine)
    const before = tableOf(engine, tableId)
    const batch = toBatch(makeRows(300, 5))
    const encoded = encodeIngestAhead(before, batch, 2)!
    await engine.execute({ kind: 'AddColumnsOp', v: OP_VERSION, tableId, columns: [{ name: 'extra', kind: 'f64', sqlType: 'float8', notNull: false }] })
    await engine.execute(ingestOp(tableId, batch, encoded))
    const rows = await scanAll(engine, tableId, COLUMNS.length + 1)
    assert.equal(rows.length, 300)
    assert.ok(rows.every((row) => row[COLUMNS.length] === null))
  })
})
