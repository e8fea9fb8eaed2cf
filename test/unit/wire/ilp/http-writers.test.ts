// Goal: bodies of several connections writing at once are parsed and written as one group (one pool job, one
// sql.ingest per measurement), each answered as alone, while a lone writer's body is never held back, nor one of a
// group already ILP_HTTP_GROUP_HOLD_BYTES large, and only writers answered since their last request are waited for
// (not one still being parsed or written, nor one that went quiet or closed its connection). Method: the real ParseCoalescer over a real parse pool and a recording SqlFacade,
// with a hold long enough (60 s) that a lone writer's body held back would time the test out; ActiveWriters with an
// injected clock. Also: the coalescer keeps as many groups in flight as its pool has workers (it took the machine's
// default pool size whatever the pool: one on 2 cores), each body written and answered as alone.
import assert from 'node:assert/strict'
import { ILP_HTTP_GROUP_HOLD_BYTES, ILP_PARSE_POOL_BYTES_MIN } from '../../../../src/common/limits.js'
import { ParseCoalescer } from '../../../../wire/ilp/http-parse-coalescer.js'
import { ActiveWriters } from '../../../../wire/ilp/http-writers.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { IlpParsePool } from '../../../../wire/ilp/parse-pool.js'
import { FakeSql } from '../fake-sql.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }
const HOLD_MS = 60_000

/** A body the pool parses (ILP_PARSE_POOL_BYTES_MIN or more, or `bytesMin`) of writer `w`. */
function bodyOf(w: number, bytesMin = ILP_PARSE_POOL_BYTES_MIN): Buffer {
  const lines: string[] = []
  let bytes = 0
  for (let i = 0; bytes < bytesMin; i++) {
    lines.push(`cpu,host=w${w} v=${i} ${1_700_000_000_000_000_000 + i}\n`)
    bytes += lines[i]!.length
  }
  return Buffer.from(lines.join(''))
}

/** `body` of `writer` parsed and written by `coalescer`, as a request is: its rows all written, none refused. */
async function writeBody(coalescer: ParseCoalescer, body: Buffer, writer: object): Promise<void> {
  const parsed = await coalescer.parse(body, OPTIONS, false, writer)
  assert.equal((await parsed.written!()).errorCount, 0)
}

describe('wire/ilp/http-writers (issue 10)', function () {
  this.timeout(30_000)
  let pool: IlpParsePool
  beforeEach(function () { pool = new IlpParsePool({ size: 1 }) })
  afterEach(async function () { await pool.close() })

  it('a lone writer is not held back', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS)
    const writer = {}
    for (let round = 0; round < 3; round++) {
      await writeBody(coalescer, bodyOf(0), writer)
    }
    assert.equal(coalescer.requestCount, 3)
  })

  it('a writer whose connection closed is not waited for (a client opening a connection per request)', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS)
    // Each request on a connection of its own, the next sent once the previous was answered and its connection closed.
    for (let round = 0; round < 3; round++) {
      const connection = {}
      await writeBody(coalescer, bodyOf(0), connection)
      coalescer.answered(connection)
      coalescer.forget(connection)
    }
    assert.equal(coalescer.requestCount, 3)
  })

  it('bodies of ILP_HTTP_GROUP_HOLD_BYTES together are not held for a quiet writer', async function () {
    const sql = new FakeSql()
    // A clock that stands still: the quiet writer stays counted however long the first parse takes.
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS, null, new ActiveWriters(1000, () => 0))
    const [quiet, busy] = [{}, {}]
    await writeBody(coalescer, bodyOf(1), quiet)
    coalescer.answered(quiet)
    // The quiet one sends nothing more: a body this large must go without waiting for it (else the hold times out).
    await writeBody(coalescer, bodyOf(2, ILP_HTTP_GROUP_HOLD_BYTES), busy)
    assert.equal(coalescer.requestCount, 2)
  })

  it('a body waits for the next body of a writer answered meanwhile, and both go as one group, each answered as alone', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS)
    const [a, b] = [{}, {}]
    await writeBody(coalescer, bodyOf(1), a)
    coalescer.answered(a) // as the listener, once the answer is sent: a's next body may come any moment
    // b's body waits for it (without the hold it would go alone at once), then both go as one job and one write.
    const pending = [coalescer.parse(bodyOf(2), OPTIONS, false, b), coalescer.parse(bodyOf(1), OPTIONS, false, a)]
    const alone = [bodyOf(2), bodyOf(1)].map((body) => parseLines(body, OPTIONS))
    for (const [i, parsed] of (await Promise.all(pending)).entries()) {
      const outcome = await parsed.written!()
      assert.deepEqual({ lines: parsed.parsed.lineCount, rows: outcome.rowCount, errors: outcome.errorCount },
        { lines: alone[i]!.lineCount, rows: alone[i]!.batches[0]!.rowCount, errors: 0 })
    }
    assert.equal(coalescer.requestCount, 3)
    assert.equal(sql.ingested.length, 2, 'the second and third bodies went as one group')
  })

  it('does not wait for a writer whose request is not answered yet (its next body needs that answer)', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool, undefined, undefined, HOLD_MS)
    const [a, b] = [{}, {}]
    // a's rows written but its answer not sent (answered() not called): b's body must go at once, not in 60 s.
    await writeBody(coalescer, bodyOf(1), a)
    await writeBody(coalescer, bodyOf(2), b)
    assert.equal(sql.ingested.length, 2)
  })

  it('bodies of two writers parse on two workers at once when the pool has two, each answered as alone', async function () {
    const pair = new IlpParsePool({ size: 2 })
    try {
      const sql = new FakeSql()
      const coalescer = new ParseCoalescer(sql, pair)
      const bodies = [bodyOf(1), bodyOf(2)]
      const alone = bodies.map((body) => parseLines(Buffer.from(body), OPTIONS))
      // Handed over in one tick: that they overlap is decided, not timed.
      const parsed = await Promise.all(bodies.map((body) => coalescer.parse(Buffer.from(body), OPTIONS, false, {})))
      for (const [i, request] of parsed.entries()) {
        const outcome = await request.written!()
        assert.deepEqual({ lines: request.parsed.lineCount, rows: outcome.rowCount, errors: outcome.errorCount },
          { lines: alone[i]!.lineCount, rows: alone[i]!.batches[0]!.rowCount, errors: 0 })
      }
      assert.equal(pair.startedCount, 2, 'the second body did not wait for the first one\'s worker')
      assert.equal(sql.ingested.length, 2)
    } finally {
      await pair.close()
    }
  })

  it('waits only for writers answered since their last request, not those still being parsed or written', function () {
    let nowMs = 0
    const writers = new ActiveWriters(1000, () => nowMs)
    const [a, b, c] = [{}, {}, {}]
    writers.note(a)
    writers.note(b)
    assert.equal(writers.returningCount, 0, 'both requests are in flight: their next bodies need their answers first')
    writers.answered(a)
    assert.equal(writers.returningCount, 1)
    writers.note(a)
    writers.answered(b)
    writers.answered(c) // never wrote: not counted
    assert.equal(writers.returningCount, 1)
    assert.equal(writers.forget(b), true)
    assert.equal(writers.returningCount, 0, 'a closed connection is not waited for')
    writers.answered(a)
    nowMs = 1500
    assert.equal(writers.returningCount, 0, 'quiet for longer than the window')
  })

  it('counts a writer while it wrote within the window, and forgets it after', function () {
    let nowMs = 0
    const writers = new ActiveWriters(1000, () => nowMs)
    const [a, b] = [{}, {}]
    writers.note(a)
    nowMs = 600
    writers.note(b)
    assert.equal(writers.count, 2)
    nowMs = 1200
    assert.equal(writers.count, 1, 'a is quiet for longer than the window')
    writers.note(a)
    nowMs = 1700
    assert.equal(writers.count, 1, 'b is forgotten, a wrote again')
  })
})
