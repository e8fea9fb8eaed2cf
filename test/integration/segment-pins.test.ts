// Goal: the cores read segment chunks themselves, through descriptors the control thread pins per scan (issue #8,
// engine/timeseries/segment-files.ts): a streaming scan (a pg cursor holding its portal across Executes) that is
// open while compaction, retention, DROP TABLE, TRUNCATE or DELETE removes the segments it sliced still returns every
// row exactly once, the removed files stay open (unlinked) only until the stream ends, and a corrupted chunk still
// fails a streamed query with XX001 naming the file and byte offset. Method: the real server process (2 cores),
// node-postgres with pg-cursor (Execute with a row count, the portal kept between reads), rows compared with the rows
// inserted, and the server's open files read from /proc/<pid>/fd.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import Cursor from 'pg-cursor'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** Rows per batch; each batch is flushed to its own segments (CHECKPOINT), so a stream holds several per core. */
const BATCH_ROWS = 20_000
const BATCH_COUNT = 4
const BASE_US = Date.UTC(2020, 0, 1) * 1000
/** Rows a stream reads before its segments are removed (the cores are at most a few batches ahead). */
const FIRST_READ_ROWS = 1_000

interface Row { readonly ts: number; readonly host: string; readonly v: number }

function rowsOf(batch: number, hosts: number): Row[] {
  return Array.from({ length: BATCH_ROWS }, (_, k) => {
    const i = batch * BATCH_ROWS + k
    return { ts: BASE_US + i * 1_000_000, host: `h${i % hosts}`, v: i }
  })
}

function insertSql(table: string, rows: ReadonlyArray<Row>): string {
  const values = rows.map((row) => `('${new Date(row.ts / 1000).toISOString()}', '${row.host}', ${row.v})`)
  return `INSERT INTO ${table} VALUES ${values.join(', ')}`
}

const byTs = (a: Row, b: Row): number => a.ts - b.ts

function segmentFiles(dataDir: string): string[] {
  return fs.readdirSync(path.join(dataDir, 'segments')).filter((name) => name.endsWith('.seg')).sort()
}

/** Segment files of `dataDir` the server holds open after they were unlinked. */
function heldDeleted(pid: number, dataDir: string): string[] {
  const dir = `/proc/${pid}/fd`
  const held: string[] = []
  for (const fd of fs.readdirSync(dir)) {
    const target = (() => { try { return fs.readlinkSync(path.join(dir, fd)) } catch { return '' } })()
    if (target.startsWith(path.join(dataDir, 'segments')) && target.endsWith(' (deleted)')) held.push(path.basename(target.split(' ')[0]!))
  }
  return held.sort()
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function readAll(cursor: Cursor, count: number): Promise<Array<Record<string, unknown>>> {
  return cursor.read(count)
}

function toRow(record: Record<string, unknown>): Row {
  return { ts: (record['ts'] as Date).getTime() * 1000, host: String(record['host']), v: Number(record['v']) }
}

describe('integration: streaming scans over segments removed meanwhile (issue #8)', function () {
  this.timeout(300_000)
  let server: ServerProcess | undefined
  let dataDir: string
  let probe: pg.Client

  before(async function () {
    dataDir = makeTempDir('segment-pins')
    server = await startServerProcess({ dataDir, args: ['--fsync', 'off'] })
    probe = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'probe', database: 'db' })
    await probe.connect()
  })

  after(async function () {
    await probe?.end().catch(() => undefined)
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  /** Creates `table` with BATCH_COUNT flushed batches; `lastFlushed` false leaves the last batch in memory. */
  async function load(table: string, hosts: number, lastFlushed = true): Promise<Row[]> {
    await probe.query(`CREATE TABLE ${table} (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)`)
    const rows: Row[] = []
    for (let batch = 0; batch < BATCH_COUNT; batch++) {
      const part = rowsOf(batch, hosts)
      for (let at = 0; at < part.length; at += 1000) await probe.query(insertSql(table, part.slice(at, at + 1000)))
      if (batch < BATCH_COUNT - 1 || lastFlushed) await probe.query('CHECKPOINT')
      rows.push(...part)
    }
    return rows
  }

  /**
   * Opens a cursor over `table`, reads a little, runs `remove`, waits until every segment file listed before is gone
   * from the directory, then reads the rest: every inserted row exactly once. The removed files are held open while
   * the stream runs and closed once it ended.
   */
  async function streamAcross(table: string, rows: ReadonlyArray<Row>, remove: () => Promise<void>, isOldGone = true): Promise<void> {
    const pid = server!.child.pid!
    const before = segmentFiles(dataDir)
    assert.ok(before.length >= BATCH_COUNT - 1, `${before.length} segment files`)
    // A client per stream: a failed check leaves its cursor open, and the next test must not wait behind it.
    const reader = new pg.Client({ host: '127.0.0.1', port: server!.pgPort, user: 'reader', database: 'db' })
    await reader.connect()
    const got: Row[] = []
    try {
      const cursor = reader.query(new Cursor(`SELECT ts, host, v FROM ${table}`))
      got.push(...(await readAll(cursor, FIRST_READ_ROWS)).map(toRow))
      assert.equal(got.length, FIRST_READ_ROWS)
      await remove()
      if (isOldGone) await waitFor(() => segmentFiles(dataDir).every((name) => !before.includes(name)), 'the sliced segments to go')
      else await waitFor(() => before.some((name) => !segmentFiles(dataDir).includes(name)), 'some sliced segments to go')
      assert.ok(heldDeleted(pid, dataDir).length > 0, 'the stream holds removed segment files open')
      for (let batch = await readAll(cursor, 5_000); batch.length > 0; batch = await readAll(cursor, 5_000)) got.push(...batch.map(toRow))
      await cursor.close()
    } finally {
      await reader.end().catch(() => undefined)
    }
    assert.equal(got.length, rows.length)
    assert.deepStrictEqual(got.sort(byTs), [...rows].sort(byTs))
    await waitFor(() => heldDeleted(pid, dataDir).length === 0, 'the removed files to be closed')
  }

  it('DROP TABLE during a stream: every row, exactly once', async function () {
    const rows = await load('pin_drop', 8)
    await streamAcross('pin_drop', rows, async () => { await probe.query('DROP TABLE pin_drop') })
  })

  it('TRUNCATE during a stream: every row, exactly once; the table is empty after', async function () {
    const rows = await load('pin_truncate', 8)
    await streamAcross('pin_truncate', rows, async () => { await probe.query('TRUNCATE pin_truncate') })
    assert.equal(Number((await probe.query('SELECT count(*) AS n FROM pin_truncate')).rows[0].n), 0)
    await probe.query('DROP TABLE pin_truncate')
  })

  it('DELETE during a stream: the stream sees its snapshot, a later query the DELETE', async function () {
    const rows = await load('pin_delete', 8)
    await streamAcross('pin_delete', rows, async () => { await probe.query('DELETE FROM pin_delete WHERE v >= 0') })
    assert.equal(Number((await probe.query('SELECT count(*) AS n FROM pin_delete')).rows[0].n), 0)
    await probe.query('DROP TABLE pin_delete')
  })

  it('retention (ALTER TABLE ... SET ttl) dropping every partition during a stream: every row, exactly once', async function () {
    const rows = await load('pin_retention', 8)
    await streamAcross('pin_retention', rows, async () => { await probe.query("ALTER TABLE pin_retention SET (ttl = '1 day')") })
    assert.equal(Number((await probe.query('SELECT count(*) AS n FROM pin_retention')).rows[0].n), 0)
    await probe.query('DROP TABLE pin_retention')
  })

  it('compaction merging the segments a stream holds (CHECKPOINT of the last batch starts it): every row, exactly once', async function () {
    // One host: one vShard, so the batches' segments are one (table, vShard, partition) and the fourth flush makes
    // them compaction candidates. That flush comes after the stream opened (its rows are in the stream's snapshot).
    const rows = await load('pin_compact', 1, false)
    await streamAcross('pin_compact', rows, async () => { await probe.query('CHECKPOINT') }, false)
    const after = await probe.query('SELECT count(*) AS n FROM pin_compact')
    assert.equal(Number(after.rows[0].n), rows.length)
    await probe.query('DROP TABLE pin_compact')
  })

  it('a corrupted chunk fails a streamed query with XX001 naming the file and offset; the session goes on', async function () {
    await load('pin_corrupt', 8)
    await probe.end()
    assert.equal(await server!.stop(), 0, server!.output())
    server = undefined
    const name = segmentFiles(dataDir)[0]!
    const file = path.join(dataDir, 'segments', name)
    const bytes = fs.readFileSync(file)
    bytes[36 + 40] = bytes[36 + 40]! ^ 0xff
    fs.writeFileSync(file, bytes)
    server = await startServerProcess({ dataDir, args: ['--fsync', 'off'] })
    const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'corrupt', database: 'db' })
    await c.connect()
    try {
      const cursor = c.query(new Cursor('SELECT ts, host, v FROM pin_corrupt'))
      await assert.rejects(async () => { for (let b = await readAll(cursor, 5_000); b.length > 0; b = await readAll(cursor, 5_000)); },
        (error: unknown) => {
          assert.ok(error instanceof Error && 'code' in error && 'detail' in error)
          assert.equal(error.code, 'XX001')
          assert.match(String(error.detail), new RegExp(`${name} at byte \\d+`))
          return true
        })
      assert.equal((await c.query('SELECT 1 AS x')).rows[0].x, 1)
    } finally {
      await c.end()
    }
    probe = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'probe', database: 'db' })
    await probe.connect()
  })
})
