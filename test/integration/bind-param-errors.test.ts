// Goal: a Bind whose parameter cannot be read fails as PostgreSQL 15's exec_bind_message fails it — the same
// SQLSTATE, message and CONTEXT line ('unnamed portal parameter $1 = '...'', 'portal "p" parameter $2') — for text
// and binary values: bad input text, invalid UTF-8 (also in binary text, json and jsonb: never replaced), unread or
// missing binary bytes (22P03 / 08P01, numeric and arrays included), bad format codes. Method: the same raw Bind
// frames (built here byte by byte, so a format code or an invalid byte can be anything) sent to the real server
// process and to a real PostgreSQL; every expectation is PostgreSQL's answer.
import assert from 'node:assert/strict'
import { serialize } from 'pg-protocol'
import type { DatabaseError } from 'pg-protocol'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { RawPgClient } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const TEXT = 0
const BINARY = 1

interface BindCase {
  readonly sql: string
  readonly values: ReadonlyArray<Buffer | null>
  readonly formats: ReadonlyArray<number>
  readonly portal?: string
}

const int32s = (...values: number[]): Buffer => {
  const bytes = Buffer.alloc(4 * values.length)
  values.forEach((value, i) => bytes.writeInt32BE(value, 4 * i))
  return bytes
}

const CASES: ReadonlyArray<BindCase> = [
  { sql: 'SELECT $1::int4', values: [Buffer.from('12x')], formats: [TEXT] },
  { sql: 'SELECT $1::int4', values: [Buffer.from('')], formats: [TEXT] },
  { sql: 'SELECT $1::int4, $2::date', values: [Buffer.from('1'), Buffer.from('2024-13-01')], formats: [TEXT] },
  { sql: 'SELECT $1::int4', values: [Buffer.from('99999999999')], formats: [TEXT], portal: 'p1' },
  { sql: 'SELECT $1::text', values: [Buffer.from([0x61, 0xff])], formats: [TEXT] },
  { sql: 'SELECT $1::text', values: [Buffer.from([0xe2, 0x28, 0xa1])], formats: [TEXT] },
  { sql: 'SELECT $1::int4', values: [Buffer.from('1')], formats: [7] },
  { sql: 'SELECT $1::int4', values: [int32s(1), Buffer.from([0])], formats: [BINARY] },
  { sql: 'SELECT $1::int4, $2::int4', values: [int32s(1), Buffer.concat([int32s(2), Buffer.from([0])])], formats: [BINARY], portal: 'p2' },
  { sql: 'SELECT $1::int8', values: [Buffer.from([0, 1, 2])], formats: [BINARY] },
  { sql: 'SELECT $1::bool', values: [Buffer.from([0, 1])], formats: [BINARY] },
  { sql: 'SELECT $1::text', values: [Buffer.from([0x61, 0xff])], formats: [BINARY] },
  { sql: 'SELECT $1::varchar', values: [Buffer.from([0x61, 0])], formats: [BINARY] },
  { sql: 'SELECT $1::json', values: [Buffer.from([0x22, 0xff, 0x22])], formats: [BINARY] },
  { sql: 'SELECT $1::jsonb', values: [Buffer.from([1, 0x22, 0xff, 0x22])], formats: [BINARY] },
  { sql: 'SELECT $1::numeric', values: [Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])], formats: [BINARY] },
  { sql: 'SELECT $1::numeric', values: [Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 7])], formats: [BINARY] },
  { sql: 'SELECT $1::numeric', values: [Buffer.from([0, 1])], formats: [BINARY] },
  { sql: 'SELECT $1::int4[]', values: [Buffer.concat([int32s(1, 0, 23, 1, 1, 4, 5), Buffer.from([9])])], formats: [BINARY] },
  { sql: 'SELECT $1::int4[]', values: [int32s(1, 0)], formats: [BINARY] },
  { sql: 'SELECT $1::int4[]', values: [int32s(1, 0, 23, -1, 1)], formats: [BINARY] },
  { sql: 'SELECT $1::int4[]', values: [int32s(1, 0, 23, 1, 1, 8, 5)], formats: [BINARY] },
]

/** A Bind frame as the protocol lays it out: portal, statement, format codes, values, no result formats. */
function bindFrame({ values, formats, portal = '' }: BindCase): Buffer {
  const counted = (count: number): Buffer => Buffer.from([count >> 8, count & 0xff])
  const parts = [Buffer.from(`${portal}\0\0`), counted(formats.length), ...formats.map(counted), counted(values.length)]
  for (const value of values) parts.push(int32s(value === null ? -1 : value.length), value ?? Buffer.alloc(0))
  const body = Buffer.concat([...parts, counted(0)])
  return Buffer.concat([Buffer.from('B'), int32s(body.length + 4), body])
}

/** The Bind's error as 'SQLSTATE message | CONTEXT', or its first row's text. */
async function outcome(client: RawPgClient, test: BindCase): Promise<string> {
  client.write(serialize.parse({ text: test.sql, types: [] }), bindFrame(test), serialize.execute({ portal: test.portal ?? '' }), serialize.sync())
  const messages = await client.readUntil('readyForQuery')
  const error = messages.find((m) => m.name === 'error')?.message as DatabaseError | undefined
  if (error !== undefined) return `${error.code} ${error.message} | ${error.where ?? '(no context)'}`
  return `row ${JSON.stringify(messages.find((m) => m.name === 'dataRow')?.values?.map((v) => v?.toString('hex')))}`
}

describe('integration: Bind parameter errors against PostgreSQL 15 (SQLSTATE, message, CONTEXT)', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: RawPgClient[] = []

  before(async function () {
    dataDir = makeTempDir('bind-param-errors')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
  })

  after(async function () {
    for (const client of clients) client.close()
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('every malformed parameter fails the Bind as PostgreSQL fails it, and the session goes on', async function () {
    const [nodedb, pg] = [await RawPgClient.connect(server.pgPort), await RawPgClient.connect(postgres.port)]
    clients.push(nodedb, pg)
    for (const client of [nodedb, pg]) await client.readUntil('readyForQuery')
    for (const test of CASES) {
      const theirs = await outcome(pg, test)
      assert.match(theirs, /^\w{5} /, `PostgreSQL answered ${test.sql} with a row: the case tests nothing`)
      assert.equal(await outcome(nodedb, test), theirs, `${test.sql} ${test.values.map((v) => v?.toString('hex')).join(', ')}`)
    }
    const next = { sql: 'SELECT $1::int4 + 1', values: [Buffer.from('41')], formats: [TEXT] }
    assert.equal(await outcome(nodedb, next), await outcome(pg, next))
  })
})
