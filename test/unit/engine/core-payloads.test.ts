// Goal: each core's ring payload (engine/bridge/core-payloads.ts) holds exactly the rows of the record whose vShard
// it owns — each row once, in the run of its own vShard, runs in vShard order, rows within a run in record order,
// every value as the record had it — for any core count, and with catch-up's kept vShards only those; and the layout
// of the format comment is what is written. Method: seeded batches of every column kind with two tag columns and NULL
// tags; each row's timestamp is its index, so a decoded row names its source row; the oracle for each row's vShard is
// vShardOfSeries over its tag strings (the dispatcher's per-series form, not the per-batch vShardsOf the encoder runs).
import assert from 'node:assert/strict'
import type { ColumnBatch, ColumnVector } from '../../../engine/batch.js'
import { CORE_PAYLOAD_EMPTY_BYTES, decodeCorePayload, encodeCorePayloads, missedCorePayload, payloadOfCore } from '../../../engine/bridge/core-payloads.js'
import { vShardOfSeries } from '../../../engine/bridge/dispatcher.js'
import type { TableSchema } from '../../../engine/ops.js'
import { asTableId } from '../../../src/common/ids.js'
import { VSHARD_COUNT } from '../../../src/common/limits.js'

const SCHEMA: TableSchema = {
  id: asTableId(7), name: 'm', timestampIndex: 0,
  columns: [
    { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'v', kind: 'f64', sqlType: 'float8', notNull: false },
    { name: 'dc', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'n', kind: 'i64', sqlType: 'int8', notNull: false },
    { name: 'ok', kind: 'bool', sqlType: 'bool', notNull: false },
    { name: 'note', kind: 'text', sqlType: 'text', notNull: false },
  ],
}

function seeded(seed: number): () => number {
  let state = seed
  return () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
}

function batchOf(rowCount: number, seed: number, hostCount: number): ColumnBatch {
  const next = seeded(seed)
  const hosts = Array.from({ length: hostCount }, (_, i) => `host-${i}-é`)
  const nulls = (): Uint8Array => Uint8Array.from({ length: rowCount }, () => (next() < 0.2 ? 1 : 0))
  return {
    rowCount,
    columns: [
      { kind: 'timestamp', values: Float64Array.from({ length: rowCount }, (_, i) => i) },
      { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, () => Math.floor(next() * (hostCount + 1)) - 1), dict: hosts },
      { kind: 'f64', values: Float64Array.from({ length: rowCount }, () => next() * 100 - 50), nulls: nulls() },
      { kind: 'symbol', ids: Int32Array.from({ length: rowCount }, () => Math.floor(next() * 3) - 1), dict: ['east', 'west'] },
      { kind: 'i64', values: BigInt64Array.from({ length: rowCount }, () => BigInt(Math.floor(next() * 2 ** 40)) - 2n ** 39n), nulls: nulls() },
      { kind: 'bool', values: Uint8Array.from({ length: rowCount }, () => (next() < 0.5 ? 1 : 0)) },
      { kind: 'text', values: Array.from({ length: rowCount }, (_, i) => (next() < 0.3 ? null : `note ${i} ✓`)) },
    ],
  }
}

/** Row `row` of `vector` as a comparable value (NULL as null). */
function cell(vector: ColumnVector, row: number): unknown {
  switch (vector.kind) {
    case 'symbol': return vector.ids[row] === -1 ? null : vector.dict[vector.ids[row]!]
    case 'text': return vector.values[row]
    default: return vector.nulls?.[row] === 1 ? null : vector.values[row]
  }
}

function tagsOf(batch: ColumnBatch, row: number): Array<string | null> {
  return batch.columns.filter((vector) => vector.kind === 'symbol').map((vector) => cell(vector, row) as string | null)
}

/** Every decoded row of every core checked against its source row; returns the source rows seen, in core order. */
function checkCores(batch: ColumnBatch, coreCount: number, kept?: Uint8Array): number[] {
  const payloads = encodeCorePayloads(SCHEMA, batch, coreCount, (n) => new Uint8Array(n), kept)
  assert.equal(payloads.ends.length, coreCount + 1)
  const seen: number[] = []
  for (let core = 0; core < coreCount; core++) {
    const rows = decodeCorePayload(SCHEMA, payloadOfCore(payloads, core), core, coreCount)
    assert.ok(typeof rows !== 'string', `core ${core}: ${String(rows)}`)
    let start = 0
    for (let r = 0; r < rows.runVShards.length; r++) {
      const vShard: number = rows.runVShards[r]!
      assert.equal(vShard % coreCount, core)
      if (r > 0) assert.ok(vShard > rows.runVShards[r - 1]!, 'runs in vShard order')
      let previous = -1
      for (let row = start; row < rows.runEnds[r]!; row++) {
        const source = cell(rows.batch.columns[0]!, row) as number
        assert.ok(source > previous, 'record order within a run')
        previous = source
        assert.equal(vShardOfSeries(SCHEMA.id, tagsOf(batch, source)), vShard, `row ${source} in the run of its vShard`)
        for (let c = 0; c < batch.columns.length; c++) assert.deepEqual(cell(rows.batch.columns[c]!, row), cell(batch.columns[c]!, source))
        seen.push(source)
      }
      start = rows.runEnds[r]!
    }
    assert.equal(start, rows.batch.rowCount)
  }
  return seen
}

describe('engine/bridge/core-payloads: each core receives only its own rows (issue 10)', () => {
  it('gives each row to the core of its vShard once, grouped by vShard, values intact, for 1 to 4 cores', () => {
    for (const [rowCount, hosts, seed] of [[1, 1, 1], [300, 3, 2], [2_000, 40, 3], [5_000, 900, 4]] as const) {
      const batch = batchOf(rowCount, seed, hosts)
      for (let coreCount = 1; coreCount <= 4; coreCount++) {
        const seen = checkCores(batch, coreCount)
        assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: rowCount }, (_, i) => i), `${rowCount} rows on ${coreCount} cores`)
      }
    }
  })

  it('keeps only the kept vShards (catch-up) and writes an empty payload for a core with no row', () => {
    const batch = batchOf(1_000, 9, 30)
    const kept = new Uint8Array(VSHARD_COUNT)
    for (let v = 1; v < VSHARD_COUNT; v += 4) kept[v] = 1 // some of core 1's vShards of 2
    const seen = checkCores(batch, 2, kept)
    const expected = Array.from({ length: 1_000 }, (_, i) => i).filter((row) => kept[vShardOfSeries(SCHEMA.id, tagsOf(batch, row))] === 1)
    assert.ok(expected.length > 0)
    assert.deepEqual([...seen].sort((a, b) => a - b), expected)
    const payloads = encodeCorePayloads(SCHEMA, batch, 2, (n) => new Uint8Array(n), kept)
    assert.equal(payloadOfCore(payloads, 0).length, CORE_PAYLOAD_EMPTY_BYTES)
    // Catch-up's form: core 1's payload of the vShards it missed is the same bytes; core 0 missed none of its own.
    assert.deepEqual(missedCorePayload(SCHEMA, batch, 2, 1, (v) => kept[v] === 1), payloadOfCore(payloads, 1))
    assert.equal(missedCorePayload(SCHEMA, batch, 2, 0, (v) => kept[v] === 1), undefined)
  })

  it('pins the layout of the format comment', () => {
    const batch: ColumnBatch = {
      rowCount: 3,
      columns: [{ kind: 'timestamp', values: new Float64Array([10, 11, 12]) }, { kind: 'symbol', ids: new Int32Array([0, 1, 0]), dict: ['a', 'b'] }],
    }
    const schema: TableSchema = { ...SCHEMA, columns: SCHEMA.columns.slice(0, 2) }
    const payload = payloadOfCore(encodeCorePayloads(schema, batch, 1, (n) => new Uint8Array(n)), 0)
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
    const a = vShardOfSeries(schema.id, ['a'])
    const b = vShardOfSeries(schema.id, ['b'])
    const runs = a < b ? [[a, 2], [b, 3]] : [[b, 1], [a, 3]]
    assert.deepEqual([payload[0], payload[1], view.getUint16(2, true), view.getUint32(4, true)], [0xc2, 1, 0, 2])
    assert.deepEqual([view.getUint16(8, true), view.getUint16(10, true)], runs.map(([v]) => v))
    assert.deepEqual([view.getInt32(16, true), view.getInt32(20, true)], runs.map(([, end]) => end))
    assert.equal(payload[24], 0xc1) // the flat payload (ingest-flat.ts) follows at the next multiple of 8
    assert.equal(view.getUint32(28, true), 3)
    assert.equal(payload.length % 8, 0)
  })

  it('refuses a payload of another core, one whose kinds disagree with the table, and a truncated one', () => {
    const batch = batchOf(200, 5, 10)
    const payloads = encodeCorePayloads(SCHEMA, batch, 2, (n) => new Uint8Array(n))
    assert.equal(decodeCorePayload(SCHEMA, payloadOfCore(payloads, 0), 1, 2), 'bad run table')
    const other: TableSchema = { ...SCHEMA, columns: SCHEMA.columns.map((c, i) => (i === 2 ? { ...c, kind: 'i64' as const } : c)) }
    assert.match(String(decodeCorePayload(other, payloadOfCore(payloads, 0), 0, 2)), /column "v" is i64, batch has f64/)
    assert.equal(typeof decodeCorePayload(SCHEMA, payloadOfCore(payloads, 0).subarray(0, 40), 0, 2), 'string')
  })
})
