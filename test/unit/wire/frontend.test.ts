// test/unit/wire/frontend: frame body → FrontendMessage. Method: frames built by pg-protocol's serialize (the client
// we must understand) are decoded; broken bodies must give 08P01 (FATAL for an unknown type byte).
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { RecentString } from '../../../wire/pg/buffer-reader.js'
import { decodeFrontend, decodeStartup, FrontendDecodeError, type FrontendMessage } from '../../../wire/pg/frontend.js'

function decode(bytes: Buffer): FrontendMessage {
  return decodeFrontend(bytes[0] ?? 0, bytes.subarray(5))
}

function decodeError(code: string, body: Buffer): FrontendDecodeError {
  try {
    decodeFrontend(code.charCodeAt(0), body)
  } catch (error) {
    if (error instanceof FrontendDecodeError) return error
    throw error
  }
  throw new Error('expected a decode error')
}

describe('wire/pg/frontend', () => {
  it('decodes the startup-phase packets', () => {
    const startup = decodeStartup(serialize.startup({ user: 'alice', database: 'db', client_encoding: 'UTF8' }).subarray(4))
    assert.equal(startup.kind, 'StartupMessage')
    assert.equal(startup.kind === 'StartupMessage' && startup.protocolVersion, 196608)
    assert.deepEqual(startup.kind === 'StartupMessage' && [...startup.params], [['user', 'alice'], ['database', 'db'], ['client_encoding', 'UTF8']])
    assert.deepEqual(decodeStartup(serialize.requestSsl().subarray(4)), { kind: 'SSLRequest' })
    assert.deepEqual(decodeStartup(Buffer.from([0x04, 0xd2, 0x16, 0x30])), { kind: 'GSSENCRequest' })
    // pg keeps the secret as a signed int32 (readInt32BE); the registry compares it as an unsigned one.
    assert.deepEqual(decodeStartup(serialize.cancel(42, -2).subarray(4)), { kind: 'CancelRequest', pid: 42, secret: 0xfffffffe })
  })

  it('decodes Query, Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate', () => {
    assert.deepEqual(decode(serialize.query('SELECT ’1’')), { kind: 'Query', text: 'SELECT ’1’' })
    assert.deepEqual(decode(serialize.parse({ name: 'a', text: 'SELECT $1', types: [23] })), { kind: 'Parse', name: 'a', text: 'SELECT $1', paramTypeOids: [23] })
    const bind = decode(serialize.bind({ portal: 'p', statement: 'a', values: ['x', null, Buffer.from([7])], binary: true }))
    assert.equal(bind.kind, 'Bind')
    if (bind.kind === 'Bind') {
      assert.deepEqual([bind.portal, bind.statement, bind.paramFormats, bind.resultFormats], ['p', 'a', [0, 0, 1], [1]])
      assert.deepEqual(bind.paramValues.map((value) => value?.toString('hex') ?? null), ['78', null, '07'])
    }
    assert.deepEqual(decode(serialize.describe({ type: 'S', name: 'a' })), { kind: 'Describe', target: 'S', name: 'a' })
    assert.deepEqual(decode(serialize.execute({ portal: 'p', rows: 5 })), { kind: 'Execute', portal: 'p', maxRows: 5 })
    assert.deepEqual(decode(serialize.close({ type: 'P', name: 'p' })), { kind: 'Close', target: 'P', name: 'p' })
    assert.deepEqual(decode(serialize.sync()), { kind: 'Sync' })
    assert.deepEqual(decode(serialize.flush()), { kind: 'Flush' })
    assert.deepEqual(decode(serialize.end()), { kind: 'Terminate' })
    assert.deepEqual(decode(serialize.copyFail('no')), { kind: 'CopyFail', message: 'no' })
  })

  it('malformed bodies are 08P01 and say whether they belong to extended query', () => {
    const unterminated = decodeError('P', Buffer.from('name'))
    assert.deepEqual([unterminated.error.code, unterminated.error.severity, unterminated.isExtendedQuery], ['08P01', 'ERROR', true])
    const shortBind = decodeError('B', Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0x41]))
    assert.equal(shortBind.error.code, '08P01')
    const badUtf8 = decodeError('Q', Buffer.from([0xc3, 0x28, 0]))
    assert.deepEqual([badUtf8.error.code, badUtf8.isExtendedQuery], ['08P01', false])
    const trailing = decodeError('E', Buffer.from([0, 0, 0, 0, 1, 9]))
    assert.equal(trailing.error.code, '08P01')
    const badTarget = decodeError('D', Buffer.from([0x58, 0]))
    assert.equal(badTarget.error.code, '08P01')
    const unknown = decodeError('!', Buffer.alloc(0))
    assert.deepEqual([unknown.error.code, unknown.error.severity], ['08P01', 'FATAL'])
  })
  it('a Query text the same as last time is the same string; any other bytes are decoded (and checked) anew', () => {
    const recent = new RecentString()
    const query = (bytes: Buffer): FrontendMessage => decodeFrontend(bytes[0] ?? 0, bytes.subarray(5), 0, bytes.length - 5, recent)
    const first = query(serialize.query('SELECT 1'))
    const again = query(serialize.query('SELECT 1'))
    assert.ok(first.kind === 'Query' && again.kind === 'Query' && first.text === again.text)
    assert.deepEqual(query(serialize.query('SELECT 2')), { kind: 'Query', text: 'SELECT 2' }) // same length, other bytes
    assert.deepEqual(query(serialize.query('SELECT ’1’')), { kind: 'Query', text: 'SELECT ’1’' })
    assert.deepEqual(query(serialize.query('SELECT ’1’')), { kind: 'Query', text: 'SELECT ’1’' })
    // Broken bodies after a kept text: an embedded NUL, a missing terminator and invalid UTF-8 are 08P01 still.
    for (const body of [Buffer.from('SELECT 1\0\0'), Buffer.from('SELECT 1'), Buffer.from([0xc3, 0x28, 0])]) {
      const error = (() => {
        try { decodeFrontend('Q'.charCodeAt(0), body, 0, body.length, recent) } catch (thrown) { return thrown }
        return null
      })()
      assert.ok(error instanceof FrontendDecodeError && error.error.code === '08P01', `08P01 for ${body.toString('hex')}`)
    }
    assert.deepEqual(query(serialize.query('SELECT 1')), { kind: 'Query', text: 'SELECT 1' })
  })
})
