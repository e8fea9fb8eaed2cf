// Goal: Python's asyncpg and psycopg 3 work unchanged against nodedb and get what PostgreSQL 15 gives them (issue 9):
// connect, parameterised fetches (binary with asyncpg, text and a binary cursor with psycopg), executemany,
// prepared statements, transactions, cursors, errors, and the catalog query psycopg's TypeInfo uses. Method: the
// scenario scripts under test/clients/ run with Debian's /usr/bin/python3 (python3-asyncpg, python3-psycopg, which
// scripts/ensure-test-oracles.sh installs) as child processes, once against nodedb and once against a real
// PostgreSQL; the JSON they print — every value with the Python type the driver decoded it to — must be equal.
// psycopg's named (server-side) cursors — DECLARE with parameters, Describe of the portal, FETCH FORWARD n, WITH HOLD —
// and its nested conn.transaction() (SAVEPOINT, ROLLBACK TO after an error, RELEASE) run too. Steps a driver needs
// from work not done yet are listed with their reasons in each script's PENDING and not run.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { startOraclePair, type OraclePair } from '../clients/oracle-pair.js'

const execFileAsync = promisify(execFile)
const PYTHON = '/usr/bin/python3'
const SCRIPTS_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'clients')

interface ScenarioOutput {
  readonly result: Record<string, unknown>
  readonly pending: Record<string, string>
}

async function runScenario(script: string, port: number): Promise<ScenarioOutput> {
  try {
    const { stdout } = await execFileAsync(PYTHON, [path.join(SCRIPTS_DIR, script), String(port)], {
      timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, // no __pycache__ in the source tree
    })
    return JSON.parse(stdout) as ScenarioOutput
  } catch (error: unknown) {
    const stderr = (error as { stderr?: string }).stderr ?? ''
    throw new Error(`${script} against port ${port} failed:\n${stderr || String(error)}`)
  }
}

describe('integration: asyncpg and psycopg 3 against PostgreSQL 15 (issue 9)', function () {
  this.timeout(120000)
  let pair: OraclePair

  before(async function () {
    pair = await startOraclePair('python-clients')
  })

  after(async function () {
    await pair.stop()
  })

  for (const script of ['asyncpg_scenario.py', 'psycopg_scenario.py']) {
    it(`${script}: the same answers on nodedb and PostgreSQL`, async function () {
      const theirs = await runScenario(script, pair.postgres.port)
      const ours = await runScenario(script, pair.server.pgPort)
      assert.deepEqual(ours.result, theirs.result)
      assert.equal(ours.result.error, '42P01')
      assert.equal(ours.result.server_major, 15)
    })
  }
})
