// Goal: an HTTP write body takes the smallest reusable buffer that holds it, so bulk loaders' bodies of a few MiB
// cycle through kept buffers as small ones do (no fresh multi-MiB buffer per request), a body larger than both sizes
// gets one of its own, and every body reads back byte for byte. Method: the real BodyBuffers over real ingest buffer
// pools, and readBody on a real HTTP request over a socket.
import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BodyBuffers, readBody, type BodyOutcome } from '../../../../wire/ilp/http-body.js'
import { IngestBufferPool } from '../../../../wire/ilp/ingest-buffers.js'

const SMALL_BYTES = 1024
const LARGE_BYTES = 4096

function bodyBuffers(): BodyBuffers {
  return new BodyBuffers(new IngestBufferPool(SMALL_BYTES, 2), new IngestBufferPool(LARGE_BYTES, 2))
}

/** Posts `body` to a one-request server that reads it with readBody into `buffers`. */
async function postAndRead(body: Buffer, buffers: BodyBuffers): Promise<BodyOutcome> {
  let outcome: Promise<BodyOutcome> | null = null
  const server = createServer((request: IncomingMessage, response) => {
    outcome = readBody(request, false, 1 << 20, buffers)
    void outcome.then(() => response.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve, reject) => {
      const client = httpRequest({ port, method: 'POST', headers: { 'Content-Length': body.length } }, (response) => {
        response.resume()
        response.on('end', resolve)
      })
      client.on('error', reject)
      client.end(body)
    })
    return await outcome!
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

describe('wire/ilp/http-body (issue 10)', function () {
  it('takes the smallest buffer that holds the body, and reuses it once given back', function () {
    const buffers = bodyBuffers()
    const small = buffers.take(SMALL_BYTES)
    const large = buffers.take(SMALL_BYTES + 1)
    const own = buffers.take(LARGE_BYTES + 1)
    assert.deepEqual([small.buffer.byteLength, large.buffer.byteLength, own.buffer.byteLength], [SMALL_BYTES, LARGE_BYTES, LARGE_BYTES + 1])
    assert.deepEqual([small.length, large.length, own.length], [SMALL_BYTES, SMALL_BYTES + 1, LARGE_BYTES + 1])
    const [smallBuffer, largeBuffer] = [small.buffer, large.buffer]
    for (const view of [small, large, own]) buffers.give(view)
    assert.equal(buffers.take(10).buffer, smallBuffer, 'a small body reuses the small buffer')
    assert.equal(buffers.take(LARGE_BYTES).buffer, largeBuffer, 'a large body reuses the large buffer')
    assert.notEqual(buffers.take(LARGE_BYTES + 1).buffer, own.buffer, 'a body above both sizes is never kept')
  })

  it('reads a body above the small size into a large buffer, byte for byte', async function () {
    const buffers = bodyBuffers()
    const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''))
    const outcome = await postAndRead(body, buffers)
    assert.equal(outcome.kind, 'BodyRead')
    if (outcome.kind !== 'BodyRead') return
    assert.equal(outcome.pooled, true)
    assert.equal(outcome.chunks[0]!.buffer.byteLength, LARGE_BYTES)
    assert.ok(outcome.chunks[0]!.equals(body))
  })
})
