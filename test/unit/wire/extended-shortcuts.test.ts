// Goal: the extended protocol's round-trip shortcuts answer exactly what PostgreSQL answers — a Parse of the text the
// unnamed statement holds kept as it is (extended-query.ts reparseUnnamed), the last RowDescription kept as bytes
// (backend.ts KeptRowDescription), the session's settings read once between statements (settings-view.ts) and a
// Parse's text not decoded again (buffer-reader.ts RecentString) — after SET, after an error and in a failed block,
// with parameters, with a named statement of the same text, with other texts and formats in between. Method: the
// same scripted pipelines, each sent three times (the shortcuts take over from the second), over raw sockets
// (pg-protocol's serialize and Parser) to nodedb (in-process listener, real sql over a FakeEngine catalog) and to a
// real PostgreSQL 15; the decoded messages after startup must be equal (errors by SQLSTATE).
import { strict as assert } from 'node:assert'
import { serialize } from 'pg-protocol'
import { createSql } from '../../../sql/sql.js'
import { startPgListener, type PgListener } from '../../../wire/pg/listener.js'
import { startPostgres, type Postgres } from '../../helpers/postgres.js'
import { FakeEngine } from '../sql/fake-engine.js'
import { WireClient, type Message } from './wire-client.js'

const REPEATS = 3

/** A node-postgres round trip: Parse (unless `statement` is named and parsed before), Bind, Describe P, Execute, Sync. */
function roundTrip(text: string, options: { statement?: string; values?: string[]; binary?: boolean; types?: number[] } = {}): Buffer {
  const statement = options.statement ?? ''
  return Buffer.concat([
    serialize.parse({ name: statement, text, types: options.types ?? [] }),
    serialize.bind({ statement, values: options.values ?? [], valueMapper: (value: unknown) => value, binary: options.binary === true }),
    serialize.describe({ type: 'P', name: '' }), serialize.execute({}), serialize.sync(),
  ])
}

/** What is compared: every message's contents, an error by its SQLSTATE alone (message texts may be worded otherwise). */
function comparable(message: Message): unknown {
  if (message.name === 'error') return { name: 'error', code: message['code'] }
  const { length: _length, ...contents } = message as unknown as Record<string, unknown>
  return contents
}

/** One endpoint (nodedb or PostgreSQL) and one session on it. */
interface Side {
  readonly client: WireClient
  /** Sends `bytes` and reads the answers up to the `until`-th message named `last`. */
  send(bytes: Buffer, last: string, until: number): Promise<unknown[]>
}

async function sideOn(port: number, user: string): Promise<Side> {
  const client = await WireClient.connect(port)
  await client.startup({ user, database: 'postgres' })
  return {
    client,
    async send(bytes, last, until) {
      client.write(bytes)
      const messages: Message[] = []
      for (let i = 0; i < until; i++) messages.push(...await client.readUntil(last))
      return messages.map(comparable)
    },
  }
}

interface Expect {
  /** How many ReadyForQuery end the answer (one per Sync or Query); default 1. */
  readonly readies?: number
  /** The answer ends with this message instead (a Flush: no ReadyForQuery). */
  readonly last?: string
  /** Times sent; default REPEATS. */
  readonly repeats?: number
}

describe('wire/pg extended-protocol shortcuts answer as PostgreSQL does', function () {
  this.timeout(120_000)
  let postgres: Postgres
  let listener: PgListener
  let nodedb: Side
  let oracle: Side

  before(async () => {
    postgres = await startPostgres()
  })
  after(() => postgres.stop())
  beforeEach(async () => {
    listener = await startPgListener({ host: '127.0.0.1', port: 0, sql: createSql(new FakeEngine()) })
    nodedb = await sideOn(listener.port, 'alice')
    oracle = await sideOn(postgres.port, 'postgres')
  })
  afterEach(async () => {
    nodedb.client.end()
    oracle.client.end()
    await listener.close()
  })

  /** Sends `bytes` to both, `REPEATS` times (or as `expect` says): each answer must be PostgreSQL's. */
  async function same(what: string, bytes: Buffer, expect: Expect = {}): Promise<void> {
    const last = expect.last ?? 'readyForQuery'
    const until = expect.readies ?? 1
    for (let i = 0; i < (expect.repeats ?? REPEATS); i++) {
      assert.deepEqual(await nodedb.send(bytes, last, until), await oracle.send(bytes, last, until), `${what} (round ${i + 1})`)
    }
  }

  const query = (text: string): Buffer => serialize.query(text)

  it('the unnamed statement parsed again with the same text, and with other texts and formats in between', async () => {
    await same('SELECT 1', roundTrip('SELECT 1'))
    await same('binary SELECT 1', roundTrip('SELECT 1', { binary: true }))
    await same('several columns', roundTrip("SELECT 1.5::float8, 'a' || 'b', 2 + 3 AS five"))
    await same('SELECT 1 and SELECT 2 alternating', Buffer.concat([roundTrip('SELECT 1'), roundTrip('SELECT 2'), roundTrip('SELECT 1')]), { readies: 3 })
    await same('Describe S after a same-text Parse', Buffer.concat([
      serialize.parse({ text: 'SELECT 1' }), serialize.describe({ type: 'S', name: '' }), serialize.sync(),
    ]))
    await same('a Flush between Parse and Bind', Buffer.concat([serialize.parse({ text: 'SELECT 1' }), serialize.flush()]), { last: 'parseComplete', repeats: 1 })
    await same('… then the rest', Buffer.concat([serialize.bind({}), serialize.execute({}), serialize.sync()]), { repeats: 1 })
    await same('Close S of the unnamed statement, then Bind to it: 26000', Buffer.concat([
      serialize.close({ type: 'S', name: '' }), serialize.sync(), serialize.bind({}), serialize.execute({}), serialize.sync(),
    ]), { readies: 2, repeats: 1 })
  })

  it('a simple Query drops the unnamed statement and portal, as PostgreSQL does', async () => {
    await same('SELECT 1', roundTrip('SELECT 1'))
    await same('Parse, a Query, then Bind to the unnamed statement: 26000', Buffer.concat([
      serialize.parse({ text: 'SELECT 1' }), serialize.sync(), query('SELECT 2'), serialize.bind({}), serialize.execute({}), serialize.sync(),
    ]), { readies: 3, repeats: 1 })
    await same('Bind, a Query, then Execute of the unnamed portal: 34000', Buffer.concat([
      serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.sync(), query('SELECT 2'), serialize.execute({}), serialize.sync(),
    ]), { readies: 3, repeats: 1 })
    await same('SELECT 1 after them', roundTrip('SELECT 1'))
  })

  it('a declared parameter type, parameters, and a named statement of the same text', async () => {
    await same('SELECT 1', roundTrip('SELECT 1'))
    await same('the same text with a declared parameter: Bind of none is 08P01', roundTrip('SELECT 1', { types: [23] }), { repeats: 1 })
    await same('with its parameter', roundTrip('SELECT 1', { types: [23], values: ['7'] }))
    await same('SELECT 1 again', roundTrip('SELECT 1'))
    for (const value of ['1', '41', null]) await same(`SELECT $1::int + 1 with ${value}`, roundTrip('SELECT $1::int + 1', { values: [value as string] }), { repeats: 1 })
    await same('a named statement of the same text', Buffer.concat([serialize.parse({ name: 's1', text: 'SELECT 1' }), serialize.sync()]), { repeats: 1 })
    await same('named and unnamed alternating', Buffer.concat([
      serialize.bind({ statement: 's1' }), serialize.describe({ type: 'P', name: '' }), serialize.execute({}), serialize.sync(), roundTrip('SELECT 1'),
    ]), { readies: 2 })
    await same('the named one parsed again: 42P05', Buffer.concat([serialize.parse({ name: 's1', text: 'SELECT 1' }), serialize.sync()]), { repeats: 1 })
  })

  it('after SET, RESET and ROLLBACK: the answer and ParameterStatus follow the settings', async () => {
    const text = "SELECT date '2020-01-02', timestamptz '2020-01-02 03:04:05+00', interval '1 day 02:03:04'"
    await same('dates', roundTrip(text))
    await same('SET DateStyle', query("SET DateStyle = 'German'"), { repeats: 1 })
    await same('dates in German', roundTrip(text))
    await same('SET TimeZone and IntervalStyle in the pipeline', Buffer.concat([
      serialize.parse({ text: "SET TimeZone = 'Asia/Tokyo'" }), serialize.bind({}), serialize.execute({}), serialize.sync(), roundTrip(text),
      serialize.parse({ text: "SET IntervalStyle = 'sql_standard'" }), serialize.bind({}), serialize.execute({}), serialize.sync(), roundTrip(text),
    ]), { readies: 4, repeats: 1 })
    await same('dates in Tokyo', roundTrip(text))
    await same('BEGIN; SET back', query("BEGIN; SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'"), { repeats: 1 })
    await same('dates as at first', roundTrip(text))
    await same('ROLLBACK', query('ROLLBACK'), { repeats: 1 })
    await same('dates as before the block', roundTrip(text))
  })

  it('after an error, and in a failed transaction block', async () => {
    await same('SELECT 1', roundTrip('SELECT 1'))
    await same('an error skips to Sync', Buffer.concat([
      serialize.parse({ text: 'SELECT FROM WHERE' }), serialize.bind({}), serialize.execute({}), serialize.parse({ text: 'SELECT 1' }),
      serialize.bind({}), serialize.execute({}), serialize.sync(), roundTrip('SELECT 1'),
    ]), { readies: 2, repeats: 1 })
    await same('SELECT 1 after the error', roundTrip('SELECT 1'))
    await same('a Bind input error', roundTrip('SELECT $1::int', { values: ['x'] }), { repeats: 1 })
    await same('SELECT 1 after it', roundTrip('SELECT 1'))
    // The error comes from a named statement: the unnamed one still holds SELECT 1 (and its kept answer) in the failed block.
    await same('BEGIN, SELECT 1, then an error', Buffer.concat([
      query('BEGIN'), roundTrip('SELECT 1'), roundTrip('SELECT $1::int', { statement: 'bad', values: ['x'] }),
    ]), { readies: 3, repeats: 1 })
    await same('SELECT 1 in the failed block: 25P02 at Parse', roundTrip('SELECT 1'))
    await same('ROLLBACK', query('ROLLBACK'), { repeats: 1 })
    await same('SELECT 1 after ROLLBACK', roundTrip('SELECT 1'))
  })
})
