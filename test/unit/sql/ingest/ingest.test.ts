// Goal: sql.ingest's contract (issue 5) — tables created on first write with the documented kinds and SQL types,
// columns added by AddColumnsOp, rows that do not fit refused line by line with coded errors (no silent casts),
// the rest lowered to one IngestOp per table in catalog order. Method: createSql over the FakeEngine, batches made
// by the real ILP parser from literal lines; assertions on the ops sent and the outcome.
import assert from 'node:assert/strict'
import type { ColumnBatch } from '../../../../engine/batch.js'
import type { IngestOp } from '../../../../engine/ops.js'
import type { IngestOutcome } from '../../../../sql/api.js'
import { createSql } from '../../../../sql/sql.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { FakeEngine } from '../fake-engine.js'

function setup(): { engine: FakeEngine; ingest: (text: string) => Promise<IngestOutcome> } {
  const engine = new FakeEngine()
  const sql = createSql(engine)
  return {
    engine,
    ingest: async (text) => {
      const parsed = parseLines(Buffer.from(text), { precision: 's', nowUs: 0 })
      assert.deepEqual(parsed.errors, [], 'the parser accepts every test line')
      return sql.ingest(parsed.batches)
    },
  }
}

function ingestOps(engine: FakeEngine): IngestOp[] {
  return engine.ops.filter((op): op is IngestOp => op.kind === 'IngestOp')
}

function lastBatch(engine: FakeEngine): ColumnBatch {
  const batch = ingestOps(engine).at(-1)?.batch
  assert.ok(batch !== undefined)
  return batch
}

describe('sql/ingest', () => {
  it('creates a table: time first, then columns in order of first use with the documented types', async () => {
    const { engine, ingest } = setup()
    const outcome = await ingest('cpu,host=a f=1.5,i=2i,u=3u,s="x",b=t 1\n')
    assert.deepEqual(outcome, { rowCount: 1, errors: [], errorCount: 0 })
    assert.deepEqual(engine.tables()[0]?.columns.map((c) => [c.name, c.kind, c.sqlType, c.notNull]), [
      ['time', 'timestamp', 'timestamptz', true], ['host', 'symbol', 'text', false], ['f', 'f64', 'float8', false],
      ['i', 'i64', 'int8', false], ['u', 'i64', 'int8', false], ['s', 'text', 'text', false], ['b', 'bool', 'bool', false],
    ])
    const batch = lastBatch(engine)
    assert.deepEqual(batch.columns.map((c) => c.kind), ['timestamp', 'symbol', 'f64', 'i64', 'i64', 'text', 'bool'])
    assert.deepEqual(batch.columns[0], { kind: 'timestamp', values: new Float64Array([1e6]) })
  })

  it('adds new columns with one AddColumnsOp and writes NULL where a batch lacks a column', async () => {
    const { engine, ingest } = setup()
    await ingest('m a=1 1\n')
    await ingest('m,t=x b=2i 2\n')
    assert.deepEqual(engine.ops.map((op) => op.kind), ['CreateTableOp', 'IngestOp', 'AddColumnsOp', 'IngestOp'])
    assert.deepEqual(engine.tables()[0]?.columns.map((c) => c.name), ['time', 'a', 't', 'b'])
    const batch = lastBatch(engine)
    assert.deepEqual(batch.columns[1], { kind: 'f64', values: new Float64Array(1), nulls: new Uint8Array([1]) })
  })

  it('refuses conflicting lines only, with codes and line numbers in order, and writes the rest', async () => {
    const { engine, ingest } = setup()
    await ingest('m,tag=a f=1,i=1i,s="s",b=t 1\n')
    const outcome = await ingest(['m f=2 1', 'm i=2.5 2', 'm s=3i 3', 'm b=1 4', 'm f=5,tag="str" 5', 'm f=6 6', 'm time=1 7'].join('\n'))
    assert.deepEqual(outcome.errors.map((e) => [e.line, e.code]), [
      [2, 'TypeConflict'], [3, 'TypeConflict'], [4, 'TypeConflict'], [7, 'TypeConflict'],
    ])
    assert.equal(outcome.errors[0]?.message, 'column "i" of "m" is int8, got float')
    assert.equal(outcome.errorCount, 4)
    // line 5: a string field into a tag (symbol) column is accepted as text; lines 1, 5, 6 are written
    assert.equal(outcome.rowCount, 3)
    assert.equal(lastBatch(engine).rowCount, 3)
  })

  it('refuses unsigned values above 2^63-1, and integers outside int2/int4 columns', async () => {
    const { engine, ingest } = setup()
    // A table as CREATE TABLE makes it: an int4 NOT NULL column.
    await engine.execute({
      kind: 'CreateTableOp', v: 1, name: 'q', ifNotExists: false, timestampIndex: 0,
      columns: [{ name: 'ts', kind: 'timestamp', sqlType: 'timestamptz', notNull: true }, { name: 'n', kind: 'i64', sqlType: 'int4', notNull: true }],
    })
    const outcome = await ingest('q n=1i 1\nq n=2147483648i 2\nq n=-2147483648i 3\nu v=18446744073709551615u 4\nu v=1u 5\nq x=1 6\n')
    assert.deepEqual(outcome.errors.map((e) => [e.line, e.code]), [[2, 'ValueOutOfRange'], [4, 'ValueOutOfRange'], [6, 'NotNullViolation']])
    assert.equal(outcome.rowCount, 3)
  })

  it('refuses names over 63 bytes (UTF-8 bytes, not characters) or holding NUL', async () => {
    const { engine, ingest } = setup()
    const outcome = await ingest(`${'t'.repeat(64)} v=1 1\nok ${'é'.repeat(32)}=1,v=2 2\nok v=3 3\nok a\u0000b=1 4\n${'t'.repeat(63)} v=5 5\n`)
    assert.deepEqual(outcome.errors.map((e) => [e.line, e.code]), [[1, 'BadName'], [2, 'BadName'], [4, 'BadName']])
    assert.deepEqual(engine.tables().map((t) => t.name), ['ok', 't'.repeat(63)])
    assert.deepEqual(engine.tables()[0]?.columns.map((c) => c.name), ['time', 'v'])
    assert.equal(outcome.rowCount, 2)
  })

  it('keeps at most errorsKeptMax errors but counts them all', async () => {
    const engine = new FakeEngine()
    const sql = createSql(engine)
    await sql.ingest(parseLines(Buffer.from('m v=0.5 0'), { precision: 's', nowUs: 0 }).batches)
    const lines = Array.from({ length: 50 }, (_, i) => `m v=${i}i ${i + 1}`).join('\n')
    const parsed = parseLines(Buffer.from(lines), { precision: 's', nowUs: 0 })
    const outcome = await sql.ingest(parsed.batches, { errorsKeptMax: 5 })
    assert.equal(outcome.errorCount, 50)
    assert.deepEqual(outcome.errors.map((e) => e.line), [1, 2, 3, 4, 5])
  })
})
