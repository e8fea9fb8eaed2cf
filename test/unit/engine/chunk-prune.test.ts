// Goal: issue #8's pruning rules are sound — when chunk-prune.ts says no row of a chunk can pass a filter, the
// scan's own row test passes none; when it says every row passes, all do — and it prunes where the stats decide.
// Method: fast-check over chunks of every kind holding NaN, ±Infinity, -0, NULLs and symbols, encoded and read back
// as the control thread reads them (header stats, symbol dictionary); each filter is checked against scan.ts's
// selectRows over the same values.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { ColumnKind, ColumnVector } from '../../../engine/batch.js'
import type { ColumnFilter, ScanOp, TableSchema } from '../../../engine/ops.js'
import { mayPass, mustPass, type ChunkSummary } from '../../../engine/timeseries/chunk-prune.js'
import { encodeChunk, peekChunkDictionary, peekChunkHeader, readChunkHeader } from '../../../engine/timeseries/codecs/chunk.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { selectRows } from '../../../engine/timeseries/scan.js'

const FLOATS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1.5, -2.25, 7, 1e300]
const INTS = [-(2n ** 63n), 2n ** 63n - 1n, -3n, 0n, 5n, 12n]
const SYMBOLS = ['a', 'b', 'host_7', 'host_70', '']
const OPS: ReadonlyArray<ColumnFilter['op']> = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'isNotNull']

const nullsOf = (length: number) => fc.array(fc.integer({ min: 0, max: 3 }), { minLength: length, maxLength: length })
  .map((draws) => Uint8Array.from(draws, (d) => (d === 0 ? 1 : 0)))

function vectorOf(kind: ColumnKind): fc.Arbitrary<ColumnVector> {
  switch (kind) {
    case 'f64': case 'timestamp': return fc.array(fc.constantFrom(...FLOATS), { minLength: 1, maxLength: 12 }).chain((values) =>
      nullsOf(values.length).map((nulls): ColumnVector => ({ kind: 'f64', values: Float64Array.from(values), nulls })))
    case 'i64': return fc.array(fc.constantFrom(...INTS), { minLength: 1, maxLength: 12 }).chain((values) =>
      nullsOf(values.length).map((nulls): ColumnVector => ({ kind: 'i64', values: BigInt64Array.from(values), nulls })))
    case 'bool': return fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 12 }).chain((values) =>
      nullsOf(values.length).map((nulls): ColumnVector => ({ kind: 'bool', values: Uint8Array.from(values), nulls })))
    case 'symbol': return fc.uniqueArray(fc.constantFrom(...SYMBOLS), { minLength: 1 }).chain((dict) =>
      fc.array(fc.integer({ min: -1, max: dict.length - 1 }), { minLength: 1, maxLength: 12 })
        .map((ids): ColumnVector => ({ kind: 'symbol', ids: Int32Array.from(ids), dict })))
    case 'text': return fc.array(fc.option(fc.constantFrom(...SYMBOLS), { nil: null }), { minLength: 1, maxLength: 12 })
      .map((values): ColumnVector => ({ kind: 'text', values }))
  }
}

function filterOf(kind: ColumnKind): fc.Arbitrary<ColumnFilter> {
  const value: fc.Arbitrary<string | number | bigint | boolean> = kind === 'i64' ? fc.oneof(fc.constantFrom(...INTS), fc.constantFrom(...FLOATS))
    : kind === 'bool' ? fc.boolean() : kind === 'symbol' || kind === 'text' ? fc.constantFrom(...SYMBOLS, 'zzz')
      : fc.constantFrom(...FLOATS, 3, -1e308)
  return fc.constantFrom(...OPS).chain((op) => {
    const count = op === 'isNull' || op === 'isNotNull' ? fc.constant(0) : op === 'in' || op === 'notIn' ? fc.integer({ min: 0, max: 3 }) : fc.constant(1)
    return count.chain((n) => fc.array(value, { minLength: n, maxLength: n })).map((values) => ({ column: 1, op, values }))
  })
}

/** The summary the control thread builds from a chunk's bytes (segment-prune.ts). */
function summaryOf(kind: ColumnKind, vector: ColumnVector): ChunkSummary {
  const bytes = encodeChunk(vector)
  const peeked = peekChunkHeader(bytes)
  const dict = kind === 'symbol' ? peekChunkDictionary(bytes, readChunkHeader(bytes)) : undefined
  return { kind, valueCount: peeked.valueCount, nullCount: peeked.nullCount, stats: peeked.stats, ...(dict ? { dict } : {}) }
}

function passingRows(kind: ColumnKind, vector: ColumnVector, filter: ColumnFilter): number {
  const schema: TableSchema = {
    id: 1 as TableSchema['id'], name: 't', timestampIndex: 0,
    columns: [{ name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }, { name: 'c', kind, sqlType: kind, notNull: false }],
  }
  const rowCount = vector.kind === 'symbol' ? vector.ids.length : vector.values.length
  const ts: ColumnVector = { kind: 'timestamp', values: new Float64Array(rowCount) }
  const typed: ColumnVector = kind === 'timestamp' && vector.kind === 'f64' ? { ...vector, kind: 'timestamp' } : vector
  const memtable = Memtable.fromVectors(schema, rowCount, [ts, typed])
  const op: ScanOp = {
    kind: 'ScanOp', v: 1, tableId: schema.id, timeRange: { fromUs: -Infinity, toUs: Infinity }, filters: [filter],
    projection: [], groupBy: [], aggregates: [], limit: null,
  }
  return selectRows(memtable, op, Number.POSITIVE_INFINITY).count
}

describe('engine/timeseries/chunk-prune (issue #8)', () => {
  for (const kind of ['f64', 'timestamp', 'i64', 'bool', 'symbol', 'text'] as const) {
    it(`never prunes a ${kind} chunk holding a row that passes the filter`, () => {
      fc.assert(fc.property(vectorOf(kind), filterOf(kind), (vector, filter) => {
        const stored = kind === 'timestamp' && vector.kind === 'f64' ? { ...vector, kind: 'timestamp' as const } : vector
        if (!mayPass(filter, summaryOf(kind, stored))) assert.equal(passingRows(kind, vector, filter), 0)
      }), { numRuns: 1500 })
    })

    it(`proves a filter true for a ${kind} chunk only when every row passes it`, () => {
      fc.assert(fc.property(vectorOf(kind), filterOf(kind), (vector, filter) => {
        const stored = kind === 'timestamp' && vector.kind === 'f64' ? { ...vector, kind: 'timestamp' as const } : vector
        const rowCount = vector.kind === 'symbol' ? vector.ids.length : vector.values.length
        if (mustPass(filter, summaryOf(kind, stored))) assert.equal(passingRows(kind, vector, filter), rowCount)
      }), { numRuns: 1500 })
    })
  }

  it('prunes where the stats decide: out of range, NULL-only, absent symbol, NaN only above everything', () => {
    const floats: ColumnVector = { kind: 'f64', values: Float64Array.from([1, 5, Number.NaN]) }
    const f = (op: ColumnFilter['op'], ...values: Array<number | string>): ColumnFilter => ({ column: 1, op, values })
    assert.equal(mayPass(f('eq', 9), summaryOf('f64', floats)), false)
    assert.equal(mayPass(f('lt', 1), summaryOf('f64', floats)), false)
    assert.equal(mayPass(f('gt', 9), summaryOf('f64', floats)), true, 'NaN > 9 in PostgreSQL order')
    assert.equal(mayPass(f('gt', 9), summaryOf('i64', { kind: 'i64', values: BigInt64Array.from([1n, 5n]) })), false)
    assert.equal(mayPass(f('isNull'), summaryOf('f64', floats)), false)
    const nulls: ColumnVector = { kind: 'f64', values: new Float64Array(2), nulls: Uint8Array.from([1, 1]) }
    assert.equal(mayPass(f('isNotNull'), summaryOf('f64', nulls)), false)
    assert.equal(mayPass(f('neq', 0), summaryOf('f64', nulls)), false)
    const tags: ColumnVector = { kind: 'symbol', ids: Int32Array.from([0, 1, 0]), dict: ['host_1', 'host_2'] }
    assert.equal(mayPass(f('eq', 'host_7'), summaryOf('symbol', tags)), false)
    assert.equal(mayPass(f('in', 'host_7', 'host_2'), summaryOf('symbol', tags)), true)
    assert.equal(mayPass(f('notIn', 'host_1', 'host_2'), summaryOf('symbol', tags)), false)
  })
})
