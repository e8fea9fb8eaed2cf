// test/unit/wire/extended-query: Parse/Bind/Describe/Execute/Close/Sync over real sockets, as node-postgres and
// pg-cursor send them. Method: FakeSql behind a listener on port 0; frames from pg-protocol's serialize, answers
// decoded by its Parser; each error case checks the skip-to-Sync recovery and that the session goes on.
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { statusOf, useListener } from './listener-fixture.js'
import { errorOf, names } from './wire-client.js'

describe('wire/pg/extended-query: flows', () => {
  const f = useListener()

  it('extended: Parse/Bind/Describe P/Execute/Sync as node-postgres sends it', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([
      serialize.parse({ text: 'SELECT $1::int + $2 AS s, $3::text AS t', types: [] }),
      serialize.bind({ values: ['1', '2', 'x'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]))
    const messages = await client.readUntil('readyForQuery')
    assert.equal(names(messages), 'parseComplete bindComplete rowDescription dataRow commandComplete readyForQuery')
    assert.deepEqual(messages[3]?.['fields'], ['3', 'x'])
    assert.equal(messages[4]?.['text'], 'SELECT 1')
  })

  it('extended: Describe S gives ParameterDescription + RowDescription; a named statement is reused without Parse', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([
      serialize.parse({ name: 'byhost', text: 'SELECT $1::text AS v', types: [] }),
      serialize.describe({ type: 'S', name: 'byhost' }), serialize.sync(),
    ]))
    const described = await client.readUntil('readyForQuery')
    assert.equal(names(described), 'parseComplete parameterDescription rowDescription readyForQuery')
    assert.deepEqual(described[1]?.['dataTypeIDs'], [25])
    for (const value of ['a', 'b']) {
      client.write(Buffer.concat([
        serialize.bind({ statement: 'byhost', values: [value] }), serialize.execute({}), serialize.sync(),
      ]))
      const messages = await client.readUntil('readyForQuery')
      assert.equal(names(messages), 'bindComplete dataRow commandComplete readyForQuery')
      assert.deepEqual(messages[1]?.['fields'], [value])
    }
    client.write(Buffer.concat([serialize.parse({ name: 'byhost', text: 'SELECT 1' }), serialize.sync()]))
    assert.equal(errorOf(await client.readUntil('readyForQuery')).code, '42P05')
  })

  it('extended: after an error every message is discarded until Sync', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([
      serialize.bind({ statement: 'missing', values: [] }),
      serialize.describe({ type: 'P' }), serialize.execute({}),
      serialize.parse({ text: 'SELECT 1' }), serialize.sync(),
    ]))
    const messages = await client.readUntil('readyForQuery')
    assert.equal(names(messages), 'error readyForQuery')
    assert.equal(errorOf(messages).code, '26000')
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.execute({}), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')), 'parseComplete bindComplete dataRow commandComplete readyForQuery')
  })
})

describe('wire/pg/extended-query: portals and formats', () => {
  const f = useListener()

  it('extended: two statements in one Parse is 42601; an empty Parse executes to EmptyQueryResponse', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT 1; SELECT 1' }), serialize.sync()]))
    const error = errorOf(await client.readUntil('readyForQuery'))
    assert.equal(error.code, '42601')
    assert.equal(error.message, 'cannot insert multiple commands into a prepared statement')
    client.write(Buffer.concat([serialize.parse({ text: '' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')), 'parseComplete bindComplete noData emptyQuery readyForQuery')
  })

  it('extended: maxRows yields PortalSuspended and the next Execute continues; CommandComplete counts that Execute (PostgreSQL\'s)', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([
      serialize.parse({ text: 'SELECT * FROM five' }), serialize.bind({ portal: 'C_1' }),
      serialize.describe({ type: 'P', name: 'C_1' }), serialize.flush(), serialize.execute({ portal: 'C_1', rows: 2 }), serialize.flush(),
    ]))
    const first = await client.readUntil('portalSuspended')
    assert.equal(names(first), 'parseComplete bindComplete rowDescription dataRow dataRow portalSuspended')
    client.write(Buffer.concat([serialize.execute({ portal: 'C_1', rows: 100 }), serialize.flush()]))
    const rest = await client.readUntil('commandComplete')
    assert.equal(names(rest), 'dataRow dataRow dataRow commandComplete')
    assert.deepEqual(rest.map((m) => (m['fields'] as string[] | undefined)?.[0]), ['3', '4', '5', undefined])
    assert.equal(rest[3]?.['text'], 'SELECT 3')
    client.write(Buffer.concat([serialize.close({ type: 'P', name: 'C_1' }), serialize.sync()]))
    assert.equal(names(await client.readUntil('readyForQuery')), 'closeComplete readyForQuery')
    assert.deepEqual(f.sql.executed, ['SELECT * FROM five'])
  })

  it('extended: binary result format for int4 follows Bind, one code for every column', async () => {
    const client = await f.connected()
    client.write(Buffer.concat([
      serialize.parse({ text: 'SELECT 1' }), serialize.bind({ binary: true }), serialize.describe({ type: 'P' }),
      serialize.execute({}), serialize.sync(),
    ]))
    const messages = await client.readUntil('readyForQuery')
    const description = messages.find((m) => m.name === 'rowDescription')
    assert.equal((description?.['fields'] as Array<{ format: string }>)[0]?.format, 'binary')
    // pg-protocol's Parser (text mode) hands the column over as a string of the raw bytes.
    const row = messages.find((m) => m.name === 'dataRow')?.['fields'] as string[]
    assert.equal(row[0], '\x00\x00\x00\x01')
  })

  it('extended: an error inside a transaction turns the status to E; binary parameters reach sql as bytes', async () => {
    const client = await f.connected()
    await client.query('BEGIN')
    client.write(Buffer.concat([serialize.parse({ text: 'SELECT 1/0' }), serialize.bind({}), serialize.execute({}), serialize.sync()]))
    const failed = await client.readUntil('readyForQuery')
    assert.equal(names(failed), 'parseComplete bindComplete error readyForQuery')
    assert.equal(statusOf(failed), 'E')
    await client.query('ROLLBACK')
    client.write(Buffer.concat([
      serialize.parse({ text: 'SELECT $1::text AS v' }), serialize.bind({ values: [Buffer.from([1, 2])] }),
      serialize.execute({}), serialize.sync(),
    ]))
    const messages = await client.readUntil('readyForQuery')
    assert.deepEqual(messages.find((m) => m.name === 'dataRow')?.['fields'], ['bytes:0102'])
  })
})
