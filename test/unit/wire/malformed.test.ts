// test/unit/wire/malformed: broken frames over real sockets. Method: corrupt frames built with pg-protocol's
// serialize (or write them by hand); each case asserts its SQLSTATE, and that ANOTHER connection still answers a query.
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { PG_MESSAGE_BYTES_MAX, PG_STARTUP_BYTES_MAX } from '../../../src/common/limits.js'
import { useListener, type ListenerFixture } from './listener-fixture.js'
import { errorOf, names } from './wire-client.js'

function frame(code: string, body: Buffer, length = body.length + 4): Buffer {
  const header = Buffer.alloc(5)
  header.write(code, 0, 'latin1')
  header.writeInt32BE(length, 1)
  return Buffer.concat([header, body])
}

async function assertOthersAnswer(f: ListenerFixture): Promise<void> {
  const other = await f.connected()
  assert.equal(names(await other.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
}

const fatalCases: Array<{ name: string; bytes: () => Buffer; code: string; isStarted: boolean }> = [
  { name: 'message length < 4', bytes: () => frame('Q', Buffer.from('SELECT 1\0'), 3), code: '08P01', isStarted: true },
  { name: 'message length > PG_MESSAGE_BYTES_MAX', bytes: () => frame('Q', Buffer.alloc(0), PG_MESSAGE_BYTES_MAX + 1), code: '08P01', isStarted: true },
  { name: 'unknown type byte', bytes: () => frame('!', Buffer.alloc(0)), code: '08P01', isStarted: true },
  { name: 'startup length < 8', bytes: () => Buffer.from([0, 0, 0, 2]), code: '08P01', isStarted: false },
  {
    name: 'startup length > PG_STARTUP_BYTES_MAX',
    bytes: () => { const b = Buffer.alloc(8); b.writeInt32BE(PG_STARTUP_BYTES_MAX + 1); return b },
    code: '08P01', isStarted: false,
  },
  {
    name: 'startup parameters without the final terminator',
    bytes: () => {
      const full = serialize.startup({ user: 'alice' })
      const cut = Buffer.from(full.subarray(0, full.length - 1))
      cut.writeInt32BE(cut.length)
      return cut
    },
    code: '08P01', isStarted: false,
  },
  {
    name: 'startup without a user',
    bytes: () => serialize.startup({ database: 'db' }),
    code: '28000', isStarted: false,
  },
]

describe('wire/pg malformed frames (FATAL, then close)', () => {
  const f = useListener()

  for (const testCase of fatalCases) {
    it(`${testCase.name}: FATAL ${testCase.code}, then close`, async () => {
      const connection = testCase.isStarted ? await f.connected() : await f.raw()
      const bytes = testCase.bytes()
      connection.write(bytes)
      const error = errorOf(await connection.readUntilClosed())
      assert.equal(error.code, testCase.code)
      assert.equal(error.severity, 'FATAL')
      await assertOthersAnswer(f)
    })
  }
})

describe('wire/pg malformed message contents (ERROR, the session goes on)', () => {
  const f = useListener()

  it('unterminated cstring in Query: ERROR 08P01 + Z, and the session goes on', async () => {
    const connection = await f.connected()
    connection.write(frame('Q', Buffer.from('SELECT 1')))
    const messages = await connection.readUntil('readyForQuery')
    assert.equal(names(messages), 'error readyForQuery')
    assert.equal(errorOf(messages).code, '08P01')
    assert.equal(names(await connection.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
    await assertOthersAnswer(f)
  })

  it('invalid UTF-8 in Query text: 08P01', async () => {
    const connection = await f.connected()
    connection.write(frame('Q', Buffer.from([0x53, 0xff, 0xfe, 0])))
    assert.equal(errorOf(await connection.readUntil('readyForQuery')).code, '08P01')
    await assertOthersAnswer(f)
  })

  it('unterminated cstring in Parse: 08P01, then skip to Sync', async () => {
    const connection = await f.connected()
    connection.write(Buffer.concat([frame('P', Buffer.from('\0SELECT 1')), serialize.bind({}), serialize.execute({}), serialize.sync()]))
    const messages = await connection.readUntil('readyForQuery')
    assert.equal(names(messages), 'error readyForQuery')
    assert.equal(errorOf(messages).code, '08P01')
    await assertOthersAnswer(f)
  })

  it('Bind whose parameter count runs past the end: 08P01', async () => {
    const connection = await f.connected()
    // Cut the value short but fix the header to the bytes sent: the frame is whole, its contents are not.
    const full = serialize.bind({ values: ['12345'] })
    const bind = Buffer.from(full.subarray(0, full.length - 6))
    bind.writeInt32BE(bind.length - 1, 1)
    connection.write(Buffer.concat([serialize.parse({ text: 'SELECT $1::text AS v' }), bind, serialize.sync()]))
    const messages = await connection.readUntil('readyForQuery')
    assert.equal(errorOf(messages).code, '08P01')
    await assertOthersAnswer(f)
  })

  it('Bind with the wrong parameter count: 08P01, discard until Sync', async () => {
    const connection = await f.connected()
    connection.write(Buffer.concat([
      serialize.parse({ text: 'SELECT $1::int + $2 AS s, $3::text AS t' }), serialize.bind({ values: ['1'] }),
      serialize.execute({}), serialize.sync(),
    ]))
    const messages = await connection.readUntil('readyForQuery')
    assert.equal(names(messages), 'parseComplete error readyForQuery')
    assert.equal(errorOf(messages).code, '08P01')
    await assertOthersAnswer(f)
  })

  it('Execute on a missing portal: 34000', async () => {
    const connection = await f.connected()
    connection.write(Buffer.concat([serialize.execute({ portal: 'nope' }), serialize.sync()]))
    assert.equal(errorOf(await connection.readUntil('readyForQuery')).code, '34000')
    await assertOthersAnswer(f)
  })
})
