// Goal: writes are transactional as PostgreSQL 15's where clients see it (issue 9): the Executes before one Sync are
// one implicit transaction (a failing one undoes the earlier ones), COPY inside BEGIN is undone by ROLLBACK and kept by
// COMMIT, another session never sees uncommitted rows, the transaction buffer's budget (53400) fails only its
// statement, DELETE in an implicit transaction after an INSERT of the same table is refused (0A000, nothing written)
// and a failure after a statement nothing can undo says so. Method: the real server process and a throwaway real
// PostgreSQL get the same raw frames (test/helpers/raw-pg.ts) or node-postgres / pg-copy-streams calls; the answers
// and the rows left must be the same (the budget, the refusals and a COMMIT that cannot apply are nodedb's own and
// are asserted by code).
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { serialize } from 'pg-protocol'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { RawPgClient, type RawMessage } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** Message names with CommandComplete tags and error codes: what a client sees of the flow. */
function summary(messages: ReadonlyArray<RawMessage>): string[] {
  return messages.map(({ name, message }) => {
    if ('text' in message && name === 'commandComplete') return `${name} ${String(message.text)}`
    if ('code' in message && name === 'error') return `${name} ${String(message.code)}`
    if ('status' in message && name === 'readyForQuery') return `${name} ${String(message.status)}`
    return name
  })
}

const TABLE = 'CREATE TABLE tt (time timestamptz NOT NULL, host text, v float8 NOT NULL)'

async function connect(port: number, user = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, database: 'postgres' })
  await client.connect()
  return client
}

async function rows(client: pg.Client, sql: string): Promise<unknown[]> {
  return (await client.query({ text: sql, rowMode: 'array' })).rows
}

async function codeOf(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run
    return undefined
  } catch (error: unknown) {
    return (error as { code?: string }).code
  }
}

describe('integration: transactions — implicit ones, COPY, visibility and the buffer budget, against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const raws: RawPgClient[] = []
  const clients: pg.Client[] = []

  async function rawPair(): Promise<[RawPgClient, RawPgClient]> {
    const pair: [RawPgClient, RawPgClient] = [await RawPgClient.connect(server.pgPort), await RawPgClient.connect(postgres.port)]
    raws.push(...pair)
    for (const client of pair) await client.readUntil('readyForQuery')
    return pair
  }

  async function pgPair(): Promise<[pg.Client, pg.Client]> {
    const pair: [pg.Client, pg.Client] = [await connect(server.pgPort), await connect(postgres.port)]
    clients.push(...pair)
    return pair
  }

  /** The same SQL on both; the same rows (or the same SQLSTATE). */
  async function same(pair: [pg.Client, pg.Client], sql: string): Promise<unknown[]> {
    const answers = await Promise.all(pair.map(async (client) => {
      try {
        return { rows: await rows(client, sql) }
      } catch (error: unknown) {
        return { code: (error as { code?: string }).code }
      }
    }))
    assert.deepEqual(answers[0], answers[1], sql)
    return answers[0]?.rows ?? []
  }

  before(async function () {
    dataDir = makeTempDir('transactions')
    server = await startServerProcess({ dataDir, args: ['--transaction-buffer-mb', '1'] })
    postgres = await startPostgres()
    const pair = await pgPair()
    for (const client of pair) await client.query(TABLE)
  })

  after(async function () {
    for (const raw of raws) raw.close()
    for (const client of clients) await client.end().catch(() => undefined)
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('a pipeline (Parse/Bind/Execute ×2, then Sync) is one implicit transaction: the second failing undoes the first', async function () {
    const pair = await rawPair()
    const insert = (time: string, v: string | null): Buffer[] => [
      serialize.parse({ text: 'INSERT INTO tt VALUES ($1, $2, $3)' }), serialize.bind({ values: [time, 'pipe', v] }), serialize.execute({}),
    ]
    const flows: string[][] = []
    for (const client of pair) {
      client.write(...insert('2024-01-01T00:00:00Z', '1'), ...insert('2024-01-01T00:00:01Z', null), serialize.sync())
      flows.push(summary(await client.readUntil('readyForQuery')))
    }
    assert.deepEqual(flows[0], flows[1])
    assert.deepEqual(flows[0], ['parseComplete', 'bindComplete', 'commandComplete INSERT 0 1', 'parseComplete', 'bindComplete', 'error 23502', 'readyForQuery I'])
    // Both succeeding: both kept, acknowledged by ReadyForQuery after Sync.
    for (const client of pair) {
      client.write(...insert('2024-01-01T00:00:02Z', '2'), ...insert('2024-01-01T00:00:03Z', '3'), serialize.sync())
      await client.readUntil('readyForQuery')
    }
    await same(await pgPair(), "SELECT time, v FROM tt WHERE host = 'pipe' ORDER BY time")
  })

  it('a pipeline reads its own earlier Execute, and a later failing one undoes the read-after-write too', async function () {
    const pair = await rawPair()
    const frames = (last: string): Buffer[] => [
      serialize.parse({ text: "INSERT INTO tt VALUES ('2024-01-02T00:00:00Z', 'pipe2', 5)" }), serialize.bind({}), serialize.execute({}),
      serialize.parse({ text: "SELECT count(*) FROM tt WHERE host = 'pipe2'" }), serialize.bind({}), serialize.execute({}),
      serialize.parse({ text: last }), serialize.bind({}), serialize.execute({}), serialize.sync(),
    ]
    for (const last of ["INSERT INTO tt VALUES ('2024-01-02T00:00:01Z', 'pipe2', NULL)", 'SELECT 1']) {
      const flows: string[][] = []
      for (const client of pair) {
        client.write(...frames(last))
        flows.push(summary(await client.readUntil('readyForQuery')))
      }
      assert.deepEqual(flows[0], flows[1], last)
    }
    await same(await pgPair(), "SELECT count(*) FROM tt WHERE host = 'pipe2'")
  })

  it('COPY inside BEGIN: gone after ROLLBACK, kept after COMMIT', async function () {
    const pair = await pgPair()
    const data = (host: string): string => Array.from({ length: 50 }, (_, i) => `2024-01-03 00:00:${String(i).padStart(2, '0')}+00\t${host}\t${i}\n`).join('')
    for (const end of ['ROLLBACK', 'COMMIT']) {
      for (const client of pair) {
        await client.query('BEGIN')
        await pipeline(Readable.from([data(`copy-${end}`)]), client.query(copyFrom('COPY tt FROM STDIN')))
        await client.query(end)
      }
    }
    assert.deepEqual(await same(pair, "SELECT host, count(*), sum(v) FROM tt WHERE host LIKE 'copy-%' GROUP BY host"), [['copy-COMMIT', '50', 1225]])
  })

  it('another session never sees uncommitted rows; it sees them once committed', async function () {
    const [writer, reader] = [await connect(server.pgPort), await connect(server.pgPort)]
    clients.push(writer, reader)
    const countOf = async (): Promise<unknown[]> => rows(reader, "SELECT count(*) FROM tt WHERE host = 'vis'")
    await writer.query('BEGIN')
    await writer.query("INSERT INTO tt VALUES ('2024-01-04T00:00:00Z', 'vis', 1)")
    assert.deepEqual(await rows(writer, "SELECT count(*) FROM tt WHERE host = 'vis'"), [['1']])
    assert.deepEqual(await countOf(), [['0']])
    await writer.query('COMMIT')
    assert.deepEqual(await countOf(), [['1']])
  })

  it('past --transaction-buffer-mb the statement fails with 53400 naming the flag; the block, the server and autocommit go on', async function () {
    const [client, other] = [await connect(server.pgPort), await connect(server.pgPort)]
    clients.push(client, other)
    const big = "INSERT INTO tt SELECT '2024-02-01T00:00:00Z'::timestamptz + g * interval '1 second', 'budget', g FROM generate_series(1, 100000) g"
    await client.query('BEGIN')
    await client.query("INSERT INTO tt VALUES ('2024-02-01T00:00:00Z', 'budget', 0)")
    const error = await client.query(big).catch((thrown: unknown) => thrown as { code?: string; hint?: string })
    assert.equal((error as { code?: string }).code, '53400')
    assert.match(String((error as { hint?: string }).hint), /--transaction-buffer-mb/)
    assert.deepEqual(await rows(other, 'SELECT 1'), [[1]])
    assert.equal(await codeOf(client.query('SELECT 1')), '25P02')
    await client.query('ROLLBACK')
    // Autocommit is not bounded by the transaction buffer: the same INSERT on its own is written at once.
    await client.query(big)
    assert.deepEqual(await rows(other, "SELECT count(*) FROM tt WHERE host = 'budget'"), [['100000']])
    // A COPY inside a block counts too.
    await client.query('BEGIN')
    const lines = Array.from({ length: 100000 }, (_, i) => `2024-02-02 00:00:00+00\tcopy-budget\t${i}\n`).join('')
    const copyError = await pipeline(Readable.from([lines]), client.query(copyFrom('COPY tt FROM STDIN'))).catch((thrown: unknown) => thrown)
    assert.equal((copyError as { code?: string }).code, '53400')
    await client.query('ROLLBACK')
    assert.deepEqual(await rows(other, "SELECT count(*) FROM tt WHERE host = 'copy-budget'"), [['0']])
  })

  it('in an implicit transaction, DELETE of a table with uncommitted rows is 0A000 and nothing of the Query is written', async function () {
    const [client] = [await connect(server.pgPort)]
    clients.push(client)
    const sql = "INSERT INTO tt VALUES ('2024-03-01T00:00:00Z', 'del', 1); DELETE FROM tt WHERE host = 'del'"
    assert.equal(await codeOf(client.query(sql)), '0A000')
    assert.deepEqual(await rows(client, "SELECT count(*) FROM tt WHERE host = 'del'"), [['0']])
  })

  it('a failure after a statement no ROLLBACK undoes (outside a block) names it in its detail; inside a block it is 0A000', async function () {
    const [client] = [await connect(server.pgPort)]
    clients.push(client)
    await client.query("INSERT INTO tt VALUES ('2024-03-02T00:00:00Z', 'gone', 1)")
    const error = await client.query("DELETE FROM tt WHERE host = 'gone'; SELECT 1/0").catch((thrown: unknown) => thrown as { code?: string; detail?: string })
    assert.equal((error as { code?: string }).code, '22012')
    assert.match(String((error as { detail?: string }).detail), /DELETE earlier in this implicit transaction ran at once and is not rolled back/)
    await client.query('BEGIN')
    for (const sql of ["DELETE FROM tt WHERE host = 'x'", 'TRUNCATE tt', 'DROP TABLE tt', 'ALTER TABLE tt ADD COLUMN w int']) {
      assert.equal(await codeOf(client.query(sql)), '0A000', sql)
      await client.query('ROLLBACK')
      await client.query('BEGIN')
    }
    await client.query('ROLLBACK')
  })

  it('a COMMIT that cannot apply is an ErrorResponse that ends the block and applies none of its tables', async function () {
    const [client, other] = [await connect(server.pgPort), await connect(server.pgPort)]
    clients.push(client, other)
    for (const name of ['gone1', 'gone2']) await other.query(`CREATE TABLE ${name} (time timestamptz NOT NULL, v float8)`)
    await client.query('BEGIN')
    await client.query("INSERT INTO gone1 VALUES ('2024-04-01T00:00:00Z', 1)")
    await other.query('DROP TABLE gone1')
    const only = await client.query('COMMIT').catch((thrown: unknown) => thrown as { code?: string; detail?: string })
    assert.equal((only as { code?: string }).code, '42P01')
    // The block is over (ReadyForQuery I): the next statement runs, no 25P02.
    assert.deepEqual(await rows(client, 'SELECT 1'), [[1]])
    await client.query('BEGIN')
    await client.query("INSERT INTO tt VALUES ('2024-04-01T00:00:00Z', 'before-gone', 1)")
    await client.query("INSERT INTO gone2 VALUES ('2024-04-01T00:00:00Z', 1)")
    await other.query('DROP TABLE gone2')
    const partial = await client.query('COMMIT').catch((thrown: unknown) => thrown as { code?: string; detail?: string })
    assert.equal((partial as { code?: string }).code, '42P01')
    // One engine commit for both tables (the WAL's multi-record commit): the table still there gets nothing either.
    assert.equal((partial as { detail?: string }).detail, undefined)
    assert.deepEqual(await rows(other, "SELECT count(*) FROM tt WHERE host = 'before-gone'"), [['0']])
  })

  it('a column ILP adds while the transaction is open: its rows before read NULL there, before and after COMMIT', async function () {
    const [client] = [await connect(server.pgPort)]
    clients.push(client)
    await client.query('CREATE TABLE grow (time timestamptz NOT NULL, host text, v float8)')
    await client.query('BEGIN')
    await client.query("INSERT INTO grow VALUES ('2024-05-01T00:00:00Z', 'a', 1)")
    const response = await fetch(`http://127.0.0.1:${server.httpPort}/write?precision=s`, { method: 'POST', body: 'grow,host=z v=9,extra=5i 1714521700\n' })
    assert.equal(response.status, 204)
    await client.query("INSERT INTO grow (time, host, v, extra) VALUES ('2024-05-01T00:00:01Z', 'b', 2, 7)")
    const expected = [['a', 1, null], ['b', 2, '7'], ['z', 9, '5']]
    assert.deepEqual(await rows(client, 'SELECT host, v, extra FROM grow ORDER BY time'), expected)
    await client.query('COMMIT')
    assert.deepEqual(await rows(client, 'SELECT host, v, extra FROM grow ORDER BY time'), expected)
  })
})
