// Goal: a write sent on a kept-alive HTTP connection that sat idle for a while gets an answer, never a dropped
// connection (issue 10: the bench's fetch failed with "other side closed" when its event loop was busy past Node's
// default 5 s keep-alive timeout; undici retries no POST). Method: a raw socket, like a client that cannot notice the
// server closing meanwhile, writes, sits idle IDLE_MS (past Node's 5 s, well within the minute VictoriaMetrics and the
// three InfluxDB 2 keep), and writes again on the same socket: both are 204 and both rows are there. The timeout the
// server advertises (Keep-Alive: timeout=N, which clients such as undici follow) must cover that idle time too.
import assert from 'node:assert/strict'
import net from 'node:net'
import { useIlpServer } from '../helpers/ilp.js'

const IDLE_MS = 6000

interface RawAnswer {
  readonly status: number
  readonly head: string
}

/** Reads HTTP responses off one socket; `next` resolves with the next whole one, or rejects if the socket ends first. */
class RawHttpReader {
  private buffered = Buffer.alloc(0)
  private ended = false
  private wake: (() => void) | null = null

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => { this.buffered = Buffer.concat([this.buffered, chunk]); this.wake?.() })
    socket.on('close', () => { this.ended = true; this.wake?.() })
    socket.on('error', () => { this.ended = true; this.wake?.() })
  }

  async next(): Promise<RawAnswer> {
    for (;;) {
      const answer = this.take()
      if (answer !== null) return answer
      if (this.ended) throw new Error('the server closed the connection instead of answering')
      await new Promise<void>((resolve) => { this.wake = resolve })
    }
  }

  private take(): RawAnswer | null {
    const headEnd = this.buffered.indexOf('\r\n\r\n')
    if (headEnd < 0) return null
    const head = this.buffered.toString('latin1', 0, headEnd)
    const length = Number(/^content-length: *(\d+)/im.exec(head)?.[1] ?? 0)
    if (this.buffered.length < headEnd + 4 + length) return null
    this.buffered = this.buffered.subarray(headEnd + 4 + length)
    return { status: Number(head.split(' ')[1]), head }
  }
}

function writeRequest(socket: net.Socket, line: string): void {
  const body = `${line}\n`
  socket.write(`POST /write?precision=s HTTP/1.1\r\nHost: nodedb\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
}

describe('integration: ILP over HTTP on a kept-alive connection left idle (issue 10)', function () {
  this.timeout(60_000)
  const fixture = useIlpServer('ilp-http-keepalive')

  it('answers a write sent after the connection sat idle, and advertises a timeout covering that idle time', async function () {
    const socket = net.connect(fixture.server.httpPort, '127.0.0.1')
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const reader = new RawHttpReader(socket)
    try {
      writeRequest(socket, 'idle_keepalive,host=a v=1 1700000000')
      const first = await reader.next()
      assert.equal(first.status, 204, first.head)
      const advertisedS = Number(/^keep-alive: *timeout=(\d+)/im.exec(first.head)?.[1] ?? 0)
      assert.ok(advertisedS * 1000 > IDLE_MS, `advertised keep-alive ${advertisedS} s, not past ${IDLE_MS} ms idle:\n${first.head}`)
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
      writeRequest(socket, 'idle_keepalive,host=a v=2 1700000001')
      const second = await reader.next()
      assert.equal(second.status, 204, second.head)
    } finally {
      socket.destroy()
    }
    await fixture.sql.waitFor('SELECT sum(v) FROM idle_keepalive', '3')
  })
})
