// Goal: a streamed scan's DataRows, encoded column by column on the cores (src/common/datarow-encoder.ts; wire runs
// it too for batches sent as vectors), are byte for byte what PostgreSQL 15 sends for the same table: every column type a table holds (timestamptz,
// text tags, varchar, float8, real, int8/int4/int2, bool; NULLs, NaN, ±Infinity, extremes, non-ASCII text), text
// and binary and mixed result formats, several session TimeZones (DST edges, LMT offsets) and extra_float_digits,
// projections, LIMIT/OFFSET and Execute with a row limit; data in memtables, then in segments; and materialized rows
// (encodeRows), large values past the encoder's byte bound and arrays included. Method: the real
// server process and a real PostgreSQL (test/helpers/postgres.ts) given the same statements over raw sockets
// (test/helpers/raw-pg.ts keeps DataRow bytes raw); rows compared as sorted byte strings (no ORDER BY: a sort would
// not stream, so the row order is the cores' arrival order).
import assert from 'node:assert/strict'
import { serialize } from 'pg-protocol'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { RawPgClient, type RawMessage } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const TABLE = 'CREATE TABLE enc (time timestamptz NOT NULL, host text, note varchar(20), f8 float8, f4 real, i8 bigint, i4 int, i2 smallint, b bool)'
const COLUMN_COUNT = 9

const ROWS: ReadonlyArray<string> = [
  "('2024-03-10 06:59:59.5+00', 'h1', 'x', 0.1, 1.5, 9223372036854775807, 2147483647, 32767, true)",
  "('2024-03-10 07:00:00+00', 'h1', 'ü', -1.5, 3.4e38, -9223372036854775808, -2147483648, -32768, false)",
  "('2024-10-27 01:30:00.000001+00', 'hé ünï', '', 'NaN', 'NaN', 0, 0, 0, NULL)",
  "('2024-10-27 00:59:59.999999+00', '日本', NULL, 'Infinity', '-Infinity', NULL, NULL, NULL, true)",
  "('1969-12-31 23:59:59.999999+00', '', 'edge', '-Infinity', 0.1, 1, -1, 1, false)",
  "('1900-01-01 00:00:00+00', NULL, 'lmt', 1e-5, 1e-5, -1, 1, -1, true)",
  "('2000-01-01 00:00:00+00', 'h2', 'epoch', 1.2345678901234568e20, 1234567, 42, 42, 42, NULL)",
  "('2024-06-30 12:00:00.123+00', 'h2', 'big', 999999999999999.9, 16777217, 9007199254740993, 7, 7, false)",
  "('2024-06-30 12:00:01+00', 'h3', NULL, 5e-324, 1e-45, NULL, NULL, NULL, NULL)",
  "('2024-06-30 12:00:02+00', 'h3', 'z', 1e15, 1e6, 100, 100, 100, true)",
  "('2024-06-30 12:00:03+00', 'h3', 'z', NULL, NULL, 3, 3, 3, false)",
  "('1500-06-01 00:00:00+00', 'h1', 'old', 0, 0, 0, 0, 0, true)",
]

const QUERIES: ReadonlyArray<string> = [
  'SELECT * FROM enc',
  'SELECT b, i2, f8, time, host, i8, f4, note, i4 FROM enc',
  "SELECT host, note, f8, host AS again FROM enc WHERE time >= '2024-01-01'",
]

const ZONES: ReadonlyArray<string> = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/London', 'Australia/Lord_Howe']

function rowsOf(messages: ReadonlyArray<RawMessage>): string[] {
  const error = messages.find((m) => m.name === 'error')
  assert.equal(error, undefined, JSON.stringify(error?.message))
  return messages.filter((m) => m.name === 'dataRow')
    .map((m) => (m.values ?? []).map((value) => (value === null ? 'NULL' : value.toString('hex'))).join(','))
}

/** Bind with one result format code per column (pg-protocol's serializer sends one code for all). */
function bindFormats(formats: ReadonlyArray<number>): Buffer {
  const body = Buffer.alloc(2 + 2 + 2 + 2 + 2 * formats.length)
  let at = 2 // unnamed portal and statement: two empty strings
  at = body.writeInt16BE(0, at) // parameter format codes
  at = body.writeInt16BE(0, at) // parameter values
  at = body.writeInt16BE(formats.length, at)
  for (const format of formats) at = body.writeInt16BE(format, at)
  const header = Buffer.alloc(5)
  header[0] = 0x42 // B
  header.writeInt32BE(4 + body.length, 1)
  return Buffer.concat([header, body])
}

/** Parse, Bind (result formats), Execute (maxRows, 0 = all) until done, Sync: the messages up to ReadyForQuery. */
async function runExtended(client: RawPgClient, text: string, formats: ReadonlyArray<number>, maxRows = 0): Promise<RawMessage[]> {
  client.write(serialize.parse({ text }), bindFormats(formats), serialize.execute({ rows: maxRows }), serialize.flush())
  const messages: RawMessage[] = []
  for (;;) {
    const batch = await client.readUntilAny(['commandComplete', 'portalSuspended', 'error'])
    messages.push(...batch)
    if (batch[batch.length - 1]?.name !== 'portalSuspended') break
    client.write(serialize.execute({ rows: maxRows }), serialize.flush())
  }
  client.write(serialize.sync())
  messages.push(...await client.readUntil('readyForQuery'))
  return messages
}

describe('integration: columnar DataRow encoding — streamed scans byte for byte as PostgreSQL 15', function () {
  this.timeout(180_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let nodedb: RawPgClient
  let pg: RawPgClient

  /** The same statement on both; returns [nodedb's, PostgreSQL's] messages. */
  async function both(text: string): Promise<[RawMessage[], RawMessage[]]> {
    return [await nodedb.query(text), await pg.query(text)]
  }

  before(async function () {
    dataDir = makeTempDir('datarow-batch')
    // At debug the cores say when they encode a stream's DataRows themselves (the path these tests pin).
    server = await startServerProcess({ dataDir, env: { NODEDB_LOG_LEVEL: 'debug' } })
    postgres = await startPostgres()
    nodedb = await RawPgClient.connect(server.pgPort)
    pg = await RawPgClient.connect(postgres.port)
    await nodedb.readUntil('readyForQuery')
    await pg.readUntil('readyForQuery')
    await both(TABLE)
    await both(`INSERT INTO enc VALUES ${ROWS.join(', ')}`)
  })

  after(async function () {
    nodedb?.close()
    pg?.close()
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  async function compareAll(where: string): Promise<void> {
    for (const zone of ZONES) {
      await both(`SET TimeZone = '${zone}'`)
      for (const text of QUERIES) {
        const [ours, theirs] = await both(text)
        assert.deepEqual(rowsOf(ours).sort(), rowsOf(theirs).sort(), `${where}, ${zone}, text: ${text}`)
        assert.ok(rowsOf(theirs).length > 0, text)
        for (const formats of [[1], [0, 1, 0, 1, 1, 0, 1, 0, 1].slice(0, text === QUERIES[2] ? 4 : COLUMN_COUNT)]) {
          const [binaryOurs, binaryTheirs] = [await runExtended(nodedb, text, formats), await runExtended(pg, text, formats)]
          assert.deepEqual(rowsOf(binaryOurs).sort(), rowsOf(binaryTheirs).sort(), `${where}, ${zone}, formats ${formats.join('')}: ${text}`)
        }
      }
    }
    await both('RESET TimeZone')
  }

  /** Lines of the server's output with `message` logged since `from` characters of it. */
  function logCount(message: string, from: number): number {
    return server.output().slice(from).split('\n').filter((line) => line.includes(message)).length
  }

  it('text, binary and mixed formats in five time zones, rows in memtables', async function () {
    const from = server.output().length
    await compareAll('memtable')
    // Every plain query above streamed its DataRows encoded on the cores, none fell back to vectors.
    assert.ok(logCount('core encodes a scan stream', from) >= ZONES.length * QUERIES.length * 3, server.output().slice(from, from + 2000))
    assert.equal(logCount('batches as vectors', from), 0)
  })

  it('the same after a flush into segments, and with extra_float_digits = 3 (shortest digits, as 1)', async function () {
    await nodedb.query('CHECKPOINT')
    await compareAll('segments')
    await both('SET extra_float_digits = 3')
    const [ours, theirs] = await both('SELECT f8, f4 FROM enc')
    assert.deepEqual(rowsOf(ours).sort(), rowsOf(theirs).sort())
    await both('RESET extra_float_digits')
  })

  it('batches of many rows (their DataRow bytes cross the ring as a part of their own): as PostgreSQL, memtables and segments', async function () {
    const create = 'CREATE TABLE wide (time timestamptz NOT NULL, host text, f8 float8, i8 bigint)'
    const fill = "INSERT INTO wide SELECT timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', 'host_' || (g % 7), " +
      'g / 7.0::float8, g::bigint * 1000003 FROM generate_series(1, 6000) AS g'
    await both(create)
    await both(fill)
    for (const where of ['memtable', 'segments']) {
      if (where === 'segments') await nodedb.query('CHECKPOINT')
      for (const text of ['SELECT * FROM wide', 'SELECT f8, host, time FROM wide WHERE f8 > 100']) {
        const [ours, theirs] = await both(text)
        assert.ok(rowsOf(theirs).length > 1000, text)
        assert.deepEqual(rowsOf(ours).sort(), rowsOf(theirs).sort(), `${where}: ${text}`)
        const [binaryOurs, binaryTheirs] = [await runExtended(nodedb, text, [1]), await runExtended(pg, text, [1])]
        assert.deepEqual(rowsOf(binaryOurs).sort(), rowsOf(binaryTheirs).sort(), `${where}, binary: ${text}`)
      }
    }
    await both('DROP TABLE wide')
  })

  it('LIMIT and OFFSET cut whole rows: as many as PostgreSQL, each one of its rows', async function () {
    const all = new Set(rowsOf((await both('SELECT * FROM enc'))[1]))
    for (const text of ['SELECT * FROM enc LIMIT 5', 'SELECT * FROM enc LIMIT 4 OFFSET 3', 'SELECT * FROM enc OFFSET 10', 'SELECT * FROM enc LIMIT 0']) {
      const [ours, theirs] = await both(text)
      assert.equal(rowsOf(ours).length, rowsOf(theirs).length, text)
      for (const row of rowsOf(ours)) assert.ok(all.has(row), `${text}: ${row}`)
    }
  })

  it('materialized rows (sorted, computed, large values past the encoder\'s byte bound, arrays): as PostgreSQL, in order', async function () {
    const texts = [
      'SELECT * FROM enc ORDER BY time', 'SELECT host, f8 * 2 AS twice, i2 + 1 AS next, time FROM enc ORDER BY time DESC',
      "SELECT g, repeat('é', 70000) AS big FROM generate_series(1, 40) AS g",
      "SELECT ARRAY[1, 2] AS a, 1.5::numeric AS n, interval '1 day 02:00' AS i, date '2024-02-29' AS d, NULL::text AS nothing",
    ]
    for (const text of texts) {
      const [ours, theirs] = await both(text)
      assert.deepEqual(rowsOf(ours), rowsOf(theirs), `text: ${text}`)
      const [binaryOurs, binaryTheirs] = [await runExtended(nodedb, text, [1]), await runExtended(pg, text, [1])]
      assert.deepEqual(rowsOf(binaryOurs), rowsOf(binaryTheirs), `binary: ${text}`)
    }
  })

  it('materialized rows of the common result types (grouped, computed) in five time zones, text and binary: as PostgreSQL', async function () {
    // Values written straight into the buffer (float8, timestamp(tz), int8 by their JavaScript type): NaN, ±Infinity,
    // -0, the int8 bounds, timestamps before 1970 and 1900, fractions of a second.
    const texts = [
      "SELECT date_trunc('hour', time) AS h, count(*) AS n, avg(f8) AS a, max(i8) AS m, min(time) AS first FROM enc GROUP BY h ORDER BY h",
      'SELECT time, time::timestamp AS local, f8 * -1 AS neg, -0.0::float8 * f8 AS z, i8, i8 - 1 AS less FROM enc WHERE i8 > -9223372036854775808 ORDER BY time',
    ]
    for (const zone of ZONES) {
      await both(`SET TimeZone = '${zone}'`)
      for (const text of texts) {
        const [ours, theirs] = await both(text)
        assert.ok(rowsOf(theirs).length > 0, text)
        assert.deepEqual(rowsOf(ours), rowsOf(theirs), `${zone}, text: ${text}`)
        const [binaryOurs, binaryTheirs] = [await runExtended(nodedb, text, [1]), await runExtended(pg, text, [1])]
        assert.deepEqual(rowsOf(binaryOurs), rowsOf(binaryTheirs), `${zone}, binary: ${text}`)
      }
    }
    await both('RESET TimeZone')
  })

  it('float8 of every digit count (15, 16, 17; 0.000…, negatives, 2^53 digits), written without a string: as PostgreSQL', async function () {
    // Correctly rounded operations, so both sides hold the same doubles; src/common/float8-digits.ts writes them.
    const text = 'SELECT g, g / 7.0::float8 AS a, -1 / g::float8 AS b, g * 0.1::float8 AS c, sqrt(g::float8) AS d, ' +
      'g / 3e7::float8 AS e, 9007199254740993::float8 / g AS f, 1e14::float8 + g / 3.0::float8 AS h FROM generate_series(1, 3000) AS g'
    const [ours, theirs] = await both(text)
    assert.equal(rowsOf(theirs).length, 3000)
    assert.deepEqual(rowsOf(ours), rowsOf(theirs))
  })

  it('columns the encoder leaves to the value codecs (uuid, bytea, char(n)): as PostgreSQL, both formats', async function () {
    await both('CREATE TABLE other (time timestamptz NOT NULL, u uuid, by bytea, c char(5), t text)')
    await both(`INSERT INTO other VALUES ('2024-01-01 00:00:00+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff', 'ab', 'x'),
      ('2024-01-01 00:00:01+00', NULL, NULL, NULL, NULL)`)
    const from = server.output().length
    for (const text of ['SELECT * FROM other', 'SELECT t, u, c FROM other']) {
      const [ours, theirs] = await both(text)
      assert.equal(rowsOf(theirs).length, 2, text)
      assert.deepEqual(rowsOf(ours).sort(), rowsOf(theirs).sort(), `text: ${text}`)
      const [binaryOurs, binaryTheirs] = [await runExtended(nodedb, text, [1]), await runExtended(pg, text, [1])]
      assert.deepEqual(rowsOf(binaryOurs).sort(), rowsOf(binaryTheirs).sort(), `binary: ${text}`)
    }
    assert.ok(logCount('batches as vectors', from) > 0, 'the cores hand such batches to wire as vectors')
  })

  it('Execute with a row limit: the same PortalSuspended points and, in all, the same rows', async function () {
    for (const maxRows of [1, 5, 12, 13]) {
      const [ours, theirs] = [await runExtended(nodedb, 'SELECT * FROM enc', [1], maxRows), await runExtended(pg, 'SELECT * FROM enc', [1], maxRows)]
      const shape = (messages: RawMessage[]): string[] => messages.map((m) => m.name)
      assert.deepEqual(shape(ours), shape(theirs), `max rows ${maxRows}`)
      assert.deepEqual(rowsOf(ours).sort(), rowsOf(theirs).sort(), `max rows ${maxRows}`)
    }
  })

  it('SET TimeZone between two Executes of a portal: PostgreSQL prints the rest in the new zone; nodedb refuses (0A000)', async function () {
    // The cores printed the rest of the rows in the first Execute's zone already: refused rather than wrong.
    async function run(client: RawPgClient): Promise<RawMessage[]> {
      await client.query('BEGIN')
      client.write(serialize.parse({ text: 'SELECT time FROM enc' }), serialize.bind({ portal: 'p' }),
        serialize.execute({ portal: 'p', rows: 1 }), serialize.sync())
      assert.equal(rowsOf(await client.readUntil('readyForQuery')).length, 1)
      await client.query("SET TimeZone = 'Asia/Kolkata'")
      client.write(serialize.execute({ portal: 'p', rows: 0 }), serialize.sync())
      const rest = await client.readUntil('readyForQuery')
      await client.query('ROLLBACK')
      await client.query('RESET TimeZone')
      return rest
    }
    const theirs = await run(pg)
    assert.equal(rowsOf(theirs).length, ROWS.length - 1)
    const ours = await run(nodedb)
    const error = ours.find((m) => m.name === 'error')?.message as { code?: string; message?: string } | undefined
    assert.equal(error?.code, '0A000', JSON.stringify(ours.map((m) => m.name)))
    assert.match(error?.message ?? '', /TimeZone change between Executes/)
  })
})
