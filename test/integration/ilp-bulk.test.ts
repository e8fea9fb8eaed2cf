// Goal: a million-line ILP stream is ingested exactly — every row counted once, sums exact — within a test's time
// budget, over several concurrent TCP connections and over HTTP with gzip. Method: generated lines with known sums,
// checked over SQL. NODEDB_ILP_BULK_LINES scales the TCP run down (or up) on slow machines (default 1,000,000).
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { httpRequest, sendLineRange, useIlpServer } from '../helpers/ilp.js'

const LINES = Number(process.env['NODEDB_ILP_BULK_LINES'] ?? 1_000_000)
const SENDERS = 4
const LINES_PER_CHUNK = 10_000
const HOSTS = 100

function chunkOf(from: number, to: number): Buffer {
  let text = ''
  for (let i = from; i < to; i++) text += `bulk,host=h${i % HOSTS},dc=dc${i % 3} v=${i}i,f=${i % 1000}.5 ${1_700_000_000_000_000_000 + i * 1000}\n`
  return Buffer.from(text)
}

function sendRange(port: number, from: number, to: number): Promise<void> {
  return sendLineRange(port, { from, to }, LINES_PER_CHUNK, chunkOf)
}

describe('integration: bulk ILP ingest (issue 5)', function () {
  this.timeout(120_000)
  const fixture = useIlpServer('ilp-bulk', ['--fsync', 'always'])

  it(`${LINES} lines over ${SENDERS} TCP connections: count and sums exact`, async function () {
    const started = Date.now()
    const per = Math.ceil(LINES / SENDERS)
    await Promise.all(Array.from({ length: SENDERS }, (_, s) => sendRange(fixture.server.ilpPort, s * per, Math.min(LINES, (s + 1) * per))))
    await fixture.sql.waitFor('SELECT count(*) FROM bulk', String(LINES), 60_000)
    const seconds = (Date.now() - started) / 1000
    const [row] = await fixture.sql.rows('SELECT count(*) AS n, sum(v) AS v, sum(f) AS f FROM bulk')
    assert.equal(Number(row?.['n']), LINES)
    assert.equal(Number(row?.['v']), (LINES - 1) * LINES / 2)
    let f = 0
    for (let i = 0; i < LINES; i++) f += (i % 1000) + 0.5
    assert.equal(Number(row?.['f']), f)
    const hosts = await fixture.sql.rows('SELECT host, count(*) AS n FROM bulk GROUP BY host')
    assert.equal(hosts.length, Math.min(HOSTS, LINES))
    // Not an assertion (no timed assertions): the rate is printed for the report.
    process.stdout.write(`      (${LINES} lines in ${seconds.toFixed(1)} s: ${Math.round(LINES / seconds)} rows/s)\n`)
  })

  it('100,000 lines in one gzip HTTP request: 204 only once they are all durable and visible', async function () {
    const body = gzipSync(chunkOf(0, 100_000).toString().replace(/^bulk,/gm, 'bulkhttp,'))
    const answer = await httpRequest(fixture.server.httpPort, { method: 'POST', path: '/api/v2/write?precision=ns', body, headers: { 'Content-Encoding': 'gzip' } })
    assert.equal(answer.status, 204, answer.body)
    assert.equal(Number(await fixture.sql.scalar('SELECT count(*) FROM bulkhttp')), 100_000)
    assert.equal(Number(await fixture.sql.scalar('SELECT sum(v) FROM bulkhttp')), 99_999 * 100_000 / 2)
  })
})
