// Goal: a COPY FROM parsed in a COPY parse worker (sql/exec/copy-parse-pool.ts: its first CopyData is at least
// COPY_WORKER_FIRST_DATA_BYTES) behaves exactly as PostgreSQL 15's COPY, as the inline path does. Method: the real
// nodedb server and a real PostgreSQL 15 get the same COPYs through node-postgres + pg-copy-streams, every COPY's
// first chunk padded past the threshold with good rows; loaded rows (read back with COPY TO) and errors (SQLSTATE,
// message, CONTEXT with its line number) must be equal, and a failed COPY loads nothing. A raw client checks that
// an error the worker finds is sent before the client's CopyDone, as PostgreSQL sends it, and that concurrent COPYs
// (more than there are workers) each stay atomic, and kill -9 in the middle of a COPY or right after its CopyDone
// leaves none or all of its rows after a restart, never a part. Nothing expected is hand-typed: PostgreSQL answers.
import assert from 'node:assert/strict'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { serialize } from 'pg-protocol'
import { COPY_WORKER_FIRST_DATA_BYTES } from '../../src/common/limits.js'
import { connectPostgresUser, copyIn, copyOut, outcome, type ErrorFields } from '../helpers/copy-client.js'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { StreamClient } from '../helpers/stream-client.js'

const CREATE = 'CREATE TABLE w (time timestamptz NOT NULL, host text, dc text, v float8, n int8, ok bool, note text)'
const PAD_ROWS = Math.ceil((2 * COPY_WORKER_FIRST_DATA_BYTES) / 40)

/** Good rows (text format) enough to put the first CopyData past the worker threshold. */
function padding(separator = '\t'): string {
  return Array.from({ length: PAD_ROWS }, (_, i) =>
    [`2024-01-01 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}+00`,
      `h${i % 7}`, `dc${i % 3}`, `${i}.25`, String(i * 3), i % 2 === 0 ? 't' : 'f', `n${i}`].join(separator)).join('\n') + '\n'
}

describe('integration: COPY FROM in parse workers against PostgreSQL 15', function () {
  this.timeout(180_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let ours: pg.Client
  let theirs: pg.Client

  async function same<T>(what: string, run: (client: pg.Client) => Promise<T>): Promise<void> {
    const expected = await outcome(() => run(theirs))
    const actual = await outcome(() => run(ours))
    assert.deepEqual(actual, expected, what)
  }

  async function reset(): Promise<void> {
    for (const client of [ours, theirs]) {
      await client.query('DROP TABLE IF EXISTS w')
      await client.query(CREATE)
    }
  }

  const rows = (c: pg.Client): Promise<Buffer> => copyOut(c, 'COPY (SELECT * FROM w ORDER BY time, host, v, n, note) TO STDOUT')
  const counted = async (c: pg.Client): Promise<unknown> => (await c.query('SELECT count(*)::int AS n FROM w')).rows

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('copy-worker')
    server = await startServerProcess({ dataDir })
    ours = await connectPostgresUser(server.pgPort)
    theirs = await connectPostgresUser(postgres.port)
  })

  after(async function () {
    await ours?.end().catch(() => undefined)
    await theirs?.end().catch(() => undefined)
    postgres?.stop()
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('loads the same rows as PostgreSQL in text, CSV and binary, plain lines and escaped ones', async function () {
    const escaped = '2024-02-01 00:00:00+00\th,1\t\\N\t-0.5\t\\N\tyes\ttab\\there \\\\ "q" é\n2024-02-01 00:00:01+00\t\t\t1e5\t7\t\\N\t\\x41\n'
    const loads: Array<[string, Buffer[]]> = [
      ['COPY w FROM STDIN', [Buffer.from(padding() + escaped), Buffer.from(padding().replaceAll('2024-01-01', '2024-01-02'))]],
      ['COPY w FROM STDIN CSV', [Buffer.from(padding(',') + '2024-02-01 00:00:00+00,"h ""x"", y",,"1.5",,t,"multi\nline"\n')]],
      ['COPY w (v, time, host) FROM STDIN', [Buffer.from(Array.from({ length: PAD_ROWS }, (_, i) => `${i / 4}\t2024-03-01 00:00:${String(i % 60).padStart(2, '0')}+00\th${i % 5}`).join('\n') + '\n')]],
    ]
    for (const [sql, chunks] of loads) {
      await reset()
      await same(sql, (c) => copyIn(c, sql, chunks))
      await same(`${sql}: rows`, rows)
    }
    // Binary: PostgreSQL's own binary COPY TO of the rows it loaded, sent back into an empty table on both.
    const binary = await copyOut(theirs, 'COPY w TO STDOUT BINARY')
    assert.ok(binary.length >= COPY_WORKER_FIRST_DATA_BYTES, `${binary.length} bytes of binary COPY data`)
    await reset()
    await same('binary', (c) => copyIn(c, 'COPY w (v, time, host) FROM STDIN BINARY', [binary]))
    await same('binary: rows', rows)
  })

  it('keeps a COPY inside BEGIN in its transaction (the worker hands its rows over): seen by it, gone at ROLLBACK, kept at COMMIT', async function () {
    // Outside a transaction the worker keeps the rows and hands over only their payloads; a transaction's view
    // buffers the rows themselves until COMMIT, so there they must come back whole.
    await reset()
    for (const end of ['ROLLBACK', 'COMMIT']) {
      for (const client of [ours, theirs]) await client.query('BEGIN')
      await same(`COPY in a block before ${end}`, (c) => copyIn(c, 'COPY w FROM STDIN', [Buffer.from(padding())]))
      await same(`rows seen in the block before ${end}`, rows)
      for (const client of [ours, theirs]) await client.query(end)
      await same(`rows after ${end}`, rows)
    }
    await same('count after COMMIT', counted)
  })

  it('refuses a bad row after thousands of good ones with the same SQLSTATE, message and CONTEXT, and loads nothing', async function () {
    const bad = [
      // Not an int8 out of range: its message differs from int8in's, inline as well (see copy.test.ts).
      '2024-01-01 00:00:02+00\th1\tdc1\tabc\t2\tt\tx', '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2.5\tt\tx',
      '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2', '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\tt\tx\textra',
      '\\N\th1\tdc1\t1.5\t2\tt\tx', 'yesterday-ish\th1\tdc1\t1.5\t2\tt\tx', '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\tmaybe\tx',
      '2024-01-01 00:00:02+00\th\\1\tdc1\t1.5\t2\tt\tx\\.y',
    ]
    for (const line of bad) {
      for (const where of ['first', 'later'] as const) {
        await reset()
        const chunks = where === 'first' ? [padding() + `${line}\n` + padding()] : [padding(), padding(), `${line}\n`]
        await same(`${where} chunk: ${JSON.stringify(line)}`, (c) => copyIn(c, 'COPY w FROM STDIN', chunks.map((chunk) => Buffer.from(chunk))))
        await same(`${where} chunk: ${JSON.stringify(line)}: nothing loaded`, counted)
      }
    }
    await reset()
    const csvNull = [Buffer.from(padding(',') + ',h,d,1,2,t,x\n')]
    await same('CSV NULL in NOT NULL column', (c) => copyIn(c, 'COPY w FROM STDIN CSV', csvNull))
  })

  it('sends a bad row\'s error before CopyDone, as PostgreSQL does; the session goes on', async function () {
    await reset()
    const data = Buffer.from(`${padding()}2024-01-01 00:00:02+00\th1\tdc1\tabc\t2\tt\tx\n`)
    const expected = await outcome(() => copyIn(theirs, 'COPY w FROM STDIN', [data]))
    const raw = await StreamClient.connect(server.pgPort)
    try {
      raw.query('COPY w FROM STDIN')
      await raw.readUntil('copyInResponse')
      raw.write(serialize.copyData(data))
      const answer = await raw.readUntil('readyForQuery')
      const error = answer.find((message) => message.name === 'error') as unknown as ErrorFields
      assert.deepEqual({ code: error.code, message: error.message, where: error.where }, expected)
      raw.write(Buffer.concat([serialize.copyData(Buffer.from('late')), serialize.copyDone(), serialize.query('SELECT 1')]))
      const after = await raw.readUntil('readyForQuery')
      assert.deepEqual(after.map((message) => message.name), ['rowDescription', 'commandComplete', 'readyForQuery'])
      assert.equal(raw.dataRowCount, 1)
    } finally {
      raw.destroy()
    }
    assert.deepEqual(await counted(ours), await counted(theirs))
  })

  it('keeps each of many concurrent COPYs atomic: the good ones load, the bad one loads nothing', async function () {
    await reset()
    const shares = Array.from({ length: 6 }, (_, k) => padding().replaceAll('2024-01-01', `2024-01-${String(k + 10).padStart(2, '0')}`))
    shares[3] += '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\tt\n'
    const outcomes: Array<Array<ErrorFields | string>> = []
    for (const port of [postgres.port, server.pgPort]) {
      const clients = await Promise.all(shares.map(() => connectPostgresUser(port)))
      try {
        const second = Buffer.from(padding().replaceAll('2024-01-01', '2024-02-01'))
        outcomes.push(await Promise.all(shares.map((share, k) => outcome(() => copyIn(clients[k]!, 'COPY w FROM STDIN', [Buffer.from(share), second])))))
      } finally {
        await Promise.all(clients.map((c) => c.end()))
      }
    }
    assert.deepEqual(outcomes[1], outcomes[0], 'each COPY\'s outcome')
    await same('rows of the good COPYs', rows)
  })

  it('leaves none of a COPY killed mid-stream, and all or none of one killed right after CopyDone', async function () {
    await ours.query('CREATE TABLE k (time timestamptz NOT NULL, host text, v float8)')
    const chunk = (k: number): Buffer => Buffer.from(Array.from({ length: 2000 }, (_, i) => `2024-01-01 00:00:00+00\th${k}\t${i}.5\n`).join(''))
    const write = (stream: NodeJS.WritableStream, bytes: Buffer): Promise<void> => new Promise((resolve) => stream.write(bytes, () => resolve()))
    const restart = async (): Promise<number> => {
      await ours.end().catch(() => undefined)
      await server.kill()
      server = await startServerProcess({ dataDir })
      ours = await connectPostgresUser(server.pgPort)
      return Number((await ours.query('SELECT count(*)::int AS n FROM k')).rows[0].n)
    }
    const midStream = ours.query(copyFrom('COPY k FROM STDIN'))
    midStream.on('error', () => undefined)
    for (let k = 0; k < 20; k++) await write(midStream, chunk(k))
    assert.equal(await restart(), 0, 'a COPY killed before its CopyDone leaves nothing')
    const ended = ours.query(copyFrom('COPY k FROM STDIN'))
    ended.on('error', () => undefined)
    for (let k = 0; k < 20; k++) await write(ended, chunk(k))
    ended.end() // not awaited: the kill races the COPY's WAL write and its acknowledgement
    const after = await restart()
    assert.ok(after === 0 || after === 40_000, `all or nothing of the COPY killed after CopyDone: ${after} rows`)
  })
})
