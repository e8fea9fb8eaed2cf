// Goal: issue 11's fsync batching — concatBatches joins edge batches of one cloud table into one batch holding exactly
// their rows in order (symbol dictionaries merged, NULLs kept), and ApplyGroup refuses a record of another table or
// schema, or past its byte bound, without a flush. Method: random batches (seeded) against a naive oracle that reads
// every row out of each part as plain values.
import assert from 'node:assert/strict'
import type { ColumnBatch, ColumnVector } from '../../../../engine/batch.js'
import { ApplyGroup, concatBatches, SYNC_APPLY_GROUP_BYTES_MAX } from '../../../../engine/sync/apply-group.js'

/** A small seeded generator (mulberry32), so a failure can be replayed from its printed seed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function batchOf(next: () => number, rowCount: number): ColumnBatch {
  const nulls = Uint8Array.from({ length: rowCount }, () => (next() < 0.2 ? 1 : 0))
  const dict = ['a', 'b', 'c', 'd'].filter(() => next() < 0.7)
  const symbolIds = Int32Array.from({ length: rowCount }, () => (dict.length === 0 || next() < 0.1 ? -1 : Math.floor(next() * dict.length)))
  const columns: ColumnVector[] = [
    { kind: 'timestamp', values: Float64Array.from({ length: rowCount }, (_, i) => i * 1000) },
    { kind: 'f64', values: Float64Array.from({ length: rowCount }, () => next()), nulls },
    { kind: 'i64', values: BigInt64Array.from({ length: rowCount }, () => BigInt(Math.floor(next() * 1e6))) },
    { kind: 'bool', values: Uint8Array.from({ length: rowCount }, () => (next() < 0.5 ? 1 : 0)) },
    { kind: 'symbol', ids: symbolIds, dict },
    { kind: 'text', values: Array.from({ length: rowCount }, () => (next() < 0.2 ? null : `t${Math.floor(next() * 9)}`)) },
  ]
  return { rowCount, columns }
}

/** The naive oracle: every row of a batch as plain values (NULL as null, symbols as their text). */
function rowsOf(batch: ColumnBatch): unknown[][] {
  return Array.from({ length: batch.rowCount }, (_, r) => batch.columns.map((column) => {
    switch (column.kind) {
      case 'symbol': return column.ids[r]! < 0 ? null : column.dict[column.ids[r]!]
      case 'text': return column.values[r]
      default: return column.nulls?.[r] === 1 ? null : column.values[r]
    }
  }))
}

describe('engine/sync/apply-group (issue 11: fsync batching)', () => {
  it('concatenates batches into exactly their rows in order', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const next = random(seed)
      const parts = Array.from({ length: 1 + Math.floor(next() * 5) }, () => batchOf(next, Math.floor(next() * 20)))
      const joined = concatBatches(parts)
      assert.equal(joined.rowCount, parts.reduce((n, part) => n + part.rowCount, 0), `seed ${seed}`)
      assert.deepEqual(rowsOf(joined), parts.flatMap(rowsOf), `seed ${seed}`)
    }
  })

  it('takes records of one table and schema up to its byte bound, then asks for a flush', () => {
    const group = new ApplyGroup()
    const batch = batchOf(random(7), 3)
    assert.ok(group.fits(5, 'k', 100))
    group.add(5, 'k', batch, 100)
    assert.ok(group.fits(5, 'k', 100))
    assert.ok(!group.fits(6, 'k', 100), 'another table')
    assert.ok(!group.fits(5, 'k2', 100), 'another schema')
    assert.ok(!group.fits(5, 'k', SYNC_APPLY_GROUP_BYTES_MAX), 'past the byte bound')
    group.clear()
    assert.ok(group.isEmpty)
    assert.ok(group.fits(6, 'k2', SYNC_APPLY_GROUP_BYTES_MAX), 'an empty group takes any record')
  })
})
