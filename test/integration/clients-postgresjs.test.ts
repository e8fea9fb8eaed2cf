// Goal: postgres.js (npm `postgres`) works unchanged against nodedb and gets what PostgreSQL 15 gives it (issue 9):
// its first-connection array-type query, tagged templates with parameters (Date included) as named prepared
// statements reused across calls, the multi-row insert helper, `sql.begin`, cursors (Execute with a row limit),
// `.simple()` multi-statement text, errors. Method: one scenario function runs against nodedb and against a real
// PostgreSQL with fresh postgres.js instances; everything it collects (rows as postgres.js parsed them, column names
// and type OIDs, counts and commands) must be deep-equal.
import assert from 'node:assert/strict'
import postgres from 'postgres'
import { startOraclePair, type OraclePair } from '../clients/oracle-pair.js'

type Sql = postgres.Sql

/** postgres.js's fetchArrayTypes text, byte for byte (src/connection.js), run on every first connection. */
const ARRAY_TYPES_QUERY = `
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    `

function connectTo(port: number): Sql {
  return postgres({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => undefined })
}

/** A result as plain data: rows, column names with type OIDs, count and command. */
function plain(result: postgres.RowList<postgres.Row[]>): unknown {
  return { rows: [...result], columns: result.columns.map((column) => [column.name, column.type]), count: result.count, command: result.command }
}

function errorCode(error: unknown): string {
  return String((error as { code?: string }).code)
}

/** The rows of postgres.js's array-type query: PostgreSQL has more types than nodedb, so compare per element type. */
async function arrayTypes(sql: Sql): Promise<Map<number, number>> {
  const rows = await sql.unsafe(ARRAY_TYPES_QUERY)
  return new Map(rows.map((row) => [Number(row.oid), Number(row.typarray)]))
}

/** A cursor of 2 rows per Execute over 6 rows: the batches postgres.js hands out. */
async function cursorBatches(sql: Sql): Promise<unknown[][]> {
  const batches: unknown[][] = []
  for await (const batch of sql`select i, time from pjs order by time`.cursor(2)) batches.push([...batch])
  return batches
}

async function scenario(sql: Sql): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  out.first = plain(await sql`select 1 as one`)
  // postgres.js parses text[] through the element type it learned from the array-type query.
  out.textArray = plain(await sql`select ARRAY['a', 'b,c', NULL]::text[] as arr`)
  await sql`create table pjs (time timestamptz not null, host text, v double precision, n bigint, i int)`
  const rows = [0, 1, 2, 3, 4].map((k) => ({ time: new Date(Date.UTC(2024, 0, 1, 0, 0, k * 10, k * 7)), host: `h${k % 2}`, v: k * 1.5, n: k * 1000, i: k }))
  out.insert = plain(await sql`insert into pjs ${sql(rows)}`)
  for (const host of ['h0', 'h1']) {
    out[`byHost_${host}`] = plain(await sql`select time, host, v, n, i from pjs where time >= ${new Date('2024-01-01T00:00:10Z')} and host = ${host} order by time`)
  }
  out.params = plain(await sql`select ${5}::int + ${2} as s, ${'x'} as t, ${1.5}::float8 as f, ${true} as b, ${new Date('2024-02-03T04:05:06.789Z')} as d`)
  out.begin = await sql.begin(async (tx) => {
    await tx`insert into pjs values (${new Date('2024-01-02T00:00:00Z')}, ${'h9'}, ${9.5}, ${9}, ${9})`
    return plain(await tx`select count(*) as c, max(v) as m from pjs`)
  })
  out.afterBegin = plain(await sql`select count(*) as c from pjs where host = ${'h9'}`)
  out.cursor = (await cursorBatches(sql)).flat()
  out.simple = (await sql.unsafe(`select 1 as a; select 'two' as b`).simple()).map((result) => [...result])
  out.error = await sql`select * from nosuch`.then(() => 'no error', errorCode)
  out.afterError = plain(await sql`select count(*) from pjs`)
  return out
}

describe('integration: postgres.js against PostgreSQL 15 (issue 9)', function () {
  this.timeout(60000)
  let pair: OraclePair

  before(async function () {
    pair = await startOraclePair('postgresjs')
  })

  after(async function () {
    await pair.stop()
  })

  it('the same scenario gives the same answers on nodedb and PostgreSQL', async function () {
    const ours = connectTo(pair.server.pgPort)
    const theirs = connectTo(pair.postgres.port)
    try {
      const [got, expected] = [await scenario(ours), await scenario(theirs)]
      assert.deepEqual(got, expected)
      const [ourTypes, theirTypes] = [await arrayTypes(ours), await arrayTypes(theirs)]
      for (const oid of [16, 18, 19, 20, 21, 23, 25, 26, 700, 701, 1043, 1082, 1114, 1184, 1186, 1700]) {
        assert.equal(ourTypes.get(oid), theirTypes.get(oid), `array type of ${oid}`)
      }
      for (const [oid, typarray] of ourTypes) assert.equal(typarray, theirTypes.get(oid), `array type of ${oid}`)
      // Parsed into an array (not left as '{…}' text): postgres.js learned text[] from the array-type query.
      assert.ok(Array.isArray((got.textArray as { rows: Array<{ arr: unknown }> }).rows[0]?.arr))
      assert.equal(got.error, '42P01')
    } finally {
      await ours.end()
      await theirs.end()
    }
  })

  // After a PortalSuspended, CommandComplete counts only the rows of the last Execute ('SELECT 0' when it found none):
  // postgres.js ends its cursor on that count, so a wrong one would hand out one more, empty, batch.
  it('cursor batches are the ones PostgreSQL gives', async function () {
    const ours = connectTo(pair.server.pgPort)
    const theirs = connectTo(pair.postgres.port)
    try {
      assert.deepEqual(await cursorBatches(ours), await cursorBatches(theirs))
    } finally {
      await ours.end()
      await theirs.end()
    }
  })

  it('a Buffer parameter (bytea, postgres.js\'s one binary-ish value) round-trips as on PostgreSQL', async function () {
    const run = async (port: number): Promise<unknown> => {
      const sql = connectTo(port)
      try {
        const bytes = Buffer.from([1, 2, 255, 0, 92])
        return plain(await sql`select ${bytes} as b, length(${bytes}) as n, ${bytes} || ${Buffer.from('x')} as c, md5(${bytes}) as h`)
      } finally {
        await sql.end()
      }
    }
    const [got, expected] = [await run(pair.server.pgPort), await run(pair.postgres.port)]
    assert.deepEqual(got, expected)
  })
})
