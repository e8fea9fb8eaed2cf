// Goal: where in the extended protocol PostgreSQL 15 answers, nodedb answers too: the CommandComplete count after a
// PortalSuspended, a bad Bind value answered to the Bind, an unknown table or column answered to the Parse; and the
// statements of asyncpg's pool reset (pg_advisory_unlock_all(), CLOSE ALL, UNLISTEN *, RESET ALL) plus the texts of
// 42P07 / 42P01. Method: the real server process and a real PostgreSQL (test/helpers/postgres.ts) sent the same raw
// frames (test/helpers/raw-pg.ts); every expectation is PostgreSQL's own answer, compared message by message.
import assert from 'node:assert/strict'
import { serialize } from 'pg-protocol'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { RawPgClient, type RawMessage } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** Message names with CommandComplete tags and error codes and texts: what a client sees of the flow. */
function summary(messages: ReadonlyArray<RawMessage>): string[] {
  return messages.map(({ name, message }) => {
    if ('text' in message && name === 'commandComplete') return `${name} ${String(message.text)}`
    if ('code' in message && 'message' in message) return `${name} ${String(message.code)} ${String(message.message)}`
    return name
  })
}

const SETUP = [
  'CREATE TABLE m (time timestamptz NOT NULL, v int4)',
  "INSERT INTO m VALUES ('2024-01-01T00:00:00Z', 1), ('2024-01-01T00:00:01Z', 2), ('2024-01-01T00:00:02Z', 3), ('2024-01-01T00:00:03Z', 4)",
]

describe('integration: sessions — where the extended protocol answers, against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: RawPgClient[] = []

  async function connectBoth(): Promise<[RawPgClient, RawPgClient]> {
    const pair: [RawPgClient, RawPgClient] = [await RawPgClient.connect(server.pgPort), await RawPgClient.connect(postgres.port)]
    clients.push(...pair)
    for (const client of pair) await client.readUntil('readyForQuery')
    return pair
  }

  /** The same frames to both servers; their answers up to ReadyForQuery must be the same. */
  async function assertSameFlow(pair: [RawPgClient, RawPgClient], frames: Buffer[], label: string): Promise<string[]> {
    const answers: string[][] = []
    for (const client of pair) {
      client.write(...frames)
      answers.push(summary(await client.readUntil('readyForQuery')))
    }
    assert.deepEqual(answers[0], answers[1], label)
    return answers[1] ?? []
  }

  before(async function () {
    dataDir = makeTempDir('sessions-protocol-errors')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
    const [nodedb, pg] = await connectBoth()
    for (const text of SETUP) {
      assert.deepEqual(summary(await nodedb.query(text)), summary(await pg.query(text)), text)
    }
  })

  after(async function () {
    for (const client of clients) client.close()
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('after PortalSuspended, CommandComplete counts only the last Execute (SELECT 2, then SELECT 0 / SELECT 1)', async function () {
    const pair = await connectBoth()
    for (const rows of [2, 3]) {
      // Inside a block, so the portal survives each Sync, as a cursor-fetching client keeps it.
      await assertSameFlow(pair, [serialize.query('BEGIN')], 'BEGIN')
      const flow = await assertSameFlow(pair, [
        serialize.parse({ text: 'SELECT v FROM m ORDER BY time' }), serialize.bind({ portal: 'c' }),
        serialize.execute({ portal: 'c', rows }), serialize.execute({ portal: 'c', rows }), serialize.execute({ portal: 'c', rows }),
        serialize.sync(),
      ], `fetch ${rows} at a time`)
      assert.ok(flow.includes('portalSuspended'), flow.join(' | '))
      await assertSameFlow(pair, [serialize.query('COMMIT')], 'COMMIT')
    }
  })

  it('a Bind value that does not decode is answered to the Bind: no BindComplete (22P02, 22P03, 08P01, 22007, 22008), the first bad value in order', async function () {
    const pair = await connectBoth()
    const cases: ReadonlyArray<readonly [string, Array<string | Buffer | null>, number[]]> = [
      ['SELECT $1::int4 - 1 AS y', ['abc'], []],
      ['SELECT v FROM m WHERE v = $1', ['x'], []],
      ['SELECT $1 AS d', ['abc'], [23]],
      ['SELECT $1::numeric AS n', [Buffer.from('0001000000000000ffff', 'hex')], []],
      ['SELECT $1::int4 AS short', [Buffer.from([0, 0, 1])], []],
      ['SELECT $1::int4 AS long', [Buffer.from([0, 0, 0, 0, 1])], []],
      ['SELECT $1::text AS t, $2::timestamptz AS long', ['ok', Buffer.alloc(9)], []],
      ['SELECT $1::int4 AS first_bad, $2::int8 AS short', ['x', Buffer.alloc(2)], []],
      ['INSERT INTO m VALUES ($1, $2)', ['2024-01-02T00:00:00Z', '1.5'], []],
      // An interval (read by the session's settings) before an int4 that overflows: the first bad value is reported.
      ['SELECT $1::interval AS i, $2::int4 AS n', ['bogus', '2147483648'], []],
      ['SELECT $1::timestamptz AS t, $2::int4 AS n', ['2024-02-30 00:00:00', '1'], []],
    ]
    for (const [text, values, types] of cases) {
      const flow = await assertSameFlow(pair, [serialize.parse({ text, types }), serialize.bind({ values }),
        serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()], text)
      assert.match(flow.join(' | '), /^parseComplete \| error (22P0[23]|08P01|2200[378]) /, text)
    }
    await assertSameFlow(pair, [serialize.parse({ text: 'SELECT $1::int4 - 1 AS y' }), serialize.bind({ values: ['41'] }),
      serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()], 'a good value after the bad ones')
  })

  it('an unknown table or column is answered to the Parse: no ParseComplete (42P01, 42703)', async function () {
    const pair = await connectBoth()
    const texts = [
      'SELECT nope FROM m', 'SELECT v FROM nowhere', 'SELECT v FROM m WHERE nope = $1', 'INSERT INTO nowhere VALUES ($1)',
      'INSERT INTO m (time, nope) VALUES ($1, $2)', 'DELETE FROM nowhere WHERE v = $1', 'DELETE FROM m WHERE nope = 1',
    ]
    for (const text of texts) {
      const flow = await assertSameFlow(pair, [serialize.parse({ text }), serialize.describe({ type: 'S' }), serialize.sync()], text)
      assert.match(flow.join(' | '), /^error 42(P01|703) /, `${text}: ${flow.join(' | ')}`)
      // A named statement that failed to parse does not exist: Describe of it is 26000 on both.
      await assertSameFlow(pair, [serialize.parse({ name: 'n', text }), serialize.sync()], `${text} as n`)
      await assertSameFlow(pair, [serialize.describe({ type: 'S', name: 'n' }), serialize.sync()], `Describe n after ${text}`)
    }
    // The unnamed statement a failed Parse replaced is gone (PostgreSQL drops it before parsing).
    await assertSameFlow(pair, [serialize.parse({ text: 'SELECT 1 AS one' }), serialize.sync()], 'unnamed')
    await assertSameFlow(pair, [serialize.parse({ text: texts[0] ?? '' }), serialize.sync()], 'unnamed replaced by a failing Parse')
    await assertSameFlow(pair, [serialize.bind({}), serialize.execute({}), serialize.sync()], 'Bind of the unnamed statement')
  })

  it("asyncpg's pool reset: pg_advisory_unlock_all(), CLOSE ALL, UNLISTEN *, RESET ALL answer as PostgreSQL's", async function () {
    const pair = await connectBoth()
    const reset = 'SELECT pg_advisory_unlock_all();\nCLOSE ALL;\nUNLISTEN *;\nRESET ALL;'
    await assertSameFlow(pair, [serialize.query(reset)], 'simple query')
    for (const text of ['SELECT pg_advisory_unlock_all()', 'CLOSE ALL', 'UNLISTEN *', 'UNLISTEN chan', 'RESET ALL']) {
      await assertSameFlow(pair, [serialize.parse({ text }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}),
        serialize.sync()], text)
    }
    // CLOSE ALL closes the protocol's portals too: the suspended one is gone (34000 on both).
    await assertSameFlow(pair, [serialize.query('BEGIN')], 'BEGIN')
    await assertSameFlow(pair, [serialize.parse({ text: 'SELECT v FROM m' }), serialize.bind({ portal: 'p' }),
      serialize.execute({ portal: 'p', rows: 1 }), serialize.sync()], 'a suspended portal')
    await assertSameFlow(pair, [serialize.query('CLOSE ALL')], 'CLOSE ALL in the block')
    await assertSameFlow(pair, [serialize.execute({ portal: 'p', rows: 1 }), serialize.sync()], 'the closed portal')
    await assertSameFlow(pair, [serialize.query('ROLLBACK')], 'ROLLBACK')
  })

  it('CLOSE name closes that portal (CLOSE CURSOR), and is 34000 when there is none', async function () {
    const pair = await connectBoth()
    await assertSameFlow(pair, [serialize.query('CLOSE nope')], 'CLOSE of no portal')
    await assertSameFlow(pair, [serialize.query('BEGIN')], 'BEGIN')
    await assertSameFlow(pair, [serialize.parse({ text: 'SELECT v FROM m' }), serialize.bind({ portal: 'p' }), serialize.bind({ portal: 'q' }),
      serialize.execute({ portal: 'p', rows: 1 }), serialize.execute({ portal: 'q', rows: 1 }), serialize.sync()], 'two suspended portals')
    await assertSameFlow(pair, [serialize.query('CLOSE p')], 'CLOSE p')
    await assertSameFlow(pair, [serialize.execute({ portal: 'q', rows: 1 }), serialize.sync()], 'q goes on')
    await assertSameFlow(pair, [serialize.execute({ portal: 'p', rows: 1 }), serialize.sync()], 'p is gone')
    await assertSameFlow(pair, [serialize.query('ROLLBACK')], 'ROLLBACK')
  })

  it("42P07 and 42P01 in PostgreSQL's words: relation \"x\" already exists / does not exist", async function () {
    const pair = await connectBoth()
    for (const text of ['CREATE TABLE m (time timestamptz NOT NULL, v int4)', 'SELECT * FROM gone', 'INSERT INTO gone VALUES (1)', 'DROP TABLE gone']) {
      await assertSameFlow(pair, [serialize.query(text)], text)
    }
  })
})
