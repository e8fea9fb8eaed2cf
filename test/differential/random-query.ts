// test/differential/random-query: a seeded generator of SELECTs over the corpus's `cpu` table (corpus-data.ts) whose
// answer PostgreSQL fixes exactly — random WHERE trees (AND/OR/NOT over comparisons, ranges, IN, LIKE, IS [NOT]
// NULL/TRUE/DISTINCT FROM, arithmetic, CASE, COALESCE, extract), grouped and global aggregates (with FILTER, HAVING,
// DISTINCT), top-N and DISTINCT ON — the shapes the planner pushes into the scans, prunes segments for and answers
// from chunk statistics. Every ORDER BY that a LIMIT or the comparison depends on is total (group keys, or
// (time, hostname), which is unique in the corpus), so a difference is a wrong answer, never an ambiguity.

import { wideQuery } from './random-query-wide.js'

export interface RandomQuery {
  readonly sql: string
  /** Rows are compared as sorted sets: the query has no total ORDER BY. */
  readonly rowsort: boolean
  /** Text parameters for $1…: the query then goes over the extended protocol, its parameter types inferred. */
  readonly values?: ReadonlyArray<string>
}

const FIELDS = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_steal']
const TAG_VALUES: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ['hostname', ['host_0', 'host_1', 'host_3', 'host_6', 'host_7', 'host_9']],
  ['region', ['us-east-1', 'us-west-2', 'eu-central-1', 'sa-east-1']],
  ['rack', ['1', '7', '42', '99']],
  ['os', ['Ubuntu16.10', 'Ubuntu15.10', 'Ubuntu16.04LTS']],
  ['team', ['SF', 'NYC', 'LON', 'CHI']],
]
const GROUP_KEYS = ['hostname', 'region', 'rack', 'healthy', "time_bucket('1 hour', time)", "time_bucket('6 hours', time)",
  "date_trunc('day', time)", 'team', 'extract(hour from time)']
/** The corpus spans 2024-03-29 12:00 UTC + 3 days; bounds reach an hour past both ends. */
const START_MS = Date.UTC(2024, 2, 29, 11, 0, 0)
const SPAN_MINUTES = (3 * 24 + 2) * 60

export class Draw {
  constructor(private readonly random: () => number, readonly fields: ReadonlyArray<string> = FIELDS) {}

  field(): string { return this.pick(this.fields) }

  int(low: number, high: number): number { return low + Math.floor(this.random() * (high - low + 1)) }
  chance(p: number): boolean { return this.random() < p }
  pick<T>(items: ReadonlyArray<T>): T { return items[this.int(0, items.length - 1)]! }
  some<T>(items: ReadonlyArray<T>, low: number, high: number): T[] {
    const pool = [...items]
    const count = Math.min(pool.length, this.int(low, high))
    return Array.from({ length: count }, () => pool.splice(this.int(0, pool.length - 1), 1)[0]!)
  }

  /** A float constant near the data (values have 2 decimals; some constants hit them exactly). */
  number(scale: number): string {
    return this.chance(0.3) ? String(this.int(-1, scale + 1)) : (this.int(-100, (scale + 1) * 100) / 100).toFixed(2)
  }

  /** A timestamptz literal on the minute, sometimes on the data's 5-minute grid, in one of two spellings. */
  time(): string {
    const minute = this.chance(0.5) ? this.int(0, SPAN_MINUTES) : this.int(0, SPAN_MINUTES / 5) * 5
    const iso = new Date(START_MS + minute * 60_000).toISOString()
    return this.chance(0.5) ? `'${iso.slice(0, 19).replace('T', ' ')}+00'` : `'${iso}'`
  }
}

const COMPARISONS = ['<', '<=', '>', '>=', '=', '<>']

/** Averages compared by averageBound stay exact while the table has fewer rows than this (see there). */
export const AVERAGE_BOUND_MAX_ROWS = 9_000

/**
 * A bound to compare an average of the data's values with: `whole` + 0.00001. On a whole number the comparison can
 * be a tie: seed 11 drew 13 values summing to exactly 325.00 (their doubles' exact sum is 325 - 5.3e-15), PostgreSQL's
 * row-order sum rounded to 325.00000000000006 and nodedb's lanes to 325, so `avg > 25` was true in one and false in
 * the other, both right to the last bit of float8. Here the average of n values with 2 decimals is S / (100 n), S an
 * integer; it equals whole.00001 only if 10^4 divides n, and otherwise lies at least 1 / (10^6 n) from it, while any
 * summation order rounds a sum of n values at most 100 by about n² · 1.1e-14 (an average by n · 1.1e-14), which stays
 * below that distance for n < 9,500: both engines then fall on the side of the exact answer.
 */
export function averageBound(whole: number): string {
  return `${whole}.00001`
}

export function atom(d: Draw): string {
  const field = d.field()
  const scale = field === 'usage_idle' ? 100 : 50
  switch (d.int(0, 15)) {
    case 0: case 1: return `${field} ${d.pick(COMPARISONS)} ${d.number(scale)}`
    case 2: return `${field} IS ${d.chance(0.5) ? 'NOT ' : ''}NULL`
    case 3: return `${field} ${d.chance(0.2) ? 'NOT ' : ''}BETWEEN ${d.number(scale / 2)} AND ${d.number(scale)}`
    case 4: case 5: return `time ${d.pick(['<', '<=', '>', '>='])} ${d.time()}`
    case 6: return `time >= ${d.time()} AND time < ${d.time()}`
    case 7: {
      const [tag, values] = d.pick(TAG_VALUES)
      return d.chance(0.5) ? `${tag} ${d.pick(['=', '<>'])} '${d.pick(values)}'` : `${tag} ${d.chance(0.2) ? 'NOT ' : ''}IN (${d.some(values, 1, 3).map((v) => `'${v}'`).join(', ')})`
    }
    case 8: return d.pick(["region LIKE 'us-%'", "hostname LIKE 'host\\_1%'", "os ILIKE '%16%'", 'rack IS NULL', 'team IS NOT NULL', "datacenter NOT LIKE '%a'"])
    case 9: return `reading ${d.pick(COMPARISONS)} ${d.int(-250, 1850)}`
    case 10: return d.pick([`reading % ${d.int(2, 9)} = ${d.int(0, 1)}`, `abs(reading) > ${d.int(0, 1500)}`, 'reading IS NULL'])
    case 11: return d.pick(['healthy', 'NOT healthy', 'healthy IS NOT TRUE', 'healthy IS DISTINCT FROM true', 'healthy IS NULL', 'healthy = false'])
    case 12: return `${field} + ${d.field()} ${d.pick(['<', '>'])} ${d.number(scale * 2)}`
    case 13: return `coalesce(${field}, ${d.int(0, 60)}) ${d.pick(['<', '>='])} ${d.number(scale)}`
    case 14: return `CASE WHEN healthy THEN ${field} ELSE ${d.field()} END > ${d.number(scale)}`
    default: return `extract(hour from time) BETWEEN ${d.int(0, 12)} AND ${d.int(10, 23)}`
  }
}

function predicate(d: Draw, depth: number): string {
  if (depth === 0 || d.chance(0.35)) return atom(d)
  switch (d.int(0, 4)) {
    case 0: case 1: return `${predicate(d, depth - 1)} AND ${predicate(d, depth - 1)}`
    case 2: case 3: return `(${predicate(d, depth - 1)} OR ${predicate(d, depth - 1)})`
    default: return `NOT (${predicate(d, depth - 1)})`
  }
}

export function where(d: Draw): string {
  if (d.chance(0.1)) return ''
  // TSBS's shape most of the time: a time range ANDed with the rest.
  const range = d.chance(0.6) ? `time >= ${d.time()} AND time < ${d.time()} AND ` : ''
  return ` WHERE ${range}${predicate(d, d.int(0, 3))}`
}

export function aggregate(d: Draw, byHost: boolean): string {
  const field = d.field()
  const filter = d.chance(0.15) ? ` FILTER (WHERE ${atom(d)})` : ''
  const call = d.pick([
    'count(*)', `count(${field})`, `sum(${field})`, `avg(${field})`, `min(${field})`, `max(${field})`, 'sum(reading)',
    'min(reading)', 'max(reading)', 'min(time)', 'max(time)', 'bool_and(healthy)', 'bool_or(healthy)', 'count(DISTINCT hostname)',
    `max(${field} - ${d.field()})`, 'count(reading)', 'avg(reading)',
    ...(byHost ? [`first(${field}, time)`, `last(${field}, time)`] : []),
  ])
  return `${call}${filter}`
}

/** An expression over aggregates, as dashboards write them. */
function aggregateExpression(d: Draw, byHost: boolean): string {
  const field = d.field()
  return d.pick([aggregate(d, byHost), aggregate(d, byHost), `max(${field}) - min(${field})`, `count(*) * 2 + 1`,
    `round(avg(${field})::numeric, 2)`, `sum(${field}) / nullif(count(${field}), 0)`, `coalesce(max(reading), -1)`,
    `CASE WHEN count(*) > 10 THEN 'many' ELSE 'few' END`, `avg(${field}) > ${averageBound(25)}`])
}

function groupedQuery(d: Draw): RandomQuery {
  const keys = d.some(GROUP_KEYS, 1, 2)
  const aggregates = Array.from({ length: d.int(1, 4) }, () => aggregateExpression(d, keys.includes('hostname')))
  const having = d.chance(0.2) ? ` HAVING count(*) > ${d.int(0, 40)}` : ''
  const positions = keys.map((_, i) => `${i + 1}${d.chance(0.3) ? ' DESC' : ''}${d.chance(0.2) ? ' NULLS FIRST' : ''}`)
  const ordered = d.chance(0.7)
  const limit = ordered && d.chance(0.4) ? ` LIMIT ${d.int(1, 20)}` : ''
  const sql = `SELECT ${[...keys, ...aggregates].join(', ')} FROM cpu${where(d)} GROUP BY ${keys.join(', ')}${having}` +
    `${ordered ? ` ORDER BY ${positions.join(', ')}` : ''}${limit}`
  return { sql, rowsort: !ordered }
}

function scanQuery(d: Draw): RandomQuery {
  const columns = ['time', 'hostname', ...d.some(d.fields, 1, 3), ...(d.chance(0.3) ? ['reading', 'healthy'] : [])]
  if (d.chance(0.2)) columns.push(`${d.field()} * 2 - ${d.field()} AS computed`)
  const direction = d.chance(0.5) ? ' DESC' : ''
  const byValue = d.chance(0.4) ? `${d.field()}${d.chance(0.5) ? ' DESC' : ''} NULLS ${d.pick(['FIRST', 'LAST'])}, ` : ''
  const sql = `SELECT ${columns.join(', ')} FROM cpu${where(d)} ORDER BY ${byValue}time${direction}, hostname LIMIT ${d.int(1, 60)}` +
    `${d.chance(0.2) ? ` OFFSET ${d.int(1, 30)}` : ''}`
  return { sql, rowsort: false }
}

function globalQuery(d: Draw): RandomQuery {
  const aggregates = Array.from({ length: d.int(1, 5) }, () => aggregate(d, false))
  return { sql: `SELECT ${aggregates.join(', ')} FROM cpu${where(d)}`, rowsort: false }
}

function lastpointQuery(d: Draw): RandomQuery {
  const tag = d.pick(['hostname', 'region', 'rack'])
  const field = d.field()
  return { sql: `SELECT DISTINCT ON (${tag}) ${tag}, time, ${field} FROM cpu${where(d)} ORDER BY ${tag}, time DESC, hostname`, rowsort: false }
}

function joinQuery(d: Draw): RandomQuery {
  const join = d.pick(['JOIN', 'LEFT JOIN'])
  const key = d.pick(['h.owner', 'h.cores', 'c.hostname'])
  const sql = `SELECT ${key}, count(*), max(c.${d.field()}) FROM cpu c ${join} hosts h ON h.hostname = c.hostname` +
    `${where(d).replace(/\b(time|hostname)\b/g, 'c.$1')} GROUP BY ${key} ORDER BY 1 NULLS FIRST`
  return { sql, rowsort: false }
}

function subqueryQuery(d: Draw): RandomQuery {
  const inner = d.pick([`SELECT hostname FROM hosts WHERE cores > ${d.int(1, 40)}`, "SELECT hostname FROM hosts WHERE owner IS NULL",
    `SELECT hostname FROM cpu WHERE ${atom(d)} GROUP BY hostname HAVING count(*) > ${d.int(1, 200)}`])
  const membership = d.pick(['IN', 'NOT IN'])
  const sql = `SELECT hostname, count(*), min(time) FROM cpu WHERE hostname ${membership} (${inner})${where(d).replace(' WHERE ', ' AND ')} ` +
    'GROUP BY hostname ORDER BY hostname'
  return { sql, rowsort: false }
}

function windowQuery(d: Draw): RandomQuery {
  const field = d.field()
  const call = d.pick([`lag(${field}) OVER w`, `lead(${field}, 2) OVER w`, 'row_number() OVER w', `sum(${field}) OVER w`,
    `avg(${field}) OVER (PARTITION BY hostname ORDER BY time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)`, `first_value(${field}) OVER w`])
  const sql = `SELECT hostname, time, ${field}, ${call} FROM cpu${where(d)} WINDOW w AS (PARTITION BY hostname ORDER BY time) ` +
    `ORDER BY hostname, time LIMIT ${d.int(5, 80)}`
  return { sql, rowsort: false }
}

/** The query with its first timestamptz literal sent as $1 (over the extended protocol), when it has one. */
function parameterized(query: RandomQuery): RandomQuery {
  // Not a typed literal (TIMESTAMP '…'): its type comes from its keyword, where a parameter cannot stand.
  const literal = /(?<!(?:TIMESTAMPTZ|TIMESTAMP|DATE) )'(2024-[^']*)'/.exec(query.sql)
  if (literal === null) return query
  return { ...query, sql: query.sql.replace(literal[0], '$1'), values: [literal[1]!] }
}

/**
 * INSERTs of `count` more cpu rows spread over the corpus's span, off its 5-minute grid (minute ≡ `lane` or
 * `lane` + 1 mod 5 — lanes 1 and 3 never meet — each host's minutes distinct), so (time, hostname) stays unique:
 * written after a CHECKPOINT, they sit in memtables overlapping the segments' time ranges.
 */
export function extraRowInserts(random: () => number, count: number, lane: 1 | 3, extraField?: string): string[] {
  const d = new Draw(random)
  const used = new Set<string>()
  const rows: string[] = []
  while (rows.length < count) {
    const host = d.int(0, 7)
    const minute = d.int(60, SPAN_MINUTES - 60)
    if ((minute % 5 !== lane && minute % 5 !== lane + 1) || used.has(`${host}/${minute}`)) continue
    used.add(`${host}/${minute}`)
    const time = new Date(START_MS + minute * 60_000).toISOString()
    const value = (scale: number): string => (d.chance(0.05) ? 'NULL' : (d.int(0, scale * 100) / 100).toFixed(2))
    const fields = [...FIELDS, ...(extraField === undefined ? [] : [extraField])].map((field) => value(field === 'usage_idle' ? 100 : 50))
    const region = d.pick(TAG_VALUES[1]![1])
    rows.push(`('${time}', 'host_${host}', '${region}', ${fields.join(', ')}, ${d.chance(0.05) ? 'NULL' : d.int(-200, 1800)}, ${d.pick(['true', 'false', 'NULL'])})`)
  }
  const columns = `time, hostname, region, ${[...FIELDS, ...(extraField === undefined ? [] : [extraField])].join(', ')}, reading, healthy`
  return [0, 1].map((half) => `INSERT INTO cpu (${columns}) VALUES ${rows.filter((_, i) => i % 2 === half).join(', ')}`)
}

/**
 * `count` queries drawn from `random`: grouped, top-N scans, global aggregates, DISTINCT ON, joins, subqueries and
 * windows, and random-query-wide.ts's shapes, mixed; `extraField` (a float8 column added later) joins the fields they use.
 */
export function randomQueries(random: () => number, count: number, extraField?: string): RandomQuery[] {
  const d = new Draw(random, extraField === undefined ? FIELDS : [...FIELDS, extraField, extraField])
  return Array.from({ length: count }, () => {
    const kind = d.int(0, 18)
    const query = kind < 4 ? groupedQuery(d) : kind < 7 ? scanQuery(d) : kind < 9 ? globalQuery(d) : kind < 10 ? lastpointQuery(d)
      : kind < 11 ? joinQuery(d) : kind < 12 ? subqueryQuery(d) : kind < 14 ? windowQuery(d) : wideQuery(d)
    return d.chance(0.2) ? parameterized(query) : query
  })
}
