// Goal: wire writes a streamed result (RowStreamResult) as its batches come: all rows then CommandComplete with the
// true count; Execute with max rows suspends and resumes the same stream; the stream is cancelled when its portal is
// closed, when Sync ends the implicit transaction, at COMMIT, when the socket goes, and an error mid-stream reaches
// the client after the rows already sent. Method: FakeSql's FakeRowStream behind a real listener, frames from
// pg-protocol's serialize, answers decoded by its Parser.
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { useListener } from './listener-fixture.js'
import { errorOf, names } from './wire-client.js'

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('wire/pg: streamed results', () => {
  const f = useListener()

  it('simple query: every batch as DataRows, then CommandComplete with the count', async () => {
    const client = await f.connected()
    const messages = await client.query('SELECT * FROM stream')
    assert.equal(messages.filter((m) => m.name === 'dataRow').length, 1000)
    assert.equal(messages.at(-2)?.['text'], 'SELECT 1000')
    assert.equal(f.sql.streams[0]?.isCancelled, false)
  })

  it('Execute with max rows suspends, the next Execute resumes, Close cancels the stream', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT * FROM stream' }), serialize.bind({}),
      serialize.execute({ rows: 150 }), serialize.flush()]))
    const first = await client.readUntil('portalSuspended')
    assert.equal(first.filter((m) => m.name === 'dataRow').length, 150)
    client.write(Buffer.concat([serialize.execute({ rows: 150 }), serialize.flush()]))
    const second = await client.readUntil('portalSuspended')
    assert.deepEqual(second.filter((m) => m.name === 'dataRow').map((m) => m['fields']).at(0), ['150'])
    const stream = f.sql.streams[0]!
    assert.ok(stream.pulledCount < 10, 'rows are pulled as sent, not all at once')
    client.write(Buffer.concat([serialize.close({ type: 'P', name: '' }), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')), 'closeComplete readyForQuery')
    assert.equal(stream.isCancelled, true)
  })

  it('Sync outside a block drops a suspended portal and cancels its stream; COMMIT does inside one', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT * FROM stream' }), serialize.bind({}),
      serialize.execute({ rows: 10 }), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')).endsWith('portalSuspended readyForQuery'), true)
    assert.equal(f.sql.streams[0]?.isCancelled, true)
    await client.query('BEGIN')
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT * FROM stream' }), serialize.bind({}),
      serialize.execute({ rows: 10 }), serialize.sync()]))
    await client.readUntil('readyForQuery')
    assert.equal(f.sql.streams[1]?.isCancelled, false, 'a portal lives until its transaction ends')
    await client.query('COMMIT')
    assert.equal(f.sql.streams[1]?.isCancelled, true)
  })

  it('a DECLAREd cursor holds its stream open: FETCH pulls only what it sends, MOVE skips, COMMIT cancels', async () => {
    const client = await f.connected()
    await client.query('BEGIN')
    await client.query('DECLARE c CURSOR FOR SELECT * FROM stream')
    const stream = f.sql.cursorStreams.at(-1)!
    assert.equal(stream.pulledCount, 0, 'DECLARE starts the scan but reads no batch')
    const first = await client.query('FETCH 150 FROM c')
    assert.equal(first.filter((m) => m.name === 'dataRow').length, 150)
    assert.equal(first.at(-2)?.['text'], 'FETCH 150')
    assert.equal(stream.pulledCount, 2, 'a FETCH reads the batches its rows are in, not the whole result')
    assert.equal((await client.query('MOVE 100 c')).at(-2)?.['text'], 'MOVE 100')
    const second = await client.query('FETCH 2 c')
    assert.deepEqual(second.filter((m) => m.name === 'dataRow').map((m) => m['fields']), [['250'], ['251']])
    assert.equal(stream.pulledCount, 3)
    assert.equal(stream.isCancelled, false)
    await client.query('COMMIT')
    assert.equal(stream.isCancelled, true)
  })

  it('a socket closed with a suspended portal cancels its stream', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT * FROM stream' }), serialize.bind({}),
      serialize.execute({ rows: 10 }), serialize.flush()]))
    await client.readUntil('portalSuspended')
    client.end()
    await until(() => f.sql.streams[0]?.isCancelled === true)
  })

  it('an error mid-stream follows the rows already sent; the session goes on', async () => {
    const client = await f.connected()
    const messages = await client.query('SELECT * FROM failing')
    assert.equal(messages.filter((m) => m.name === 'dataRow').length, 300)
    assert.equal(errorOf(messages).code, '22012')
    assert.equal(names(await client.query('SELECT 1')), 'rowDescription dataRow commandComplete readyForQuery')
  })
})
