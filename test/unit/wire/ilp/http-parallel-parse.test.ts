// Goal: HTTP bodies of several writers use the parse pool's workers side by side when they are large (each parsed as it
// arrives, not queued behind the other: the pipeline's idle CPU, issue 10), while small bodies that arrive during a
// parse still wait for it and go together as one job and one write; each request is answered as alone either way.
// Method: the real ParseCoalescer over a real two-worker parse pool and a recording SqlFacade; the bodies are handed
// over in one tick, so which ones overlap is decided, not timed; the pool's started workers and the writes are counted.
import assert from 'node:assert/strict'
import { ILP_HTTP_PARALLEL_PARSE_BYTES_MIN } from '../../../../src/common/ilp-pipeline-limits.js'
import { ILP_PARSE_POOL_BYTES_MIN } from '../../../../src/common/limits.js'
import { ParseCoalescer } from '../../../../wire/ilp/http-parse-coalescer.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { IlpParsePool } from '../../../../wire/ilp/parse-pool.js'
import { FakeSql } from '../fake-sql.js'

const OPTIONS = { precision: 'ns' as const, nowUs: 1_700_000_000_000_000 }

/** A body of writer `w` of at least `bytes` bytes. */
function bodyOf(w: number, bytes: number): Buffer {
  const lines: string[] = []
  let total = 0
  for (let i = 0; total < bytes; i++) {
    lines.push(`cpu,host=w${w} v=${i} ${1_700_000_000_000_000_000 + i}\n`)
    total += lines[i]!.length
  }
  return Buffer.from(lines.join(''))
}

/** Parses `bodies` at once, each of its own writer, and checks each answer against the body parsed alone. */
async function parseAll(coalescer: ParseCoalescer, bodies: ReadonlyArray<Buffer>): Promise<void> {
  const alone = bodies.map((body) => parseLines(Buffer.from(body), OPTIONS))
  const parsed = await Promise.all(bodies.map((body) => coalescer.parse(Buffer.from(body), OPTIONS, false, {})))
  for (const [i, request] of parsed.entries()) {
    const outcome = await request.written!()
    assert.deepEqual({ lines: request.parsed.lineCount, rows: outcome.rowCount, errors: outcome.errorCount },
      { lines: alone[i]!.lineCount, rows: alone[i]!.batches[0]!.rowCount, errors: 0 })
  }
}

describe('wire/ilp/http-parse-coalescer: bodies parsed side by side (issue 10)', function () {
  this.timeout(30_000)
  let pool: IlpParsePool
  beforeEach(function () { pool = new IlpParsePool({ size: 2 }) })
  afterEach(async function () { await pool.close() })

  it('two large bodies of two writers parse on two workers at once, each written and answered as alone', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool)
    await parseAll(coalescer, [bodyOf(1, ILP_HTTP_PARALLEL_PARSE_BYTES_MIN), bodyOf(2, ILP_HTTP_PARALLEL_PARSE_BYTES_MIN)])
    assert.equal(pool.startedCount, 2, 'the second body did not wait for the first one\'s worker')
    assert.equal(sql.ingested.length, 2)
  })

  it('small bodies arriving during a parse wait for it and go together, on the same worker', async function () {
    const sql = new FakeSql()
    const coalescer = new ParseCoalescer(sql, pool)
    await parseAll(coalescer, [1, 2, 3].map((w) => bodyOf(w, ILP_PARSE_POOL_BYTES_MIN)))
    assert.equal(pool.startedCount, 1)
    assert.equal(sql.ingested.length, 2, 'the first alone, then the two others as one write')
  })
})
