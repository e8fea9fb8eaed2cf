// Goal: issue 12 through every front door without root — a server in this process over test/helpers/faulty-fs.ts:
// with the disk full, pg INSERT and CREATE TABLE get 53100, ILP HTTP gets 507 with InfluxDB's JSON body, an ILP TCP
// writer is held back and its lines written exactly once when space returns (no restart); a table or column (ILP or
// SQL) whose catalog write finds no space is refused and the catalog stays as it was; an EIO on the WAL's
// fdatasync gets 58030 and reaches the server's onFatal. Method: startServer with engineOptions (the fs seam and a
// 20 ms probe), real clients (pg, http, net).
import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import pg from 'pg'
import { startServer, type RunningServer } from '../../src/server.js'
import type { ServerConfig } from '../../src/config.js'
import { countsByBatch } from '../helpers/crash-writers.js'
import { FaultyFileSystem } from '../helpers/faulty-fs.js'
import { httpRequest } from '../helpers/ilp.js'
import { makeTempDir, removeDir } from '../helpers/server-process.js'

function lines(table: string, batch: number, count: number): string {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(`${table},w=a b=${batch}i,i=${i}i ${1_700_000_000_000_000_000n + BigInt(batch * 10_000 + i) * 1000n}`)
  return `${out.join('\n')}\n`
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail(`timed out waiting for ${what}`)
}

describe('issue 12: disk full and failed fsync through pg, ILP HTTP and ILP TCP (faulty fs)', function () {
  this.timeout(60_000)
  let dir = ''
  let server: RunningServer | null = null
  let client: pg.Client | null = null
  const faulty = new FaultyFileSystem()
  const fatal: string[] = []

  beforeEach(async () => {
    dir = makeTempDir('diskfull')
    faulty.full = null
    faulty.faults.splice(0)
    fatal.splice(0)
    const config: ServerConfig = {
      dataDir: path.join(dir, 'data'), host: '127.0.0.1', pgPort: 0, ilpPort: 0, httpPort: 0, httpToken: null,
      coreCount: 2, memtableMb: 1, chunkCacheMb: 32, fsync: 'always', diskReserveMb: 0,
    }
    server = await startServer(config, {
      engineOptions: { fs: faulty.fs, diskProbeIntervalMs: 20 }, onFatal: (detail) => { fatal.push(detail) },
    })
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
    await client.connect()
  })
  afterEach(async () => {
    await client?.end()
    await server?.close()
    client = null
    server = null
    removeDir(dir)
  })

  it('issue 12: 53100 over pg, 507 over HTTP, TCP held back, and all of it resumes by itself, exactly once', async () => {
    const sql = client!
    const port = server!
    await sql.query('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, b BIGINT)')
    await sql.query("INSERT INTO t VALUES ('2024-01-01T00:00:00Z', 1)")
    assert.equal((await httpRequest(port.httpPort, { method: 'POST', path: '/write?precision=n', body: lines('ilp', 0, 10) })).status, 204)
    faulty.full = 'ENOSPC'
    await assert.rejects(sql.query("INSERT INTO t VALUES ('2024-01-01T00:00:01Z', 2)"), (error: { code?: string }) => error.code === '53100')
    await assert.rejects(sql.query('CREATE TABLE u (ts TIMESTAMPTZ NOT NULL)'), (error: { code?: string }) => error.code === '53100')
    const refused = await httpRequest(port.httpPort, { method: 'POST', path: '/api/v2/write?precision=ns', body: lines('ilp', 1, 10) })
    assert.equal(refused.status, 507)
    assert.deepEqual(Object.keys(JSON.parse(refused.body)), ['code', 'message'])
    assert.equal(JSON.parse(refused.body).code, 'insufficient storage')
    const newTable = await httpRequest(port.httpPort, { method: 'POST', path: '/write?precision=n', body: lines('fresh', 1, 3) })
    assert.equal(newTable.status, 507, 'a table ILP would create cannot be persisted')
    const status = new Map((await sql.query('SHOW nodedb_status')).rows.map((row: { name: string; value: string }) => [row.name, row.value]))
    assert.equal(status.get('state'), 'DiskFull')

    const socket = net.connect(port.ilpPort, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(lines('tcp', 7, 200))
    await new Promise((resolve) => setTimeout(resolve, 300))
    await assert.rejects(sql.query('SELECT count(*) FROM tcp'), (error: { code?: string }) => error.code === '42P01')

    faulty.full = null
    await until(async () => (await sql.query('SHOW nodedb_status')).rows.some((row: { value: string }) => row.value === 'Writable'), 'writes to resume')
    await sql.query("INSERT INTO t VALUES ('2024-01-01T00:00:02Z', 3)")
    assert.equal((await httpRequest(port.httpPort, { method: 'POST', path: '/write?precision=n', body: lines('ilp', 2, 10) })).status, 204)
    await until(async () => (await countsByBatch(port.pgPort, 'tcp').catch(() => new Map())).get(7) === 200, 'the held TCP lines')
    socket.end()
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.deepEqual([...(await countsByBatch(port.pgPort, 'tcp'))], [[7, 200]], 'every TCP line exactly once')
    assert.deepEqual([...(await countsByBatch(port.pgPort, 'ilp'))].sort(), [[0, 10], [2, 10]])
    assert.deepEqual([...(await countsByBatch(port.pgPort, 't'))].sort(), [[1, 1], [3, 1]])
    assert.deepEqual(fatal, [])
  })

  it('issue 12: a table or column that cannot be persisted (catalog ENOSPC) is refused 53100 / 507, and the catalog stays as it was', async () => {
    const sql = client!
    const http = server!.httpPort
    const catalogWrite = { op: 'write' as const, code: 'ENOSPC' as const, file: /^catalog\.json\.tmp$/ }
    assert.equal((await httpRequest(http, { method: 'POST', path: '/write?precision=n', body: lines('ilp', 0, 3) })).status, 204)
    const columnsOf = async () => (await sql.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'ilp' ORDER BY ordinal_position"))
      .rows.map((row: { column_name: string }) => row.column_name)
    const before = await columnsOf()
    faulty.failNext(catalogWrite)
    const withNewField = `ilp,w=a b=1i,i=0i,extra=1.5 ${1_700_000_000_000_000_000n + 777_000n}\n`
    const refused = await httpRequest(http, { method: 'POST', path: '/write?precision=n', body: withNewField })
    assert.equal(refused.status, 507, refused.body)
    assert.deepEqual(await columnsOf(), before, 'the ILP column was not added')
    faulty.failNext(catalogWrite)
    await assert.rejects(sql.query('ALTER TABLE ilp ADD COLUMN more DOUBLE PRECISION'), (error: { code?: string }) => error.code === '53100')
    faulty.failNext(catalogWrite)
    await assert.rejects(sql.query('CREATE TABLE other (ts TIMESTAMPTZ NOT NULL)'), (error: { code?: string }) => error.code === '53100')
    assert.deepEqual(await columnsOf(), before)
    assert.equal((await sql.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'other'")).rows[0].n, 0)
    // Nothing to wait for: the next attempt is written.
    assert.equal((await httpRequest(http, { method: 'POST', path: '/write?precision=n', body: withNewField })).status, 204)
    assert.deepEqual(await columnsOf(), [...before, 'extra'])
    assert.deepEqual([...(await countsByBatch(server!.pgPort, 'ilp'))].sort(), [[0, 3], [1, 1]])
    assert.deepEqual(fatal, [])
  })

  it('issue 12: EIO on the WAL fdatasync answers 58030 and reaches onFatal; writes stay refused', async () => {
    const sql = client!
    await sql.query('CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, b BIGINT)')
    faulty.failNext({ op: 'datasync', code: 'EIO', file: /\.wal$/ })
    await assert.rejects(sql.query("INSERT INTO t VALUES ('2024-01-01T00:00:00Z', 1)"), (error: { code?: string }) => error.code === '58030')
    assert.equal(fatal.length, 1)
    assert.match(fatal[0]!, /fdatasync of .*\.wal failed: EIO/)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await assert.rejects(sql.query("INSERT INTO t VALUES ('2024-01-01T00:00:01Z', 2)"), (error: { code?: string }) => error.code === '58030')
    const answer = await httpRequest(server!.httpPort, { method: 'POST', path: '/write?precision=n', body: lines('t', 3, 1) })
    assert.equal(answer.status, 500)
    assert.ok((await sql.query('SELECT count(*) FROM t')).rows.length === 1, 'queries still answer until the exit')
  })
})
