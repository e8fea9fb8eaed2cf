// test/unit/wire/session: the protocol state machine over real sockets: startup, simple query, transaction status,
// pipelining, cancel and listener lifecycle. Method: a listener on port 0 backed by FakeSql (recorded results);
// frames built by pg-protocol's serialize, answers decoded by its Parser. Error cases check the session goes on.
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { PG_STATEMENTS_PER_SESSION_COUNT_MAX } from '../../../src/common/limits.js'
import { SqlState } from '../../../src/common/sqlstate.js'
import { startPgListener } from '../../../wire/pg/listener.js'
import { statusOf, useListener } from './listener-fixture.js'
import { errorOf, names } from './wire-client.js'

describe('wire/pg/session: startup', () => {
  const f = useListener()

  it('startup: SSLRequest → N, then AuthenticationOk, the 13 ParameterStatus in order, BackendKeyData, Z I', async () => {
    const client = await f.raw()
    assert.equal(await client.requestSsl(), 'N')
    const messages = await client.startup({ user: 'alice', database: 'db', application_name: 'psql' })
    assert.equal(names(messages), ['authenticationOk', ...new Array(13).fill('parameterStatus'), 'backendKeyData', 'readyForQuery'].join(' '))
    const statuses = messages.filter((m) => m.name === 'parameterStatus').map((m) => `${String(m['parameterName'])}=${String(m['parameterValue'])}`)
    assert.deepEqual(statuses, [
      'application_name=psql', 'client_encoding=UTF8', 'DateStyle=ISO, MDY', 'default_transaction_read_only=off',
      'in_hot_standby=off', 'integer_datetimes=on', 'IntervalStyle=postgres', 'is_superuser=on', 'server_encoding=UTF8',
      'server_version=15.0 (nodedb 0.1.0)', 'session_authorization=alice', 'standard_conforming_strings=on', 'TimeZone=Etc/UTC',
    ])
    const key = messages.find((m) => m.name === 'backendKeyData')
    assert.equal(typeof key?.['processID'], 'number')
    assert.equal(statusOf(messages), 'I')
  })

  it('startup: protocol 3.1 gets NegotiateProtocolVersion (v) before AuthenticationOk, then works as 3.0', async () => {
    const client = await f.raw()
    const startup = serialize.startup({ user: 'alice', '_pq_.x': 'y' })
    startup.writeInt32BE(0x00030001, 4)
    client.write(startup)
    const messages = await client.readUntil('readyForQuery')
    // pg-protocol does not know 'v' (0x76), so its Parser reports it as an invalid response with that code.
    assert.match(String(messages[0]?.['message']), /received invalid response: 76/)
    assert.equal(messages[1]?.name, 'authenticationOk')
  })

  it('startup: application_name is empty when not sent; a protocol 2.0 startup is FATAL 0A000', async () => {
    const client = await f.raw()
    const startup = await client.startup({ user: 'bob' })
    assert.deepEqual([startup[1]?.['parameterName'], startup[1]?.['parameterValue']], ['application_name', ''])
    assert.deepEqual(startup.find((m) => m['parameterName'] === 'session_authorization')?.['parameterValue'], 'bob')
    assert.deepEqual(names(await client.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
    const old = await f.raw()
    const packet = Buffer.from([0, 0, 0, 8, 0, 2, 0, 0])
    old.write(packet)
    const error = errorOf(await old.readUntilClosed())
    assert.equal(error.code, '0A000')
    assert.equal(error.severity, 'FATAL')
  })
})

describe('wire/pg/session: simple query', () => {
  const f = useListener()

  it('a large result to a client that stops reading arrives complete once it reads again (backpressure)', async () => {
    const client = await f.connected()
    client.pause()
    client.write(serialize.query('SELECT * FROM big'))
    client.write(serialize.query('SELECT 1'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(f.sql.executed, ['SELECT * FROM big'], 'the next query waits while the result is not drained')
    client.resume()
    const messages = await client.readUntil('readyForQuery')
    assert.equal(messages.filter((m) => m.name === 'dataRow').length, 100_000)
    assert.equal(messages[messages.length - 2]?.['text'], 'SELECT 100000')
    assert.equal(names(await client.readUntil('readyForQuery')), 'rowDescription dataRow commandComplete readyForQuery')
  })

  it('simple query: several statements, one Z; empty query; the parse error path', async () => {
    const client = await f.connected()
    const both = await client.query('SELECT 1; SELECT 2 AS b')
    assert.equal(names(both), 'rowDescription dataRow commandComplete rowDescription dataRow commandComplete readyForQuery')
    assert.equal(both[1]?.['fields'] !== undefined && String((both[1]['fields'] as unknown[])[0]), '1')
    assert.equal(names(await client.query('')), 'emptyQuery readyForQuery')
    assert.equal(names(await client.query('-- ping')), 'emptyQuery readyForQuery')
    const bad = await client.query('SELECT SYNTAX')
    assert.equal(names(bad), 'error readyForQuery')
    assert.equal(errorOf(bad).code, '42601')
    assert.equal(errorOf(bad).position, '8')
    assert.deepEqual(f.sql.executed, ['SELECT 1', 'SELECT 2 AS b'])
  })

  it('simple query: stops at the first error, and the session goes on', async () => {
    const client = await f.connected()
    const messages = await client.query('SELECT 1; SELECT 1/0; SELECT 2 AS b')
    assert.equal(names(messages), 'rowDescription dataRow commandComplete error readyForQuery')
    assert.equal(errorOf(messages).code, '22012')
    assert.equal(statusOf(messages), 'I')
    assert.equal(names(await client.query('SELECT 2 AS b')), 'rowDescription dataRow commandComplete readyForQuery')
  })

  it('statement boundary: a non-DbError becomes XX000 and the session goes on', async () => {
    const client = await f.connected()
    const messages = await client.query('SELECT crash()')
    assert.equal(errorOf(messages).code, SqlState.internalError)
    assert.equal(names(await client.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
  })

  it('SET that changes a reported parameter sends ParameterStatus before ReadyForQuery (PostgreSQL 15 order)', async () => {
    const client = await f.connected()
    const messages = await client.query("SET application_name = 'x'")
    assert.equal(names(messages), 'commandComplete parameterStatus readyForQuery')
    assert.equal(messages[1]?.['parameterValue'], 'x')
  })
})

describe('wire/pg/session: transactions and limits', () => {
  const f = useListener()

  it('transaction status: I → T → E (25P02 until ROLLBACK) → I; COMMIT in E answers ROLLBACK', async () => {
    const client = await f.connected()
    assert.equal(statusOf(await client.query('BEGIN')), 'T')
    assert.equal(statusOf(await client.query('SELECT 1')), 'T')
    const failed = await client.query('SELECT 1/0')
    assert.equal(statusOf(failed), 'E')
    const refused = await client.query('SELECT 1')
    assert.equal(errorOf(refused).code, '25P02')
    assert.equal(statusOf(refused), 'E')
    const commit = await client.query('COMMIT')
    assert.equal(commit.find((m) => m.name === 'commandComplete')?.['text'], 'ROLLBACK')
    assert.equal(statusOf(commit), 'I')
    await client.query('BEGIN')
    await client.query('SELECT 1/0')
    assert.equal(statusOf(await client.query('ROLLBACK')), 'I')
  })

  it('statements and portals are bounded per session: 54000 beyond PG_STATEMENTS_PER_SESSION_COUNT_MAX', async () => {
    const client = await f.connected()
    const parses = Array.from({ length: PG_STATEMENTS_PER_SESSION_COUNT_MAX + 1 }, (_, i) => serialize.parse({ name: `s${i}`, text: 'SELECT 1' }))
    client.write(Buffer.concat([...parses, serialize.sync()]))
    const messages = await client.readUntil('readyForQuery')
    assert.equal(messages.filter((m) => m.name === 'parseComplete').length, PG_STATEMENTS_PER_SESSION_COUNT_MAX)
    assert.equal(errorOf(messages).code, '54000')
    client.write(Buffer.concat([serialize.close({ type: 'S', name: 's0' }), serialize.parse({ name: 'again', text: 'SELECT 1' }), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')), 'closeComplete parseComplete readyForQuery')
  })
})

describe('wire/pg/session: pipelining and cancel', () => {
  const f = useListener()

  it('pipelining: several queries in one chunk run one at a time and answer in order', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([serialize.query('SELECT pg_sleep()'), serialize.query('SELECT 2 AS b'), serialize.query('SELECT 1')]))
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(f.sql.executed, ['SELECT pg_sleep()'], 'the second statement must wait for the first')
    f.sql.waiting.shift()?.()
    const first = await client.readUntil('readyForQuery')
    const second = await client.readUntil('readyForQuery')
    const third = await client.readUntil('readyForQuery')
    assert.equal(first[0]?.['fields'] !== undefined && (first[0]['fields'] as Array<{ name: string }>)[0]?.name, 'pg_sleep')
    assert.equal((second[0]?.['fields'] as Array<{ name: string }>)[0]?.name, 'b')
    assert.equal((third[0]?.['fields'] as Array<{ name: string }>)[0]?.name, '?column?')
  })

  it('cancel: a CancelRequest with the right key makes the running statement fail with 57014', async () => {
    const client = await f.raw()
    const key = (await client.startup()).find((m) => m.name === 'backendKeyData')
    client.write(serialize.query('SELECT pg_sleep()'))
    while (f.sql.waiting.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const wrong = await f.raw()
    wrong.write(serialize.cancel(Number(key?.['processID']), Number(key?.['secretKey']) + 1))
    assert.deepEqual(await wrong.readUntilClosed(), [])
    const canceler = await f.raw()
    canceler.write(serialize.cancel(Number(key?.['processID']), Number(key?.['secretKey'])))
    assert.deepEqual(await canceler.readUntilClosed(), [])
    f.sql.waiting.shift()?.()
    const messages = await client.readUntil('readyForQuery')
    assert.equal(errorOf(messages).code, '57014')
    assert.equal(names(await client.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
  })
})

describe('wire/pg/listener: lifecycle', () => {
  const f = useListener()

  it('Terminate closes the connection; close() sends FATAL 57P01 to idle sessions', async () => {
    const client = await f.connected()
    client.write(serialize.end())
    assert.deepEqual(await client.readUntilClosed(), [])
    const idle = await f.connected()
    const closing = f.listener.close()
    const error = errorOf(await idle.readUntilClosed())
    assert.equal(error.code, '57P01')
    await closing
    await f.restart()
  })

  it('too many connections: FATAL 53300 at startup, while existing sessions go on', async () => {
    await f.listener.close()
    await f.restart(1)
    const first = await f.connected()
    const second = await f.raw()
    second.write(serialize.startup({ user: 'bob' }))
    const error = errorOf(await second.readUntilClosed())
    assert.equal(error.code, '53300')
    assert.equal(error.message, 'sorry, too many clients already')
    assert.equal(names(await first.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
  })

  it('listen errors reject with the Node error (EADDRINUSE)', async () => {
    await assert.rejects(startPgListener({ host: '127.0.0.1', port: f.listener.port, sql: f.sql }), { code: 'EADDRINUSE' })
  })
})
