// Goal: COPY behaves as PostgreSQL 15's does for the same table and data. Method: the real nodedb server and a real
// PostgreSQL 15 (test/helpers/postgres.ts) get the same statements through node-postgres + pg-copy-streams; COPY TO
// output (text, CSV with options, binary) must be byte-identical, COPY FROM in every format must load the same rows,
// and bad input or bad options must fail with the same SQLSTATE, message and CONTEXT (line and column). COPY FROM's
// fast path (sql/exec/copy-fast.ts) takes lines only once the first line fixed the line ending, so its cases send a
// plain first line in its own CopyData and the lines under test in later ones. Nothing expected is hand-typed:
// PostgreSQL answers.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { connectPostgresUser, copyIn, copyOut, outcome } from '../helpers/copy-client.js'

const execFileAsync = promisify(execFile)
const CREATE = 'CREATE TABLE m (time timestamptz NOT NULL, host text, v float8, n int8, ok bool, note text)'
// Escapes, NULLs, tabs, quotes, commas, backslashes, newlines, non-ASCII, empty strings, special floats.
const TEXT_ROWS = [
  '2024-01-01 00:00:00+00\th1\t1.5\t10\tt\tplain',
  '2024-01-01 00:00:10+00\th2\t\\N\t\\N\t\\N\t\\N',
  '2024-01-01 00:00:20+00\th,3\t-0.25\t-9223372036854775808\tf\ttab\\there\\\\back "q" \\n nl',
  '2024-01-01 00:00:30+00\th"4\tNaN\t9223372036854775807\tyes\t\\x41\\101 é ✓',
  '2024-01-01 00:00:40+00\t\tInfinity\t0\tno\t',
  '2024-01-01 00:00:50+00\th6\t1e-7\t42\ton\tcomma, "quoted"',
].map((line) => `${line}\n`).join('')

// The fast path's table, first lines (text and CSV) and test lines.
const CREATE_FAST = 'CREATE TABLE f (time timestamptz NOT NULL, host text, dc text, v float8, w float8, n int8, ok bool)'
const FIRST_TEXT = '2024-01-01 00:00:00+00\th0\tdc0\t0\t0\t0\tt\n'
const FIRST_CSV = '2024-01-01 00:00:00+00,h0,dc0,0,0,0,t\n'

/** float8 spellings: plain decimals take the byte path, the rest the cast. */
const FLOATS = ['1.5', '-0', '0.1', '.5', '5.', '007', '-12.75', '123456789012345', '1234567890123456789', '0.000001',
  '1e5', '1E-3', 'NaN', 'Infinity', '-Infinity', ' 2.5', '+3', '99999999999999.9', '3.141592653589793', '-.5', '-5.',
  '000000000000000012', '-999999999999999']

function textLines(): string {
  const lines: string[] = []
  FLOATS.forEach((v, i) => {
    const second = i % 3 === 0 ? '2024-01-01 00:00:01+00' : `2024-01-01 00:00:${String(2 + (i % 7)).padStart(2, '0')}+00`
    lines.push(`${second}\th${i % 4}\tdc ✓ ${i % 2}\t${v}\t${FLOATS[(i + 5) % FLOATS.length]}\t${i * 1000}\t${i % 2 === 0 ? 'f' : 'yes'}`)
  })
  lines.push('2024-06-30T12:34:56.789Z\t\t\t1\t2\t3\tt')
  return `${lines.join('\n')}\n`
}

/**
 * Lines whose run of adjacent tags (host, dc) repeats, differs in one field, is empty or holds a NULL: the fast path's
 * span cache (copy-fast-span.ts) must write what the per-field way writes.
 */
function spanLines(): string {
  const spans = [['h1', 'dc1'], ['h1', 'dc10'], ['h11', 'dc1'], ['h1', ''], ['', 'dc1'], ['h1', '\\N'], ['\\N', 'dc1'], ['', ''], ['h1', 'dc1 ✓']]
  const lines: string[] = []
  for (let i = 0; i < 45; i++) {
    const [host, dc] = spans[(i * 7) % spans.length]!
    lines.push(`2024-01-02 00:00:${String(i).padStart(2, '0')}+00\t${host}\t${dc}\t${i}\t${i / 4}\t${i}\tt`)
  }
  return `${lines.join('\n')}\n`
}

const fastRows = (c: pg.Client): Promise<Buffer> => copyOut(c, 'COPY (SELECT * FROM f ORDER BY time, host, v, n) TO STDOUT')

describe('integration: COPY against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let ours: pg.Client
  let theirs: pg.Client

  /** Runs the same thing on both and asserts equal outcomes (values or errors). */
  async function same<T>(what: string, run: (client: pg.Client) => Promise<T>): Promise<void> {
    const expected = await outcome(() => run(theirs))
    const actual = await outcome(() => run(ours))
    assert.deepEqual(actual, expected, what)
  }

  async function reset(create = CREATE, table = 'm'): Promise<void> {
    for (const client of [ours, theirs]) {
      await client.query(`DROP TABLE IF EXISTS ${table}`)
      await client.query(create)
    }
  }

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('copy')
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

  it('loads text COPY data and prints it back byte-identically in text, CSV and binary', async function () {
    await reset()
    await same('COPY FROM text', (c) => copyIn(c, 'COPY m FROM STDIN', [Buffer.from(TEXT_ROWS)]))
    // A table's rows come in storage order, which differs between the two: its text lines are compared as a set,
    // and every byte-exact comparison reads the rows ORDER BY time.
    await same('COPY m TO STDOUT (lines)', async (c) => (await copyOut(c, 'COPY m TO STDOUT')).toString().split('\n').sort())
    const ordered = (columns: string): string => `(SELECT ${columns} FROM m ORDER BY time)`
    const outputs = [
      `COPY ${ordered('*')} TO STDOUT`, `COPY ${ordered('*')} TO STDOUT WITH CSV HEADER`,
      `COPY ${ordered('note, host')} TO STDOUT (FORMAT csv, FORCE_QUOTE (host))`, `COPY ${ordered('*')} TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *)`,
      `COPY ${ordered('*')} TO STDOUT (FORMAT csv, DELIMITER '|', NULL 'NUL', QUOTE '''', ESCAPE '\\', FORCE_QUOTE *)`,
      `COPY ${ordered('*')} TO STDOUT (DELIMITER ',', NULL '', HEADER)`, `COPY ${ordered('*')} TO STDOUT (FORMAT binary)`,
      `COPY ${ordered('time, v, n, ok')} TO STDOUT BINARY`, `COPY ${ordered('note')} TO STDOUT CSV`,
      'COPY (SELECT host, n * 2 AS twice FROM m WHERE n IS NOT NULL ORDER BY time) TO STDOUT CSV',
    ]
    for (const sql of outputs) await same(sql, (c) => copyOut(c, sql))
  })

  it('loads CSV with quotes, HEADER, FORCE_NULL and FORCE_NOT_NULL, and binary, as PostgreSQL does', async function () {
    const csv = 'time,host,v,n,ok,note\n2024-01-01T00:00:00Z,"a,b",1,2,true,"multi\nline ""q"""\n' +
      '2024-01-01T00:00:01Z,,,,,""\n2024-01-01T00:00:02Z,"",3,"4",false,x\r\n'.replace('\r\n', '\n')
    const loads = [
      'COPY m FROM STDIN WITH CSV HEADER', 'COPY m FROM STDIN (FORMAT csv, HEADER match, FORCE_NULL (note, host))',
      'COPY m FROM STDIN (FORMAT csv, HEADER true, FORCE_NOT_NULL (host, note))',
    ]
    for (const sql of loads) {
      await reset()
      await same(sql, (c) => copyIn(c, sql, [Buffer.from(csv.slice(0, 17)), Buffer.from(csv.slice(17))]))
      await same(`${sql}: rows`, (c) => copyOut(c, 'COPY (SELECT * FROM m ORDER BY time) TO STDOUT CSV'))
    }
    await reset()
    await theirs.query('COPY m FROM STDIN').catch(() => undefined)
    await copyIn(theirs, 'COPY m FROM STDIN', [Buffer.from(TEXT_ROWS)])
    const binary = await copyOut(theirs, 'COPY m TO STDOUT BINARY')
    await copyIn(ours, 'COPY m FROM STDIN BINARY', [binary.subarray(0, 7), binary.subarray(7, 100), binary.subarray(100)])
    const sorted = 'COPY (SELECT * FROM m ORDER BY time) TO STDOUT'
    assert.deepEqual(await copyOut(ours, sorted), await copyOut(theirs, sorted), 'binary round trip')
  })

  it('refuses bad rows with the same SQLSTATE, message and CONTEXT, and loads none of the COPY', async function () {
    await reset()
    const cases: Array<[string, string]> = [
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t1\tt\tx\n2024-01-01 00:00:01+00\th\tabc\t1\tt\tx\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t99999999999999999999\tt\tx\n'],
      ['COPY m FROM STDIN', '\\N\th\t1\t1\tt\tx\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t1\tt\tx\textra\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t1\tmaybe\tx\n'],
      ['COPY m FROM STDIN', 'not a time\th\t1\t1\tt\tx\n'],
      ['COPY m (time, v) FROM STDIN', '2024-01-01 00:00:00+00\t1\n2024-01-01 00:00:00+00\t1\tx\n'],
      ['COPY m FROM STDIN CSV', '2024-01-01 00:00:00+00,"h,1,1,t,x\n'],
      ['COPY m FROM STDIN CSV HEADER MATCH', 'time,host,v,n,ok,notes\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t1\tt\tx\r\n2024-01-01 00:00:00+00\th\t1\t1\tt\tx\n'],
      ['COPY m FROM STDIN', '2024-01-01 00:00:00+00\th\t1\t1\tt\tx\\.y\n'],
      ['COPY m FROM STDIN BINARY', 'PGCOPY\nxx'],
      ['COPY m (host) FROM STDIN', 'h\n'],
    ]
    for (const [sql, data] of cases) await same(`${sql} ${JSON.stringify(data)}`, (c) => copyIn(c, sql, [Buffer.from(data)]))
    const header = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1')
    const binaryCases = [
      Buffer.concat([header, Buffer.from([0, 2, 0, 0, 0, 1, 0x41, 0xff, 0xff, 0xff, 0xff])]),
      Buffer.concat([header, Buffer.from([0xff, 0xff, 0, 1])]),
      Buffer.concat([header, Buffer.from([0, 1, 0, 0, 0, 3, 0x61])]),
      Buffer.concat([header, Buffer.from([0, 1, 0, 0, 0, 2, 0xc3, 0x28, 0xff, 0xff])]),
    ]
    await same('invalid UTF-8 in text data', (c) => copyIn(c, 'COPY m (time, note) FROM STDIN', [Buffer.from('2024-01-01\tb\n2024-01-01\t\xe2\x28\xa1\n', 'latin1')]))
    for (const data of binaryCases) await same(`binary ${data.toString('hex')}`, (c) => copyIn(c, 'COPY m (host) FROM STDIN BINARY', [data]))
    await same('nothing loaded', async (c) => (await c.query('SELECT count(*)::int AS n FROM m')).rows)
    await same('end marker', (c) => copyIn(c, 'COPY m (host) FROM STDIN', [Buffer.from('a\n\\.\nignored\n')]))
  })

  it("moves the same bytes through psql's \\copy FROM and TO", async function () {
    await reset()
    const dir = fs.mkdtempSync(path.join(dataDir, 'psql-'))
    const input = path.join(dir, 'in.csv')
    fs.writeFileSync(input, 'time,host,v,n,ok,note\n2024-01-01 00:00:00+00,a,1.25,1,t,"x, y"\n2024-01-01 00:00:01+00,,,,,"multi\nline"\n')
    const outputs: Buffer[] = []
    for (const [port, name] of [[postgres.port, 'theirs'], [server.pgPort, 'ours']] as const) {
      const output = path.join(dir, `${name}.txt`)
      const commands = [`\\copy m FROM '${input}' WITH (FORMAT csv, HEADER)`, `\\copy (SELECT * FROM m ORDER BY time) TO '${output}'`]
      const args = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-v', 'ON_ERROR_STOP=1']
      for (const command of commands) await execFileAsync('psql', [...args, '-c', command])
      outputs.push(fs.readFileSync(output))
    }
    assert.ok(outputs[0]!.length > 0)
    assert.deepEqual(outputs[1], outputs[0])
  })

  it('checks options as ProcessCopyOptions does', async function () {
    await reset()
    const statements = [
      "COPY m FROM STDIN (FORMAT xml)", "COPY m FROM STDIN (FORMAT csv, FORMAT text)", "COPY m FROM STDIN (DELIMITER '||')",
      "COPY m FROM STDIN (FORMAT binary, DELIMITER ',')", "COPY m FROM STDIN (QUOTE '\"')", "COPY m FROM STDIN CSV QUOTE ','",
      "COPY m FROM STDIN (HEADER maybe)", "COPY m TO STDOUT (FORMAT csv, HEADER match)", "COPY m FROM STDIN (FORCE_QUOTE (host))",
      "COPY m TO STDOUT (FORCE_NULL (host))", "COPY m FROM STDIN (FORMAT csv, FORCE_NULL (nope))", "COPY m FROM STDIN (BOGUS 1)",
      "COPY m FROM STDIN (DELIMITER 'a')", "COPY m FROM STDIN (NULL 'a\tb')", "COPY nope FROM STDIN", "COPY m (nope) FROM STDIN",
      "COPY m (host, host) FROM STDIN", "COPY m FROM STDIN (FORMAT binary, HEADER)", "COPY m FROM STDIN (ESCAPE 'x')",
    ]
    for (const sql of statements) await same(sql, (c) => copyIn(c, sql, [Buffer.from('')]))
  })

  it('fast path (copy-fast.ts): loads the same values as PostgreSQL in text and CSV, with NULL strings and a column list', async function () {
    const text = textLines()
    const loads: Array<[string, string]> = [
      ['COPY f FROM STDIN', FIRST_TEXT + text],
      ['COPY f FROM STDIN CSV', FIRST_CSV + text.replaceAll('\t', ',').replaceAll(',,', ',"",')],
      ["COPY f FROM STDIN (NULL 'none')", FIRST_TEXT + text.replaceAll('\t\t', '\tnone\t').replace('\t3\tt', '\tnone\tnone')],
      ['COPY f FROM STDIN (FORMAT csv, FORCE_NOT_NULL (host))', `${FIRST_CSV}2024-01-01 00:00:09+00,,,,1.5,,\n`],
      ['COPY f FROM STDIN', FIRST_TEXT + text.replaceAll('\t\t', '\t\\N\t').replace('\t1.5\t', '\t\\N\t') + '2024-01-03 00:00:00+00\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n'],
      ['COPY f FROM STDIN', `${FIRST_TEXT}2024-01-01 00:00:09+00\tx\\\\N\t\\Ny\t1\t2\t3\tt\n2024-01-01 00:00:10+00\t\\N\tb\\\\\t1\t2\t\\N\t\\N\n`],
      ['COPY f FROM STDIN', FIRST_TEXT + spanLines() + spanLines().replaceAll('2024-01-02', '2024-01-03')],
      // A timestamp repeating the previous one's bytes is taken without its cast; one that extends or cuts them is not.
      ['COPY f FROM STDIN', FIRST_TEXT + ['+00', '+00:30', '+00:30', '+0', '+00', '+00'].map((zone, i) => `2024-01-01 00:00:01${zone}\th\td\t${i}\t${i}\t${i}\tt\n`).join('')],
      ["COPY f (v, time, host) FROM STDIN (DELIMITER '|')", '1|2024-01-01 00:00:00+00|a\n2.25|2024-01-01 00:00:01+00|b\n-3|2024-01-02 00:00:00+00|a\n'],
    ]
    for (const [sql, data] of loads) {
      await reset(CREATE_FAST, 'f')
      const cut = data.indexOf('\n') + 1
      const chunks = [data.slice(0, cut), data.slice(cut, cut + 200), data.slice(cut + 200)].filter((c) => c !== '').map((c) => Buffer.from(c))
      await same(sql, (c) => copyIn(c, sql, chunks))
      await same(`${sql}: rows`, fastRows)
    }
  })

  it('fast path (copy-fast.ts): refuses a bad line it took with the same SQLSTATE, message and CONTEXT, and loads nothing', async function () {
    const good = '2024-01-01 00:00:01+00\th1\tdc1\t1.5\t2\t3\tt\n'
    const bad = [
      '2024-01-01 00:00:02+00\th1\tdc1\tabc\t2\t3\tt', '2024-01-01 00:00:02+00\th1\tdc1\t1..5\t2\t3\tt',
      '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3', '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3\tt\textra',
      'yesterday-ish\th1\tdc1\t1.5\t2\t3\tt',
      '2024-01-01 00:00:02+00\th1\tdc1\t1.5\t2\t3\tmaybe', '2024-01-01 00:00:02+00\th1\tdc1\t\t2\t3\tt', '', '\\N\th1\tdc1\t1.5\t2\t3\tt',
      '2024-01-01 00:00:02+00\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N',
      // Cut short inside, and right after, a run of tags the span cache knows (h1, dc1).
      '2024-01-01 00:00:02+00\th1', '2024-01-01 00:00:02+00\th1\tdc1',
      // Not plain decimals, and a line of the previous row's timestamp alone (taken without a cast, then short).
      '2024-01-01 00:00:02+00\th1\tdc1\t-\t2\t3\tt', '2024-01-01 00:00:02+00\th1\tdc1\t1.2.3\t2\t3\tt',
      '2024-01-01 00:00:02+00\th1\tdc1\t.\t2\t3\tt', '2024-01-01 00:00:01+00', '2024-01-01 00:00:01+00\t',
    ]
    for (const line of bad) {
      await reset(CREATE_FAST, 'f')
      const chunks = [FIRST_TEXT, good.repeat(3), `${good}${line}\n${good}`].map((c) => Buffer.from(c))
      await same(`text ${JSON.stringify(line)}`, (c) => copyIn(c, 'COPY f FROM STDIN', chunks))
      await same(`text ${JSON.stringify(line)}: nothing loaded`, async (c) => (await c.query('SELECT count(*)::int AS n FROM f')).rows)
    }
    await reset(CREATE_FAST, 'f')
    const csv = [FIRST_CSV, '2024-01-01 00:00:01+00,h,d,1,2,3,t\n', ',h,d,1,2,3,t\n'].map((c) => Buffer.from(c))
    await same('CSV NULL in NOT NULL column', (c) => copyIn(c, 'COPY f FROM STDIN CSV', csv))
  })
})
