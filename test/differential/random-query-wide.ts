// test/differential/random-query-wide: the shapes random-query.ts's planner-facing forms leave out, drawn the same
// way — expressions as group keys and sort keys (NULLS FIRST/LAST), date_bin and time_bucket with origins, timestamp
// against timestamptz (the session zone decides), integer overflow (22003) and division by zero (22012) inside
// aggregates, string functions, aggregates over expressions, HAVING on aggregates the select list does not show,
// derived tables, scalar and EXISTS subqueries, set operations, CTEs and window frames. Every ORDER BY a LIMIT or the
// comparison depends on is total; the rest is compared as a sorted set. Errors are drawn where every row PostgreSQL
// must read raises them the same way (no LIMIT in front of an erring expression).
import { aggregate, atom, averageBound, Draw, where, type RandomQuery } from './random-query.js'

const STRING_KEYS = ['upper(region)', "split_part(region, '-', 1)", 'substr(hostname, 6)', 'length(os)', "coalesce(team, 'none')",
  "replace(datacenter, '-', '_')", "left(hostname, 5) || rack", "lpad(rack, 3, '0')", "position('east' in region)", 'initcap(os)',
  "concat(hostname, ':', team)", 'reverse(service_environment)']
const NUMBER_KEYS = ['reading / 100', 'reading % 3', 'round(usage_user / 10)', 'floor(usage_idle / 25)::int', 'healthy IS TRUE',
  "CASE WHEN usage_user > 25 THEN 'high' WHEN usage_user IS NULL THEN NULL ELSE 'low' END", 'usage_nice > usage_steal']
const TIME_KEYS = ["date_bin('15 minutes', time, TIMESTAMPTZ '2024-03-29 00:07:00+00')", "date_bin('2 hours', time, TIMESTAMPTZ '2001-01-01 00:30:00+00')",
  "time_bucket('1 hour', time, TIMESTAMPTZ '2024-03-29 00:20:00+00')", "date_trunc('hour', time) + INTERVAL '30 minutes'", 'time::date',
  "date_trunc('day', time AT TIME ZONE 'America/New_York')", 'extract(dow from time)', "to_char(time, 'YYYY-MM-DD HH24')"]

/** A group key that is an expression, not a column. */
function keyExpression(d: Draw): string {
  return d.pick([d.pick(STRING_KEYS), d.pick(NUMBER_KEYS), d.pick(TIME_KEYS)])
}

/** An aggregate over an expression, or one that overflows or divides by zero on some rows. */
function expressionAggregate(d: Draw): string {
  const [a, b] = [d.field(), d.field()]
  // Rarely, so PostgreSQL answers most queries: 22003 or 22012 wherever a row (or group) the query reads has them.
  if (d.chance(0.08)) {
    return d.pick(['sum(reading * 2000000)', '(max(reading) * 40)::int2', 'sum(100 / (reading % 7))', `sum(${a}) / (count(*) - count(*))`,
      // Not a float sum cast to an integer: its rounding at .5 would follow the summation order.
      'sum(reading)::int2', `(max(${a}) * 1000)::int2`])
  }
  return d.pick([`sum(${a} * 2 + 1)`, `avg(abs(${a} - ${b}))`, `max(greatest(${a}, ${b}))`, `min(least(${a}, ${b}, 30))`,
    'sum(CASE WHEN healthy THEN 1 ELSE 0 END)', `count(*) FILTER (WHERE ${a} > ${b})`, `round(stddev(${a})::numeric, 6)`,
    `round(var_pop(${a})::numeric, 6)`, "string_agg(DISTINCT hostname, ',' ORDER BY hostname)", 'array_agg(DISTINCT rack ORDER BY rack)',
    'sum(reading::bigint * reading)', `max(length(hostname || ${a}::text))`, `avg(${a}) FILTER (WHERE region LIKE 'us%')`])
}

function expressionGroupQuery(d: Draw): RandomQuery {
  const keys = d.some([keyExpression(d), keyExpression(d), 'hostname'], 1, 2)
  const aggregates = Array.from({ length: d.int(1, 3) }, () => (d.chance(0.5) ? expressionAggregate(d) : aggregate(d, false)))
  const having = d.chance(0.3) ? ` HAVING ${d.pick([`max(${d.field()}) > ${d.int(10, 60)}`, `min(reading) < ${d.int(0, 900)}`,
    `count(DISTINCT hostname) > ${d.int(1, 4)}`, `avg(${d.field()}) BETWEEN ${averageBound(d.int(0, 20))} AND ${averageBound(d.int(20, 60))}`])}` : ''
  const ordered = d.chance(0.6)
  const order = keys.map((_, i) => `${i + 1}${d.chance(0.4) ? ' DESC' : ''}${d.chance(0.4) ? ` NULLS ${d.pick(['FIRST', 'LAST'])}` : ''}`)
  const limit = ordered && d.chance(0.3) ? ` LIMIT ${d.int(1, 15)}` : ''
  const sql = `SELECT ${[...keys, ...aggregates].join(', ')} FROM cpu${where(d)} GROUP BY ${keys.join(', ')}${having}` +
    `${ordered ? ` ORDER BY ${order.join(', ')}` : ''}${limit}`
  return { sql, rowsort: !ordered }
}

/** Rows ordered by an expression first, (time, hostname) after: total. */
function expressionOrderQuery(d: Draw): RandomQuery {
  const [a, b] = [d.field(), d.field()]
  const key = d.pick([`${a} + ${b}`, `${a} - ${b}`, `abs(${a} - 25)`, 'length(os)', 'upper(team)', `coalesce(${a}, -1)`,
    'reading % 10', 'time::date', "extract(hour from time AT TIME ZONE 'Asia/Kolkata')", `CASE WHEN healthy THEN ${a} END`])
  const nulls = d.chance(0.6) ? ` NULLS ${d.pick(['FIRST', 'LAST'])}` : ''
  const sql = `SELECT time, hostname, ${key} AS k, ${a} FROM cpu${where(d)} ORDER BY ${key}${d.chance(0.5) ? ' DESC' : ''}${nulls}, ` +
    `time${d.chance(0.5) ? ' DESC' : ''}, hostname LIMIT ${d.int(1, 40)}`
  return { sql, rowsort: false }
}

/** A local timestamp (no zone) on the corpus's span: compared with timestamptz, the session zone decides. */
function localTime(d: Draw): string {
  return `TIMESTAMP '2024-0${d.pick(['3-29', '3-30', '3-31', '4-01'])} ${String(d.int(0, 23)).padStart(2, '0')}:${d.pick(['00', '30', '55'])}:00'`
}

function zonedComparisonQuery(d: Draw): RandomQuery {
  const condition = d.pick([`time ${d.pick(['<', '>=', '='])} ${localTime(d)}`, `time::timestamp >= ${localTime(d)}`,
    `time::date = DATE '2024-03-${d.int(29, 31)}'`, `time AT TIME ZONE 'UTC' < ${localTime(d)}`,
    `time BETWEEN ${localTime(d)} AND ${localTime(d)}`, `date_trunc('day', time) = TIMESTAMP '2024-03-31 00:00:00'`])
  const sql = `SELECT count(*), min(time), max(time::timestamp), count(DISTINCT time::date) FROM cpu WHERE ${condition}` +
    `${d.chance(0.5) ? ` AND ${atom(d)}` : ''}`
  return { sql, rowsort: false }
}

function derivedQuery(d: Draw): RandomQuery {
  const field = d.field()
  const inner = `SELECT hostname, region, avg(${field}) AS a, count(*) AS n, max(time) AS last FROM cpu${where(d)} GROUP BY hostname, region`
  return d.pick([
    // Rows added later give a host other regions: ordered by every column (rows equal in all are indistinguishable).
    { sql: `SELECT hostname, round(a::numeric, 4), n FROM (${inner}) s WHERE a > ${averageBound(d.int(5, 40))} ORDER BY 1, 2, 3`, rowsort: false },
    { sql: `WITH s AS (${inner}) SELECT region, sum(n), max(last) FROM s GROUP BY region ORDER BY 2 DESC, 1`, rowsort: false },
    { sql: `WITH s AS (${inner}), t AS (SELECT region, max(a) AS top FROM s GROUP BY region) SELECT s.hostname, t.top IS NOT NULL ` +
      'FROM s LEFT JOIN t ON t.region = s.region AND t.top = s.a', rowsort: true },
    { sql: `SELECT hostname, time, ${field} FROM cpu c WHERE ${field} > (SELECT max(cores) - ${d.int(0, 20)} FROM hosts h WHERE ` +
      `h.hostname = c.hostname) ORDER BY time, hostname LIMIT ${d.int(1, 30)}`, rowsort: false },
    { sql: `SELECT count(*), max(${field}) FROM cpu c WHERE ${d.chance(0.3) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM hosts h WHERE ` +
      `h.hostname = c.hostname AND h.cores > ${d.int(1, 40)})${where(d).replace(' WHERE ', ' AND ')}`, rowsort: false },
    { sql: `SELECT (SELECT max(${field}) FROM cpu WHERE ${atom(d)}), (SELECT count(*) FROM hosts WHERE owner IS NOT NULL)`, rowsort: false },
  ])
}

function setOperationQuery(d: Draw): RandomQuery {
  const column = d.pick(['hostname', 'region', 'rack', "date_trunc('day', time)", 'reading % 5'])
  const operation = d.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'INTERSECT ALL', 'EXCEPT ALL'])
  const side = (): string => `SELECT ${column} FROM cpu${where(d)}`
  const ordered = !operation.endsWith('ALL') && d.chance(0.5)
  return { sql: `${side()} ${operation} ${side()}${ordered ? ' ORDER BY 1 NULLS FIRST' : ''}`, rowsort: !ordered }
}

function frameQuery(d: Draw): RandomQuery {
  const field = d.field()
  const frame = d.pick(['ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING', 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW',
    "RANGE BETWEEN INTERVAL '10 minutes' PRECEDING AND CURRENT ROW", 'ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING',
    'RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING', "RANGE BETWEEN CURRENT ROW AND INTERVAL '15 minutes' FOLLOWING",
    'ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING', 'GROUPS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW'])
  const call = d.pick([`sum(${field})`, `avg(${field})`, `count(${field})`, `max(${field})`, `min(${field})`, `last_value(${field})`, 'count(*)'])
  const ranked = d.pick(['rank() OVER (PARTITION BY hostname ORDER BY reading)', 'dense_rank() OVER (PARTITION BY region ORDER BY rack)',
    'ntile(3) OVER (PARTITION BY hostname ORDER BY time)', 'count(*) OVER (PARTITION BY region)', `sum(${field}) OVER ()`])
  const sql = `SELECT hostname, time, ${call} OVER (PARTITION BY hostname ORDER BY time ${frame}), ${ranked} FROM cpu${where(d)} ` +
    `ORDER BY hostname, time LIMIT ${d.int(5, 60)}`
  return { sql, rowsort: false }
}

/** One query of the wider shapes. */
export function wideQuery(d: Draw): RandomQuery {
  return d.pick([expressionGroupQuery, expressionGroupQuery, expressionOrderQuery, zonedComparisonQuery, derivedQuery, derivedQuery,
    setOperationQuery, frameQuery])(d)
}
