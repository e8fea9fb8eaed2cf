// Goal: an ILP parse worker encodes a batch's record payloads ahead (sql/ingest/ingest-ahead.ts) only where sql.ingest
// would write every row as is — and then the very bytes sql.ingest's own lowering and the engine's encoding give — and
// sql.ingest takes them only for the table they were encoded for (a rename racing the parse must not map fields onto
// other columns). Method: batches from the real line parser; tables as the catalog would hold them.
import assert from 'node:assert/strict'
import { encodeRecordPayloads } from '../../../engine/encoded-ingest.js'
import type { ColumnSchema, TableSchema } from '../../../engine/ops.js'
import type { TableId } from '../../../src/common/ids.js'
import type { IngestBatch } from '../../../sql/api.js'
import { aheadPayloadsFor, encodeBatchesAhead } from '../../../sql/ingest/ingest-ahead.js'
import { planColumn } from '../../../sql/ingest/ingest-plan.js'
import { buildIngestColumns } from '../../../sql/ingest/ingest-vectors.js'
import { parseLines } from '../../../wire/ilp/ilp-parser.js'

const LINES = [
  'cpu,host=a,dc=x usage=1.5,reqs=3i,ok=t,note="hi" 1700000000000000000',
  'cpu,host=b usage=-0.25,big=9223372036854775807u 1700000001000000000',
  'cpu,host=a,dc=y usage=2,reqs=-7i,ok=f 1700000002000000000',
].join('\n')

const column = (name: string, kind: ColumnSchema['kind'], sqlType: string, extra: Partial<ColumnSchema> = {}): ColumnSchema =>
  ({ name, kind, sqlType, notNull: false, ...extra })

const CPU: TableSchema = {
  id: 7 as TableId, name: 'cpu', timestampIndex: 0,
  columns: [
    column('time', 'timestamp', 'timestamptz', { notNull: true }), column('host', 'symbol', 'text'), column('dc', 'symbol', 'text'),
    column('usage', 'f64', 'float8'), column('reqs', 'i64', 'int8'), column('ok', 'bool', 'bool'), column('note', 'text', 'text'),
    column('big', 'i64', 'int8'), column('later', 'f64', 'float8'),
  ],
}

function parsed(lines = LINES): IngestBatch {
  const result = parseLines(Buffer.from(lines), { precision: 'n', nowUs: 0 })
  assert.equal(result.batches.length, 1)
  return result.batches[0]!
}

const withColumn = (index: number, change: Partial<ColumnSchema>): TableSchema =>
  ({ ...CPU, columns: CPU.columns.map((c, i) => (i === index ? { ...c, ...change } : c)) })

describe('sql: record payloads encoded ahead by ILP parse workers (ingest-ahead.ts)', () => {
  it('encodes exactly what sql.ingest lowers and the engine encodes', () => {
    const batch = parsed()
    const [ahead] = encodeBatchesAhead([batch], [CPU], 3)
    assert.ok(ahead?.encoded !== undefined)
    const plans = batch.columns.map((c) => planColumn(CPU, c))
    const wouldBe = encodeRecordPayloads(CPU, buildIngestColumns(CPU, batch, plans, null), 3)
    assert.deepEqual(ahead.encoded.payloads.wal, wouldBe.wal)
    assert.deepEqual(ahead.encoded.payloads.ring, wouldBe.ring)
    assert.equal(aheadPayloadsFor(ahead, structuredClone(CPU)), ahead.encoded.payloads)
  })

  it('leaves to sql.ingest what it would refuse, fit, default or add', () => {
    const cases: Array<[string, TableSchema, string?]> = [
      ['no such table', { ...CPU, name: 'mem' }],
      ['a column to add', { ...CPU, columns: CPU.columns.filter((c) => c.name !== 'note') }],
      ['a type conflict', withColumn(3, { kind: 'i64', sqlType: 'int8' })],
      ['an int4 column (range checks)', withColumn(4, { sqlType: 'int4' })],
      ['a varchar(n) column (fitting)', withColumn(6, { sqlType: 'varchar(1)' })],
      ['a NOT NULL field', withColumn(8, { notNull: true })],
      ['a DEFAULT', withColumn(8, { default: 1 } as Partial<ColumnSchema>)],
      ['an unsigned above 2^63-1', CPU, LINES.replace('9223372036854775807u', '9223372036854775808u')],
    ]
    for (const [what, table, lines] of cases) {
      const [ahead] = encodeBatchesAhead([parsed(lines)], [table], 2)
      assert.equal(ahead?.encoded, undefined, what)
    }
  })

  it('is not taken for another table than the one it was encoded for (columns renamed meanwhile)', () => {
    const [ahead] = encodeBatchesAhead([parsed()], [CPU], 2)
    const swapped = { ...CPU, columns: CPU.columns.map((c) => (c.name === 'host' ? { ...c, name: 'dc' } : c.name === 'dc' ? { ...c, name: 'host' } : c)) }
    assert.equal(aheadPayloadsFor(ahead!, swapped), undefined)
    assert.equal(aheadPayloadsFor(ahead!, { ...CPU, id: 8 as TableId }), undefined)
  })
})
