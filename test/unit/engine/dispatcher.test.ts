// Goal: routing is stable and series-preserving — the vShard hash is pinned (it becomes a format once segments live
// per vShard), every row of one series lands on one vShard (the split per core: core-payloads.test.ts). Method:
// literal expected hash values, and vShardsOf checked row by row against vShardOfSeries.
import assert from 'node:assert/strict'
import type { ColumnBatch } from '../../../engine/batch.js'
import { hashString, validateBatch, vShardOfSeries, vShardsOf } from '../../../engine/bridge/dispatcher.js'
import type { TableSchema } from '../../../engine/ops.js'
import { INFINITE_DESIGNATED_TIMESTAMP } from '../../../engine/api.js'
import { asTableId } from '../../../src/common/ids.js'

const SCHEMA: TableSchema = {
  id: asTableId(3), name: 'm', timestampIndex: 0,
  columns: [
    { name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'v', kind: 'f64', sqlType: 'float8', notNull: false },
  ],
}

function batch(hosts: ReadonlyArray<string | null>): ColumnBatch {
  const dict = [...new Set(hosts.filter((h): h is string => h !== null))]
  return {
    rowCount: hosts.length,
    columns: [
      { kind: 'timestamp', values: Float64Array.from(hosts, (_, i) => i) },
      { kind: 'symbol', ids: Int32Array.from(hosts, (h) => (h === null ? -1 : dict.indexOf(h))), dict },
      { kind: 'f64', values: Float64Array.from(hosts, (_, i) => i * 1.5) },
    ],
  }
}

describe('engine/bridge/dispatcher', () => {
  it('pins the FNV-1a string hash and the vShard of a few series', () => {
    assert.equal(hashString(''), 0x811c9dc5)
    // UTF-16 code units, low byte then high byte (not UTF-8), so no encoding step is needed per row.
    assert.deepEqual(['a', 'host-1'].map(hashString), [723832900, 2131296841])
    const pinned = [vShardOfSeries(asTableId(1), ['a']), vShardOfSeries(asTableId(1), ['b']), vShardOfSeries(asTableId(2), ['a']), vShardOfSeries(asTableId(1), [null])]
    assert.deepEqual(pinned, PINNED_VSHARDS)
  })

  it('gives rows of one series the same vShard, matching vShardOfSeries', () => {
    const hosts = ['x', 'y', 'x', null, 'z', 'y', null]
    const vShards = vShardsOf(SCHEMA, batch(hosts))
    hosts.forEach((host, row) => assert.equal(vShards[row], vShardOfSeries(SCHEMA.id, [host])))
  })

  it('hashes rows that share the key tag but not the other tags by all their tags (the per-key memo)', () => {
    // host has the largest dictionary (the key tag); rack and dc vary under one host, NULLs included, and a
    // dictionary holds a duplicate string under another id: the memo may only reuse a vShard for equal ids.
    const schema: TableSchema = {
      ...SCHEMA, columns: [SCHEMA.columns[0]!, ...['dc', 'host', 'rack'].map((name) => ({ name, kind: 'symbol' as const, sqlType: 'text', notNull: false }))],
    }
    const racks = ['r1', 'r2', 'r1']
    const rows = Array.from({ length: 400 }, (_, i) => ({
      dc: i % 7 === 0 ? null : `dc-${i % 2}`, host: i % 11 === 0 ? null : `host-${i % 13}`, rackId: (i * 7) % 9 === 0 ? -1 : i % 3,
    }))
    const symbol = (values: ReadonlyArray<string | null>) => {
      const dict = [...new Set(values.filter((v): v is string => v !== null))]
      return { kind: 'symbol' as const, ids: Int32Array.from(values, (v) => (v === null ? -1 : dict.indexOf(v))), dict }
    }
    const input: ColumnBatch = {
      rowCount: rows.length,
      columns: [
        { kind: 'timestamp', values: Float64Array.from(rows, (_, i) => i) },
        symbol(rows.map((r) => r.dc)), symbol(rows.map((r) => r.host)),
        { kind: 'symbol', ids: Int32Array.from(rows, (r) => r.rackId), dict: racks },
      ],
    }
    assert.equal(validateBatch(schema, input), undefined)
    const vShards = vShardsOf(schema, input)
    rows.forEach((r, row) => {
      assert.equal(vShards[row], vShardOfSeries(schema.id, [r.dc, r.host, r.rackId === -1 ? null : racks[r.rackId]!]), `row ${row}`)
    })
    assert.ok(new Set(vShards).size > 20, 'rows spread over many vShards')
  })

  it('validates batches against the schema', () => {
    assert.equal(validateBatch(SCHEMA, batch(['a'])), undefined)
    // A prefix of the columns is a batch built (or WAL'd) before AddColumnsOp: valid; more columns, or none, are not.
    assert.equal(validateBatch(SCHEMA, { rowCount: 1, columns: batch(['a']).columns.slice(0, 2) }), undefined)
    const full = batch(['a']).columns
    assert.match(validateBatch(SCHEMA, { rowCount: 1, columns: [...full, full[0]!] }) ?? '', /columns/)
    assert.match(validateBatch(SCHEMA, { rowCount: 1, columns: [] }) ?? '', /columns/)
    const wrongLength = { rowCount: 2, columns: batch(['a']).columns }
    assert.match(validateBatch(SCHEMA, wrongLength) ?? '', /rows/)
    const nanTs = batch(['a'])
    const ts = nanTs.columns[0]!
    if (ts.kind === 'timestamp') ts.values[0] = Number.NaN
    assert.match(validateBatch(SCHEMA, nanTs) ?? '', /timestamp/)
  })

  it('validateBatch: ids from -1 to the dictionary\'s end, and the first bad timestamp row decides the words', () => {
    const base = batch(['a', null, 'b', 'a'])
    const withIds = (ids: number[]): ColumnBatch => ({ ...base, columns: base.columns.map((c) => (c.kind === 'symbol' ? { ...c, ids: Int32Array.from(ids) } : c)) })
    assert.equal(validateBatch(SCHEMA, withIds([-1, 0, 1, 1])), undefined)
    assert.match(validateBatch(SCHEMA, withIds([0, -2, 1, 1])) ?? '', /out of range/)
    assert.match(validateBatch(SCHEMA, withIds([0, 2, 1, 1])) ?? '', /out of range/)
    const withTimes = (values: number[], nulls?: number[]): ColumnBatch => ({
      ...base, columns: [{ kind: 'timestamp', values: Float64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) }, ...base.columns.slice(1)],
    })
    assert.equal(validateBatch(SCHEMA, withTimes([0, 1, 2, 3], [0, 0, 0, 0])), undefined)
    assert.equal(validateBatch(SCHEMA, withTimes([0, Infinity, 2, 3], [0, 0, 0, 1])), INFINITE_DESIGNATED_TIMESTAMP)
    assert.equal(validateBatch(SCHEMA, withTimes([0, 1, 2, -Infinity], [0, 1, 0, 0])), 'designated timestamp is null')
    assert.equal(validateBatch(SCHEMA, withTimes([0, Infinity, 2, 3], [0, 1, 0, 0])), 'designated timestamp is null')
    assert.equal(validateBatch(SCHEMA, withTimes([0, NaN, -Infinity, 3])), 'designated timestamp is null')
    assert.equal(validateBatch(SCHEMA, withTimes([0, -Infinity, NaN, 3])), INFINITE_DESIGNATED_TIMESTAMP)
  })
})

// Computed once from the implementation: a change here means rows would move between vShards.
const PINNED_VSHARDS = [245, 429, 498, 683]
