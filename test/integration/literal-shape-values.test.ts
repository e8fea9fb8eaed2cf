// Goal: a query text of a known shape (equal to earlier texts but for its literals' values: TSBS, dashboards, ORMs
// that inline values) is answered exactly as PostgreSQL 15 answers it, for every value its literals take — whatever
// the server reuses for it (the shape's parse template, kept plans, kept overload choices, the ISO timestamp fast
// path) — and as its parameterized form answers with the same values as Bind parameters.
// Method: seeded random values (of one length for one shape, so its texts are planned from the shape's plan), edge
// cases among them (empty and inverted time ranges, 'infinity', 'epoch', zones written in every ISO spelling or
// none, out-of-range and invalid timestamps, intervals of other units, hosts that do not exist, negative numbers
// written with a unary minus, integers at int4's edge), each text sent twice (the second time from the caches) over
// the simple protocol and once with $n parameters over the extended one, in the UTC and the America/New_York session
// zones, to the nodedb server process and to a real PostgreSQL (with TimescaleDB's time_bucket defined); answers
// (tag, columns, type OIDs, text values, SQLSTATEs) must be equal.
import assert from 'node:assert/strict'
import pg from 'pg'
import { startOraclePair, type OraclePair } from '../clients/oracle-pair.js'
import { CORPUS_TABLES, POSTGRES_PREAMBLE, corpusInserts } from '../differential/corpus-data.js'
import { seededRandom } from '../helpers/random.js'

const rawText = { getTypeParser: () => (value: string) => value }
const SEED = 20261207
const VALUES_PER_SHAPE = 24

/** A query shape: its text with `{k}` slots, each filled with a literal written as SQL (quoted or a number). */
interface Shape {
  readonly text: string
  /** The literals of one query, in slot order (SQL text: `'…'` or a number). */
  readonly values: (next: () => number) => ReadonlyArray<string>
}

function pick<T>(next: () => number, items: ReadonlyArray<T>): T {
  return items[Math.floor(next() * items.length)]!
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A timestamp near the corpus's rows (2024-03-29 12:00 to 04-01 12:00 UTC) in one of the spellings clients use. */
function timestampText(next: () => number, startMs?: number): string {
  const roll = next()
  if (roll < 0.06) return pick(next, ['infinity', '-infinity', 'epoch', '294277-01-01 00:00:00', '2024-02-30 00:00:00', '2024-03-30 25:00:00'])
  const ms = (startMs ?? Date.UTC(2024, 2, 29, 6) + Math.floor(next() * 84) * 3_600_000) + Math.floor(next() * 12) * 300_000 + (next() < 0.2 ? 1_500 : 0)
  const d = new Date(ms)
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${d.getUTCMilliseconds() === 0 ? '' : `.${d.getUTCMilliseconds()}`}`
  const zone = pick(next, [' +0000', '+00', 'Z', ' -05:30', '+02', '', ' +00:00', ' Z', ' UTC', '-0800'])
  return `${date}${next() < 0.15 ? 'T' : ' '}${time}${zone}`
}

/** A time range: mostly from..to a few hours later (either may be an edge case), sometimes inverted or empty. */
function rangeTexts(next: () => number): [string, string] {
  const fromMs = Date.UTC(2024, 2, 29, 6) + Math.floor(next() * 84) * 3_600_000
  const toMs = fromMs + (next() < 0.1 ? -3_600_000 : Math.floor(next() * 12) * 3_600_000)
  return [quoted(timestampText(next, fromMs)), quoted(timestampText(next, toMs))]
}

function quoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

const hostText = (next: () => number): string => quoted(pick(next, ['host_0', 'host_1', 'host_3', 'host_5', 'host_6', 'host_7', 'host_9', '', 'HOST_1']))

/** A whole-minute timestamp near the rows, always 25 characters (+0000 or another zone), so texts share one shape. */
function fixedLengthTime(next: () => number, fromMs?: number): string {
  const ms = fromMs ?? Date.UTC(2024, 2, 29, 6) + Math.floor(next() * 84 * 60) * 60_000
  const zone = pick(next, ['+0000', '+0000', '+0000', '-0530', '+0200'])
  return quoted(`${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} ${zone}`)
}

/** One of the hosts with a one-digit number (one length), or 'host_x' (no such host). */
const shortHostText = (next: () => number): string => quoted(pick(next, ['host_0', 'host_1', 'host_3', 'host_5', 'host_7', 'host_9', 'host_x']))

const SHAPES: ReadonlyArray<Shape> = [
  {
    // TSBS single-groupby as TSBS writes it, width and host varied as well as the range.
    text: 'SELECT time_bucket({0}, time) AS minute, max(usage_user) AS m FROM cpu WHERE (hostname = {1}) AND time >= {2} AND time < {3} GROUP BY minute ORDER BY minute ASC',
    values: (next) => [quoted(pick(next, ['1 minute', '60 seconds', '5 minutes', '1 hour', '90 seconds', '1 day', '15 min'])), hostText(next),
      ...rangeTexts(next)],
  },
  {
    // TSBS high-cpu: a threshold written as an integer, a float or a negated number (unary minus, not a literal).
    text: 'SELECT time, hostname, usage_user FROM cpu WHERE usage_user > {0} AND time >= {1} AND time < {2} AND (hostname = {3}) ORDER BY time, hostname',
    values: (next) => [pick(next, ['90.0', '90', '-5', '- 5.5', '99.99', '0', '2147483647', '9.5e1', '50']), ...rangeTexts(next), hostText(next)],
  },
  {
    // A cast's outcome decided by the value: interval units, typed literals, an int4 cast that overflows.
    text: 'SELECT count(*) AS n, min(time) AS first FROM cpu WHERE time < {0}::timestamptz + {1}::interval AND reading > {2}::int',
    values: (next) => [quoted(timestampText(next)), quoted(pick(next, ['1 hour', '-2 days', '1 mon', '90 minutes', '1 year', 'P1D', '00:30:00', 'bogus', '3 hours', '1 day'])),
      quoted(pick(next, ['10', '-10', '2147483648', '0', 'x', ' 7 ', '20', '50', '30', '5']))],
  },
  {
    // Integer arithmetic at int4's edge (overflow is 22003 on both), and NULL as a value.
    text: 'SELECT {0} + {1} AS s, {0} * 2 AS d, date_trunc({2}, {3}::timestamptz) AS t',
    values: (next) => [pick(next, ['2147483647', '1', '-2147483648', '0', '46341', '7', '100', '-3']), pick(next, ['1', '-1', '0', '2147483647', '2', '5']),
      quoted(pick(next, ['hour', 'day', 'month', 'week', 'quarter', 'fortnight'])), pick(next, [quoted(timestampText(next)), 'NULL'])],
  },
  {
    // TSBS single-groupby with values of one length each: the texts share one shape, so after its first texts they
    // are planned from the shape's plan with their values bound in (sql/plan/shape-plan.ts). Last, so the shapes
    // above keep their seeded values.
    text: "SELECT time_bucket('1 minute', time) AS minute, max(usage_user) AS m, count(*) AS n FROM cpu WHERE (hostname = {0} OR hostname = {1}) AND time >= {2} AND time < {3} GROUP BY minute ORDER BY minute ASC",
    values: (next) => {
      const fromMs = Date.UTC(2024, 2, 29, 6) + Math.floor(next() * 84) * 3_600_000
      return [shortHostText(next), shortHostText(next), fixedLengthTime(next, fromMs), fixedLengthTime(next, fromMs + Math.floor(next() * 12) * 3_600_000)]
    },
  },
]

type Answer = unknown

async function answer(client: pg.Client, text: string, values?: ReadonlyArray<string>): Promise<Answer> {
  try {
    const result = await client.query({ text, values: values as unknown[] | undefined, rowMode: 'array', types: rawText })
    return { tag: `${result.command} ${String(result.rowCount)}`, fields: result.fields.map((f) => [f.name, f.dataTypeID]), rows: result.rows }
  } catch (error) {
    return { code: (error as { code?: string }).code }
  }
}

/** The literal's value as a Bind parameter (text format): a quoted literal unquoted; a number or NULL as written. */
function paramOf(literal: string): string | null {
  if (literal === 'NULL') return null
  return literal.startsWith("'") ? literal.slice(1, -1).replace(/''/g, "'") : literal.replace(/\s+/g, '')
}

interface Case { readonly text: string; readonly paramText: string; readonly params: ReadonlyArray<string | null> }

/** Every shape's texts for the seeded values: the literal text, and the same query with $n for each slot. */
function cases(): Case[] {
  const next = seededRandom(SEED)
  const all: Case[] = []
  for (const shape of SHAPES) {
    for (let i = 0; i < VALUES_PER_SHAPE; i++) {
      const literals = shape.values(next)
      const text = shape.text.replace(/\{(\d)\}/g, (_, k: string) => literals[Number(k)]!)
      // The parameterized form keeps the casts the shape writes; a bare slot takes the type its context gives $n.
      const paramText = shape.text.replace(/\{(\d)\}/g, (_, k: string) => `$${Number(k) + 1}`)
      all.push({ text, paramText, params: literals.map(paramOf) })
    }
  }
  return all
}

async function answers(port: number, zone: string): Promise<Answer[]> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await client.connect()
  try {
    await client.query(`SET TimeZone = '${zone}'`)
    const got: Answer[] = []
    for (const c of cases()) {
      got.push(await answer(client, c.text), await answer(client, c.text))
      // Only the shapes whose every slot is typed by its context take parameters as PostgreSQL does with literals.
      if (!c.paramText.startsWith('SELECT $')) got.push(await answer(client, c.paramText, c.params as string[]))
    }
    return got
  } finally {
    await client.end()
  }
}

describe('integration: a known query shape answers as PostgreSQL for every literal value (issue 8)', function () {
  this.timeout(300000)
  let pair: OraclePair

  before(async function () {
    pair = await startOraclePair('literal-shape-values')
    for (const port of [pair.postgres.port, pair.server.pgPort]) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
      await client.connect()
      try {
        if (port === pair.postgres.port) for (const statement of POSTGRES_PREAMBLE) await client.query(statement)
        for (const statement of [...CORPUS_TABLES, ...corpusInserts()]) await client.query(statement)
        if (port === pair.server.pgPort) await client.query('CHECKPOINT')
      } finally {
        await client.end()
      }
    }
  })

  after(async function () {
    await pair.stop()
  })

  for (const zone of ['UTC', 'America/New_York']) {
    it(`answers every value of every shape as PostgreSQL does (TimeZone ${zone})`, async function () {
      const expected = await answers(pair.postgres.port, zone)
      const got = await answers(pair.server.pgPort, zone)
      assert.equal(got.length, expected.length)
      // The values must mostly answer rows (not only errors or empty ranges), or the comparison proves little.
      const withRows = expected.filter((a) => ((a as { rows?: unknown[] }).rows?.length ?? 0) > 0).length
      const errors = expected.filter((a) => (a as { code?: string }).code !== undefined).length
      assert.ok(withRows > expected.length * 0.4 && errors > 0 && errors < expected.length * 0.3, `${withRows} of ${expected.length} with rows, ${errors} errors`)
      const texts = cases().flatMap((c) => [c.text, `${c.text} (again)`, ...(c.paramText.startsWith('SELECT $') ? [] : [`${c.paramText} ${JSON.stringify(c.params)}`])])
      for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], texts[i])
    })
  }
})
