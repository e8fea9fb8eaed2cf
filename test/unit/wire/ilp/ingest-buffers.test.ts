// Goal: the ILP input buffers are reused, not reallocated: a buffer given back is the next one taken (same memory,
// also after a round trip through a worker's transfer), an oversized request gets a buffer of its own that is never
// kept, at most freeMaxCount are kept; a buffer not kept, and every kept one once the pool stops keeping (a listener
// without connections) or the pool has been idle a while, is freed at once (detached: main's pool left them to a
// GC). Method: the real pool, a real worker thread for the transfer.
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { IngestBufferPool } from '../../../../wire/ilp/ingest-buffers.js'

/** Sends `view` to a worker that echoes it back, its buffer transferred both ways. */
async function roundTrip(view: Uint8Array): Promise<Uint8Array> {
  const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (v) => parentPort.postMessage(v, [v.buffer]))', { eval: true })
  try {
    const back = new Promise<Uint8Array>((resolve) => worker.once('message', resolve))
    worker.postMessage(view, [view.buffer as ArrayBuffer])
    return await back
  } finally {
    await worker.terminate()
  }
}

describe('wire/ilp/ingest-buffers', function () {
  it('gives back the same memory, also after a transfer to a worker and back', async function () {
    const pool = new IngestBufferPool(1024, 2)
    const first = pool.take(100)
    first.write('a'.repeat(60) + 'b'.repeat(40), 'latin1')
    assert.equal(first.toString('latin1'), 'a'.repeat(60) + 'b'.repeat(40))
    const back = await roundTrip(first)
    assert.equal(first.buffer.byteLength, 0, 'the transfer detached the sender\'s view')
    assert.equal(back.byteLength, 100)
    assert.equal(Buffer.from(back.buffer, back.byteOffset, back.byteLength).toString('latin1', 0, 3), 'aaa')
    pool.give(back)
    assert.equal(pool.takenCount, 0)
    const second = pool.take(1024)
    assert.equal(second.buffer, back.buffer)
  })

  it('never keeps an oversized buffer, and keeps at most freeMaxCount', function () {
    const pool = new IngestBufferPool(64, 1)
    const big = pool.take(65)
    assert.equal(big.length, 65)
    pool.give(big)
    assert.equal(big.buffer.byteLength, 65, 'not freed by a detach: nothing was transferred in this pool yet')
    assert.notEqual(pool.take(64).buffer, big.buffer)
    const [a, b] = [pool.take(10), pool.take(10)]
    pool.give(a)
    pool.give(b)
    assert.equal(pool.take(10).buffer, a.buffer)
    assert.notEqual(pool.take(10).buffer, b.buffer)
  })

  it('once its buffers go through transfers, frees a buffer it does not keep at once, and all kept when told to', async function () {
    const pool = new IngestBufferPool(64, 1)
    const big = await roundTrip(pool.take(65))
    pool.give(big)
    assert.equal(big.buffer.byteLength, 0, 'an oversized buffer given back after a transfer is freed')
    const [a, b, c] = [pool.take(10), pool.take(10), pool.take(10)]
    pool.give(a)
    pool.give(b)
    assert.equal(b.buffer.byteLength, 0, 'one past freeMaxCount is freed')
    assert.equal(a.buffer.byteLength, 64, 'the kept one stays')
    pool.setKeeping(false)
    assert.equal(a.buffer.byteLength, 0, 'the kept one is freed when the pool stops keeping')
    pool.give(c)
    assert.equal(c.buffer.byteLength, 0, 'given back while not keeping: freed')
    assert.equal(pool.takenCount, 0)
    const d = pool.take(64)
    assert.equal(d.buffer.byteLength, 64)
    pool.setKeeping(true)
    pool.give(d)
    assert.equal(pool.take(64).buffer, d.buffer, 'keeping again')
  })

  // issue 10: a server that took a bulk load settles back towards its idle RSS.
  it('frees the buffers it keeps once no take came for idleReleaseMs, not before', async function () {
    const pool = new IngestBufferPool(64, 2, 200)
    const a = await roundTrip(pool.take(10))
    pool.give(a)
    assert.equal(pool.freeCount, 1)
    await new Promise((resolve) => setTimeout(resolve, 120))
    const b = pool.take(10)
    assert.equal(b.buffer, a.buffer, 'kept while takes come')
    pool.give(b)
    while (pool.freeCount > 0) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(b.buffer.byteLength, 0, 'freed (it went through a transfer, so the pool detaches it)')
    assert.notEqual(pool.take(10).buffer, b.buffer)
  })
})
