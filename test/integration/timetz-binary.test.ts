// Goal: binary timetz parameters are read as PostgreSQL 15's timetz_recv reads them (int64 µs since midnight, then
// int32 zone seconds west of UTC): values, typmod rounding, and the range and length errors in timetz_recv's order.
// Method: the real nodedb server process and a real PostgreSQL 15 (test/helpers/postgres.ts) take the same binary
// parameters through node-postgres (Buffers go in format 1); answers and errors must be identical. timetz_send's
// result bytes, and PostgreSQL's own bytes sent back, are compared raw in sessions-binary.test.ts.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { connectPostgresUser, outcome } from '../helpers/copy-client.js'

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
})
