// Goal: a batch an ILP parse worker encoded ahead crosses to the event loop without its rows (leanAhead, issue 10),
// and sql.ingest still writes every row exactly once: the payloads as they are when the table is the one they were
// encoded for; else the rows parsed again (reparse) and lowered as usual — a rename between the parse and the write
// maps fields by their names; payloads the engine finds stale at the write are refused before the WAL, so the
// reparse writes them once, not twice.
// Method: a real engine on a temp dir; batches from the real line parser; the catalog changed between encode and write.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine } from '../../../engine/api.js'
import { openEngine } from '../../../engine/engine.js'
import { OP_VERSION, type TableSchema } from '../../../engine/ops.js'
import type { IngestBatch } from '../../../sql/api.js'
import { encodeBatchesAhead, leanAhead, writeLeanAhead } from '../../../sql/ingest/ingest-ahead.js'
import { ingestBatches } from '../../../sql/ingest/ingest.js'
import { parseLines } from '../../../wire/ilp/ilp-parser.js'
import { scanOp } from '../engine/engine-fixture.js'

const LINES = [
  'cpu,host=a usage=1.5,reqs=3i 1700000000000000000',
  'cpu,host=b usage=-0.25,reqs=4i 1700000001000000000',
  'cpu,host=a usage=2,reqs=-7i 1700000002000000000',
].join('\n')

const parsed = (): IngestBatch => parseLines(Buffer.from(LINES), { precision: 'n', nowUs: 0 }).batches[0]!

/** The batch as the worker sends it: encoded for `table`, without rows; `reparses` counts the calls for its rows. */
function leanFor(table: TableSchema, reparses: { count: number }): IngestBatch {
  const lean = leanAhead(encodeBatchesAhead([parsed()], [table], 2)[0]!) // the engine below has 2 cores
  assert.equal(lean.encoded?.isLean, true)
  assert.equal(lean.columns.length, 0)
  return { ...lean, encoded: { ...lean.encoded!, reparse: () => { reparses.count++; return parsed() } } }
}

/** The non-NULL values of the tag `column`, sorted. */
async function rowsOf(engine: Engine, table: TableSchema, column: string): Promise<string[]> {
  const index = table.columns.findIndex((c) => c.name === column)
  const result = await engine.execute(scanOp(table.id, { projection: [index] }))
  const values: string[] = []
  for (const partial of result.partials) {
    if (partial.kind !== 'RowsPartial') throw new Error('expected RowsPartial')
    const vector = partial.columns[0]!
    if (vector.kind !== 'symbol') throw new Error(`expected a symbol column, got ${vector.kind}`)
    for (const id of vector.ids) if (id >= 0) values.push(vector.dict[id]!) // NULLs (rows before a column) left out
  }
  return values.sort()
}

describe('sql: lean batches encoded ahead (only the payloads reach the event loop)', () => {
  let dir = ''
  let engine: Engine
  let cpu: TableSchema
  const current = (): TableSchema => engine.tables().find((table) => table.name === 'cpu')!

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-lean-'))
    engine = await openEngine({ dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' })
    assert.equal((await ingestBatches(engine, [parsed()])).rowCount, 3)
    cpu = current()
  })
  afterEach(async () => {
    await engine.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('writes the payloads as they are when the table is unchanged, without parsing again', async () => {
    const reparses = { count: 0 }
    const outcome = await ingestBatches(engine, [leanFor(cpu, reparses)])
    assert.deepEqual([outcome.rowCount, outcome.errorCount, reparses.count], [3, 0, 0])
    assert.deepEqual(await rowsOf(engine, cpu, 'host'), ['a', 'a', 'a', 'a', 'b', 'b'])
  })

  it('parses the rows again when a column was renamed after the encode: fields go by name, once', async () => {
    const reparses = { count: 0 }
    const lean = leanFor(cpu, reparses)
    const host = cpu.columns.findIndex((c) => c.name === 'host')
    await engine.execute({ kind: 'RenameColumnOp', v: OP_VERSION, tableId: cpu.id, column: host, name: 'site' })
    const outcome = await ingestBatches(engine, [lean])
    assert.deepEqual([outcome.rowCount, outcome.errorCount, reparses.count], [3, 0, 1])
    const after = current()
    assert.deepEqual(await rowsOf(engine, after, 'site'), ['a', 'a', 'b'])
    assert.deepEqual(await rowsOf(engine, after, 'host'), ['a', 'a', 'b']) // a new column "host", as the rows name it
  })

  it('writes nothing when the engine finds the payloads stale at the write (the rows then go once, parsed again)', async () => {
    const reparses = { count: 0 }
    const lean = leanFor(cpu, reparses)
    const payloads = lean.encoded!.payloads
    const stale = { ...lean, encoded: { ...lean.encoded!, payloads: { ...payloads, timestampIndex: payloads.timestampIndex + 1 } } }
    assert.equal(await writeLeanAhead(engine, stale), undefined)
    assert.deepEqual(await rowsOf(engine, cpu, 'host'), ['a', 'a', 'b'])
    assert.equal((await ingestBatches(engine, [stale])).rowCount, 3)
    assert.equal(reparses.count, 1)
    assert.deepEqual(await rowsOf(engine, cpu, 'host'), ['a', 'a', 'a', 'a', 'b', 'b'])
  })
})
