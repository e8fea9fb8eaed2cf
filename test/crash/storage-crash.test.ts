// Goal: issue #4's storage under real crashes — kill -9 while flushes run (--memtable-mb 1) keeps every acknowledged
// batch exactly once (invariants 1, 2, 4); a torn WAL tail written by hand is truncated and the server starts; a
// corrupted segment chunk makes a query fail with XX001 naming the file and byte offset (never wrong data).
// Method: the real server as a child process (test/helpers/server-process.ts), driven with pg; files edited by hand.
// Rounds: NODEDB_CRASH_ROUNDS (default 3); the seed is printed on failure.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { countsByBatch, runBatchWriter } from '../helpers/crash-writers.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ROUNDS = Number(process.env.NODEDB_CRASH_ROUNDS ?? '3')
const ROWS_PER_BATCH = 400
const ARGS = ['--memtable-mb', '1']

function client(port: number): pg.Client {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' })
  c.on('error', () => undefined)
  return c
}

function batchSql(batchId: number): string {
  const rows: string[] = []
  for (let i = 0; i < ROWS_PER_BATCH; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + batchId * 1000 + i).toISOString()
    rows.push(`('${ts}', 'h${(batchId + i) % 16}', ${batchId}, ${i * 0.5})`)
  }
  return `INSERT INTO m VALUES ${rows.join(', ')}`
}

async function setup(port: number): Promise<void> {
  const c = client(port)
  await c.connect()
  await c.query('CREATE TABLE m (ts TIMESTAMPTZ NOT NULL, host TEXT, b BIGINT, v DOUBLE PRECISION)')
  await c.end()
}

function segmentFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'segments')
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.seg')) : []
}

function segmentCount(dataDir: string): number {
  return segmentFiles(dataDir).length
}

/** Waits until a segment file not in `before` appears: a flush ran (at most 40 s; the final check then tells). */
async function untilFlushed(dataDir: string, before: ReadonlyArray<string>): Promise<void> {
  const known = new Set(before)
  for (let waited = 0; waited < 40_000; waited += 50) {
    if (segmentFiles(dataDir).some((name) => !known.has(name))) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('crash: storage — flushes, torn WAL tail, corrupted segment (issue #4)', function () {
  this.timeout(60_000 * Math.max(1, ROUNDS))
  const seed = Number(process.env.NODEDB_CRASH_SEED ?? Date.now() % 1_000_000)
  let dataDir = ''
  let server: ServerProcess | null = null
  beforeEach(() => { dataDir = makeTempDir('storage-crash') })
  afterEach(async () => {
    if (server !== null) await server.kill()
    server = null
    removeDir(dataDir)
  })

  it(`kill -9 while memtables flush (--memtable-mb 1): every acknowledged batch exactly once over ${ROUNDS} rounds`, async () => {
    let state = seed
    const next = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32 }
    const acked = new Set<number>()
    server = await startServerProcess({ dataDir, args: ARGS })
    await setup(server.pgPort)
    let first = 0
    for (let round = 0; round < ROUNDS; round++) {
      const stop = { value: false }
      const segmentsBefore = segmentFiles(dataDir)
      const writers = Array.from({ length: 4 }, (_, w) => runBatchWriter({ port: server!.pgPort, first: first + w, step: 4, batchSql, acked, stop }))
      // Each round writes until a flush has happened in it (a loaded machine writes slower), then a random while more,
      // so the kill lands among flushes whatever the throughput.
      await untilFlushed(dataDir, segmentsBefore)
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 1200)))
      await server.kill()
      stop.value = true
      await Promise.all(writers)
      first += 1_000_000
      server = await startServerProcess({ dataDir, args: ARGS })
      const counts = await countsByBatch(server.pgPort, 'm')
      for (const batch of acked) assert.equal(counts.get(batch), ROWS_PER_BATCH, `seed ${seed}: acked batch ${batch}`)
      for (const [batch, count] of counts) assert.equal(count, ROWS_PER_BATCH, `seed ${seed}: batch ${batch} is partial`)
    }
    assert.ok(segmentCount(dataDir) > 0, 'flushes wrote segments during the rounds')
  })

  it('truncates a torn WAL tail written by hand and starts with every earlier row', async () => {
    server = await startServerProcess({ dataDir })
    await setup(server.pgPort)
    const c = client(server.pgPort)
    await c.connect()
    for (let batch = 0; batch < 5; batch++) await c.query(batchSql(batch))
    await c.end()
    await server.kill()
    const walDir = path.join(dataDir, 'wal')
    const last = fs.readdirSync(walDir).filter((name) => name.endsWith('.wal')).sort().pop()!
    // A record header promising 4000 bytes, followed by only a few: what a crash mid-write leaves.
    const torn = Buffer.alloc(40)
    torn.writeUInt32LE(4000, 0)
    fs.appendFileSync(path.join(walDir, last), torn)
    server = await startServerProcess({ dataDir })
    const counts = await countsByBatch(server.pgPort, 'm')
    assert.deepEqual([...counts.entries()].sort((a, b) => a[0] - b[0]), [0, 1, 2, 3, 4].map((b) => [b, ROWS_PER_BATCH]))
    assert.match(server.output(), /torn tail truncated/)
  })

  it('answers a query over a corrupted segment chunk with XX001 naming the file and the byte offset', async () => {
    server = await startServerProcess({ dataDir, args: ARGS })
    await setup(server.pgPort)
    const c = client(server.pgPort)
    await c.connect()
    // Enough rows to pass the 1 MiB budget on each core (~37 budget bytes per row: columns without NULLs cost no
    // null map), so segments are flushed while writing.
    for (let batch = 0; batch < 160; batch++) await c.query(batchSql(batch))
    await c.end()
    await server.stop()
    server = null
    const segmentDir = path.join(dataDir, 'segments')
    const name = fs.readdirSync(segmentDir).filter((file) => file.endsWith('.seg')).sort()[0]
    assert.ok(name !== undefined, 'a segment was flushed')
    const file = path.join(segmentDir, name)
    const bytes = fs.readFileSync(file)
    bytes[36 + 40] = bytes[36 + 40]! ^ 0xff
    fs.writeFileSync(file, bytes)
    server = await startServerProcess({ dataDir, args: ARGS })
    const q = client(server.pgPort)
    await q.connect()
    try {
      // Every column of every row group must be decoded (count(*) alone is answered from chunk statistics).
      await assert.rejects(q.query('SELECT * FROM m ORDER BY 1'), (error: unknown) => {
        assert.ok(error instanceof Error && 'code' in error && 'detail' in error)
        assert.equal(error.code, 'XX001')
        assert.match(String(error.detail), new RegExp(`${name} at byte \\d+`))
        return true
      })
      const one = await q.query('SELECT 1 AS x')
      assert.equal(one.rows[0].x, 1)
    } finally {
      await q.end()
    }
  })
})
