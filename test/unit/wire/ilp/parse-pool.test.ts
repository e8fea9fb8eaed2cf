// Goal: parsing in the ILP parse pool gives exactly what parseLines gives inline (batches, errors and their line
// numbers, counts), also for a run cut out of a stream; a TCP connection with a pool numbers lines and orders
// batches as one without; the pool is bounded, survives a dead worker, and closes. Method: the real pool and worker.
import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import { featureNotSupported } from '../../../../src/common/errors.js'
import { ILP_LINE_BYTES_MAX, ILP_TCP_POOL_RUN_BYTES } from '../../../../src/common/limits.js'
import type { IngestBatch, IngestOutcome, SqlFacade } from '../../../../sql/api.js'
import { IlpParser, parseLines, type IlpParseOptions } from '../../../../wire/ilp/ilp-parser.js'
import { IlpParsePool, IlpParsePoolError } from '../../../../wire/ilp/parse-pool.js'
import { startIlpHttpListener } from '../../../../wire/ilp/http-listener.js'
import { startIlpTcpListener } from '../../../../wire/ilp/tcp-listener.js'

const OPTIONS: IlpParseOptions = { precision: 'ns', nowUs: 1_700_000_000_000_000 }

/** Line protocol with comments, blank lines, CRLF, every field type, type conflicts, bad lines and no timestamps. */
function sampleText(lines: number): string {
  const out: string[] = []
  for (let i = 0; i < lines; i++) {
    switch (i % 13) {
      case 0: out.push(`# comment ${i}`); break
      case 1: out.push(''); break
      case 2: out.push(`cpu,host=h${i % 7},region=eu usage=${i}.5,idle=${i}i ${1_600_000_000_000_000_000n + BigInt(i)}\r`); break
      case 3: out.push(`broken line ${i}`); break
      case 4: out.push(`mem,host=h${i % 5} free=${i}u,ok=true,note="s ${i}"`); break
      case 5: out.push(`cpu,host=h${i % 7} usage="text"`); break // type conflict with the float column
      case 6: out.push(`disk,host=h1,host=h2 v=1`); break // duplicate tag
      case 7: out.push(`x${'y'.repeat(300)} v=1`); break // longer than the line limit used below
      default: out.push(`cpu,host=h${i % 7} usage=${i * 0.25},idle=${i}i ${1_600_000_000_000_000_000n + BigInt(i)}`)
    }
  }
  return out.join('\n')
}

describe('wire/ilp/parse-pool', function () {
  let pool: IlpParsePool
  beforeEach(function () { pool = new IlpParsePool({ size: 2 }) })
  afterEach(async function () { await pool.close() })

  it('gives byte for byte the result of parseLines inline', async function () {
    for (const [text, lineBytesMax] of [[sampleText(1000), 200], [`${sampleText(57)}\n`, undefined], ['', undefined], ['\n\r\n# x', 10]] as const) {
      const options: IlpParseOptions = { ...OPTIONS, ...(lineBytesMax === undefined ? {} : { lineBytesMax }) }
      const expected = parseLines(Buffer.from(text), options)
      const pooled = await pool.parse(Buffer.from(text), options)
      assert.deepStrictEqual(pooled.result, expected)
      assert.equal(pooled.input.toString(), text)
    }
  })

  it('parses several bodies, each its own buffer, as parseLines parses them side by side', async function () {
    const texts = [sampleText(300), `${sampleText(41)}\n`, '', 'cpu,host=z usage=1 1', `\r\n${sampleText(90)}`]
    // One body a view of part of a larger buffer (the pool copies it), one a view of a buffer the caller owns whole.
    const shared = Buffer.from(`xx${texts[1]!}yy`).subarray(2, 2 + texts[1]!.length)
    const owned = Buffer.from(new ArrayBuffer(texts[3]!.length + 4), 0, texts[3]!.length)
    owned.write(texts[3]!)
    const bodies = [Buffer.from(texts[0]!), shared, Buffer.from(texts[2]!), owned, Buffer.from(texts[4]!)]
    const joined = texts.map((text) => text === '' || text.endsWith('\n') ? text : `${text}\n`).join('')
    const encodeless = new IlpParsePool({ size: 1 }) // no tables: nothing encoded, the rows come back whole
    try {
      const pooled = await encodeless.parseBodies(bodies.map((body, i) => ({ body, isOwned: i === 3 })), OPTIONS)
      assert.deepStrictEqual(pooled.result, parseLines(Buffer.from(joined), OPTIONS))
      assert.deepEqual(pooled.bodies.map((body) => body.toString()), texts)
      assert.deepEqual(pooled.parts.lineCounts, texts.map((text) => parseLines(Buffer.from(text), OPTIONS).lineCount))
      assert.equal(bodies[0]!.length, 0, 'a whole buffer is transferred, not copied')
      assert.equal(shared.toString(), texts[1], 'a view of part of a buffer is copied')
    } finally {
      await encodeless.close()
    }
  })

  it('lets an idle worker exit and starts another for the next job', async function () {
    const quick = new IlpParsePool({ size: 1, idleExitMs: 20 })
    try {
      const text = sampleText(50)
      const expected = parseLines(Buffer.from(text), OPTIONS)
      assert.deepStrictEqual((await quick.parse(Buffer.from(text), OPTIONS)).result, expected)
      while (quick.idleExitCount === 0) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.deepStrictEqual((await quick.parse(Buffer.from(text), OPTIONS)).result, expected)
      assert.equal(quick.startedCount, 2)
    } finally {
      await quick.close()
    }
  })

  it('numbers a run cut out of a stream as the stream would', async function () {
    const text = `${sampleText(700)}\n`
    const whole = parseLines(Buffer.from(text), OPTIONS)
    // Stream: an inline head ending mid-line, a run of whole lines in the pool, an inline tail.
    const cutA = text.indexOf('\n', 5000) + 1
    const cutB = text.lastIndexOf('\n', 40_000) + 1
    const parser = new IlpParser(OPTIONS)
    parser.feed(Buffer.from(text.slice(0, cutA - 3)))
    parser.feed(Buffer.from(text.slice(cutA - 3, cutA)))
    const head = parser.drain()
    const run = text.slice(cutA, cutB)
    const base = parser.skipLines(run.split('\n').length - 1)
    const middle = (await pool.parse(Buffer.from(run), { ...OPTIONS, lineNumberBase: base })).result
    parser.feed(Buffer.from(text.slice(cutB)))
    const tail = parser.end()
    const parts = [head, middle, tail]
    assert.deepEqual(parts.flatMap((part) => part.errors), whole.errors)
    assert.equal(parts.reduce((sum, part) => sum + part.lineCount, 0), whole.lineCount)
    const rows = (batches: IngestBatch[]): number[] => batches.flatMap((batch) => Array.from(batch.lineNumbers)).sort((a, b) => a - b)
    assert.deepEqual(rows(parts.flatMap((part) => part.batches)), rows(whole.batches))
  })

  it('makes callers wait when its queue is full, and answers them all', async function () {
    const small = new IlpParsePool({ size: 1, pendingMax: 1 })
    try {
      const texts = Array.from({ length: 6 }, (_, i) => sampleText(200 + i))
      const results = await Promise.all(texts.map((text) => small.parse(Buffer.from(text), OPTIONS)))
      results.forEach((pooled, i) => assert.deepStrictEqual(pooled.result, parseLines(Buffer.from(texts[i]!), OPTIONS)))
    } finally {
      await small.close()
    }
  })

  it('fails the job of a worker that dies, with a clear error', async function () {
    const crashing = new IlpParsePool({ size: 1, workerPath: path.join(__dirname, 'crash-parse-worker.js') })
    try {
      await assert.rejects(crashing.parse(Buffer.from('m v=1\n'), OPTIONS),
        (error: unknown) => error instanceof IlpParsePoolError && !error.isClosed && /worker died/.test(error.message))
      await assert.rejects(crashing.parse(Buffer.from('m v=1\n'), OPTIONS), IlpParsePoolError) // a new worker was started
    } finally {
      await crashing.close()
    }
  })

  it('refuses jobs once closed', async function () {
    await pool.close()
    await assert.rejects(pool.parse(Buffer.from('m v=1\n'), OPTIONS), (error: unknown) => error instanceof IlpParsePoolError && error.isClosed)
  })
})

class RecordingSql implements SqlFacade {
  readonly batches: IngestBatch[] = []
  parse(): never { throw featureNotSupported('SQL') }
  describe(): never { throw featureNotSupported('SQL') }
  execute(): never { throw featureNotSupported('SQL') }
  async ingest(batches: ReadonlyArray<IngestBatch>): Promise<IngestOutcome> {
    this.batches.push(...batches)
    return { rowCount: batches.reduce((sum, batch) => sum + batch.rowCount, 0), errors: [], errorCount: 0 }
  }
}

async function sendOver(port: number, text: string, pieceBytes: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => {}) // the server resets a connection it ends for an overlong line; 'close' follows
  await new Promise((resolve) => socket.once('connect', resolve))
  for (let at = 0; at < text.length; at += pieceBytes) socket.write(text.slice(at, at + pieceBytes))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.end()
  socket.resume()
  await closed
}

describe('wire/ilp/tcp-connection with a parse pool', function () {
  it('writes the same rows in the same order, with the same line numbers and rejections, as inline', async function () {
    // Without the type conflicts: which type a batch takes depends on where flushes cut, and they cut differently.
    const text = `${sampleText(180_000).replace(/usage="text"/g, 'usage=0.5')}\nm v=1` // a few runs, plus a tail
    assert.ok(text.length > 2 * ILP_TCP_POOL_RUN_BYTES)
    const runs: Array<{ lines: number[]; rejected: number }> = []
    for (const parsePool of [null, new IlpParsePool({ size: 1 })]) {
      const sql = new RecordingSql()
      const listener = await startIlpTcpListener({ host: '127.0.0.1', port: 0, sql, parsePool })
      try {
        await sendOver(listener.port, text, 50_000 + 7)
      } finally {
        await listener.close() // waits for the connection's last flush (TCP has no acks)
        await parsePool?.close()
      }
      // Flushes are cut differently with and without a pool; within a measurement rows keep arrival order.
      for (const measurement of new Set(sql.batches.map((batch) => batch.measurement))) {
        const lines = sql.batches.filter((batch) => batch.measurement === measurement).flatMap((batch) => Array.from(batch.lineNumbers))
        assert.ok(lines.every((line, i) => i === 0 || line > lines[i - 1]!), `${measurement} rows in order`)
      }
      const lines = sql.batches.flatMap((batch) => Array.from(batch.lineNumbers)).sort((a, b) => a - b)
      runs.push({ lines, rejected: listener.counters.linesRejected })
    }
    const [inline, pooled] = runs
    assert.ok(inline!.lines.length > 5000)
    assert.deepEqual(pooled!.lines, inline!.lines)
    assert.equal(pooled!.rejected, inline!.rejected)
  })
})

describe('wire/ilp/tcp-connection with a parse pool: overlong lines', function () {
  it('treats an overlong line inside or across runs as inline does', async function () {
    const lines = (count: number, v: number): string => `m v=${v}\n`.repeat(count)
    const texts = [
      // Within the first run: whether it ends the connection depends on socket reads, in both modes alike.
      `${lines(Math.ceil(ILP_TCP_POOL_RUN_BYTES / 6) - 100, 1)}m s="${'z'.repeat(ILP_LINE_BYTES_MAX + 10)}"\n${lines(1000, 2)}`,
      // Spanning many reads: ends the connection once the lines before it are written.
      `${lines(Math.ceil(ILP_TCP_POOL_RUN_BYTES / 12), 1)}m s="${'z'.repeat(ILP_TCP_POOL_RUN_BYTES)}"\n${lines(1000, 2)}`,
    ]
    for (const [index, text] of texts.entries()) {
      const outcomes: Array<{ rows: number; overlong: number; rejected: number }> = []
      for (const parsePool of [null, new IlpParsePool({ size: 1 })]) {
        const sql = new RecordingSql()
        const listener = await startIlpTcpListener({ host: '127.0.0.1', port: 0, sql, parsePool })
        try {
          await sendOver(listener.port, text, 60_000)
        } finally {
          await listener.close()
          await parsePool?.close()
        }
        const { connectionsOverlong: overlong, linesRejected: rejected } = listener.counters
        outcomes.push({ rows: sql.batches.reduce((sum, batch) => sum + batch.rowCount, 0), overlong, rejected })
      }
      if (index === 1) assert.deepEqual(outcomes[0], { rows: Math.ceil(ILP_TCP_POOL_RUN_BYTES / 12), overlong: 1, rejected: 1 })
      assert.deepEqual(outcomes[1], outcomes[0])
    }
  })
})

describe('wire/ilp/http-write with a parse pool', function () {
  it('answers a large body as inline: the same 400 body (line number, quoted line), the same rows', async function () {
    const text = `${sampleText(20_000).replace(/usage="text"/g, 'usage=0.5')}\r\n`
    assert.ok(text.length > 2 * 256 * 1024)
    const answers: Array<{ status: number; body: string; lines: number[] }> = []
    for (const parsePool of [null, new IlpParsePool({ size: 1 })]) {
      const sql = new RecordingSql()
      const listener = await startIlpHttpListener({ host: '127.0.0.1', port: 0, sql, parsePool })
      try {
        const response = await fetch(`http://127.0.0.1:${listener.port}/api/v2/write?precision=ns`, { method: 'POST', body: text })
        const lines = sql.batches.flatMap((batch) => Array.from(batch.lineNumbers))
        answers.push({ status: response.status, body: await response.text(), lines })
      } finally {
        await listener.close()
        await parsePool?.close()
      }
    }
    assert.equal(answers[0]!.status, 400)
    assert.match(answers[0]!.body, /line 4, column 1/)
    assert.deepEqual(answers[1], answers[0])
  })
})
