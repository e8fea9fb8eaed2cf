// test/unit/sql/top-n: goal — ORDER BY … LIMIT over a plain scan (answered by the streaming top-N, sql/exec/top-n.ts)
// returns exactly the rows a full sort would, NULL placement, ties on the first key, OFFSET and DESC included.
// Method: seeded rows into the FakeEngine; each query's answer compared with a JavaScript sort of the same rows
// (the reference is computed independently of nodedb's sort: plain arrays, PostgreSQL's NULLS LAST default).
import assert from 'node:assert/strict'
import { seededRandom } from '../../helpers/random.js'
import { materialize, newHarness, US_2024 } from './helpers.js'

interface Source { ts: number; host: string | null; v: number | null }

function reference(rows: Source[], limit: number, offset: number, descending: boolean): string[] {
  const sorted = [...rows].sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.ts - b.ts : (a.v === null) === descending ? -1 : 1
    return (descending ? b.v - a.v : a.v - b.v) || a.ts - b.ts
  })
  return sorted.slice(offset, offset + limit).map((r) => `${r.ts}`)
}

describe('sql top-N: ORDER BY … LIMIT over a streamed scan', () => {
  it('matches a full sort for random limits, offsets and directions', async () => {
    const h = await newHarness('CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)')
    const random = seededRandom(42)
    const rows: Source[] = []
    for (let i = 0; i < 600; i++) {
      rows.push({ ts: US_2024 + i * 1_000_000, host: random() < 0.1 ? null : `h${Math.floor(random() * 5)}`, v: random() < 0.1 ? null : Math.floor(random() * 50) })
    }
    const literal = (r: Source): string => `('${new Date(r.ts / 1000).toISOString()}', ${r.host === null ? 'NULL' : `'${r.host}'`}, ${r.v ?? 'NULL'})`
    await h.run(`INSERT INTO m VALUES ${rows.map(literal).join(', ')}`)
    for (const [limit, offset, descending] of [[5, 0, true], [17, 3, false], [1, 599, true], [40, 0, false], [0, 0, true], [1000, 10, true]] as const) {
      const text = `SELECT ts FROM m ORDER BY v ${descending ? 'DESC' : 'ASC'}, ts LIMIT ${limit} OFFSET ${offset}`
      const result = await materialize(await h.one(text))
      assert.ok(result.kind === 'RowsResult')
      assert.deepEqual(result.rows.map((r) => `${r[0]}`), reference(rows, limit, offset, descending), text)
    }
  })
})
