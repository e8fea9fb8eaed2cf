// Goal: COPY FROM's fast path (sql/exec/copy-fast.ts: whole plain lines cut into fields as bytes) loads and refuses
// exactly what PostgreSQL 15 does. Method: the fast path takes lines only once the first line fixed the line ending,
// so every case sends a plain first line in its own CopyData and the lines under test in later ones; the same COPY
// goes to nodedb and to a real PostgreSQL, and the loaded rows (COPY … TO, ORDER BY) or the error (SQLSTATE, message,
// CONTEXT with line and column) must be identical. Nothing expected is hand-typed.
import assert from 'node:assert/strict'
import pg from 'pg'
import { copyIn, copyOut, errorFields, type ErrorFields } from '../helpers/copy-client.js'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const CREATE = 'CREATE TABLE f (time timestamptz NOT NULL, host text, dc text, v float8, w float8, n int8, ok bool)'
const FIRST_TEXT = '2024-01-01 00:00:00+00\th0\tdc0\t0\t0\t0\tt\n'
const FIRST_CSV = '2024-01-01 00:00:00+00,h0,dc0,0,0,0,t\n'

/** float8 spellings: plain decimals take the byte path, the rest the cast. */
const FLOATS = ['1.5', '-0', '0.1', '.5', '5.', '007', '-12.75', '123456789012345', '1234567890123456789', '0.000001',
  '1e5', '1E-3', 'NaN', 'Infinity', '-Infinity', ' 2.5', '+3', '99999999999999.9', '3.141592653589793']

function textLines(): string {
  const lines: string[] = []
  FLOATS.forEach((v, i) => {
    const second = i % 3 === 0 ? '2024-01-01 00:00:01+00' : `2024-01-01 00:00:${String(2 + (i % 7)).padStart(2, '0')}+00`
    lines.push(`${second}\th${i % 4}\tdc ✓ ${i % 2}\t${v}\t${FLOATS[(i + 5) % FLOATS.length]}\t${i * 1000}\t${i % 2 === 0 ? 'f' : 'yes'}`)
  })
  lines.push('2024-06-30T12:34:56.789Z\t\t\t1\t2\t3\tt')
  return `${lines.join('\n')}\n`
}

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await client.connect()
  return client
}

describe('integration: COPY FROM fast path against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let ours: pg.Client
  let theirs: pg.Client

  async function outcome(run: () => Promise<unknown>): Promise<ErrorFields | string> {
    try {
      return String(await run())
    } catch (thrown) {
      return errorFields(thrown)
    }
  }

  async function same(what: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
    const expected = await outcome(() => run(theirs))
    const actual = await outcome(() => run(ours))
    assert.deepEqual(actual, expected, what)
  }

  async function reset(): Promise<void> {
    for (const client of [ours, theirs]) {
      await client.query('DROP TABLE IF EXISTS f')
      await client.query(CREATE)
    }
  }

  const rows = (c: pg.Client): Promise<Buffer> => copyOut(c, 'COPY (SELECT * FROM f ORDER BY time, host, v, n) TO STDOUT')

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('copy-fast')
    server = await startServerProcess({ dataDir })
    ours = await connect(server.pgPort)
    theirs = await connect(postgres.port)
  })

  after(async function () {
    await ours?.end().catch(() => undefined)
    await theirs?.end().catch(() => undefined)
    postgres?.stop()
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('loads the same values as PostgreSQL in text and CSV, with NULL strings and a column list', async function () {
    const text = textLines()
    const loads: Array<[string, string]> = [
      ['COPY f FROM STDIN', FIRST_TEXT + text],
      ['COPY f FROM STDIN CSV', FIRST_CSV + text.replaceAll('\t', ',').replaceAll(',,', ',"",')],
      ["COPY f FROM STDIN (NULL 'none')", FIRST_TEXT + text.replaceAll('\t\t', '\tnone\t').replace('\t3\tt', '\tnone\tnone')],
      ['COPY f FROM STDIN (FORMAT csv, FORCE_NOT_NULL (host))', `${FIRST_CSV}2024-01-01 00:00:09+00,,,,1.5,,\n`],
      ["COPY f (v, time, host) FROM STDIN (DELIMITER '|')", '1|2024-01-01 00:00:00+00|a\n2.25|2024-01-01 00:00:01+00|b\n-3|2024-01-02 00:00:00+00|a\n'],
    ]
    for (const [sql, data] of loads) {
      await reset()
      const cut = data.indexOf('\n') + 1
      const chunks = [data.slice(0, cut), data.slice(cut, cut + 200), data.slice(cut + 200)].filter((c) => c !== '').map((c) => Buffer.from(c))
      await same(sql, (c) => copyIn(c, sql, chunks))
      await same(`${sql}: rows`, rows)
    }
  })

  it('refuses a bad line taken by the fast path with the same SQLSTATE, message and CONTEXT, and loads nothing', async function () {
    const good = '2024-01-01 00:00:01+00\th1\tdc1\t1.5\t2\t3\tt\n'
    const bad = [
      '2024-01-01 00:00:02+00\th1\tdc1\tabc\t2\t3\tt', '2024-01-01 00:00:02+00\th1\tdc1\t1..5\t2\t3\tt',
      '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3', '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3\tt\textra',
      'yesterday-ish\th1\tdc1\t1.5\t2\t3\tt',
      '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3\tmaybe', '2024-01-01 00:00:02+00\th1\tdc1\t\t2\t3\tt', '',
    ]
    for (const line of bad) {
      await reset()
      const chunks = [FIRST_TEXT, good.repeat(3), `${good}${line}\n${good}`].map((c) => Buffer.from(c))
      await same(`text ${JSON.stringify(line)}`, (c) => copyIn(c, 'COPY f FROM STDIN', chunks))
      await same(`text ${JSON.stringify(line)}: nothing loaded`, async (c) => (await c.query('SELECT count(*)::int AS n FROM f')).rows)
    }
    await reset()
    const csv = [FIRST_CSV, '2024-01-01 00:00:01+00,h,d,1,2,3,t\n', ',h,d,1,2,3,t\n'].map((c) => Buffer.from(c))
    await same('CSV NULL in NOT NULL column', (c) => copyIn(c, 'COPY f FROM STDIN CSV', csv))
  })
})
