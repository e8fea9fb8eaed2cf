// Goal: DELETE is all-or-nothing and ordered with ingest under kill -9: after a restart (WAL replay, segments) the
// rows it picks are either all there or all gone — all gone when the client saw `DELETE n` — and never half; rows it
// does not pick are all there; rows of the same range inserted after the DELETE was acknowledged survive (replay
// applies the DeleteRecord before them, not after); concurrent acknowledged batches are there exactly once.
// Method: the real server as a child process (--memtable-mb 1 plus a CHECKPOINT mid-load, so `d` has rows in
// segments and in memtables/WAL), killed with SIGKILL at a seeded random delay: in even rounds 0–400 ms after the
// DELETE is sent (before it arrives, inside it on both sides of its commit point, or after it), in odd rounds 0–50 ms
// after its acknowledgement, while a writer adds rows the DELETE's predicate covers once it is acknowledged. Three
// DELETEs: whole day partitions (no tag predicate, segments dropped unread), a tag/integer predicate (segments
// rewritten) and a WHERE expression evaluated on the cores (NOT, OR, a cast, quiet arithmetic). NODEDB_CRASH_ROUNDS rounds each (default 3); the seed is in every assertion message
// (NODEDB_CRASH_SEED replays it); the rounds whose DELETE was acknowledged before the kill are printed.
import assert from 'node:assert/strict'
import { client, countsByBatch, runBatchWriter } from '../helpers/crash-writers.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROUNDS = Number(process.env.NODEDB_CRASH_ROUNDS ?? '3')
const ARGS = ['--memtable-mb', '1']
const ROWS_PER_BATCH = 200
/** The kill comes 0..this after the DELETE is sent: about twice its latency on a loaded 2-core machine. */
const KILL_DELAY_MAX_MS = 400
/** In odd rounds the kill comes 0..this after the DELETE's acknowledgement. */
const KILL_AFTER_ACK_MAX_MS = 50
const HOST_COUNT = 16
/** Batches 0..39 on days 1 and 2 (inside both DELETEs' ranges), 100..119 on day 4 (outside). */
const INSIDE_BATCHES = Array.from({ length: 40 }, (_, b) => b)
const OUTSIDE_BATCHES = Array.from({ length: 20 }, (_, j) => 100 + j)
const CONCURRENT_FIRST = 1_000_000
const AFTER_FIRST = 2_000_000

/** Batch `b`: ROWS_PER_BATCH rows on `day` (1-based, January 2024), hosts spread over h0..h15 unless one is given. */
function batchSql(b: number, day: number, host?: string): string {
  const rows: string[] = []
  for (let i = 0; i < ROWS_PER_BATCH; i++) {
    const ts = new Date(Date.UTC(2024, 0, day) + (b % 1000) * 1000 + i).toISOString()
    rows.push(`('${ts}', '${host ?? `h${(b + i) % HOST_COUNT}`}', ${b}, ${i * 0.5})`)
  }
  return `INSERT INTO d VALUES ${rows.join(', ')}`
}

const DELETES = [
  { name: 'whole days', sql: "DELETE FROM d WHERE ts >= '2024-01-01' AND ts < '2024-01-03'", picks: (host: string) => host !== '' },
  { name: 'tag and integer predicate', sql: "DELETE FROM d WHERE ts < '2024-01-03' AND host <> 'h15' AND b < 3000000", picks: (host: string) => host !== 'h15' },
  // An expression (DeleteRecord version 2): NOT over an OR of a tag test and provably quiet arithmetic (b::float8 / 1).
  { name: 'expression', sql: "DELETE FROM d WHERE ts < '2024-01-03' AND NOT (host IN ('h14', 'h15') OR b::float8 / 1 >= 3e6 OR v < 0)", picks: (host: string) => host !== 'h14' && host !== 'h15' },
] as const

async function run(port: number, texts: ReadonlyArray<string>): Promise<void> {
  const c = client(port)
  await c.connect()
  try {
    for (const text of texts) await c.query(text)
  } finally {
    await c.end()
  }
}

/** Rows of the inside batches per host, as loaded. */
function insideRowsByHost(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const b of INSIDE_BATCHES) {
    for (let i = 0; i < ROWS_PER_BATCH; i++) counts.set(`h${(b + i) % HOST_COUNT}`, (counts.get(`h${(b + i) % HOST_COUNT}`) ?? 0) + 1)
  }
  return counts
}

async function insideCounts(port: number): Promise<Map<string, number>> {
  const c = client(port)
  await c.connect()
  try {
    const result = await c.query('SELECT host, count(*) AS n FROM d WHERE b < 100 GROUP BY host')
    return new Map(result.rows.map((r: { host: string; n: string }) => [r.host, Number(r.n)]))
  } finally {
    await c.end()
  }
}

describe('crash: DELETE under kill -9', function () {
  this.timeout(120_000 * Math.max(1, ROUNDS))
  const seed = Number(process.env.NODEDB_CRASH_SEED ?? Date.now() % 1_000_000)
  let state = seed
  const next = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
  let dataDir = ''
  let server: ServerProcess | null = null
  /** Rounds whose DELETE was acknowledged before the kill, per DELETE: the kill points the run covered. */
  const acknowledged = new Map<string, number>()
  after(() => {
    process.stdout.write(`      DELETE acknowledged before the kill: ${[...acknowledged].map(([name, n]) => `${name} ${n}/${ROUNDS}`).join(', ')}\n`)
  })
  beforeEach(() => { dataDir = makeTempDir('delete-crash') })
  afterEach(async () => {
    if (server !== null) await server.kill()
    server = null
    removeDir(dataDir)
  })

  for (const del of DELETES) {
    it(`${del.name}: all or nothing at a random kill point, later inserts kept, concurrent writes exactly once (seeded)`, async () => {
      server = await startServerProcess({ dataDir, args: ARGS })
      for (let round = 0; round < ROUNDS; round++) {
        const port: number = server.pgPort
        const half = INSIDE_BATCHES.length / 2
        await run(port, ['DROP TABLE IF EXISTS d', 'CREATE TABLE d (ts TIMESTAMPTZ NOT NULL, host TEXT, b BIGINT, v DOUBLE PRECISION)',
          ...INSIDE_BATCHES.slice(0, half).map((b) => batchSql(b, 1 + (b % 2))), 'CHECKPOINT',
          ...INSIDE_BATCHES.slice(half).map((b) => batchSql(b, 1 + (b % 2))), ...OUTSIDE_BATCHES.map((b) => batchSql(b, 4))])
        const concurrent = new Set<number>()
        const after = new Set<number>()
        const stop = { value: false }
        // Day 5: outside the DELETE, written while it runs.
        const writers = [0, 1].map((w) => runBatchWriter({ port, first: CONCURRENT_FIRST + w, step: 2, batchSql: (b) => batchSql(b, 5), acked: concurrent, stop }))
        const done = { value: false }
        const deleter = client(port)
        await deleter.connect()
        // Once acknowledged: rows the predicate covers (day 1, host h0), which must survive every replay.
        let afterWriter: Promise<void> = Promise.resolve()
        const sent = deleter.query(del.sql).then(() => {
          done.value = true
          afterWriter = runBatchWriter({ port, first: AFTER_FIRST, step: 1, batchSql: (b) => batchSql(b, 1, 'h0'), acked: after, stop })
        }, () => undefined)
        // Even rounds: the kill comes at a random point after the send (mostly inside the DELETE); odd rounds: right
        // after its acknowledgement, while the writer adds rows the DELETE covered.
        if (round % 2 === 1) await sent
        await new Promise((resolve) => setTimeout(resolve, next() * (round % 2 === 1 ? KILL_AFTER_ACK_MAX_MS : KILL_DELAY_MAX_MS)))
        await server.kill()
        stop.value = true
        await Promise.all([...writers, sent])
        await afterWriter
        deleter.end().catch(() => undefined)

        server = await startServerProcess({ dataDir, args: ARGS })
        acknowledged.set(del.name, (acknowledged.get(del.name) ?? 0) + (done.value ? 1 : 0))
        const context = `seed ${seed} round ${round}: ${del.name} (${done.value ? 'acknowledged' : 'not acknowledged'})`
        const loaded = insideRowsByHost()
        const found = await insideCounts(server.pgPort)
        const picked = [...loaded.keys()].filter(del.picks)
        const isGone = picked.every((host) => (found.get(host) ?? 0) === 0)
        const isThere = picked.every((host) => found.get(host) === loaded.get(host))
        assert.ok(isGone || isThere, `${context}: picked rows half deleted ${JSON.stringify([...found])}`)
        if (done.value) assert.ok(isGone, `${context}: an acknowledged DELETE was undone`)
        for (const host of [...loaded.keys()].filter((h) => !del.picks(h))) assert.equal(found.get(host), loaded.get(host), `${context}: ${host} kept`)
        const counts = await countsByBatch(server.pgPort, 'd')
        for (const b of OUTSIDE_BATCHES) assert.equal(counts.get(b), ROWS_PER_BATCH, `${context}: batch ${b} outside the range`)
        for (const b of [...concurrent, ...after]) assert.equal(counts.get(b), ROWS_PER_BATCH, `${context}: acked batch ${b}`)
        for (const [b, n] of counts) if (b >= CONCURRENT_FIRST) assert.equal(n, ROWS_PER_BATCH, `${context}: batch ${b} is partial`)
        if (!done.value) assert.equal(after.size, 0, `${context}: nothing is written after an unacknowledged DELETE`)
      }
    })
  }
})
