// Goal: invariants 1 and 2 under kill -9 — every batch acknowledged before the kill is present exactly once after
// restart, and no batch is half-visible. Method: 4 concurrent pg writers insert 10-row batches tagged with a batch
// id while the test SIGKILLs the server at a seeded random moment; restart on the same data dir and count rows per
// batch. Rounds: NODEDB_CRASH_ROUNDS (default 3); the seed is printed on failure.
import assert from 'node:assert/strict'
import pg from 'pg'
import { countsByBatch, runBatchWriter } from '../helpers/crash-writers.js'
import { seededRandom } from '../helpers/random.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROUNDS = Number(process.env.NODEDB_CRASH_ROUNDS ?? '3')
const WRITERS = 4
const ROWS_PER_BATCH = 10

function batchSql(batchId: number): string {
  const rows: string[] = []
  for (let i = 0; i < ROWS_PER_BATCH; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + batchId * 1000 + i).toISOString()
    rows.push(`('${ts}', 'w${batchId % WRITERS}', ${batchId}, ${i})`)
  }
  return `INSERT INTO crash VALUES ${rows.join(', ')}`
}

describe('crash: kill -9 during concurrent writes (invariants 1, 2)', function () {
  this.timeout(60_000 * Math.max(1, ROUNDS))
  const seed = Number(process.env.NODEDB_CRASH_SEED ?? Date.now() % 1_000_000)

  it(`keeps every acknowledged batch exactly once over ${ROUNDS} rounds`, async function () {
    const next = seededRandom(seed)
    const dataDir = makeTempDir('crash')
    const acked = new Set<number>()
    let server: ServerProcess | null = await startServerProcess({ dataDir })
    try {
      const setup = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
      await setup.connect()
      await setup.query('CREATE TABLE crash (ts TIMESTAMPTZ NOT NULL, w TEXT, b BIGINT, i INT)')
      await setup.end()
      let firstBatch = 0
      for (let round = 0; round < ROUNDS; round++) {
        const stop = { value: false }
        const writers = Array.from({ length: WRITERS }, (_, w) => runBatchWriter({ port: server!.pgPort, first: firstBatch + w, step: WRITERS, batchSql, acked, stop }))
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(next() * 400)))
        await server.kill()
        stop.value = true
        await Promise.all(writers)
        firstBatch += 1_000_000
        server = await startServerProcess({ dataDir })
        const counts = await countsByBatch(server.pgPort, 'crash')
        for (const batch of acked) assert.equal(counts.get(batch), ROWS_PER_BATCH, `seed ${seed}: acked batch ${batch}`)
        for (const [batch, count] of counts) assert.equal(count, ROWS_PER_BATCH, `seed ${seed}: batch ${batch} is partial`)
      }
      assert.ok(acked.size > 0, 'some batches were acknowledged')
    } finally {
      if (server !== null) await server.stop()
      removeDir(dataDir)
    }
  })
})
