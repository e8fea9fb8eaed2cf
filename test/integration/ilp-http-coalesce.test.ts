// Goal: ILP HTTP writes sent all at once are answered exactly as the same writes sent one by one, while the server
// parses and writes them together (http-parse-coalescer.ts, http-coalescer.ts) and holds no more request bytes than
// --ilp-http-buffer-mb (design invariant 4: senders wait unread, not in unbounded buffers). Method: two real servers
// with a 1 MiB budget; on one, 60 requests at once (valid bodies, bodies with a malformed line, with lines sql refuses
// for their type, without a final newline, at another precision, with two measurements); on the other, the same
// requests one at a time (nothing to join: the oracle). Each answer (status and body) and each table's rows must be
// the same; the first server's log says how many sql.ingest calls carried the requests and how many bytes it held.
// Twice: with bodies parsed on the event loop (below ILP_PARSE_POOL_BYTES_MIN, rows sliced and joined per request)
// and with bodies the parse pool parses and encodes, groups of them written together (http-group-write.ts).
// Then acknowledged means durable with requests joined (invariant 1): kill -9 while 60 requests are in flight, and
// after restart every acknowledged request's rows are there, and every request's rows are there wholly or not at all.
import assert from 'node:assert/strict'
import net from 'node:net'
import { ILP_PARSE_POOL_BYTES_MIN } from '../../src/common/limits.js'
import { httpRequest, SqlReader, type HttpAnswer } from '../helpers/ilp.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const BUDGET_MB = 1
const REQUEST_COUNT = 60
const LINES_PER_REQUEST = 1500
// Bodies of ~350 KiB or more: parsed in the pool (ILP_PARSE_POOL_BYTES_MIN is 256 KiB), not inline.
const LINES_PER_POOLED_REQUEST = 6000

interface WriteRequest {
  readonly path: string
  readonly body: string
}

function linesOf(request: number, precisionDivisor = 1n, lineCount = LINES_PER_REQUEST): string[] {
  const lines: string[] = []
  for (let i = 0; i < lineCount; i++) {
    const ts = (1_700_000_000_000_000_000n + BigInt(request * lineCount + i) * 1000n) / precisionDivisor
    lines.push(`cpu,host=host_${i % 50},rack=r${request % 7} v=${request}.${i},n=${i}i${i % 3 === 0 ? ',s="t"' : ''} ${ts}`)
  }
  return lines
}

/** Request r's body: mostly valid lines, some requests spoiled in one of several ways. */
function requestOf(r: number, lineCount = LINES_PER_REQUEST): WriteRequest {
  const lines = linesOf(r, 1n, lineCount)
  switch (r % 10) {
    case 3: lines[17] = 'cpu,host=broken v=' // a parse error
      break
    case 5: lines[40] = `cpu,host=host_x v=${r}i ${1_600_000_000_000_000_000 + r}` // v is float8: sql refuses it
      break
    case 7: return { path: '/write', body: lines.join('\n') } // no final newline
    case 8: return { path: '/write?precision=ms', body: `${linesOf(r, 1_000_000n, lineCount).join('\n')}\n` }
    case 9: lines.push(`mem,host=h${r} used=${r}i 1700000000000000000`) // two measurements
      break
  }
  return { path: r % 2 === 0 ? '/api/v2/write?bucket=b&org=o' : '/write', body: `${lines.join('\n')}\n` }
}

function post(port: number, request: WriteRequest): Promise<HttpAnswer> {
  return httpRequest(port, { method: 'POST', path: request.path, body: request.body })
}

async function tableRows(server: ServerProcess, table: string): Promise<unknown[]> {
  const sql = new SqlReader(server.pgPort)
  await sql.connect()
  try {
    return await sql.rows(`SELECT * FROM ${table} ORDER BY time, host`)
  } finally {
    await sql.end()
  }
}

describe('integration: ILP HTTP requests written together (issue 10)', function () {
  this.timeout(180_000)
  const dirs: string[] = []
  after(() => dirs.forEach(removeDir))

  // The pooled bodies get a budget that holds several: with 1 MiB, one is parsed while the other waits, and none join.
  for (const [lineCount, budgetMb, where] of [[LINES_PER_REQUEST, BUDGET_MB, 'parsed inline'], [LINES_PER_POOLED_REQUEST, 4, 'parsed in the pool']] as const) {
  it(`${REQUEST_COUNT} requests at once are answered as one by one; request bytes held within the budget (${where})`, async function () {
    const args = ['--ilp-http-buffer-mb', String(budgetMb), '--fsync', 'always']
    const pair = [makeTempDir('ilp-http-coalesce-a'), makeTempDir('ilp-http-coalesce-b')]
    dirs.push(...pair)
    const [together, alone] = await Promise.all(pair.map((dataDir) => startServerProcess({ dataDir, args })))
    const requests = Array.from({ length: REQUEST_COUNT }, (_, r) => requestOf(r, lineCount))
    if (lineCount === LINES_PER_POOLED_REQUEST) assert.ok(requests.every((request) => request.body.length >= ILP_PARSE_POOL_BYTES_MIN), 'bodies go to the pool')
    try {
      // The table first, on both: later type refusals then do not depend on which request created a column.
      for (const server of [together!, alone!]) assert.equal((await post(server.httpPort, requestOf(0))).status, 204)
      const answersTogether = await Promise.all(requests.map((request) => post(together!.httpPort, request)))
      const answersAlone: HttpAnswer[] = []
      for (const request of requests) answersAlone.push(await post(alone!.httpPort, request))
      answersTogether.forEach((answer, r) => {
        assert.equal(answer.status, answersAlone[r]!.status, `request ${r}: ${answer.body} against ${answersAlone[r]!.body}`)
        assert.equal(answer.body, answersAlone[r]!.body, `request ${r}`)
      })
      assert.ok(answersAlone.some((answer) => answer.status === 400) && answersAlone.some((answer) => answer.status === 204))
      for (const table of ['cpu', 'mem']) assert.deepEqual(await tableRows(together!, table), await tableRows(alone!, table), table)
    } finally {
      assert.equal(await alone!.stop(), 0, alone!.output())
      assert.equal(await together!.stop(), 0, together!.output())
    }
    const closed = together!.output().split('\n').find((line) => line.includes('buffer budget and coalescing'))
    assert.ok(closed !== undefined, 'the listener logs its budget and calls when it closes')
    const stats = JSON.parse(closed) as { bufferedBytesPeak: number; budgetWaits: number; ingestCalls: number; ingestRequests: number }
    const largest = Math.max(...requests.map((request) => Buffer.byteLength(request.body)))
    assert.ok(stats.bufferedBytesPeak <= Math.max(budgetMb * 2 ** 20, largest), `held ${stats.bufferedBytesPeak} bytes at most`)
    // Whether any request had to wait depends on how fast this run's server drained them (on an idle machine it may
    // keep up with the client's writes); the waiting itself is pinned in test/unit/wire/ilp/http-coalesce.test.ts.
    process.stdout.write(`      (${stats.ingestRequests} requests in ${stats.ingestCalls} sql.ingest calls; held at most ` +
      `${(stats.bufferedBytesPeak / 2 ** 20).toFixed(2)} MiB, ${stats.budgetWaits} waited)\n`)
    assert.ok(stats.ingestCalls < stats.ingestRequests, 'requests waiting together were written together')
  })
  }

  it('kill -9 amid requests written together: every acknowledged request is there, each request wholly or not at all', async function () {
    const dataDir = makeTempDir('ilp-http-coalesce-crash')
    try {
      let server = await startServerProcess({ dataDir, args: ['--fsync', 'always'] })
      const body = (r: number): string => linesOf(r).map((line) => line.replace('cpu,', `crash,req=r${r},`)).join('\n') + '\n'
      const acknowledged = new Set<number>()
      let killed: Promise<void> | null = null
      const answers = Array.from({ length: REQUEST_COUNT }, async (_, r) => {
        const answer = await post(server.httpPort, { path: '/write', body: body(r) }).catch(() => null)
        if (answer?.status === 204 && killed === null) acknowledged.add(r)
        if (acknowledged.size >= REQUEST_COUNT / 4 && killed === null) killed = server.kill()
      })
      await Promise.all(answers)
      await (killed ?? server.kill())
      server = await startServerProcess({ dataDir, args: ['--fsync', 'always'] })
      const sql = new SqlReader(server.pgPort)
      await sql.connect()
      try {
        const counts = new Map((await sql.rows('SELECT req, count(*) AS n FROM crash GROUP BY req')).map((row) => [String(row['req']), Number(row['n'])]))
        for (let r = 0; r < REQUEST_COUNT; r++) {
          const n = counts.get(`r${r}`) ?? 0
          if (acknowledged.has(r)) assert.equal(n, LINES_PER_REQUEST, `acknowledged request ${r}`)
          else assert.ok(n === 0 || n === LINES_PER_REQUEST, `request ${r} has ${n} rows: wholly or not at all`)
        }
        process.stdout.write(`      (${acknowledged.size} acknowledged before the kill, ${counts.size} requests' rows after restart)\n`)
      } finally {
        await sql.end()
        assert.equal(await server.stop(), 0, server.output())
      }
    } finally {
      removeDir(dataDir)
    }
  })

  it('a request whose client leaves while it waits for the budget gives its place back', async function () {
    const dataDir = makeTempDir('ilp-http-coalesce-leave')
    const server = await startServerProcess({ dataDir, args: ['--ilp-http-buffer-mb', String(BUDGET_MB)] })
    try {
      // Each body ~0.7 MiB: two do not fit in the budget together.
      const body = Buffer.from(Array.from({ length: 8 }, (_, r) => `${linesOf(r).join('\n')}\n`).join(''))
      assert.ok(body.length > 0.6 * 2 ** 20 && body.length < 2 ** 20)
      const head = `POST /write HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`
      const open = (): Promise<net.Socket> => new Promise((resolve) => { const s = net.connect(server.httpPort, '127.0.0.1', () => resolve(s)) })
      const holder = await open()
      const answered = new Promise<string>((resolve) => { let text = ''; holder.on('data', (d: Buffer) => { text += d.toString() }); holder.on('end', () => resolve(text)) })
      holder.write(head)
      holder.write(body.subarray(0, 1000)) // admitted, charged its whole declared length, and left half-sent
      const leaver = await open()
      leaver.write(head) // does not fit: waits unread
      await new Promise((resolve) => setTimeout(resolve, 500)) // lets the server read both heads (checked below, not timed)
      leaver.destroy()
      holder.write(body.subarray(1000))
      assert.match(await answered, /^HTTP\/1\.1 204/)
      // Had the leaver kept its charge, this one would wait for ever.
      assert.equal((await post(server.httpPort, { path: '/write', body: body.toString() })).status, 204)
    } finally {
      assert.equal(await server.stop(), 0, server.output())
      removeDir(dataDir)
    }
    const closed = server.output().split('\n').find((line) => line.includes('buffer budget and coalescing'))
    assert.ok(closed !== undefined && (JSON.parse(closed) as { budgetWaits: number }).budgetWaits >= 1, 'the second request waited')
  })
})
