// Goal: SET / SHOW / RESET / SHOW ALL, SET LOCAL, settings restored by ROLLBACK, DISCARD ALL and DEALLOCATE answer
// as PostgreSQL 15 does — the same values, the same display units, the same errors (22023 with PostgreSQL's
// messages and hints, 42704, 55P02, 26000, 25001) and warnings. Method: each statement runs through node-postgres
// on the real server process and on a real PostgreSQL (test/helpers/postgres.ts); results, errors and notices must
// be equal. Where nodedb refuses a value PostgreSQL accepts (it cannot honour it), the test says so and asserts 0A000.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const SCRIPT: ReadonlyArray<string> = [
  'SHOW statement_timeout', "SET statement_timeout = '5s'", 'SHOW statement_timeout', 'SET statement_timeout = 1500',
  'SHOW statement_timeout', "SET statement_timeout = '1.5s'", 'SHOW statement_timeout', "SET statement_timeout = '90s'",
  'SHOW statement_timeout', "SET statement_timeout = 'abc'", "SET statement_timeout = '5 weeks'", 'SET statement_timeout = -1',
  "SET statement_timeout = '100us'", 'SHOW statement_timeout', "SET statement_timeout = '3000000000'",
  "SET statement_timeout = '1d'", 'SHOW statement_timeout', 'SET statement_timeout = 86400000', 'SHOW statement_timeout',
  "SET statement_timeout = ' 5 s '", 'SHOW statement_timeout', "SET statement_timeout = '5S'", 'SET statement_timeout = 5.7',
  'SHOW statement_timeout', 'SET statement_timeout = 1, 2', 'SET statement_timeout TO DEFAULT', 'SHOW statement_timeout',
  "SET idle_session_timeout = '1min'", 'SHOW idle_session_timeout', "SET idle_in_transaction_session_timeout = '2h'",
  'SHOW idle_in_transaction_session_timeout', 'SET lock_timeout = 0', 'SHOW lock_timeout', "SET work_mem = '64MB'", 'SHOW work_mem',
  'SET extra_float_digits = 5', "SET extra_float_digits = 'x'", 'SET extra_float_digits = 3', 'SHOW extra_float_digits',
  "SET DateStyle = 'iso'", 'SHOW DateStyle', "SET datestyle = 'mdy'", 'SHOW datestyle', "SET DateStyle = 'foo'",
  "SET DateStyle = 'iso, german'", "SET DateStyle = 'ISO, DMY'", 'SHOW DateStyle',
  "SELECT '02/01/2024'::date::text, '02/01/2024 10:00'::timestamp::text, '1/2/24 10:00 UTC'::timestamptz::text",
  "SELECT '13/01/2024'::date::text", "SELECT '01/13/2024'::date::text", "SET DateStyle = 'ymd'", 'SHOW DateStyle',
  "SELECT '24/02/01'::date::text, '2024/02/01'::date::text, '01-Feb-24'::date::text", "SET DateStyle = 'euro'",
  'SHOW DateStyle', "SET DateStyle = 'us'", 'SHOW DateStyle', "SELECT '13/01/2024'::date::text", "SET DateStyle = 'German'",
  'SHOW DateStyle', "SELECT '02.01.2024'::date, '02.01.2024'::date::text", "SET DateStyle = 'SQL, DMY'", 'SHOW DateStyle',
  "SET DateStyle = 'Postgres'", 'SHOW DateStyle', "SELECT timestamp '2024-01-02 03:04:05'", "SET DateStyle = 'sql'", 'SHOW DateStyle',
  "SET IntervalStyle = 'sql_standard'", 'SHOW IntervalStyle', "SELECT interval '-1 2:03:04', '-1 2:03:04'::interval::text",
  "SET IntervalStyle = 'iso_8601'", "SELECT interval '1 day 2 hours'", 'RESET IntervalStyle', 'RESET DateStyle',
  'SHOW DateStyle', "SET IntervalStyle = 'foo'", "SET IntervalStyle = 'POSTGRES'", 'SHOW IntervalStyle',
  "SET client_encoding = 'utf-8'", 'SHOW client_encoding', "SET client_encoding = 'nope'", "SET NAMES 'UTF8'",
  'SET standard_conforming_strings = maybe', 'SET standard_conforming_strings = yes', 'SHOW standard_conforming_strings',
  "SET server_version = '1'", 'SET integer_datetimes = on', 'SET block_size = 1', 'SET foo = 1', 'SHOW foo', 'RESET foo',
  'SET foo.bar = 1', 'SHOW foo.bar', 'RESET foo.bar', 'SHOW foo.bar', 'SHOW foo.never_set',
  'SET search_path = a, b', 'SHOW search_path', "SET search_path = 'a,b'", 'SHOW search_path',
  'SET search_path TO "My", public', 'SHOW search_path', "SET search_path = '$user', public", 'SHOW search_path',
  'RESET search_path', 'SHOW search_path', 'SET application_name = 123', 'SHOW application_name',
  "SET application_name = 'naïve'", 'SHOW application_name', "SET TimeZone = 'europe/berlin'", 'SHOW TimeZone',
  "SET TIME ZONE 'UTC'", 'SHOW time zone', "SET timezone = 'nope'", 'SET TimeZone = -5', 'SHOW TimeZone',
  'SET TimeZone = 5', 'SHOW TimeZone', 'SET TimeZone = -5.5', 'SHOW TimeZone', 'SET TimeZone = 0', 'SHOW TimeZone',
  "SET LOCAL statement_timeout = '1s'", 'SHOW statement_timeout', 'SHOW is_superuser', 'SHOW session_authorization',
  'SHOW integer_datetimes', 'SHOW server_encoding', 'SHOW transaction_isolation', 'SHOW bytea_output', 'SHOW lc_messages',
  "SELECT current_setting('statement_timeout'), current_setting('TimeZone')", 'SHOW user',
  'BEGIN', "SET LOCAL statement_timeout = '3s'", "SET application_name = 'in block'", 'SHOW statement_timeout', 'COMMIT',
  'SHOW statement_timeout', 'SHOW application_name', 'BEGIN', "SET statement_timeout = '4s'", "SET TimeZone = 'Asia/Tokyo'",
  'ROLLBACK', 'SHOW statement_timeout', 'SHOW TimeZone', 'BEGIN', "SET statement_timeout = '7s'", 'SELECT 1/0', 'COMMIT',
  'SHOW statement_timeout', 'BEGIN', 'BEGIN', 'DISCARD ALL', 'ROLLBACK', 'COMMIT', "SET statement_timeout = '9s'",
  'RESET ALL', 'SHOW statement_timeout', 'SHOW application_name', 'SHOW TimeZone', 'DEALLOCATE nothing', 'DEALLOCATE ALL',
  'DISCARD ALL',
]

/** Values nodedb deliberately refuses with 0A000 although PostgreSQL accepts them: it cannot honour them. */
const NOT_HONOURED: ReadonlyArray<string> = [
  "SET client_encoding = 'LATIN1'",
  'SET standard_conforming_strings = off', 'SET extra_float_digits = 0', 'SET default_transaction_read_only = on',
  "SET bytea_output = 'escape'", "SET lc_messages = 'POSIX'",
]

/** SHOW ALL rows that differ by design: versions, and defaults nodedb sets otherwise (no JIT, its own connection cap). */
const SHOW_ALL_DIFFERENT = new Set(['server_version', 'server_version_num', 'jit', 'max_connections'])

type Answer = Record<string, unknown>

async function answer(client: pg.Client, notices: string[], text: string): Promise<Answer> {
  notices.length = 0
  try {
    const result = await client.query({ text, rowMode: 'array' })
    return { command: result.command, fields: result.fields.map((f) => [f.name, f.dataTypeID]), rows: result.rows, notices: [...notices] }
  } catch (thrown) {
    const e = thrown as { code?: string; message?: string; detail?: string; hint?: string; severity?: string }
    return { code: e.code, message: e.message, detail: e.detail, hint: e.hint, severity: e.severity, notices: [...notices] }
  }
}

describe('integration: sessions — SET / SHOW / RESET / SHOW ALL against PostgreSQL 15', function () {
  this.timeout(120_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const clients: pg.Client[] = []

  async function connect(port: number): Promise<{ client: pg.Client; notices: string[] }> {
    // TimeZone and application_name are fixed at startup so RESET returns both servers to the same values.
    const client = new pg.Client({
      host: '127.0.0.1', port, user: 'postgres', database: 'postgres', application_name: 'settings-test', options: '-c TimeZone=UTC',
    })
    await client.connect()
    const notices: string[] = []
    client.on('notice', (notice) => notices.push(`${notice.severity ?? ''} ${notice.code ?? ''} ${notice.message}`))
    clients.push(client)
    return { client, notices }
  }

  before(async function () {
    dataDir = makeTempDir('sessions-settings')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
  })

  after(async function () {
    for (const client of clients) await client.end().catch(() => undefined)
    postgres?.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('each statement answers as PostgreSQL: values, display units, errors, warnings, transactions', async function () {
    const ours = await connect(server.pgPort)
    const theirs = await connect(postgres.port)
    for (const text of SCRIPT) {
      assert.deepEqual(await answer(ours.client, ours.notices, text), await answer(theirs.client, theirs.notices, text), text)
    }
  })

  it('DEALLOCATE names the protocol-level prepared statements, as PostgreSQL', async function () {
    for (const port of [server.pgPort, postgres.port]) {
      const { client, notices } = await connect(port)
      await client.query({ name: 'p1', text: 'SELECT 1 AS one' })
      assert.deepEqual(await answer(client, notices, 'DEALLOCATE p1'), { command: 'DEALLOCATE', fields: [], rows: [], notices: [] })
      const again = await answer(client, notices, 'DEALLOCATE PREPARE p1')
      assert.deepEqual([again['code'], again['message']], ['26000', 'prepared statement "p1" does not exist'])
    }
  })

  it('pg_prepared_statements lists PREPARE\'s and Parse\'s named statements as PostgreSQL: text, types, origin, plans', async function () {
    const run = async (port: number): Promise<unknown> => {
      const { client } = await connect(port)
      await client.query('PREPARE p_sql (int, text) AS SELECT $1, $2')
      await client.query('PREPARE p_inferred AS SELECT $1::float8 + 1')
      for (const values of [[1, 2], [3, 4]]) await client.query({ name: 'p_proto', text: 'SELECT $1::int + $2::int8', values })
      await client.query("EXECUTE p_sql (1, 'a')")
      const { rows } = await client.query({
        text: `SELECT name, statement, parameter_types::text, from_sql, generic_plans + custom_plans, prepare_time <= now(),
          pg_typeof(parameter_types)::text FROM pg_prepared_statements ORDER BY name`, rowMode: 'array',
      })
      await client.query('DEALLOCATE ALL')
      return [rows, (await client.query('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows]
    }
    const ours = await run(server.pgPort)
    assert.equal((ours as unknown[][])[0]!.length, 3)
    assert.deepEqual(ours, await run(postgres.port))
  })

  it('DateStyle field orders (and TimeZone) read bound parameters as PostgreSQL; DateStyle is reported with ParameterStatus', async function () {
    const run = async (port: number): Promise<unknown[]> => {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', options: '-c DateStyle=YMD -c TimeZone=UTC' })
      const reported: string[] = []
      const connection = (client as unknown as { connection: { on(event: string, f: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection
      connection.on('parameterStatus', (m) => { if (m.parameterName === 'DateStyle') reported.push(m.parameterValue) })
      await client.connect()
      clients.push(client)
      const out: unknown[] = []
      const values = ['02/01/2024', '02/01/2024 10:00:00+02', '02/01/2024 10:00']
      const text = 'SELECT $1::date::text, $2::timestamptz::text, $3::timestamp::text'
      for (const style of ['ISO, DMY', 'mdy', 'ISO, YMD']) {
        await client.query(`SET DateStyle = '${style}'`)
        try {
          out.push((await client.query({ text, values, rowMode: 'array' })).rows)
        } catch (thrown) {
          out.push((thrown as { code?: string }).code)
        }
      }
      // A text timestamptz parameter without a zone is read in the session's TimeZone, as timestamptz_in does.
      await client.query("SET TimeZone = 'Europe/Berlin'")
      out.push((await client.query({ text: 'SELECT $1::timestamptz::text', values: ['2024-07-01 12:00'], rowMode: 'array' })).rows)
      return [...out, reported]
    }
    assert.deepEqual(await run(server.pgPort), await run(postgres.port))
  })

  it('SHOW ALL lists what PostgreSQL lists for the same settings, in its order', async function () {
    const rowsOf = async (port: number): Promise<string[][]> => {
      const { client } = await connect(port)
      await client.query("SET statement_timeout = '5s'")
      return (await client.query({ text: 'SHOW ALL', rowMode: 'array' })).rows as string[][]
    }
    const ours = await rowsOf(server.pgPort)
    const names = new Set(ours.map((row) => row[0]))
    const theirs = (await rowsOf(postgres.port)).filter((row) => names.has(row[0] ?? ''))
    assert.equal(ours.length, theirs.length, 'every setting nodedb lists exists in PostgreSQL')
    const comparable = (rows: string[][]): string[][] => rows.filter((row) => !SHOW_ALL_DIFFERENT.has(row[0] ?? ''))
    assert.deepEqual(comparable(ours), comparable(theirs))
  })

  it('pg_settings: name, setting (in base units), unit, short_desc and vartype as PostgreSQL has them', async function () {
    const rowsOf = async (port: number, names: ReadonlyArray<string> | null): Promise<string[][]> => {
      const { client } = await connect(port)
      await client.query("SET statement_timeout = '5s'")
      const where = names === null ? '' : `WHERE name = ANY($1)`
      const text = `SELECT name, setting, unit, short_desc, vartype FROM pg_settings ${where} ORDER BY lower(name)`
      return (await client.query({ text, values: names === null ? [] : [names], rowMode: 'array' })).rows as string[][]
    }
    const ours = (await rowsOf(server.pgPort, null)).filter((row) => !SHOW_ALL_DIFFERENT.has(row[0] ?? ''))
    assert.deepEqual(ours, await rowsOf(postgres.port, ours.map((row) => row[0] ?? '')))
  })

  it('values nodedb cannot honour are refused with 0A000 (PostgreSQL accepts them), and nothing changes', async function () {
    const { client, notices } = await connect(server.pgPort)
    const before = (await client.query({ text: 'SHOW ALL', rowMode: 'array' })).rows
    for (const text of NOT_HONOURED) {
      assert.equal((await answer(client, notices, text))['code'], '0A000', text)
    }
    assert.deepEqual((await client.query({ text: 'SHOW ALL', rowMode: 'array' })).rows, before)
  })
})
