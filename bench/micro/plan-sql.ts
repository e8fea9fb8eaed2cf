// bench/micro/plan-sql: microseconds to parse and plan each TSBS query as the server does per execution — the issue's
// "parse + plan of a cached statement under 50 µs" — in two ways: the same text again (parse from the statement
// cache, plan from the plan cache), and a new text each time with TSBS's varied parameters (as TSBS sends them:
// every run a new text, so libpg-query parses and the planner plans). The catalog is the bench's cpu table in the
// sql tests' FakeEngine (planning never scans); the settings are the session's, as the server passes them.
// Best of 3 rounds after a warm-up round.
// Run: npx tsc -p . && node dist/bench/micro/plan-sql.js
import { newExecEnv } from '../../sql/exec/exec-env.js'
import { functionContext, planStatement } from '../../sql/exec/query.js'
import { loadParser } from '../../sql/parse/adapter.js'
import { parseSql } from '../../sql/parse/parse-sql.js'
import { newHarness } from '../../test/unit/sql/helpers.js'
import { TSBS_QUERIES, paramSets, render } from '../scenarios/tsbs-query-set.js'
import { CREATE_CPU_SQL, START_MS } from '../tsbs.js'

const ITERATION_COUNT = 2000
// Distinct texts per query for the varied case; each round walks through all of them (larger than any one round,
// so every text in a round is parsed afresh: the parse cache holds PARSE_CACHE_ENTRIES_MAX_COUNT texts).
const VARIED_TEXT_COUNT = 4000
const VARIED_ITERATION_COUNT = 500

/** Best µs per call of `once(i)` over 3 rounds of `count` calls, after a warm-up round. */
function bestUs(count: number, once: (i: number) => void, firstIndex = 0): number {
  let index = firstIndex
  for (let i = 0; i < count; i++) once(index++)
  let best = Infinity
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < count; i++) once(index++)
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / count)
  }
  return best
}

async function main(): Promise<void> {
  await loadParser()
  const h = await newHarness(CREATE_CPU_SQL)
  const data = { startMs: START_MS, spanMs: 24 * 3_600_000, hosts: 100 }
  for (const [index, query] of TSBS_QUERIES.entries()) {
    const texts: string[] = []
    for (const params of paramSets(query, VARIED_TEXT_COUNT, 42 + index, data)) {
      const rendering = render(query, 'nodedb', params)
      if ('text' in rendering) texts.push(rendering.text)
    }
    if (texts.length === 0) continue
    const once = (text: string): void => {
      const [slice] = parseSql(text)
      if (slice === undefined || slice.parsed.ast.kind !== 'SqlQuery') throw new Error(`not one query: ${text}`)
      const env = newExecEnv(h.engine, [], functionContext(h.session, h.engine), h.session)
      planStatement(h.engine, slice.parsed.ast, [], env)
    }
    const cachedUs = bestUs(ITERATION_COUNT, () => once(texts[0]!))
    const variedUs = bestUs(VARIED_ITERATION_COUNT, (i) => once(texts[i % texts.length]!), 1)
    const distinctCount = new Set(texts).size
    process.stdout.write(`${query.name.padEnd(24)} cached statement ${cachedUs.toFixed(1).padStart(7)} µs   varied parameters ` +
      `${variedUs.toFixed(1).padStart(7)} µs (${distinctCount} distinct texts${distinctCount < texts.length ? ', repeats hit the caches' : ''})\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
