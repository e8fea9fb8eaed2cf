// Goal: the bench's own line-protocol client (bench/line-sender.ts, a minimal HTTP/1.1 client over one kept-alive
// socket per sender) stays correct, since every ILP load of the bench goes through it: each body arrives once, a 204
// resolves, anything else throws with the server's status and text, and a reply is read whatever its framing
// (Content-Length, chunked, until close, or split into single bytes). Method: a real nodedb server (its HTTP
// listener) loaded by postBodies and counted over SQL, its refusals compared with what fetch reads from the same
// request; a node:http server for chunked replies and idle connections it closes; a raw TCP server for replies
// delimited by close and sent a byte at a time. Nothing is timed.
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { bodiesOf, LinePoster, postBodies } from '../../bench/line-sender.js'
import { nodedbEngine, startNodedbProcess, type QueryEngine } from '../../bench/peers/query-engines.js'
import { START_MS, cpuRows, lineChunks } from '../../bench/tsbs.js'
import { makeTempDir, removeDir } from '../helpers/server-process.js'

const listening = async (server: net.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

const closed = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

describe('bench: the line-protocol sender against nodedb', function () {
  this.timeout(120_000)
  let dir = ''
  let engine: QueryEngine | null = null
  let writeUrl = ''

  before(async () => {
    dir = makeTempDir('bench-line-sender')
    const server = await startNodedbProcess(path.join(dir, 'data'), [], null)
    engine = await nodedbEngine(server)
    writeUrl = `http://127.0.0.1:${server.httpPort}/api/v2/write?org=b&bucket=b&precision=ns`
  })

  after(async () => {
    await engine?.stop()
    removeDir(dir)
  })

  it('delivers every body once with several senders reading ahead, each acknowledged', async () => {
    const bodies = lineChunks(cpuRows(2_350, 7, 1, START_MS), 100, 'sender_rows')
    const stats = await postBodies(writeUrl, bodiesOf(bodies), 3)
    assert.equal(stats.bodies, bodies.length)
    const [[count, hosts]] = await engine!.query('SELECT count(*), count(DISTINCT hostname) FROM sender_rows') as [[number, number]]
    assert.deepEqual([Number(count), Number(hosts)], [2_350, 7])
  })

  for (const [what, body, pathAndQuery] of [
    ['a refused line', 'sender_bad,host=a value=notanumber 1\n', null],
    ['an unknown path', 'sender_path value=1 1\n', '/no/such/path'],
  ] as const) {
    it(`throws with nodedb's status and text for ${what}, as fetch reads them, and posts again after it`, async () => {
      const url = pathAndQuery === null ? writeUrl : new URL(pathAndQuery, writeUrl).toString()
      const reference = await fetch(url, { method: 'POST', body })
      const text = (await reference.text()).trim()
      assert.notEqual(reference.status, 204)
      const poster = new LinePoster(new URL(url))
      try {
        await assert.rejects(poster.post(body), (error: Error) => {
          assert.equal(error.message, `line-protocol write answered ${reference.status}: ${text.slice(0, 500)}`)
          return true
        })
        const good = new LinePoster(new URL(writeUrl))
        await good.post('sender_after value=1 1\n')
        good.close()
      } finally {
        poster.close()
      }
    })
  }
})

describe('bench: the line-protocol sender reads every framing of a reply', function () {
  this.timeout(30_000)

  it('reads chunked error replies and 204s on one connection, and reconnects after the server closed it idle', async () => {
    let connections = 0
    const server = http.createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        if (request.url === '/ok') return void response.writeHead(204).end()
        response.writeHead(400, { 'Content-Type': 'text/plain' }) // no length: node sends it chunked
        response.write('first part, ')
        setTimeout(() => response.end('second part'), 20)
      })
    })
    server.on('connection', () => connections++)
    const base = await listening(server)
    const poster = new LinePoster(new URL(`${base}/ok`))
    const failing = new LinePoster(new URL(`${base}/fail`))
    try {
      await poster.post('a value=1 1\n')
      await poster.post(Buffer.from('a value=2 2\n'))
      await assert.rejects(failing.post('x'), /answered 400: first part, second part$/)
      await assert.rejects(failing.post('x'), /answered 400: first part, second part$/) // the same connection, in step
      assert.equal(connections, 2)
      server.closeIdleConnections()
      await new Promise((resolve) => setTimeout(resolve, 50))
      await poster.post('a value=3 3\n')
      assert.equal(connections, 3)
    } finally {
      poster.close()
      failing.close()
      await closed(server)
    }
  })

  it('reads replies sent a byte at a time: by Content-Length, chunked with trailers, and until close', async () => {
    const replies = [
      'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n',
      'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 7\r\n\r\nbroken!',
      'HTTP/1.1 422 Unprocessable\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n',
      'HTTP/1.0 503 Busy\r\n\r\nuntil close',
    ]
    const sockets = new Set<net.Socket>()
    let served = 0
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('data', () => {
        const reply = Buffer.from(replies[served++]!)
        const last = served === replies.length
        let at = 0
        const drip = (): void => {
          if (at < reply.length) socket.write(reply.subarray(at, ++at), () => setImmediate(drip))
          else if (last) socket.end()
        }
        drip()
      })
    })
    const poster = new LinePoster(new URL(`${await listening(server)}/write`))
    try {
      await poster.post('a value=1 1\n')
      await assert.rejects(poster.post('b'), /answered 500: broken!$/)
      await assert.rejects(poster.post('c'), /answered 422: abcde$/)
      await assert.rejects(poster.post('d'), /answered 503: until close$/)
      assert.equal(served, replies.length)
    } finally {
      poster.close()
      for (const socket of sockets) socket.destroy()
      await closed(server)
    }
  })

  it('throws when the server closes the connection before answering', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.destroy()))
    const poster = new LinePoster(new URL(`${await listening(server)}/write`))
    try {
      await assert.rejects(poster.post('a value=1 1\n'), /closed the connection before answering/)
    } finally {
      poster.close()
      await closed(server)
    }
  })
})
