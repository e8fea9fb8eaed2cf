// Goal: the TSBS query bench stays exact now that it times only the receipt of an answer — nodedb and PostgreSQL are
// read by the bench's raw pg-wire client (bench/peers/pg-wire.ts) and every answer is decoded only for the
// cross-check, after its time is taken — so a wrong answer still shows INVALID; and nodedb's load from the
// pre-written line-protocol file (bench/tsbs-files.ts) delivers every row once. Method: a real nodedb server loaded
// from the file over HTTP by the bench's two senders, a real PostgreSQL loaded by COPY from the CSV written in the
// same pass, the bench's own query-set runner on both, its verdicts; then one value changed in PostgreSQL and the
// set run again there. Nothing is timed.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {
  WARM_TABLE, nodedbEngine, postgresEngine, startNodedbProcess, type QueryEngine,
} from '../../bench/peers/query-engines.js'
import { postBodies } from '../../bench/line-sender.js'
import { runQuerySet, type DataSet } from '../../bench/scenarios/tsbs-queries.js'
import { TSBS_QUERIES } from '../../bench/scenarios/tsbs-query-set.js'
import { answerDifference, runMeasurements, verdicts, type QueryRun } from '../../bench/scenarios/tsbs-report.js'
import { CREATE_CPU_SQL, START_MS, cpuRows } from '../../bench/tsbs.js'
import { sendLineFile, writeLoadFiles } from '../../bench/tsbs-files.js'
import { makeTempDir, removeDir } from '../helpers/server-process.js'

const DATA: DataSet = { startMs: START_MS, spanMs: 2 * 3_600_000, hosts: 20, rows: 20 * 720 }
const BODY_LINES = 1000
const NAMES = TSBS_QUERIES.map((q) => q.name)
const RUNS = 2

const runSet = (engine: QueryEngine, system: string): Promise<QueryRun[]> =>
  runQuerySet(engine, system, system === 'nodedb' ? 'nodedb' : 'pg', DATA, RUNS, { runs: 0, ms: 0 })

describe('bench: TSBS answers cross-checked over the bench clients', function () {
  this.timeout(300_000)
  let dir = ''
  let nodedb: QueryEngine | null = null
  let postgres: QueryEngine | null = null
  let ours: QueryRun[] = []

  before(async () => {
    dir = makeTempDir('bench-crosscheck')
    await fs.promises.chmod(dir, 0o755) // PostgreSQL's server-side COPY reads the CSV as the postgres user
    const csv = path.join(dir, 'cpu.csv')
    // 15 bodies, the last one short, so both senders take turns on the file.
    const lines = await writeLoadFiles(cpuRows(DATA.rows, DATA.hosts, 1, DATA.startMs), csv, path.join(dir, 'cpu.lp'), BODY_LINES)
    assert.equal(lines.offsets.length, Math.ceil(DATA.rows / BODY_LINES) + 1)
    const server = await startNodedbProcess(path.join(dir, 'nodedb'), [], null)
    nodedb = await nodedbEngine(server)
    await sendLineFile(lines, (next) => postBodies(`http://127.0.0.1:${server.httpPort}/api/v2/write?org=b&bucket=b&precision=ns`, next))
    // PostgreSQL takes the bench's warm-up first (another table, dropped): the answers below must not see it.
    const warmCsv = path.join(dir, 'warm.csv')
    const warmLines = await writeLoadFiles(cpuRows(BODY_LINES, DATA.hosts, 2, DATA.startMs), warmCsv, path.join(dir, 'warm.lp'), BODY_LINES, WARM_TABLE)
    postgres = await postgresEngine(csv, CREATE_CPU_SQL, { csvPath: warmCsv, lines: warmLines }, async () => undefined)
    ours = await runSet(nodedb, 'nodedb')
  })

  after(async () => {
    await nodedb?.stop()
    await postgres?.stop()
    removeDir(dir)
  })

  it('loads every row of the line-protocol file into nodedb once, the same rows as the CSV into PostgreSQL', async () => {
    const checksum = 'SELECT count(*), sum(usage_user), sum(usage_guest_nice), max(time) FROM cpu'
    const [mine, theirs] = [await nodedb!.query(checksum), await postgres!.query(checksum)]
    assert.equal(mine[0]?.[0], DATA.rows)
    assert.equal(answerDifference(mine, theirs), null)
  })

  it('finds the answers of nodedb and PostgreSQL equal on every query, and marks them INVALID once one value differs', async () => {
    const agreeing = [...ours, ...await runSet(postgres!, 'postgres')]
    assert.ok(agreeing.every((r) => r.error === null), agreeing.map((r) => r.error).join(', '))
    assert.ok(ours.find((r) => r.query === 'high-cpu-all')?.answer?.length, 'high-cpu-all answered no rows: nothing compared')
    assert.deepEqual(verdicts(agreeing, NAMES).flatMap((v) => v.mismatches), [])
    // The last row of one host: lastpoint's whole answer and full-scan-avg's average both include it.
    await postgres!.query(`UPDATE cpu SET usage_user = usage_user + 10 WHERE hostname = 'host_3' AND time = (SELECT max(time) FROM cpu)`)
    const altered = [...ours, ...await runSet(postgres!, 'postgres')]
    const mismatched = verdicts(altered, NAMES).filter((v) => v.mismatches.length > 0).map((v) => v.query)
    assert.ok(mismatched.includes('lastpoint') && mismatched.includes('full-scan-avg'), `mismatches only in ${mismatched.join(', ')}`)
    for (const m of runMeasurements(altered, NAMES).filter((m) => m.scenario === 'tsbs/lastpoint')) {
      assert.match(m.note ?? '', /answers differ/)
    }
  })
})
