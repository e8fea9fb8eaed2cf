// Goal: a query text planned from its shape's plan (sql/plan/shape-plan.ts: the plan of earlier texts of the same
// shape with this text's literal values bound in) answers exactly as the same query planned afresh — rows, columns,
// tag, or the same error — for every value, the malformed and edge ones included.
// Method: TSBS-like shapes (host equality and OR lists, time ranges, residual expressions and output columns holding
// a literal; aggregates need the cores: test/integration/literal-shape-values.test.ts) with seeded random string values of one length (so each text shares its shape's
// template), run through the SQL facade on a FakeEngine holding rows; each text is answered once as it is and once
// with a comment that makes it a shape of its own (planned afresh), and the two answers must be equal. The test
// setup runs paranoid, so every bound plan is also compared with a fresh plan of the same text. The shape path must
// have been taken for most texts of the shapes whose plans it can bind.
import assert from 'node:assert/strict'
import { isDbError } from '../../../src/common/errors.js'
import { shapePlanHitCount } from '../../../sql/plan/plan-cache.js'
import { seededRandom } from '../../helpers/random.js'
import { newHarness, type Harness } from './helpers.js'

const TEXTS_PER_SHAPE = 30

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** A 25-character timestamptz literal's text, near the rows; sometimes a malformed one of the same length. */
function timestampText(next: () => number): string {
  const roll = next()
  if (roll < 0.05) return '2024-02-30 00:00:00 +0000'
  if (roll < 0.08) return '2024-01-01 25:00:00 +0000'
  if (roll < 0.1) return '  infinity               '
  const ms = Date.UTC(2024, 0, 1) + Math.floor(next() * 48) * 1_800_000 + Math.floor(next() * 60) * 1000
  const d = new Date(ms)
  const zone = next() < 0.7 ? '+0000' : next() < 0.5 ? '-0530' : '+0100'
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${zone}`
}

const hostText = (next: () => number): string => `host_${Math.floor(next() * 10)}`

interface Shape {
  readonly text: string
  readonly values: (next: () => number) => ReadonlyArray<string>
  /** Whether its plan binds new values (false: every text is planned afresh, which must answer the same too). */
  readonly isBindable: boolean
}

const SHAPES: ReadonlyArray<Shape> = [
  {
    text: "SELECT ts, host, usage_user FROM cpu WHERE (host = '{0}') AND ts >= '{1}' AND ts < '{2}' ORDER BY ts",
    values: (next) => [hostText(next), timestampText(next), timestampText(next)], isBindable: true,
  },
  {
    text: "SELECT ts, host FROM cpu WHERE (host = '{0}' OR host = '{1}') AND ts >= '{2}' AND ts < '{3}' ORDER BY ts, host LIMIT 20",
    values: (next) => [hostText(next), hostText(next), timestampText(next), timestampText(next)], isBindable: true,
  },
  {
    // ts <= x is pushed as a bound of x + 1 µs: a leaf no checked way makes, so the shape keeps planning afresh.
    text: "SELECT ts, host, usage_user FROM cpu WHERE usage_user > 50.0 AND ts > '{0}' AND ts <= '{1}' AND host = '{2}' ORDER BY ts",
    values: (next) => [timestampText(next), timestampText(next), hostText(next)], isBindable: false,
  },
  {
    text: "SELECT ts, host || '{0}' AS h, usage_user * 2, '{1}' AS tag FROM cpu WHERE ts >= '{2}' AND host <> '{3}' ORDER BY ts LIMIT 7",
    values: (next) => [hostText(next), hostText(next), timestampText(next), hostText(next)], isBindable: true,
  },
  {
    // '-x' is a literal of the shape that never varies: its Const stays as the first plan has it.
    text: "SELECT ts, host || '-x' AS h, upper('{0}') AS u FROM cpu WHERE ts >= '{1}' AND host <> '{2}' ORDER BY ts LIMIT 5",
    values: (next) => [hostText(next), timestampText(next), hostText(next)], isBindable: true,
  },
  {
    // upper('host_3') is folded while lowering but the plan keeps the call: a fold that made no leaf may have steered
    // a choice, so the shape keeps planning afresh.
    text: "SELECT ts, host FROM cpu WHERE ts >= '{0}' AND upper(host) = upper('{1}') ORDER BY ts LIMIT 7",
    values: (next) => [timestampText(next), hostText(next)], isBindable: false,
  },
]

async function answer(harness: Harness, text: string): Promise<unknown> {
  try {
    return await harness.one(text)
  } catch (error) {
    if (!isDbError(error)) throw error
    return { code: error.code, message: error.message }
  }
}

describe('sql/plan/shape-plan', function () {
  let harness: Harness

  before(async function () {
    harness = await newHarness()
    const rows: string[] = []
    for (let i = 0; i < 400; i++) {
      const ms = Date.UTC(2024, 0, 1) + i * 300_000
      rows.push(`('${new Date(ms).toISOString()}', 'host_${i % 10}', ${(i * 37) % 100}.5)`)
    }
    await harness.run(`INSERT INTO cpu (ts, host, usage_user) VALUES ${rows.join(', ')}`)
  })

  for (const [index, shape] of SHAPES.entries()) {
    it(`answers every value of shape ${index} as a fresh plan does`, async function () {
      const next = seededRandom(3100 + index)
      const hitsBefore = shapePlanHitCount()
      let withRows = 0
      for (let i = 0; i < TEXTS_PER_SHAPE; i++) {
        const values = shape.values(next)
        const text = shape.text.replace(/\{(\d)\}/g, (_, k: string) => values[Number(k)]!)
        const got = await answer(harness, text)
        assert.deepEqual(got, await answer(harness, `${text} /* fresh ${index}.${i} */`), text)
        if ((got as { rows?: unknown[] }).rows?.length) withRows++
      }
      const hits = shapePlanHitCount() - hitsBefore
      // The first texts of a shape are planned afresh (its template, then two samples); most later ones are bound.
      if (shape.isBindable) assert.ok(hits > TEXTS_PER_SHAPE / 2, `shape plan hits ${hits} of ${TEXTS_PER_SHAPE}`)
      else assert.equal(hits, 0)
      assert.ok(withRows > TEXTS_PER_SHAPE / 4, `${withRows} of ${TEXTS_PER_SHAPE} answered rows`)
    })
  }

  it('keeps no plan that pins a literal an earlier pair saw vary (a third pair naming one host twice)', async function () {
    // Texts 3–6 are the shape's samples (1: the parse shape seen, 2: its template): pair 1 varies the host, pairs 2
    // and 3 name host_3 twice. A plan pinning host_3 would serve host_3 alone; the next pair makes the shape's plan.
    const hosts = ['host_1', 'host_2', 'host_1', 'host_2', 'host_3', 'host_3', 'host_4', 'host_5']
    for (let i = 0; i < 24; i++) hosts.push(`host_${i % 10}`)
    const hitsBefore = shapePlanHitCount()
    for (const [i, host] of hosts.entries()) {
      const from = new Date(Date.UTC(2024, 0, 1) + i * 600_000).toISOString().replace('T', ' ').replace('.000Z', ' +0000')
      const text = `SELECT ts, host, usage_user FROM cpu WHERE (host = '${host}') AND ts >= '${from}' AND ts < '2024-01-02 12:00:00 +0000' ORDER BY ts /* pins */`
      assert.deepEqual(await answer(harness, text), await answer(harness, `${text} /* fresh ${i} */`), text)
    }
    const hits = shapePlanHitCount() - hitsBefore
    assert.ok(hits >= hosts.length - 8, `shape plan hits ${hits} of ${hosts.length}`)
  })
})
