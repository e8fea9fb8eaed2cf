// bench/micro/plan-sql: microseconds to parse (from the statement cache) and plan each TSBS query as the server does
// per execution — the "parse + plan of a cached statement under 50 µs". The catalog is the bench's cpu table
// in the sql tests' FakeEngine (planning never scans). Best of 3 rounds after a warm-up round.
// Run: npx tsc -p . && node dist/bench/micro/plan-sql.js
import { newExecEnv } from '../../sql/exec/exec-env.js'
import { planStatement } from '../../sql/exec/query.js'
import { loadParser } from '../../sql/parse/adapter.js'
import { parseSql } from '../../sql/parse/parse-sql.js'
import { newHarness } from '../../test/unit/sql/helpers.js'
import { TSBS_QUERIES, paramSets, render } from '../scenarios/tsbs-query-set.js'
import { CREATE_CPU_SQL, START_MS } from '../tsbs.js'

const ITERATION_COUNT = 2000

async function main(): Promise<void> {
  await loadParser()
  const h = await newHarness(CREATE_CPU_SQL)
  const data = { startMs: START_MS, spanMs: 24 * 3_600_000, hosts: 100 }
  for (const [index, query] of TSBS_QUERIES.entries()) {
    const rendering = render(query, 'nodedb', paramSets(query, 1, 42 + index, data)[0]!)
    if (!('text' in rendering)) continue
    const text = rendering.text
    const once = (): void => {
      const [slice] = parseSql(text)
      if (slice === undefined || slice.parsed.ast.kind !== 'SqlQuery') throw new Error(`not one query: ${text}`)
      const env = newExecEnv(h.engine, [], { timeZone: 'UTC', nowUs: 0, settings: new Map() }, h.session)
      planStatement(h.engine, slice.parsed.ast, [], env)
    }
    for (let i = 0; i < ITERATION_COUNT; i++) once()
    let bestUs = Infinity
    for (let round = 0; round < 3; round++) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < ITERATION_COUNT; i++) once()
      bestUs = Math.min(bestUs, Number(process.hrtime.bigint() - start) / 1000 / ITERATION_COUNT)
    }
    process.stdout.write(`${query.name.padEnd(24)} parse (cached) + plan ${bestUs.toFixed(1).padStart(7)} µs\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
