// Goal: the server process behaves like a database under operators' hands: acknowledged rows survive kill -9, SIGTERM
// exits 0, a locked data dir / a busy port / a bad flag is a one-line error with a non-zero exit (never a stack), and
// --help lists every option, and bin/nodedb starts node itself with its allocator setting. Method: the built CLI as a child process, real pg clients, temp data dirs.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import pg from 'pg'
import { OPTION_SPECS } from '../../src/config.js'
import { makeTempDir, removeDir, runNodedb, startServerProcess } from '../helpers/server-process.js'

async function query(port: number, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

describe('integration: server lifecycle (issue 3)', function () {
  const dirs: string[] = []
  function tempDir(prefix: string): string {
    const dir = makeTempDir(prefix)
    dirs.push(dir)
    return dir
  }
  after(function () {
    for (const dir of dirs) removeDir(dir)
  })

  it('invariant 1: keeps every acknowledged row across kill -9 and restarts', async function () {
    const dataDir = tempDir('restart')
    const first = await startServerProcess({ dataDir })
    await query(first.pgPort, 'CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, host TEXT, v DOUBLE PRECISION)')
    let expected = 0
    for (let batch = 0; batch < 10; batch++) {
      const rows: string[] = []
      for (let i = 0; i < 20; i++) {
        const seconds = batch * 20 + i
        rows.push(`('${new Date(Date.UTC(2024, 2, 1) + seconds * 1000).toISOString()}', 'h${i % 4}', ${seconds})`)
      }
      await query(first.pgPort, `INSERT INTO t VALUES ${rows.join(', ')}`)
      expected += 20
    }
    const before = await query(first.pgPort, 'SELECT host, count(*) AS n, sum(v) AS s FROM t GROUP BY host ORDER BY host')
    await first.kill()
    for (let round = 0; round < 2; round++) {
      const next = await startServerProcess({ dataDir })
      const after = await query(next.pgPort, 'SELECT host, count(*) AS n, sum(v) AS s FROM t GROUP BY host ORDER BY host')
      assert.deepEqual(after.rows, before.rows)
      const total = await query(next.pgPort, 'SELECT count(*) AS n FROM t')
      assert.equal(Number(total.rows[0].n), expected)
      if (round === 0) await next.kill()
      else assert.equal(await next.stop(), 0)
    }
  })

  it('refuses a second server on a locked data dir with a clear message', async function () {
    const dataDir = tempDir('lock')
    const first = await startServerProcess({ dataDir })
    try {
      const second = await runNodedb(['serve', '--data-dir', dataDir, '--pg-port', '0', '--cores', '1'])
      assert.notEqual(second.code, 0)
      assert.match(second.output, /nodedb: .*locked/)
      assert.doesNotMatch(second.output, /\n\s+at /, 'no stack trace')
    } finally {
      assert.equal(await first.stop(), 0)
    }
  })

  it('reports a port in use as one line and exits non-zero', async function () {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const result = await runNodedb(['serve', '--data-dir', tempDir('port'), '--pg-port', String(port), '--cores', '1'])
      assert.notEqual(result.code, 0)
      assert.match(result.output, new RegExp(`nodedb: pg port ${port} on 127.0.0.1 is already in use`))
      assert.doesNotMatch(result.output, /\n\s+at /, 'no stack trace')
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('rejects a bad flag with a one-line usage error', async function () {
    const unknown = await runNodedb(['serve', '--no-such-flag'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.output, /^nodedb: .*no-such-flag/)
    const badFsync = await runNodedb(['serve', '--fsync', 'sometimes'])
    assert.equal(badFsync.code, 2)
    assert.equal(badFsync.output, 'nodedb: --fsync must be always, batch or off, got "sometimes"\n')
  })

  it('lists every option in --help', async function () {
    const help = await runNodedb(['--help'])
    assert.equal(help.code, 0)
    for (const spec of OPTION_SPECS) {
      assert.ok(help.output.includes(`--${spec.flag}`), spec.flag)
      assert.ok(help.output.includes(spec.env), spec.env)
    }
  })

  it('starts the server through bin/nodedb as node itself (same PID) with MALLOC_ARENA_MAX=2 unless the user set one, a small young generation, and NODEDB_NODE_FLAGS after its own flags', async function () {
    const environOf = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    const byDefault = await startServerProcess({ dataDir: tempDir('launcher') })
    try {
      assert.equal(fs.readlinkSync(`/proc/${byDefault.child.pid!}/exe`), fs.realpathSync(process.execPath))
      assert.ok(environOf(byDefault.child.pid!).includes('MALLOC_ARENA_MAX=2'))
      // The event loop's young generation is capped too (issue 10: RSS), which V8 takes only from node's command line.
      assert.ok(fs.readFileSync(`/proc/${byDefault.child.pid!}/cmdline`, 'utf8').split('\0').includes('--max-semi-space-size=2'))
    } finally {
      await byDefault.stop()
    }
    // NODEDB_NODE_FLAGS: words after the launcher's own flags (so they win), before the script; a V8 flag NODE_OPTIONS refuses.
    const flags = { MALLOC_ARENA_MAX: '4', NODEDB_NODE_FLAGS: '--max-semi-space-size=4 --single-threaded-gc' }
    const chosen = await startServerProcess({ dataDir: tempDir('launcher-env'), env: flags })
    try {
      assert.ok(environOf(chosen.child.pid!).includes('MALLOC_ARENA_MAX=4'))
      const argv = fs.readFileSync(`/proc/${chosen.child.pid!}/cmdline`, 'utf8').split('\0')
      const script = argv.findIndex((arg) => arg.endsWith('main.js'))
      assert.deepEqual(argv.slice(script - 3, script), ['--expose-gc', '--max-semi-space-size=4', '--single-threaded-gc'])
    } finally {
      await chosen.stop()
    }
  })
})
