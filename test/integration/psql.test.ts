// Goal: the three psql commands of issue 3's quick start work verbatim with the real psql client and print
// PostgreSQL-shaped output. Method: psql as a child process (`psql -h 127.0.0.1 -p PORT -c ...`, no -U, no -d),
// against the real server process; assertions on psql's own aligned output.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const execFileAsync = promisify(execFile)

describe('integration: psql quick start (issue 3)', function () {
  let server: ServerProcess
  let dataDir: string

  async function psql(command: string): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' }
    delete env.PGUSER
    delete env.PGDATABASE
    const { stdout } = await execFileAsync('psql', ['-h', '127.0.0.1', '-p', String(server.pgPort), '-X', '-c', command], { env })
    return stdout
  }

  before(async function () {
    dataDir = makeTempDir('psql')
    server = await startServerProcess({ dataDir })
  })

  after(async function () {
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('creates, inserts and queries with time_bucket', async function () {
    const created = await psql('CREATE TABLE cpu (ts TIMESTAMPTZ NOT NULL, host TEXT, usage_user DOUBLE PRECISION)')
    assert.equal(created.trim(), 'CREATE TABLE')
    const inserted = await psql(
      "INSERT INTO cpu VALUES ('2024-01-01T00:00:00Z','a',10.5), ('2024-01-01T00:00:30Z','a',20), ('2024-01-01T00:01:10Z','b',30)")
    assert.equal(inserted.trim(), 'INSERT 0 3')
    const selected = await psql(
      "SELECT time_bucket('1 minute', ts) AS minute, host, count(*), avg(usage_user) FROM cpu WHERE ts >= '2024-01-01' " +
      'GROUP BY minute, host ORDER BY minute, host')
    const lines = selected.split('\n').map((line) => line.trimEnd())
    assert.match(lines[0] ?? '', /^\s*minute\s+\|\s+host\s+\|\s+count\s+\|\s+avg$/)
    assert.match(lines[2] ?? '', /^ 2024-01-01 00:00:00\+00 \| a\s+\|\s+2 \|\s+15\.25$/)
    assert.match(lines[3] ?? '', /^ 2024-01-01 00:01:00\+00 \| b\s+\|\s+1 \|\s+30$/)
    assert.equal(lines[4], '(2 rows)')
  })

  it('prints an error with its SQLSTATE-backed message and exits non-zero', async function () {
    await assert.rejects(psql('SELECT * FROM nosuch'), (error: unknown) => {
      assert.match(String((error as { stderr?: string }).stderr), /relation "nosuch" does not exist/)
      return true
    })
  })
})
