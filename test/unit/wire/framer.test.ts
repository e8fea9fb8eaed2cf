// test/unit/wire/framer: framing without a socket. Method: frontend frames built by pg-protocol's serialize are fed
// whole, byte by byte, and split at every offset; the frames that come out must be identical each time.
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { PG_MESSAGE_BYTES_MAX, PG_STARTUP_BYTES_MAX } from '../../../src/common/limits.js'
import { Framer, type Frame } from '../../../wire/pg/framer.js'

const TYPED: ReadonlyArray<readonly [string, Buffer]> = [
  ['Query', serialize.query('SELECT 1; SELECT 2')],
  ['Parse', serialize.parse({ name: 's1', text: 'SELECT $1', types: [25] })],
  ['Bind', serialize.bind({ portal: 'p', statement: 's1', values: ['x', null, Buffer.from([1, 2])] })],
  ['Describe', serialize.describe({ type: 'P', name: 'p' })],
  ['Execute', serialize.execute({ portal: 'p', rows: 2 })],
  ['Close', serialize.close({ type: 'S', name: 's1' })],
  ['Sync', serialize.sync()],
  ['Flush', serialize.flush()],
  ['Terminate', serialize.end()],
  ['CopyFail', serialize.copyFail('stop')],
  ['CopyData', serialize.copyData(Buffer.from('1\tx\n2\ty\n'))],
  ['CopyDone', serialize.copyDone()],
]

function drain(framer: Framer): Frame[] {
  const frames: Frame[] = []
  for (let frame = framer.next(); frame !== null; frame = framer.next()) {
    frames.push(frame)
    if (frame.kind === 'FramingError') break
  }
  return frames
}

function summary(frames: ReadonlyArray<Frame>): string[] {
  return frames.map((frame) => {
    if (frame.kind === 'FramingError') return `error ${frame.error.code}`
    const code = frame.kind === 'TypedFrame' ? String.fromCharCode(frame.code) : 'startup'
    return `${code}:${frame.body.toString('hex')}`
  })
}

/** Feeds `chunks` one at a time, pulling frames after each, as the connection does. */
function feed(chunks: ReadonlyArray<Buffer>, isTyped: boolean): Frame[] {
  const framer = new Framer()
  if (isTyped) framer.expectTypedFrames()
  const frames: Frame[] = []
  for (const chunk of chunks) {
    framer.push(chunk)
    frames.push(...drain(framer))
  }
  assert.equal(framer.bufferedByteCount, 0, 'every byte was consumed')
  return frames
}

function splits(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[bytes], [...bytes].map((byte) => Buffer.from([byte]))]
  for (let offset = 1; offset < bytes.length; offset++) ways.push([bytes.subarray(0, offset), bytes.subarray(offset)])
  return ways
}

describe('wire/pg/framer', () => {
  for (const [name, bytes] of TYPED) {
    it(`${name}: whole, byte by byte and split at every offset give the same frame`, () => {
      const expected = [`${String.fromCharCode(bytes[0] ?? 0)}:${bytes.subarray(5).toString('hex')}`]
      for (const chunks of splits(bytes)) assert.deepEqual(summary(feed(chunks, true)), expected)
    })
  }

  it('startup frames: StartupMessage and SSLRequest, every split', () => {
    for (const bytes of [serialize.startup({ user: 'alice', database: 'db' }), serialize.requestSsl(), serialize.cancel(7, 9)]) {
      const expected = [`startup:${bytes.subarray(4).toString('hex')}`]
      for (const chunks of splits(bytes)) assert.deepEqual(summary(feed(chunks, false)), expected)
    }
  })

  it('all messages back to back, split at every offset', () => {
    const all = Buffer.concat(TYPED.map(([, bytes]) => bytes))
    const expected = summary(feed([all], true))
    assert.equal(expected.length, TYPED.length)
    for (const chunks of splits(all)) assert.deepEqual(summary(feed(chunks, true)), expected)
  })

  it('length < 4, > PG_MESSAGE_BYTES_MAX and startup > PG_STARTUP_BYTES_MAX are FATAL 08P01 before buffering the body', () => {
    const cases: Array<[number, boolean]> = [[3, true], [-1, true], [PG_MESSAGE_BYTES_MAX + 1, true], [PG_STARTUP_BYTES_MAX + 1, false], [7, false]]
    for (const [length, isTyped] of cases) {
      const header = isTyped ? Buffer.from([0x51, 0, 0, 0, 0]) : Buffer.alloc(4)
      header.writeInt32BE(length, isTyped ? 1 : 0)
      const framer = new Framer()
      if (isTyped) framer.expectTypedFrames()
      framer.push(header)
      const frame = framer.next()
      assert.equal(frame?.kind, 'FramingError', `length ${length}`)
      assert.equal(frame.kind === 'FramingError' && frame.error.code, '08P01')
      assert.equal(frame.kind === 'FramingError' && frame.error.severity, 'FATAL')
      framer.push(Buffer.alloc(100))
      assert.equal(framer.bufferedByteCount, 0, 'nothing is buffered after a framing error')
      assert.equal(framer.next()?.kind, 'FramingError', 'the error is sticky: stream sync is lost')
    }
  })

  it('a partial frame waits for the rest', () => {
    const framer = new Framer()
    framer.expectTypedFrames()
    const bytes = serialize.query('SELECT 1')
    framer.push(bytes.subarray(0, 6))
    assert.equal(framer.next(), null)
    framer.push(bytes.subarray(6))
    assert.equal(framer.next()?.kind, 'TypedFrame')
  })
})
