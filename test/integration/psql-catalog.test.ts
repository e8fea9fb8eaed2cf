// Goal: psql 15's describe commands (\dt, \d, \d cpu, \d+ cpu, \dt+, \l, \dn, \df, \du, \x) run unchanged against
// nodedb and print what PostgreSQL 15 prints for the same CREATE TABLE (issue 9). Method: the real psql binary as a
// child process against the real server process and against a throwaway PostgreSQL (test/helpers/postgres.ts), both
// connected as user postgres to database postgres; outputs are compared after normalising only what nodedb
// deliberately lacks, each difference named where it is normalised. Also: a table created by ILP shows up at once,
// and a dropped table disappears.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { httpRequest } from '../helpers/ilp.js'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const execFileAsync = promisify(execFile)

const CREATE_CPU = 'CREATE TABLE cpu (time TIMESTAMPTZ NOT NULL, host TEXT, region VARCHAR(20), usage_user DOUBLE PRECISION, ' +
  'usage_system REAL, n BIGINT, i INT, s SMALLINT, ok BOOLEAN, ts TIMESTAMP, price NUMERIC(10,2))'

const CREATE_VIEW = 'CREATE VIEW cpu_busy AS SELECT host, avg(usage_user) AS avg_user, count(*) FROM cpu GROUP BY host'

async function psql(port: number, args: ReadonlyArray<string>): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' }
  delete env.PGUSER
  delete env.PGDATABASE
  delete env.PGPASSWORD
  const argv = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-v', 'ON_ERROR_STOP=1', ...args]
  const { stdout } = await execFileAsync('psql', argv, { env })
  return stdout
}

/**
 * \l in unaligned form: PostgreSQL has template0 and template1 (with a two-line access-privileges value) besides
 * postgres; nodedb has only the one database it serves.
 */
function withoutTemplates(output: string): string {
  return output.split('\n').filter((line) => !/^template[01]\|/.test(line) && line !== 'postgres=CTc/postgres')
    .join('\n').replace(/\((\d+) rows\)/, (_, n: string) => (Number(n) - 2 === 1 ? '(1 row)' : `(${Number(n) - 2} rows)`))
}

/** \dt+ in unaligned form: relation sizes are 0 in nodedb (the engine does not report per-table bytes to sql). */
function withoutSizes(output: string): string {
  return output.replace(/\|\d+ (bytes|kB)\|/g, '|SIZE|')
}

describe('integration: psql catalog commands against PostgreSQL 15 (issue 9)', function () {
  this.timeout(60000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const both = async (args: ReadonlyArray<string>): Promise<readonly [string, string]> =>
    [await psql(server.pgPort, args), await psql(postgres.port, args)]

  before(async function () {
    dataDir = makeTempDir('psql-catalog')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
    for (const port of [server.pgPort, postgres.port]) await psql(port, ['-c', CREATE_CPU, '-c', CREATE_VIEW])
  })

  after(async function () {
    postgres.stop()
    assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  // Functions, aggregates and window functions PostgreSQL has with exactly nodedb's overloads (pg_proc per overload).
  const FUNCTION_LISTS = ['\\df concat*', '\\df row_number', '\\df ntile', '\\df sind', '\\df *trim', '\\da']
  // The second group lists kinds of object nodedb has none of and a fresh PostgreSQL has no user ones of: both empty.
  const EMPTY_KINDS = ['\\dc', '\\des+', '\\dew+', '\\deu+', '\\det', '\\dy', '\\drds', '\\dRs+', '\\do', '\\ddp', '\\lo_list',
    '\\dd', '\\dP', '\\dX', '\\dRp+', '\\dD', '\\dT', '\\dE', '\\dm', '\\di', '\\ds', '\\db', '\\dp', '\\dg', '\\dO']
  for (const command of ['\\dt', '\\d', '\\d cpu', '\\d+ cpu', '\\dv', '\\dv+', '\\d cpu_busy', '\\dn', '\\df', '\\d nosuch*', ...FUNCTION_LISTS, ...EMPTY_KINDS]) {
    it(`${command} prints what PostgreSQL prints`, async function () {
      const run = async (port: number): Promise<string> => {
        try {
          return await psql(port, ['-c', command])
        } catch (error: unknown) {
          return `stderr: ${String((error as { stderr?: string }).stderr)}`
        }
      }
      assert.equal(await run(server.pgPort), await run(postgres.port))
    })
  }

  it('\\x then \\d cpu prints the expanded form PostgreSQL prints', async function () {
    const [ours, theirs] = await both(['-c', '\\x', '-c', '\\d cpu'])
    assert.match(ours, /Expanded display is on/)
    assert.equal(ours, theirs)
  })

  it('\\df+ lists each overload with its volatility (descriptions and C symbol names are PostgreSQL\'s own)', async function () {
    const rows = (await psql(server.pgPort, ['-A', '-t', '-c', '\\df+ btrim'])).trim().split('\n').map((line) => line.split('|').slice(0, 7).join('|'))
    const theirs = (await psql(postgres.port, ['-A', '-t', '-c', '\\df+ btrim'])).trim().split('\n').map((line) => line.split('|').slice(0, 7).join('|'))
    assert.deepEqual(rows, theirs)
  })

  it('\\l lists the one database as PostgreSQL lists postgres', async function () {
    const [ours, theirs] = await both(['-A', '-c', '\\l'])
    assert.equal(ours, withoutTemplates(theirs))
  })

  it('\\dt+ matches PostgreSQL apart from the sizes', async function () {
    const [ours, theirs] = await both(['-A', '-c', '\\dt+'])
    assert.match(ours, /\|0 bytes\|/)
    assert.equal(withoutSizes(ours), withoutSizes(theirs))
  })

  it('\\du shows the session user as the one superuser role', async function () {
    const ours = await psql(server.pgPort, ['-c', '\\du'])
    assert.match(ours, /^ postgres +\| Superuser, Create role, Create DB, Replication, Bypass RLS \| \{\}$/m)
  })

  it('a table created by ILP shows up in \\dt and \\d at once', async function () {
    const answer = await httpRequest(server.httpPort, { method: 'POST', path: '/api/v2/write?precision=s', body: 'mem,host=h1 used=1.5,free=2i 1700000000\n' })
    assert.equal(answer.status, 204)
    const listed = await psql(server.pgPort, ['-c', '\\dt'])
    assert.match(listed, /^ public \| mem +\| table \| postgres$/m)
    const described = await psql(server.pgPort, ['-c', '\\d mem'])
    assert.match(described, /Table "public\.mem"/)
    assert.match(described, /^ host +\| text +\|/m)
    assert.match(described, /^ used +\| double precision +\|/m)
  })

  it('\\d+ of a view matches PostgreSQL but for the definition, which nodedb prints as written', async function () {
    const [ours, theirs] = await both(['-c', '\\d+ cpu_busy'])
    const cut = (text: string): string => text.slice(0, text.indexOf('View definition:'))
    assert.equal(cut(ours), cut(theirs))
    assert.match(ours, /View definition:\n SELECT host, avg\(usage_user\) AS avg_user, count\(\*\) FROM cpu GROUP BY host;/)
  })

  it('DROP COLUMN under views: PostgreSQL\'s error, DETAIL and HINT, then CASCADE\'s NOTICE, in its order', async function () {
    const setup = ['CREATE TABLE dep (ts TIMESTAMPTZ NOT NULL, a INT, b INT)', 'CREATE VIEW dep1 AS SELECT ts, a FROM dep',
      'CREATE VIEW dep2 AS SELECT * FROM dep', 'CREATE VIEW dep3 AS SELECT a FROM dep1', 'CREATE VIEW dep4 AS SELECT * FROM dep2']
    const run = async (port: number, sql: string): Promise<string> => {
      const argv = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-c', sql]
      const { stdout, stderr } = await execFileAsync('psql', argv).catch((error: { stdout: string; stderr: string }) => error)
      return `${stdout}${stderr}`
    }
    for (const port of [server.pgPort, postgres.port]) await psql(port, setup.flatMap((sql) => ['-c', sql]))
    const refused = await run(server.pgPort, 'ALTER TABLE dep DROP COLUMN a')
    assert.match(refused, /DETAIL: {2}view dep1 depends on column a of table dep\nview dep3 depends on view dep1\nview dep2 depends on/)
    assert.equal(refused, await run(postgres.port, 'ALTER TABLE dep DROP COLUMN a'))
    const cascaded = await run(server.pgPort, 'ALTER TABLE dep DROP COLUMN a CASCADE')
    assert.match(cascaded, /NOTICE: {2}drop cascades to 4 other objects/)
    assert.equal(cascaded, await run(postgres.port, 'ALTER TABLE dep DROP COLUMN a CASCADE'))
    const [ours, theirs] = await both(['-c', '\\dv'])
    assert.doesNotMatch(ours, /dep\d/)
    assert.equal(ours, theirs)
  })

  it('a dropped table disappears from \\dt and \\d', async function () {
    await psql(server.pgPort, ['-c', 'CREATE TABLE gone (ts TIMESTAMPTZ NOT NULL, v INT)'])
    assert.match(await psql(server.pgPort, ['-c', '\\dt']), /^ public \| gone +\|/m)
    await psql(server.pgPort, ['-c', 'DROP TABLE gone'])
    assert.doesNotMatch(await psql(server.pgPort, ['-c', '\\dt']), /gone/)
    await assert.rejects(psql(server.pgPort, ['-c', '\\d gone']), (error: unknown) => {
      assert.match(String((error as { stderr?: string }).stderr), /Did not find any relation named "gone"\./)
      return true
    })
  })
})
