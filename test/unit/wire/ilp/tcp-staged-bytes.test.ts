// Goal: a TCP connection's staged bytes are copied once as they arrive — into a small buffer of its own, then, once
// they outgrow it, into a buffer of the run pool — and a run is a view of that buffer (no second copy) while the bytes
// after it are staged again elsewhere; draining hands a pool buffer back, more than a pool buffer holds grows into one
// of its own, and release gives the buffer back. Method: the real pool, chunks of known bytes.
import assert from 'node:assert/strict'
import { IngestBufferPool } from '../../../../wire/ilp/ingest-buffers.js'
import { StagedBytes } from '../../../../wire/ilp/tcp-staged-bytes.js'

const POOL_BYTES = 256 * 1024

/** `count` lines `k=<i>` of `width` bytes each, '\n' included. */
function lines(count: number, width: number, from = 0): string {
  return Array.from({ length: count }, (_, i) => `k=${String(from + i).padStart(width - 3, '0')}\n`).join('')
}

describe('wire/ilp/tcp-staged-bytes', function () {
  it('copies chunks, moves to a pool buffer once past its own, hands a run over as a view and stages the rest anew', function () {
    const pool = new IngestBufferPool(POOL_BYTES, 4)
    const staged = new StagedBytes(pool)
    const chunk = Buffer.from('a=1\nb=2\nc')
    staged.append(chunk)
    chunk.fill(0) // the socket's chunk may be reused or dropped: the stage holds a copy
    staged.append(Buffer.from('=3\n'))
    assert.deepEqual(staged.chunks().map((c) => c.toString()), ['a=1\nb=2\nc=3\n'])
    assert.equal(pool.takenCount, 0, 'a few bytes stay in a small buffer of the connection\'s own')
    const text = 'a=1\nb=2\nc=3\n' + lines(2_000, 50)
    staged.append(Buffer.from(text.slice(12, 40_000)))
    staged.append(Buffer.from(text.slice(40_000) + 'd=4'))
    assert.equal(pool.takenCount, 1, 'past its own buffer the stage takes a pool buffer')
    assert.equal(staged.chunks()[0]!.toString(), text + 'd=4')
    const run = staged.takeRun(text.length)
    assert.equal(run.toString(), text)
    assert.equal(run.buffer.byteLength, POOL_BYTES, 'the run is a view of a whole pool buffer, transferable as it is')
    assert.equal(staged.bytes, 3)
    assert.notEqual(staged.chunks()[0]!.buffer, run.buffer, 'the rest is staged in another buffer')
    assert.equal(staged.chunks()[0]!.toString(), 'd=4')
    pool.give(run)
    assert.equal(pool.takenCount, 0)
  })

  it('drains into the parser, giving a pool buffer back, and stops at the first chunk refused', function () {
    const pool = new IngestBufferPool(POOL_BYTES, 4)
    const staged = new StagedBytes(pool)
    const text = lines(3_000, 40)
    staged.append(Buffer.from(text))
    assert.equal(pool.takenCount, 1)
    const fed: string[] = []
    assert.equal(staged.drain((c) => { fed.push(c.toString()); return true }), true)
    assert.deepEqual(fed, [text])
    assert.equal(staged.bytes, 0)
    assert.deepEqual(staged.chunks(), [])
    assert.equal(pool.takenCount, 0, 'drained, a pool buffer goes back')
    staged.append(Buffer.from('x'.repeat(10)))
    assert.equal(staged.drain(() => false), false)
    assert.equal(staged.bytes, 0)
    staged.release()
    assert.equal(pool.takenCount, 0)
  })

  it('grows past a pool buffer into one of its own, keeping every byte in order', function () {
    const pool = new IngestBufferPool(POOL_BYTES, 4)
    const staged = new StagedBytes(pool)
    const text = lines(12_000, 30)
    for (let at = 0; at < text.length; at += 65_536) staged.append(Buffer.from(text.slice(at, at + 65_536)))
    assert.equal(staged.bytes, text.length)
    assert.ok(text.length > POOL_BYTES)
    assert.equal(staged.chunks()[0]!.toString(), text)
    const run = staged.takeRun(text.length)
    assert.equal(run.toString(), text)
    assert.equal(staged.bytes, 0)
    pool.give(run)
    assert.equal(pool.takenCount, 0, 'every pool buffer it took went back')
  })
})
