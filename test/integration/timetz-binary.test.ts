// Goal: time with time zone crosses the wire in binary exactly as PostgreSQL 15's timetz_send / timetz_recv do it
// (int64 µs since midnight, then int32 zone seconds west of UTC), both ways. Method: the real nodedb server process
// and a real PostgreSQL 15 (test/helpers/postgres.ts) answer the same queries through node-postgres with binary
// results, and take the same binary parameters (Buffers, which pg sends in format 1); the bytes, the values read
// back as text and the errors of out-of-range parameters must be identical. Nothing expected is hand-typed.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { connectPostgresUser, outcome } from '../helpers/copy-client.js'

const VALUES = [
  "'10:00+02'", "'23:59:59.999999-15:59:59'", "'00:00:00+15:59'", "'24:00:00-01'", "'12:34:56.5+05:30'",
  "'01:02:03-00:00:30'", 'NULL',
]

/** Every result column as its raw bytes (pg-types would print an unknown binary type as a UTF-8 string). */
const RAW_TYPES = { getTypeParser: () => (value: unknown) => value }

/** A query with binary results (node-postgres reads `binary` and `types`, which @types/pg does not declare). */
function binaryQuery(text: string, values: unknown[] = []): pg.QueryArrayConfig {
  return { text, values, binary: true, rowMode: 'array', types: RAW_TYPES } as pg.QueryArrayConfig
}

/** The SQLSTATE and message of an outcome: nodedb gives no CONTEXT line for Bind's parameter errors (yet). */
function codeAndMessage(result: Awaited<ReturnType<typeof outcome>>): unknown {
  return typeof result === 'string' ? result : [result.code, result.message]
}

/** A binary parameter: int64 µs then int32 seconds west, as a client writes it. */
function timetzBytes(us: bigint, zone: number): Buffer {
  const out = Buffer.alloc(12)
  out.writeBigInt64BE(us)
  out.writeInt32BE(zone, 8)
  return out
}

describe('integration: timetz binary format against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  let ours: pg.Client
  let theirs: pg.Client

  async function same(what: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
    const expected = codeAndMessage(await outcome(() => run(theirs)))
    const actual = codeAndMessage(await outcome(() => run(ours)))
    assert.deepEqual(actual, expected, what)
  }

  before(async function () {
    postgres = await startPostgres()
    dataDir = makeTempDir('timetz-binary')
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

  it('sends timetz results as timetz_send does (binary result format)', async function () {
    const text = `SELECT ${VALUES.map((v) => `${v}::timetz`).join(', ')}, '10:00:00.123456+02'::timetz(2)`
    const binaryRow = async (client: pg.Client): Promise<string> => {
      const result = await client.query(binaryQuery(text))
      assert.deepEqual(result.fields.map((f) => f.dataTypeID), Array(VALUES.length + 1).fill(1266))
      return JSON.stringify((result.rows[0] as unknown[]).map((cell) => (cell === null ? null : Buffer.from(cell as Buffer).toString('hex'))))
    }
    const theirsRow = await binaryRow(theirs)
    assert.equal(await binaryRow(ours), theirsRow)
    // The NULL stays NULL and each non-null value is 12 bytes (a test that could fail on a wrong layout).
    assert.ok(JSON.parse(theirsRow).every((hex: string | null, i: number) => (hex === null ? VALUES[i] === 'NULL' : hex.length === 24)))
  })

  it('reads binary timetz parameters as timetz_recv does, range checks included', async function () {
    const cases: Array<[string, Buffer]> = [
      ['10:00+02', timetzBytes(36_000_000_000n, -7200)],
      ['24:00:00 zone 0', timetzBytes(86_400_000_000n, 0)],
      ['zone at the limit', timetzBytes(1n, 57_599)],
      ['time past a day (22008)', timetzBytes(86_400_000_001n, 0)],
      ['negative time (22008)', timetzBytes(-1n, 0)],
      ['zone past the limit (22009)', timetzBytes(0n, 57_600)],
      ['zone past the negative limit (22009)', timetzBytes(0n, -57_600)],
      ['time out of range, too short for a zone (22008 first)', timetzBytes(-5n, 0).subarray(0, 10)],
      ['too short for a zone (08P01)', timetzBytes(5n, 0).subarray(0, 10)],
    ]
    for (const [what, bytes] of cases) {
      await same(what, async (client) => {
        const result = await client.query({ text: 'SELECT $1::timetz::text AS t, $1::timetz(0)::text AS t0', values: [bytes], rowMode: 'array' })
        return JSON.stringify(result.rows)
      })
    }
  })

  it('a binary parameter of the wrong length is refused as PostgreSQL refuses it', async function () {
    for (const size of [8, 16]) {
      await same(`${size} bytes`, async (client) => {
        const result = await client.query({ text: 'SELECT $1::timetz::text', values: [Buffer.alloc(size)], rowMode: 'array' })
        return JSON.stringify(result.rows)
      })
      await same('the session goes on', async (client) => JSON.stringify((await client.query('SELECT 1 AS one')).rows))
    }
  })

  it('round-trips every value: binary out, binary in, text out', async function () {
    const text = `SELECT ${VALUES.filter((v) => v !== 'NULL').map((v) => `${v}::timetz`).join(', ')}`
    const theirsCells = (await theirs.query(binaryQuery(text))).rows[0] as Buffer[]
    for (const cell of theirsCells) {
      await same(`round trip of ${cell.toString('hex')}`, async (client) => {
        const back = await client.query(binaryQuery('SELECT $1::timetz AS t', [Buffer.from(cell)]))
        const asText = await client.query({ text: 'SELECT $1::timetz::text AS t', values: [Buffer.from(cell)], rowMode: 'array' })
        return JSON.stringify([Buffer.from((back.rows[0] as Buffer[])[0]!).toString('hex'), asText.rows])
      })
    }
  })
})
