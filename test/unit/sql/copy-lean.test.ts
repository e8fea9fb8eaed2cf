// Goal: a COPY parsed in a parse worker outside a transaction is written lean (sql/exec/copy-in.ts: the worker keeps
// the rows and hands over only the record payloads it encoded), and still writes every row exactly once: the payloads
// as they are when the catalog agrees with them; the rows themselves, asked back from the worker, when the engine
// finds the payloads stale at the write (a schema change raced in), with nothing of the stale attempt written.
// Method: a real engine on a temp dir and the real COPY parse worker; the engine seen through a wrapper that records
// each IngestOp (and, for the stale case, marks the payloads' designated timestamp wrong, as a raced DDL would leave
// them); the rows read back with a scan and compared with what CopyRows parses inline from the same bytes.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Engine } from '../../../engine/api.js'
import type { ColumnBatch } from '../../../engine/batch.js'
import { openEngine } from '../../../engine/engine.js'
import type { IngestOp, TableSchema, TimeseriesOp } from '../../../engine/ops.js'
import { columnType } from '../../../sql/bind/catalog.js'
import { copyFromSink } from '../../../sql/exec/copy-in.js'
import { readCopyOptions } from '../../../sql/exec/copy-options.js'
import { CopyRows, type BoundCopyFrom } from '../../../sql/exec/copy-rows.js'
import { COPY_WORKER_FIRST_DATA_BYTES } from '../../../src/common/limits.js'
import { scanOp } from '../engine/engine-fixture.js'

const CONTEXT = { timeZone: 'UTC', nowUs: Date.UTC(2024, 0, 1) * 1000, settings: new Map<string, string>() }
const ROWS = 3000

function data(): Buffer {
  const lines = Array.from({ length: ROWS }, (_, i) =>
    `2024-01-01 ${String(Math.floor(i / 3600)).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}+00\th${i % 9}\t${i}.25`)
  const text = Buffer.from(`${lines.join('\n')}\n`)
  assert.ok(text.length > COPY_WORKER_FIRST_DATA_BYTES, 'parsed in the worker')
  return text
}

function boundFor(table: TableSchema): BoundCopyFrom {
  const targets = table.columns.map((_, c) => c)
  return {
    table, targets, targetTypes: targets.map((c) => columnType(table, c)), options: readCopyOptions([], true),
    forceNotNull: targets.map(() => false), forceNull: targets.map(() => false),
  }
}

/** The engine as the COPY sees it: records each IngestOp; `isStale` makes every encoded payload disagree with the catalog. */
function recording(engine: Engine, ops: IngestOp[], isStale: boolean): Engine {
  return new Proxy(engine, {
    get(target, property) {
      if (property !== 'execute') {
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (op: TimeseriesOp) => {
        if (op.kind !== 'IngestOp') return target.execute(op)
        ops.push(op)
        const encoded = op.encoded
        if (!isStale || encoded === undefined) return target.execute(op)
        return target.execute({ ...op, encoded: { ...encoded, timestampIndex: encoded.timestampIndex + 1 } })
      }
    },
  })
}

/** The rows an IngestOp's batch holds (its time column's length; the rest are the same length or empty with it). */
function heldRows(op: IngestOp): number {
  const time = op.batch.columns[0]!
  return time.kind === 'timestamp' ? time.values.length : -1
}

/** Every row of the table as [time, host, v], sorted. */
async function rowsOf(engine: Engine, table: TableSchema): Promise<Array<[number, string | null, number]>> {
  const result = await engine.execute(scanOp(table.id, { projection: [0, 1, 2] }))
  const rows: Array<[number, string | null, number]> = []
  for (const partial of result.partials) {
    if (partial.kind !== 'RowsPartial') throw new Error('expected RowsPartial')
    const [time, host, v] = partial.columns
    if (time?.kind !== 'timestamp' || host?.kind !== 'symbol' || v?.kind !== 'f64') throw new Error('unexpected column kinds')
    for (let r = 0; r < time.values.length; r++) rows.push([time.values[r]!, host.ids[r]! < 0 ? null : host.dict[host.ids[r]!]!, v.values[r]!])
  }
  return rows.sort((a, b) => a[0] - b[0] || a[2] - b[2])
}

/** The rows CopyRows parses inline from the same bytes, in rowsOf's form. */
function inlineRows(bound: BoundCopyFrom, bytes: Buffer): Array<[number, string | null, number]> {
  const copy = new CopyRows(bound, CONTEXT)
  copy.push(bytes)
  copy.end()
  const batch: ColumnBatch = copy.batch()
  copy.release()
  const [time, host, v] = batch.columns
  if (time?.kind !== 'timestamp' || host?.kind !== 'symbol' || v?.kind !== 'f64') throw new Error('unexpected column kinds')
  return Array.from({ length: batch.rowCount }, (_, r): [number, string | null, number] => [time.values[r]!, host.dict[host.ids[r]!] ?? null, v.values[r]!])
    .sort((a, b) => a[0] - b[0] || a[2] - b[2])
}

describe('sql/exec/copy-in: a COPY written lean (the parse worker keeps its rows)', function () {
  this.timeout(30_000)
  let dir = ''
  let engine: Engine
  let table: TableSchema

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-copy-lean-'))
    engine = await openEngine({ dataDir: path.join(dir, 'data'), coreCount: 2, memtableMb: 16, fsync: 'always' })
    table = (await engine.execute({
      kind: 'CreateTableOp', v: 1, name: 'w', ifNotExists: false, timestampIndex: 0, columns: [
        { name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }, { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
        { name: 'v', kind: 'f64', sqlType: 'float8', notNull: false },
      ],
    })).table
  })
  afterEach(async () => {
    await engine.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  async function copy(isStale: boolean): Promise<{ tag: string; ops: IngestOp[] }> {
    const ops: IngestOp[] = []
    const sink = copyFromSink(recording(engine, ops, isStale), boundFor(table), CONTEXT, true)
    await sink.write(data())
    return { tag: await sink.finish(), ops }
  }

  it('writes the payloads alone when the catalog agrees with them: one IngestOp without rows, every row once', async () => {
    const { tag, ops } = await copy(false)
    assert.equal(tag, `COPY ${ROWS}`)
    assert.deepEqual(ops.map((op) => [op.encoded !== undefined, op.batch.rowCount, heldRows(op)]), [[true, ROWS, 0]])
    assert.deepEqual(await rowsOf(engine, table), inlineRows(boundFor(table), data()))
  })

  it('writes the rows, asked back from the worker, when the payloads are stale at the write: every row once', async () => {
    const { tag, ops } = await copy(true)
    assert.equal(tag, `COPY ${ROWS}`)
    assert.deepEqual(ops.map((op) => [op.encoded !== undefined, heldRows(op)]), [[true, 0], [false, ROWS]])
    assert.deepEqual(await rowsOf(engine, table), inlineRows(boundFor(table), data()))
  })
})
