// Goal: a TCP connection's staged bytes are copied once as they arrive, into a buffer of the run pool, and a run is a
// view of that buffer (no second copy) while the bytes after it are staged again in another; draining keeps the
// buffer, more than a pool buffer holds grows into one of its own, and release gives the buffer back. Method: the real
// pool, chunks of known bytes.
import assert from 'node:assert/strict'
import { IngestBufferPool } from '../../../../wire/ilp/ingest-buffers.js'
import { StagedBytes } from '../../../../wire/ilp/tcp-staged-bytes.js'

describe('wire/ilp/tcp-staged-bytes', function () {
  it('copies chunks into one pool buffer, hands the first bytes over as a run and stages the rest anew', function () {
    const pool = new IngestBufferPool(64, 4)
    const staged = new StagedBytes(pool)
    const chunk = Buffer.from('a=1\nb=2\nc')
    staged.append(chunk)
    chunk.fill(0) // the socket's chunk may be reused or dropped: the stage holds a copy
    staged.append(Buffer.from('=3'))
    assert.equal(staged.bytes, 11)
    assert.deepEqual(staged.chunks().map((c) => c.toString()), ['a=1\nb=2\nc=3'])
    const run = staged.takeRun(8)
    assert.equal(run.toString(), 'a=1\nb=2\n')
    assert.equal(run.buffer.byteLength, 64, 'the run is a view of a whole pool buffer, transferable as it is')
    assert.equal(staged.bytes, 3)
    assert.notEqual(staged.chunks()[0]!.buffer, run.buffer, 'the rest is staged in another buffer')
    assert.equal(staged.chunks()[0]!.toString(), 'c=3')
    pool.give(run)
    const fed: string[] = []
    assert.equal(staged.drain((c) => { fed.push(c.toString()); return true }), true)
    assert.deepEqual(fed, ['c=3'])
    assert.equal(staged.bytes, 0)
    assert.deepEqual(staged.chunks(), [])
    staged.append(Buffer.from('d=4\n'))
    assert.equal(pool.takenCount, 1, 'drained, the stage kept its buffer')
    staged.release()
    assert.equal(pool.takenCount, 0)
  })

  it('grows past a pool buffer into one of its own, keeping every byte in order', function () {
    const pool = new IngestBufferPool(16, 4)
    const staged = new StagedBytes(pool)
    const text = Array.from({ length: 10 }, (_, i) => `v=${i}\n`).join('')
    for (let at = 0; at < text.length; at += 7) staged.append(Buffer.from(text.slice(at, at + 7)))
    assert.equal(staged.bytes, text.length)
    assert.equal(staged.chunks()[0]!.toString(), text)
    assert.equal(pool.takenCount, 0, 'the pool buffer it outgrew went back')
    const run = staged.takeRun(text.length)
    assert.equal(run.toString(), text)
    assert.equal(staged.bytes, 0)
  })

  it('stops draining at the first chunk refused', function () {
    const staged = new StagedBytes(new IngestBufferPool(64, 1))
    staged.append(Buffer.from('x'.repeat(10)))
    assert.equal(staged.drain(() => false), false)
    assert.equal(staged.bytes, 0)
  })
})
