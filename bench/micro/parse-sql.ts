// bench/micro/parse-sql: microseconds per parse of sql/parse on the README query (libpg-query alone, parse + adapt,
// parse cache hit) and on a 1,000-row × 21-column literal INSERT (fast path vs libpg-query + adapt).
// Run: npx tsc -p . && node dist/bench/micro/parse-sql.js
import { parseSync } from 'libpg-query'
import { loadParser, parseStatements } from '../../sql/parse/adapter.js'
import { parseSql } from '../../sql/parse/parse-sql.js'

const README_QUERY = "SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu " +
  "WHERE ts >= '2024-01-01' GROUP BY minute, host ORDER BY minute, host"

function literalInsert(rowCount: number): string {
  const rows: string[] = []
  for (let r = 0; r < rowCount; r++) {
    const values = [`'2024-01-01T00:00:${String(r % 60).padStart(2, '0')}Z'`, `'host_${r % 100}'`]
    for (let c = 0; c < 19; c++) values.push(c % 3 === 0 ? String(r * c) : (r * 1.37 + c).toFixed(3))
    rows.push(`(${values.join(', ')})`)
  }
  const columns = ['ts', 'hostname', ...Array.from({ length: 19 }, (_, i) => `c${i}`)]
  return `INSERT INTO cpu (${columns.join(', ')}) VALUES ${rows.join(', ')}`
}

/** Best of 3 rounds of `iterationCount` calls after a warm-up round, in µs per call. */
function measure(name: string, iterationCount: number, run: () => unknown): void {
  for (let i = 0; i < iterationCount; i++) run()
  let bestUs = Infinity
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterationCount; i++) run()
    bestUs = Math.min(bestUs, Number(process.hrtime.bigint() - start) / 1000 / iterationCount)
  }
  process.stdout.write(`${name.padEnd(52)} ${bestUs.toFixed(1).padStart(10)} µs\n`)
}

async function main(): Promise<void> {
  await loadParser()
  measure('README query: libpg-query parseSync', 5000, () => parseSync(README_QUERY))
  measure('README query: parseStatements (parse + adapt)', 5000, () => parseStatements(README_QUERY))
  measure('README query: parseSql (cache hit)', 100_000, () => parseSql(README_QUERY))
  const insert = literalInsert(1000)
  measure('INSERT 1,000 × 21: parseSql (fast path)', 50, () => parseSql(insert))
  measure('INSERT 1,000 × 21: libpg-query parseSync', 10, () => parseSync(insert))
  measure('INSERT 1,000 × 21: parseStatements (parse + adapt)', 10, () => parseStatements(insert))
}

void main()
