// Goal: DELETE over the wire against the real server process answers as PostgreSQL 15 does — the same `DELETE n`
// and the same rows afterwards — for rows in segments and memtables at once, with $n parameters (extended protocol);
// a day wholly inside the range leaves as whole segments whose files are removed; a DELETE inside BEGIN … ROLLBACK
// stays done, as an INSERT there does (nodedb has no multi-statement transactions); a WHERE expression (OR, CASE,
// COALESCE, casts) deletes the same rows and replays to them after kill -9; all of it holds across a restart.
// Method: one nodedb child process and a throwaway PostgreSQL (the oracle) get the same statements; manifest.json
// and the segments directory are read from disk.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const rawText = { getTypeParser: () => (value: string) => value }

interface ManifestSegment { readonly file: string; readonly tableId: number; readonly partitionStartUs: number; readonly minUs: number }

function manifestSegments(dataDir: string): ManifestSegment[] {
  return (JSON.parse(fs.readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')) as { segments: ManifestSegment[] }).segments
}

describe('integration: DELETE over pg against PostgreSQL (issue #8)', function () {
  this.timeout(120_000)
  let oracle: Postgres
  let server: ServerProcess | undefined
  let dataDir: string
  let ours: pg.Client
  let theirs: pg.Client

  async function connectOurs(): Promise<void> {
    assert.ok(server !== undefined)
    ours = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
    await ours.connect()
  }

  /** Runs on both; the command tags (DELETE n) must be equal. */
  async function both(text: string, values: unknown[] = []): Promise<number> {
    const [a, b] = [await ours.query(text, values), await theirs.query(text, values)]
    assert.equal(`${a.command} ${a.rowCount}`, `${b.command} ${b.rowCount}`, text)
    return a.rowCount ?? 0
  }

  /** Every row of cpu in a total order, as text, on both: equal. */
  async function sameRows(): Promise<number> {
    const text = 'SELECT ts, host, usage, n FROM cpu ORDER BY ts, host, n'
    const [a, b] = [await ours.query({ text, rowMode: 'array', types: rawText }), await theirs.query({ text, rowMode: 'array', types: rawText })]
    assert.deepEqual(a.rows, b.rows)
    return a.rows.length
  }

  before(async function () {
    oracle = await startPostgres()
    theirs = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
    await theirs.connect()
    dataDir = makeTempDir('delete')
    server = await startServerProcess({ dataDir })
    await connectOurs()
  })

  after(async function () {
    await ours?.end().catch(() => undefined)
    await theirs?.end().catch(() => undefined)
    await server?.stop()
    oracle?.stop()
    removeDir(dataDir)
  })

  it('deletes from segments and memtables, drops whole days with their files, takes parameters', async function () {
    await both('CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage DOUBLE PRECISION, n BIGINT)')
    const load = (from: number, to: number, offset: string) => both(`INSERT INTO cpu SELECT '2024-01-01T00:00:00Z'::timestamptz +
      (g * interval '3 minutes') + interval '${offset}', 'h' || (g % 4), (g % 100) * 1.5, g FROM generate_series(${from}, ${to}) g`)
    await load(0, 2879, '0 seconds') // six days, three minutes apart
    await ours.query('CHECKPOINT')
    await load(0, 2879, '10 seconds') // the same days again, in memtables
    const day2 = manifestSegments(dataDir).filter((s) => s.partitionStartUs === Date.UTC(2024, 0, 2) * 1000)
    assert.ok(day2.length > 0, 'day 2 is in segments before the DELETE')

    await both('DELETE FROM cpu WHERE ts >= $1 AND ts < $2', ['2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'])
    const left = manifestSegments(dataDir)
    assert.ok(!left.some((s) => s.partitionStartUs === Date.UTC(2024, 0, 2) * 1000), 'no segment of day 2 is listed')
    for (const segment of day2) assert.ok(!fs.existsSync(path.join(dataDir, 'segments', segment.file)), `${segment.file} removed`)
    assert.ok(left.some((s) => s.partitionStartUs === Date.UTC(2024, 0, 3) * 1000), 'day 3 is untouched')

    await both('DELETE FROM cpu WHERE host = $1 AND ts < $2', ['h1', '2024-01-04T12:00:00Z'])
    await both('DELETE FROM cpu WHERE host IN ($1, $2) AND usage >= $3', ['h2', 'h3', 120])
    await both('DELETE FROM cpu WHERE n < $1::bigint', [100])
    assert.ok(await sameRows() > 0)
    await ours.query('CHECKPOINT')
    assert.ok(await sameRows() > 0, 'the same rows once everything is in segments')
  })

  it('inside BEGIN it is refused (0A000: no undo at ROLLBACK); ROLLBACK undoes the INSERT before it, as PostgreSQL\'s', async function () {
    const insert = "INSERT INTO cpu VALUES ('2024-02-01T00:00:00Z', 'tx', 1, 1)"
    const del = "DELETE FROM cpu WHERE host = 'h0' AND ts < '2024-01-01T06:00:00Z'"
    await ours.query('BEGIN')
    assert.equal((await ours.query(insert)).rowCount, 1)
    await assert.rejects(ours.query(del), (error: { code?: string }) => error.code === '0A000')
    await ours.query('ROLLBACK')
    await theirs.query('BEGIN')
    await theirs.query(insert)
    await theirs.query(del)
    await theirs.query('ROLLBACK')
    await sameRows()
  })

  it('a WHERE expression (OR, CASE, COALESCE, casts, $n) deletes as PostgreSQL does, and again after kill -9 and replay', async function () {
    await ours.query('CHECKPOINT')
    await both(`INSERT INTO cpu SELECT '2024-01-01T00:00:00Z'::timestamptz + (g * interval '3 minutes') + interval '20 seconds',
      'h' || (g % 5), CASE WHEN g % 9 = 0 THEN NULL ELSE (g % 100) * 1.5 END, g FROM generate_series(0, 2879) g`)
    const counts = [
      await both('DELETE FROM cpu WHERE (host = $1 OR n % 97 = 0) AND ts < $2', ['h4', '2024-01-03T00:00:00Z']),
      await both('DELETE FROM cpu WHERE CASE WHEN host = $1 THEN COALESCE(usage, -1) < 0 ELSE n::float8 / 1 > $2 END', ['h1', 2850]),
      await both('DELETE FROM cpu WHERE NOT (usage >= $1) OR usage IS NOT DISTINCT FROM NULL AND n IN (9, 18, NULL)', [3]),
    ]
    assert.ok(counts.every((count) => count > 0), `every DELETE picked rows: ${counts.join(', ')}`)
    const rows = await sameRows()
    // Every record above is in the WAL only (their rows in memtables): a SIGKILL leaves replay to redo them.
    await ours.end()
    await server!.kill()
    server = await startServerProcess({ dataDir })
    await connectOurs()
    assert.equal(await sameRows(), rows, 'the same rows after replay')
    await assert.rejects(ours.query('DELETE FROM cpu WHERE n * 2 > $1', [7]), (error: { code?: string }) => error.code === '0A000')
  })

  it('keeps every DELETE across a restart, and rows inserted after it', async function () {
    await both("DELETE FROM cpu WHERE ts >= '2024-01-05T00:00:00Z'")
    await both("INSERT INTO cpu VALUES ('2024-01-05T01:00:00Z', 'after', 7, 7), ('2024-01-06T01:00:00Z', 'after', 8, 8)")
    await ours.end()
    assert.equal(await server!.stop(), 0)
    server = await startServerProcess({ dataDir })
    await connectOurs()
    const count = await sameRows()
    assert.ok(count > 0)
    await both('DELETE FROM cpu')
    assert.equal(await sameRows(), 0)
    assert.ok(!manifestSegments(dataDir).some((s) => s.minUs >= 0), 'no segment is left')
    assert.deepEqual(fs.readdirSync(path.join(dataDir, 'segments')), [])
  })
})
