// Goal: the retention (TTL) statements work over the wire against the real server process: ALTER TABLE ... SET
// (ttl = ...) and RESET (ttl) answer ALTER TABLE, errors carry PostgreSQL's SQLSTATEs (22023, 42P01, 42601), and
// the setting is persisted in catalog.json across a restart without touching rows inside the retention.
// Method: one server child process on a temp data dir, node-postgres; catalog.json read after a clean stop.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const DAY_US = 86_400_000_000

describe('integration: ALTER TABLE ... SET (ttl) over pg (issue #4)', function () {
  let server: ServerProcess | undefined
  let dataDir: string
  let client: pg.Client | undefined

  async function connect(): Promise<pg.Client> {
    assert.ok(server !== undefined)
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'anyone', database: 'whatever' })
    await client.connect()
    return client
  }

  async function stop(): Promise<void> {
    await client?.end().catch(() => undefined)
    client = undefined
    const code = await server?.stop()
    assert.equal(code, 0, server?.output())
    server = undefined
  }

  async function expectCode(c: pg.Client, text: string, code: string, message?: string): Promise<void> {
    await assert.rejects(c.query(text), (error: unknown) => {
      assert.ok(error instanceof Error)
      assert.equal((error as Error & { code?: string }).code, code, `${text} → ${error.message}`)
      if (message !== undefined) assert.equal(error.message, message)
      return true
    })
  }

  before(function () {
    dataDir = makeTempDir('retention')
  })

  after(async function () {
    if (server !== undefined) await stop()
    removeDir(dataDir)
  })

  it('sets, resets and refuses ttl as PostgreSQL would, and persists it across a restart', async function () {
    server = await startServerProcess({ dataDir })
    const c = await connect()
    await c.query('CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage DOUBLE PRECISION)')
    await c.query("INSERT INTO cpu VALUES (now(), 'a', 1), (now() - interval '1 hour', 'b', 2)")
    const set = await c.query("ALTER TABLE cpu SET (ttl = '30 days')")
    assert.equal(set.command, 'ALTER')
    assert.equal((await c.query('ALTER TABLE cpu RESET (ttl)')).command, 'ALTER')
    assert.equal((await c.query('ALTER TABLE cpu SET (ttl = NULL)')).command, 'ALTER')
    await expectCode(c, "ALTER TABLE cpu SET (ttl = 'soon')", '22023', 'invalid value for parameter "ttl": "soon"')
    await expectCode(c, "ALTER TABLE cpu SET (ttl = '1 month')", '22023')
    await expectCode(c, "ALTER TABLE cpu SET (ttl = '-2 days')", '22023')
    await expectCode(c, 'ALTER TABLE cpu SET (fillfactor = 70)', '22023', 'unrecognized parameter "fillfactor"')
    await expectCode(c, "ALTER TABLE nope SET (ttl = '1 day')", '42P01')
    await expectCode(c, 'ALTER TABLE cpu SET (ttl = 1 day)', '42601')
    assert.equal((await c.query("ALTER TABLE IF EXISTS nope SET (ttl = '1 day')")).command, 'ALTER')
    assert.equal((await c.query("ALTER TABLE cpu SET (ttl = '7 days')")).command, 'ALTER')
    assert.equal((await c.query('SELECT count(*) AS n FROM cpu')).rows[0]?.n, '2', 'rows inside the ttl stay')
    await stop()

    const catalog = JSON.parse(fs.readFileSync(path.join(dataDir, 'catalog.json'), 'utf8')) as { tables: Array<{ name: string; retentionUs?: number }> }
    assert.equal(catalog.tables.find((table) => table.name === 'cpu')?.retentionUs, 7 * DAY_US)
    server = await startServerProcess({ dataDir })
    const again = await connect()
    assert.equal((await again.query('SELECT count(*) AS n FROM cpu')).rows[0]?.n, '2')
    await stop()
  })
})
