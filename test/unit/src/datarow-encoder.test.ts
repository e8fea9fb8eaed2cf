// Goal: the cores' columnar DataRow encoder (src/common/datarow-encoder.ts) writes tag columns side by side as one
// run — a row whose tags have the previous row's ids copies that row's bytes of them — and its bytes are still
// exactly those of the value-by-value encoder (wire/pg/codecs/datarow-batch.ts encodeRows through value-codec.ts,
// which test/integration/datarow-batch.test.ts pins against PostgreSQL 15). Method: seeded batches whose rows come in
// runs of one series (repeated ids), with NULL tags, multi-byte UTF-8, a lone tag between other columns and runs cut
// by OFFSET-like ranges; encodeBatch (the cores' whole batch), encodeParts (selected rows of several sources) and
// encode (wire's ranges) against encodeRows.
import assert from 'node:assert/strict'
import type { SqlValue } from '../../../sql/api.js'
import { ColumnDataRowEncoder, DEFAULT_TEXT_SETTINGS, type DataRowEncoding } from '../../../src/common/datarow-encoder.js'
import type { ColumnVector } from '../../../src/common/column-vector.js'
import { DataRowBatchEncoder } from '../../../wire/pg/codecs/datarow-batch.js'

const TEXT = 25
const FLOAT8 = 701
const INT8 = 20

function random(seed: number): () => number {
  let state = seed
  return () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
}

/** Columns: f64, tag, tag, tag, i64, tag (lone), each tag's id fixed per series; series change every 1–20 rows. */
function batchOf(seed: number, rowCount: number): { columns: ColumnVector[]; rows: SqlValue[][] } {
  const next = random(seed)
  const dicts = [['a', 'b', 'é'], ['host_1', 'host_22', 'ünïcode ✓'], ['x', 'y'], ['lone', 'solo']]
  const tagIds = dicts.map(() => new Int32Array(rowCount))
  const floats = new Float64Array(rowCount)
  const ints = new BigInt64Array(rowCount)
  let series = 0
  for (let row = 0; row < rowCount; row++) {
    if (row === 0 || next() < 0.1) series = Math.floor(next() * 50)
    dicts.forEach((dict, t) => { tagIds[t]![row] = (series + t) % 7 === 0 ? -1 : (series * (t + 1)) % dict.length })
    floats[row] = Math.round(next() * 10_000) / 100
    ints[row] = BigInt(Math.floor(next() * 1e6) - 5e5)
  }
  const tag = (t: number): ColumnVector => ({ kind: 'symbol', ids: tagIds[t]!, dict: dicts[t]! })
  const columns: ColumnVector[] = [{ kind: 'f64', values: floats }, tag(0), tag(1), tag(2), { kind: 'i64', values: ints }, tag(3)]
  const tagValue = (t: number, row: number): SqlValue => (tagIds[t]![row]! < 0 ? null : dicts[t]![tagIds[t]![row]!]!)
  const rows = Array.from({ length: rowCount }, (_, row) => [floats[row]!, tagValue(0, row), tagValue(1, row), tagValue(2, row), ints[row]!, tagValue(3, row)])
  return { columns, rows }
}

const TYPE_OIDS = [FLOAT8, TEXT, TEXT, TEXT, INT8, TEXT]

describe('src/common/datarow-encoder tag runs', () => {
  it('a core\'s whole batch: the same bytes as the value-by-value encoder, text and binary', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { columns, rows } = batchOf(seed, 700)
      for (const format of [0, 1]) {
        const encoding: DataRowEncoding = { columns: TYPE_OIDS.map((typeOid, slot) => ({ slot, typeOid, format })), ...DEFAULT_TEXT_SETTINGS }
        const got = new ColumnDataRowEncoder().encodeBatch(columns, rows.length, encoding)!
        const expected = new DataRowBatchEncoder().encodeRows(rows, TYPE_OIDS, TYPE_OIDS.map(() => format), DEFAULT_TEXT_SETTINGS, { from: 0, to: rows.length })!
        assert.equal(expected.rowCount, rows.length)
        assert.deepEqual(Buffer.from(got.bytes), Buffer.from(expected.bytes), `seed ${seed}, format ${format}`)
        assert.equal(got.rowEnds[rows.length - 1], got.bytes.length)
      }
    }
  })

  it('wire\'s ranges of one batch (a run cut at a range\'s start): the same bytes as the value-by-value encoder', () => {
    const { columns, rows } = batchOf(7, 1000)
    const encoder = new ColumnDataRowEncoder()
    const oracle = new DataRowBatchEncoder()
    const formats = TYPE_OIDS.map(() => 0)
    for (const [from, to] of [[0, 1000], [1, 3], [3, 400], [399, 1000], [500, 501]] as const) {
      const got = encoder.encode({ columns }, TYPE_OIDS, formats, DEFAULT_TEXT_SETTINGS, { from, to })!
      const gotBytes = Buffer.from(got.bytes)
      const expected = oracle.encodeRows(rows, TYPE_OIDS, formats, DEFAULT_TEXT_SETTINGS, { from, to })!
      assert.equal(got.rowCount, to - from)
      assert.deepEqual(gotBytes, Buffer.from(expected.bytes), `rows ${from}–${to}`)
    }
  })

  // A core encodes its sources' selected rows where they lie: row numbers with gaps (a filter), parts of several
  // sources, and the columns read by slot, some slots twice or not at all; a tag run follows the row written last.
  it('a core\'s selected rows of several sources (encodeParts): the same bytes as the value-by-value encoder', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed * 31)
      const sources = [batchOf(seed, 300), batchOf(seed + 100, 50), batchOf(seed + 200, 400)]
      const slots = [5, 0, 1, 2, 3, 4, 1]
      const typeOids = slots.map((slot) => TYPE_OIDS[slot]!)
      const parts = sources.map(({ columns }) => {
        const rows = Int32Array.from(Array.from({ length: vectorRows(columns) }, (_, row) => row).filter(() => next() < 0.4))
        return { columns, rows, count: rows.length }
      })
      const expectedRows = parts.flatMap((part, p) => Array.from(part.rows, (row) => slots.map((slot) => sources[p]!.rows[row]![slot]!)))
      for (const format of [0, 1]) {
        const encoding: DataRowEncoding = { columns: slots.map((slot, k) => ({ slot, typeOid: typeOids[k]!, format })), ...DEFAULT_TEXT_SETTINGS }
        const got = new ColumnDataRowEncoder().encodeParts(parts, expectedRows.length, encoding)!
        const expected = new DataRowBatchEncoder().encodeRows(expectedRows, typeOids, typeOids.map(() => format), DEFAULT_TEXT_SETTINGS, { from: 0, to: expectedRows.length })!
        assert.deepEqual(Buffer.from(got.bytes), Buffer.from(expected.bytes), `seed ${seed}, format ${format}`)
        assert.equal(got.rowEnds[expectedRows.length - 1], got.bytes.length)
      }
    }
  })
})

function vectorRows(columns: ReadonlyArray<ColumnVector>): number {
  const first = columns[0]!
  return first.kind === 'symbol' ? first.ids.length : first.values.length
}
