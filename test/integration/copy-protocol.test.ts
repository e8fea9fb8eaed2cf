// Goal: COPY's sub-protocol holds up as PostgreSQL's does, and COPY FROM keeps design invariants 1, 4 and 6.
// Method: the real server; node-postgres + pg-copy-streams and a raw pg-protocol client (test/helpers/stream-client.ts)
// for what no driver sends. Checked: CopyFail → 57014 and nothing loaded; malformed CopyData and a Query during
// copy-in fail only that COPY (the session and other sessions go on); COPY in and out over the extended protocol;
// a 1,000,000-row COPY in and out streamed with the server's RSS growth bounded (NODEDB_COPY_ROWS scales it);
// kill -9 right after `COPY n` was acknowledged leaves all n rows after a restart (invariant 1); and a client that
// would stream 1 GB into one COPY is refused with 54000 at COPY_BATCH_BYTES_MAX of rows, the server's RSS growth
// bounded by that budget (not by the input), nothing of it visible and the session going on (invariant 4).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { serialize } from 'pg-protocol'
import { COPY_BATCH_BYTES_MAX } from '../../src/common/limits.js'
import { copyIn, copyOutByteCount, errorFields } from '../helpers/copy-client.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { StreamClient } from '../helpers/stream-client.js'

const ROWS = Number(process.env['NODEDB_COPY_ROWS'] ?? 1_000_000)
// Rows of (timestamptz, text, float8) are charged ~20 bytes each while a COPY is buffered: 1 M rows ≈ 20 MiB held,
// plus the WAL payload and the cores' memtables; the bound is far below what holding the input text would need.
const RSS_GROWTH_BYTES_MAX = 400 * 1024 * 1024
const BASE_MS = Date.UTC(2024, 0, 1)

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  assert.ok(match !== null, 'VmRSS in /proc/<pid>/status')
  return Number(match[1]) * 1024
}

function* rowChunks(count: number, rowsPerChunk = 5000): Generator<Buffer> {
  for (let start = 0; start < count; start += rowsPerChunk) {
    let text = ''
    for (let i = start; i < Math.min(count, start + rowsPerChunk); i++) text += `${new Date(BASE_MS + i * 1000).toISOString()}\th${i % 100}\t${i % 1000}.5\n`
    yield Buffer.from(text)
  }
}

/**
 * Wide rows (a timestamp and WIDE_FLOATS float8s, charged 8 bytes each) as CopyData, up to `bytesMax` bytes in all.
 * Each chunk waits for the event loop's I/O phase first, as a client reading its input from a file or a socket does:
 * a synchronous source whose socket writes never fill (the server discards CopyData quickly once it has refused the
 * COPY) would never let the client read the server's ErrorResponse until the whole input was sent.
 */
const WIDE_FLOATS = 32
async function* wideChunks(bytesMax: number, sent: { bytes: number }, rowsPerChunk = 5000): AsyncGenerator<Buffer> {
  const fields = '\t1.5'.repeat(WIDE_FLOATS)
  for (let row = 0; sent.bytes < bytesMax; row += rowsPerChunk) {
    let text = ''
    for (let i = row; i < row + rowsPerChunk; i++) text += `${new Date(BASE_MS + i * 1000).toISOString()}${fields}\n`
    const chunk = Buffer.from(text)
    await new Promise<void>((resolve) => setImmediate(resolve))
    sent.bytes += chunk.length
    yield chunk
  }
}

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'copier', database: 'db' })
  await client.connect()
  return client
}

async function count(client: pg.Client, table: string): Promise<number> {
  return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
}

function rawClient(port: number): Promise<StreamClient> {
  return StreamClient.connect(port)
}

describe('integration: COPY protocol, atomicity, memory and durability', function () {
  this.timeout(300_000)
  let server: ServerProcess
  let dataDir: string
  let client: pg.Client

  before(async function () {
    dataDir = makeTempDir('copy-protocol')
    server = await startServerProcess({ dataDir })
    client = await connect(server.pgPort)
    await client.query('CREATE TABLE c (time timestamptz NOT NULL, host text, v float8)')
  })

  after(async function () {
    await client?.end().catch(() => undefined)
    if (server !== undefined) await server.stop()
    removeDir(dataDir)
  })

  it('answers CopyFail with 57014 naming the message, and loads nothing of that COPY', async function () {
    const before = await count(client, 'c')
    const stream = client.query(copyFrom('COPY c FROM STDIN'))
    const failed = new Promise<unknown>((resolve) => stream.on('error', resolve))
    stream.write(Buffer.concat([...rowChunks(10)]))
    stream.destroy(new Error('client changed its mind'))
    const error = errorFields(await failed)
    assert.deepEqual([error.code, error.message], ['57014', 'COPY from stdin failed: client changed its mind'])
    assert.equal(await count(client, 'c'), before)
  })

  it('fails only the COPY on malformed data or an unexpected message; the session and others go on', async function () {
    const other = await connect(server.pgPort)
    const garbage = copyIn(client, 'COPY c FROM STDIN BINARY', [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 1, 2])])
    assert.equal(errorFields(await garbage.catch((thrown: unknown) => thrown)).code, '22P04')
    assert.equal(await count(client, 'c'), await count(other, 'c'))
    const raw = await rawClient(server.pgPort)
    raw.query('COPY c FROM STDIN')
    await raw.readUntil('copyInResponse')
    raw.write(Buffer.concat([serialize.copyData(Buffer.from('2024-01-01 00:00:00+00\th\t1\n')), serialize.query('SELECT 1')]))
    const answer = await raw.readUntil('readyForQuery')
    const error = answer.find((message) => message.name === 'error') as unknown as { code: string; message: string }
    assert.deepEqual([error.code, error.message], ['08P01', 'unexpected message type 0x51 during COPY from stdin'])
    raw.write(Buffer.concat([serialize.copyData(Buffer.from('late')), serialize.copyDone(), serialize.query('SELECT 2')]))
    const after = await raw.readUntil('readyForQuery')
    assert.deepEqual(after.map((message) => message.name), ['rowDescription', 'commandComplete', 'readyForQuery'])
    assert.equal(raw.dataRowCount, 1)
    raw.destroy()
    assert.deepEqual((await other.query('SELECT 1 AS one')).rows, [{ one: 1 }])
    await other.end()
  })

  it('runs COPY FROM and TO over the extended protocol', async function () {
    const raw = await rawClient(server.pgPort)
    raw.write(Buffer.concat([serialize.parse({ text: 'COPY c FROM STDIN WITH (FORMAT csv)' }), serialize.bind({}), serialize.execute({}), serialize.flush()]))
    assert.deepEqual((await raw.readUntil('copyInResponse')).map((message) => message.name), ['parseComplete', 'bindComplete', 'copyInResponse'])
    raw.write(Buffer.concat([serialize.sync(), serialize.copyData(Buffer.from('2030-01-01T00:00:00Z,ext,1\n2030-01-01T00:00:01Z,ext,2\n')), serialize.copyDone(), serialize.sync()]))
    const done = await raw.readUntil('readyForQuery')
    assert.deepEqual(done.map((message) => message.name), ['commandComplete', 'readyForQuery'])
    assert.equal((done[0] as unknown as { text: string }).text, 'COPY 2')
    raw.write(Buffer.concat([serialize.parse({ text: "COPY (SELECT v FROM c WHERE host = 'ext' ORDER BY v) TO STDOUT" }), serialize.bind({}), serialize.execute({}), serialize.sync()]))
    const out = await raw.readUntil('readyForQuery')
    const data = out.filter((message) => message.name === 'copyData').map((message) => (message as unknown as { chunk: Buffer }).chunk.toString())
    assert.deepEqual(data, ['1\n', '2\n'])
    assert.ok(out.some((message) => message.name === 'copyDone'))
    raw.destroy()
  })

  it(`streams ${ROWS} rows in and out with the server's RSS growth bounded`, async function () {
    await client.query('CREATE TABLE big (time timestamptz NOT NULL, host text, v float8)')
    const baseline = rssBytes(server.child.pid!)
    let peak = baseline
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(server.child.pid!)) }, 50)
    try {
      const stream = client.query(copyFrom('COPY big FROM STDIN'))
      await pipeline(Readable.from(rowChunks(ROWS)), stream)
      assert.equal(Number(stream.rowCount), ROWS)
      assert.equal(await count(client, 'big'), ROWS)
      const bytes = await copyOutByteCount(client, 'COPY big TO STDOUT')
      assert.ok(bytes > ROWS * 20, `${bytes} bytes out`)
    } finally {
      clearInterval(sampler)
    }
    assert.ok(peak - baseline < RSS_GROWTH_BYTES_MAX, `RSS grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`)
  })

  it('keeps every row of an acknowledged COPY after kill -9', async function () {
    await client.query('CREATE TABLE durable (time timestamptz NOT NULL, host text, v float8)')
    const loaded = await copyIn(client, 'COPY durable FROM STDIN', rowChunks(20_000))
    assert.equal(loaded, 20_000)
    await client.end()
    await server.kill()
    server = await startServerProcess({ dataDir })
    client = await connect(server.pgPort)
    assert.equal(await count(client, 'durable'), loaded)
  })
  it('refuses a COPY past COPY_BATCH_BYTES_MAX of rows with 54000 while 1 GB streams in, RSS bounded by the budget', async function () {
    const columns = Array.from({ length: WIDE_FLOATS }, (_, i) => `f${i} float8`).join(', ')
    await client.query(`CREATE TABLE wide (time timestamptz NOT NULL, ${columns})`)
    const baseline = rssBytes(server.child.pid!)
    let peak = baseline
    const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(server.child.pid!)) }, 50)
    const sent = { bytes: 0 }
    const input = 2 ** 30
    let refusal: unknown = null
    try {
      await copyIn(client, 'COPY wide FROM STDIN', wideChunks(input, sent))
    } catch (thrown) {
      refusal = thrown
    } finally {
      clearInterval(sampler)
    }
    const { code, message } = errorFields(refusal)
    assert.equal(code, '54000')
    assert.match(message, new RegExp(`more than ${COPY_BATCH_BYTES_MAX} bytes of rows`))
    // Each float8 is charged 8 bytes against its 4 characters of text: the budget is reached long before the input ends.
    assert.ok(sent.bytes < input / 2, `${sent.bytes} bytes sent before the refusal`)
    // Columns grow by doubling: at most twice the budget held, beside the socket's queue and the rest of the server.
    const bound = 2 * COPY_BATCH_BYTES_MAX + 128 * 2 ** 20
    assert.ok(peak - baseline < bound, `RSS grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`)
    assert.equal(await count(client, 'wide'), 0)
    assert.equal(await copyIn(client, 'COPY wide FROM STDIN', wideChunks(1, { bytes: 0 })), 5000, 'the session goes on')
  })
})
