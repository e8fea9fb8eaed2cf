// Goal: every Grafana PostgreSQL-datasource macro, as Grafana expands it, gives on nodedb exactly what PostgreSQL 15
// gives for the same rows (issue 9, ../shared/clients.md §1.2–1.4), in the statement shapes of the time-series long
// form (a `metric` column), the wide form, fill modes, the table format, variables and annotations.
// Method: each case holds Grafana's raw SQL (for the reader) and its expansion written out byte for byte as
// macros.go produces it (RFC3339Nano times, seconds printed with Go's %v, `$__timeGroup(…),` gaining ` AS "time"`)
// for the range 2024-01-01T00:20:00Z … 2024-01-01T01:40:00.5Z. Each runs against nodedb and a real PostgreSQL
// holding the same rows, twice: as one simple Query (how Grafana sends panel queries) and as pgx's cached
// statement asking for binary int4/int8/float8/timestamptz (how the pgx path sends `pool.Query`), compared byte
// for byte. Fill modes change nothing on the wire (Grafana resamples the wide frame afterwards), so their cases
// check the SQL the datasource actually sends.
import { assertSameAnswer, startGrafanaPair, type GrafanaPair } from '../clients/grafana-fixture.js'
import { BINARY_CODECS_PENDING } from '../clients/pgx-wire.js'

const FILTER = `time BETWEEN '2024-01-01T00:20:00Z' AND '2024-01-01T01:40:00.5Z'`

interface MacroCase {
  readonly name: string
  readonly grafana: string
  readonly sql: string
  readonly rowsort?: boolean
}

const CASES: ReadonlyArray<MacroCase> = [
  { name: 'long form: $__timeGroupAlias + metric column',
    grafana: `SELECT $__timeGroupAlias(time,'5m'), host AS metric, avg(usage_user) AS "usage_user" FROM gcpu WHERE $__timeFilter(time) GROUP BY 1,2 ORDER BY 1,2`,
    sql: `SELECT floor(extract(epoch from time)/300)*300 AS "time", host AS metric, avg(usage_user) AS "usage_user" FROM gcpu WHERE ${FILTER} GROUP BY 1,2 ORDER BY 1,2` },
  { name: 'long form, two value columns (metric as prefix), fill NULL',
    grafana: `SELECT $__timeGroupAlias(time,'2m',NULL), host AS metric, avg(usage_user) AS u, max(usage_system) AS s FROM gcpu WHERE $__timeFilter(time) AND host IS NOT NULL GROUP BY 1,2 ORDER BY 1,2`,
    sql: `SELECT floor(extract(epoch from time)/120)*120 AS "time", host AS metric, avg(usage_user) AS u, max(usage_system) AS s FROM gcpu WHERE ${FILTER} AND host IS NOT NULL GROUP BY 1,2 ORDER BY 1,2` },
  { name: 'long form, multi-value variable',
    grafana: `SELECT $__timeGroupAlias(time,$__interval), host AS metric, count(*) AS n FROM gcpu WHERE $__timeFilter(time) AND host IN ($host) GROUP BY 1,2 ORDER BY 1,2`,
    sql: `SELECT floor(extract(epoch from time)/60)*60 AS "time", host AS metric, count(*) AS n FROM gcpu WHERE ${FILTER} AND host IN ('h0','h2') GROUP BY 1,2 ORDER BY 1,2` },
  { name: 'wide form: $__timeGroup followed by a comma gains AS "time" (pre-5.3 compatibility)',
    grafana: `SELECT $__timeGroup(time,'1m'), avg(usage_user) AS usage_user, max(usage_system) AS usage_system, sum(n) AS n, count(*) FROM gcpu WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/60)*60 AS "time", avg(usage_user) AS usage_user, max(usage_system) AS usage_system, sum(n) AS n, count(*) FROM gcpu WHERE ${FILTER} GROUP BY 1 ORDER BY 1` },
  { name: 'wide form, fill previous',
    grafana: `SELECT $__timeGroupAlias(time,'10m',previous), min(i) AS i_min, max(n) AS n_max FROM gcpu WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/600)*600 AS "time", min(i) AS i_min, max(n) AS n_max FROM gcpu WHERE ${FILTER} GROUP BY 1 ORDER BY 1` },
  { name: 'wide form, fill with a value, 1h',
    grafana: `SELECT $__timeGroupAlias(time,'1h',0), avg(usage_system) FROM gcpu WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/3600)*3600 AS "time", avg(usage_system) FROM gcpu WHERE ${FILTER} GROUP BY 1 ORDER BY 1` },
  { name: '$__timeGroup in GROUP BY (no alias), 30d printed as 2.592e+06',
    grafana: `SELECT $__timeGroupAlias(time,'30d'), count(*) FROM gcpu GROUP BY $__timeGroup(time,'30d') ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/2.592e+06)*2.592e+06 AS "time", count(*) FROM gcpu GROUP BY floor(extract(epoch from time)/2.592e+06)*2.592e+06 ORDER BY 1` },
  { name: '$__timeGroup of 20ms (0.02 s) over a fractional-second row',
    grafana: `SELECT $__timeGroupAlias(time,'20ms'), sum(i) FROM gcpu WHERE time < '2024-01-01T00:10:00Z' GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/0.02)*0.02 AS "time", sum(i) FROM gcpu WHERE time < '2024-01-01T00:10:00Z' GROUP BY 1 ORDER BY 1` },
  { name: '$__timeGroup inside a window ORDER BY (followed by ")", so no alias)',
    grafana: `SELECT $__timeGroupAlias(time,'5m'), avg(usage_user) - lag(avg(usage_user)) OVER (ORDER BY $__timeGroup(time,'5m')) AS delta FROM gcpu WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from time)/300)*300 AS "time", avg(usage_user) - lag(avg(usage_user)) OVER (ORDER BY floor(extract(epoch from time)/300)*300) AS delta FROM gcpu WHERE ${FILTER} GROUP BY 1 ORDER BY 1` },
  { name: 'a timestamp without time zone column: the Z of the range is ignored, epoch as if UTC',
    grafana: `SELECT $__timeGroupAlias(ts,'5m'), avg(usage_user) AS v FROM gcpu WHERE $__timeFilter(ts) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor(extract(epoch from ts)/300)*300 AS "time", avg(usage_user) AS v FROM gcpu WHERE ts BETWEEN '2024-01-01T00:20:00Z' AND '2024-01-01T01:40:00.5Z' GROUP BY 1 ORDER BY 1` },
  { name: 'a timestamp column as the table format\'s time',
    grafana: `SELECT ts AS "time", host, i FROM gcpu WHERE ts >= $__timeFrom() AND ts < $__timeTo() ORDER BY 1`,
    sql: `SELECT ts AS "time", host, i FROM gcpu WHERE ts >= '2024-01-01T00:20:00Z' AND ts < '2024-01-01T01:40:00.5Z' ORDER BY 1` },
  { name: '$__unixEpochFilter + $__unixEpochGroupAlias over fractional epoch seconds (float8)',
    grafana: `SELECT $__unixEpochGroupAlias(epoch_f,'1m'), max(usage_system) FROM gcpu WHERE $__unixEpochFilter(epoch_f) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor((epoch_f)/60)*60 AS "time", max(usage_system) FROM gcpu WHERE epoch_f >= 1704068400 AND epoch_f <= 1704073200 GROUP BY 1 ORDER BY 1` },
  { name: 'table format: $__timeFrom() / $__timeTo()',
    grafana: `SELECT time, host, usage_user, n, i FROM gcpu WHERE time >= $__timeFrom() AND time < $__timeTo() ORDER BY time`,
    sql: `SELECT time, host, usage_user, n, i FROM gcpu WHERE time >= '2024-01-01T00:20:00Z' AND time < '2024-01-01T01:40:00.5Z' ORDER BY time` },
  { name: 'table format: $__time',
    grafana: `SELECT $__time(time), usage_user AS value FROM gcpu WHERE $__timeFilter(time) ORDER BY 1`,
    sql: `SELECT time AS "time", usage_user AS value FROM gcpu WHERE ${FILTER} ORDER BY 1` },
  { name: 'long form: $__timeEpoch',
    grafana: `SELECT $__timeEpoch(time), host AS metric, usage_user FROM gcpu WHERE $__timeFilter(time) ORDER BY 1`,
    sql: `SELECT extract(epoch from time) as "time", host AS metric, usage_user FROM gcpu WHERE ${FILTER} ORDER BY 1` },
  { name: '$__unixEpochFilter + $__unixEpochGroupAlias over epoch seconds',
    grafana: `SELECT $__unixEpochGroupAlias(epoch_s,'5m'), avg(usage_user) AS v FROM gcpu WHERE $__unixEpochFilter(epoch_s) GROUP BY 1 ORDER BY 1`,
    sql: `SELECT floor((epoch_s)/300)*300 AS "time", avg(usage_user) AS v FROM gcpu WHERE epoch_s >= 1704068400 AND epoch_s <= 1704073200 GROUP BY 1 ORDER BY 1` },
  { name: '$__unixEpochGroup in long form',
    grafana: `SELECT $__unixEpochGroup(epoch_s,'10m') AS time, host AS metric, count(*) FROM gcpu WHERE $__unixEpochFilter(epoch_s) GROUP BY 1,2 ORDER BY 1,2`,
    sql: `SELECT floor((epoch_s)/600)*600 AS time, host AS metric, count(*) FROM gcpu WHERE epoch_s >= 1704068400 AND epoch_s <= 1704073200 GROUP BY 1,2 ORDER BY 1,2` },
  { name: '$__unixEpochNanoFilter over epoch nanoseconds (beyond 2^53)',
    grafana: `SELECT epoch_ns AS "time", i, usage_user FROM gcpu WHERE $__unixEpochNanoFilter(epoch_ns) ORDER BY 1`,
    sql: `SELECT epoch_ns AS "time", i, usage_user FROM gcpu WHERE epoch_ns >= 1704068400000000000 AND epoch_ns <= 1704073200500000000 ORDER BY 1` },
  { name: '$__unixEpochNanoFrom() / $__unixEpochNanoTo() and $__unixEpochFrom() / $__unixEpochTo()',
    grafana: `SELECT count(*), min(epoch_s), max(epoch_s) FROM gcpu WHERE epoch_ns BETWEEN $__unixEpochNanoFrom() AND $__unixEpochNanoTo() OR epoch_s > $__unixEpochTo() + 3000 OR epoch_s < $__unixEpochFrom() - 1000`,
    sql: `SELECT count(*), min(epoch_s), max(epoch_s) FROM gcpu WHERE epoch_ns BETWEEN 1704068400000000000 AND 1704073200500000000 OR epoch_s > 1704073200 + 3000 OR epoch_s < 1704068400 - 1000` },
  { name: "query builder's default: GROUP BY time (the column, not the alias), LIMIT 50 and a trailing space",
    grafana: `SELECT $__timeGroupAlias(time,$__interval), AVG(usage_user) FROM gcpu WHERE ($__timeFilter(time) AND host = 'h1') GROUP BY time LIMIT 50 `,
    sql: `SELECT floor(extract(epoch from time)/60)*60 AS "time", AVG(usage_user) FROM gcpu WHERE (${FILTER} AND host = 'h1') GROUP BY time LIMIT 50 `,
    rowsort: true },
  { name: 'a trailing SQLCommenter tag survives stripSQLComments',
    grafana: `SELECT $__timeGroupAlias(time,'5m'), count(usage_user) FROM gcpu WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1 /*application='grafana',source='bi'*/`,
    sql: `SELECT floor(extract(epoch from time)/300)*300 AS "time", count(usage_user) FROM gcpu WHERE ${FILTER} GROUP BY 1 ORDER BY 1 /*application='grafana',source='bi'*/` },
  { name: 'variable query with __text / __value',
    grafana: `SELECT DISTINCT host AS __text, host AS __value FROM gcpu WHERE host IS NOT NULL ORDER BY 1`,
    sql: `SELECT DISTINCT host AS __text, host AS __value FROM gcpu WHERE host IS NOT NULL ORDER BY 1` },
  { name: 'annotation query: time, timeend, text, tags',
    grafana: `SELECT time, time + interval '30 seconds' AS timeend, 'usage ' || host AS text, host AS tags FROM gcpu WHERE $__timeFilter(time) AND usage_user > 200 ORDER BY 1`,
    sql: `SELECT time, time + interval '30 seconds' AS timeend, 'usage ' || host AS text, host AS tags FROM gcpu WHERE ${FILTER} AND usage_user > 200 ORDER BY 1` },
  { name: "distinct values for the builder's filter (UNION ALL of one part per column)",
    grafana: '(schema.go, no macros)',
    sql: `SELECT 'host' AS col_name, "host"::text AS val FROM (SELECT DISTINCT "host" FROM "public"."gcpu" WHERE "host" IS NOT NULL ORDER BY "host" LIMIT 100) sub_0 UNION ALL SELECT 'i' AS col_name, "i"::text AS val FROM (SELECT DISTINCT "i" FROM "public"."gcpu" WHERE "i" IS NOT NULL ORDER BY "i" LIMIT 100) sub_1`,
    rowsort: true },
]

describe('integration: Grafana macros against PostgreSQL 15 (issue 9)', function () {
  this.timeout(120000)
  let pair: GrafanaPair

  before(async function () {
    pair = await startGrafanaPair('grafana-macros', BINARY_CODECS_PENDING)
  })

  after(async function () {
    await pair.stop()
  })

  for (const testCase of CASES) {
    it(`${testCase.name}: simple Query, text`, async function () {
      await assertSameAnswer(pair, (wire) => wire.simple(testCase.sql), { rowsort: testCase.rowsort })
    })
    it(`${testCase.name}: pgx cached statement, binary results`, async function () {
      await assertSameAnswer(pair, (wire) => wire.cached(testCase.sql), { rowsort: testCase.rowsort })
    })
  }
})
