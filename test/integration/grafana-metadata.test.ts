// Goal: what Grafana's PostgreSQL datasource asks besides panel queries gets PostgreSQL 15's answers from nodedb
// (issue 9, ../shared/clients.md §1.1, §1.5, §1.6): the "Save & test" health check, the version auto-detect and
// TimescaleDB probe, the query builder's table and column lists (simple Queries, byte-exact as
// postgresMetaQuery.ts sends them), and the newest backend's schema API (schema.go over pgx cached statements with
// text parameters and binary int4 results), plus binary parameters as general pgx applications send them.
// Method: test/clients/grafana-fixture.ts — the same rows in nodedb and a real PostgreSQL, answers compared byte
// for byte. PostgreSQL has only the test's table (a fresh cluster), so whole-catalog lists compare as they are.
import assert from 'node:assert/strict'
import { assertSameAnswer, startGrafanaPair, type GrafanaPair } from '../clients/grafana-fixture.js'
import { timestamptzBinary } from '../clients/pgx-wire.js'

/** ⟨SC⟩ of clients.md §1.5: "is table_schema on the search path", byte for byte (newline, then 10 spaces). */
const ON_SEARCH_PATH = `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`

const SHOW_TABLES = `SELECT
    CASE WHEN ${ON_SEARCH_PATH}
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN ${ON_SEARCH_PATH} THEN 0 ELSE 1 END, 1`

/** getSchema(T): T is the builder's table string with ' doubled. */
function getSchema(table: string): string {
  const t = table.replace(/'/g, "''")
  return `SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('${t}'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('${t}'))[1]
          AND quote_ident(table_name) = (parse_ident('${t}'))[2]
        ELSE quote_ident(table_name) = '${t}'
          AND ${ON_SEARCH_PATH}
      END`
}

/** schema.go's three statements: after each newline, two tabs and a space. */
const SCHEMAS = `SELECT schema_name FROM information_schema.schemata
\t\t WHERE schema_name NOT LIKE 'pg_%' AND schema_name != 'information_schema'
\t\t ORDER BY schema_name`
const TABLES = `SELECT table_name FROM information_schema.tables
\t\t WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW')
\t\t ORDER BY table_name`
const COLUMNS = `SELECT column_name, data_type, udt_name, numeric_precision, numeric_scale
\t\t FROM information_schema.columns
\t\t WHERE table_schema = $1 AND table_name = $2
\t\t ORDER BY ordinal_position`

describe('integration: Grafana health check, probes and metadata queries against PostgreSQL 15 (issue 9)', function () {
  this.timeout(120000)
  let pair: GrafanaPair

  before(async function () {
    pair = await startGrafanaPair('grafana-metadata', new Set())
    for (const wire of [pair.ours, pair.theirs]) {
      const made = await wire.simple('CREATE TABLE "Odd Name" ("user" TEXT, "Value" REAL, "select" INT, ts TIMESTAMP NOT NULL, d NUMERIC(10,2), v VARCHAR(20))')
      assert.equal(made.error, null, JSON.stringify(made.error))
    }
  })

  after(async function () {
    await pair.stop()
  })

  it('"Save & test": pgx\'s Ping (-- ping) and lib/pq\'s (;) get EmptyQueryResponse + ReadyForQuery', async function () {
    for (const ping of ['-- ping', ';']) {
      const ours = await assertSameAnswer(pair, (wire) => wire.simple(ping), { minRows: 0 })
      assert.equal(ours.flow, 'emptyQuery readyForQuery')
    }
  })

  it('version auto-detect answers int4 1500, over simple and pgx cached statements', async function () {
    const version = `SELECT current_setting('server_version_num')::int/100 as version`
    const ours = await assertSameAnswer(pair, (wire) => wire.simple(version))
    assert.deepEqual(ours.rows, [['1500']])
    await assertSameAnswer(pair, (wire) => wire.cached(version))
  })

  it('the TimescaleDB probe finds no extension (so Grafana keeps plain SQL macros)', async function () {
    const probe = `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`
    const ours = await assertSameAnswer(pair, (wire) => wire.simple(probe), { minRows: 0 })
    assert.equal(ours.rows.length, 0)
    assert.equal(ours.tag, 'SELECT 0')
  })

  it("the query builder's table list (showTables)", async function () {
    const ours = await assertSameAnswer(pair, (wire) => wire.simple(SHOW_TABLES), { minRows: 2 })
    assert.deepEqual(ours.rows, [['"Odd Name"'], ['gcpu']])
  })

  // 'public."Odd Name"' finds nothing on PostgreSQL either: parse_ident unquotes while quote_ident quotes.
  const columnLists: ReadonlyArray<readonly [string, number]> =
    [['gcpu', 8], ['public.gcpu', 8], ['"Odd Name"', 6], ['public."Odd Name"', 0], ['nosuch', 0]]
  for (const [table, minRows] of columnLists) {
    it(`the query builder's column list (getSchema('${table}'))`, async function () {
      await assertSameAnswer(pair, (wire) => wire.simple(getSchema(table)), { rowsort: true, minRows })
    })
  }

  it("schema.go's schema list, as pgx's cached statement", async function () {
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(SCHEMAS))
    assert.deepEqual(ours.rows, [['public']])
  })

  it("schema.go's table list: ParameterDescription [19], text parameter", async function () {
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(TABLES, ['public']), { minRows: 2 })
    assert.deepEqual(ours.prepared?.paramOids, [19])
  })

  it("schema.go's column list: ParameterDescription [19,19], binary int4 precision and scale", async function () {
    for (const table of ['gcpu', 'Odd Name']) {
      const ours = await assertSameAnswer(pair, (wire) => wire.cached(COLUMNS, ['public', table]), { minRows: 6 })
      assert.deepEqual(ours.fields?.map((field) => [field.typeOid, field.format]), [[19, 0], [1043, 0], [19, 0], [23, 1], [23, 1]])
    }
  })

  it('a statement reused from pgx\'s cache skips Parse and answers the same', async function () {
    await assertSameAnswer(pair, (wire) => wire.cached(COLUMNS, ['public', 'gcpu']), { minRows: 6 })
  })

  it('binary timestamptz parameters with inferred types, as pgx applications send them', async function () {
    const text = 'SELECT count(*), min(time), max(usage_user), sum(i) FROM gcpu WHERE time >= $1 AND time < $2 AND host = $3'
    const params = [timestamptzBinary('2024-01-01T00:30:00Z'), timestamptzBinary('2024-01-01T01:30:00Z'), 'h2']
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(text, params))
    assert.deepEqual(ours.prepared?.paramOids, [1184, 1184, 25])
  })
})
