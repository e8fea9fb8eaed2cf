// Goal: the real InfluxDB and QuestDB client libraries write through nodedb's ILP listeners and their rows read back
// over SQL: @influxdata/influxdb-client (v2 API, batching, gzip), influx (v1 /write, ping), @questdb/nodejs-client
// (HTTP sender, which reads /settings, and TCP sender). Method: one server child process, each client as a user
// would configure it, then `pg` queries on the tables they created.
import assert from 'node:assert/strict'
import { InfluxDB, Point, setLogger } from '@influxdata/influxdb-client'
import { Sender } from '@questdb/nodejs-client'
import { InfluxDB as InfluxV1 } from 'influx'
import { useIlpServer } from '../helpers/ilp.js'

describe('integration: ILP client libraries (issue 5)', function () {
  this.timeout(60_000)
  before(function () {
    // The clients log refused writes to the console; the tests assert on the errors instead.
    setLogger({ error: () => undefined, warn: () => undefined })
  })
  const fixture = useIlpServer('ilp-clients')

  it('@influxdata/influxdb-client: v2 API with batching and gzip', async function () {
    const client = new InfluxDB({ url: `http://127.0.0.1:${fixture.server.httpPort}`, token: 'unused' })
    const failures: string[] = []
    const writeApi = client.getWriteApi('org', 'bucket', 'ms', {
      batchSize: 250, flushInterval: 0, gzipThreshold: 1, maxRetries: 0, maxBufferLines: 10_000,
      writeFailed: (error) => { failures.push(error.message) },
    })
    const base = Date.UTC(2024, 0, 1)
    for (let i = 0; i < 1000; i++) {
      writeApi.writePoint(new Point('v2cpu').tag('host', `h${i % 4}`).floatField('usage', i / 2).intField('count', i)
        .stringField('note', `n${i}`).booleanField('ok', i % 2 === 0).timestamp(new Date(base + i * 1000)))
    }
    await writeApi.close()
    // close() flushes the last batch; batches sent earlier (batchSize reached) may still be in flight.
    await fixture.sql.waitFor('SELECT count(*) FROM v2cpu', '1000')
    assert.deepEqual(failures, [])
    const [row] = await fixture.sql.rows('SELECT count(*) AS n, sum(usage) AS u, sum(count) AS c FROM v2cpu')
    assert.equal(Number(row?.['n']), 1000)
    assert.equal(Number(row?.['u']), 999 * 1000 / 4)
    assert.equal(Number(row?.['c']), 999 * 1000 / 2)
    const rows = await fixture.sql.rows("SELECT time, host, note, ok FROM v2cpu WHERE host = 'h3' ORDER BY time LIMIT 1")
    assert.deepEqual(rows, [{ time: new Date(base + 3000), host: 'h3', note: 'n3', ok: false }])
  })

  it('@influxdata/influxdb-client: a write with a conflicting field is rejected with InfluxDB\'s error body', async function () {
    const client = new InfluxDB({ url: `http://127.0.0.1:${fixture.server.httpPort}`, token: 'unused' })
    const writeApi = client.getWriteApi('org', 'bucket', 's', { maxRetries: 0, batchSize: 10, flushInterval: 0 })
    writeApi.writeRecords(['v2conf v=1 1', 'v2conf v=2i 2', 'v2conf v=3 3'])
    await assert.rejects(writeApi.flush(), (error: unknown) => {
      const e = error as { statusCode?: number; code?: string; message?: string }
      assert.equal(e.statusCode, 400)
      assert.equal(e.code, 'invalid')
      assert.match(e.message ?? '', /line 2/)
      return true
    })
    await writeApi.close().catch(() => undefined)
    assert.equal(Number(await fixture.sql.scalar('SELECT count(*) FROM v2conf')), 2)
  })

  it('influx (v1): writePoints to /write and ping', async function () {
    const influx = new InfluxV1({ host: '127.0.0.1', port: fixture.server.httpPort, database: 'telegraf' })
    const [pong] = await influx.ping(5000)
    assert.equal(pong?.online, true)
    assert.equal(pong?.version, 'v2.7.4')
    const base = Date.UTC(2024, 1, 1)
    await influx.writePoints(Array.from({ length: 100 }, (_, i) => ({
      measurement: 'v1mem', tags: { host: i % 2 === 0 ? 'even' : 'odd' }, fields: { free: i, used: i * 1.5 },
      timestamp: new Date(base + i),
    })), { precision: 'ms' })
    const rows = await fixture.sql.rows('SELECT host, count(*) AS n, sum(used) AS used FROM v1mem GROUP BY host ORDER BY host')
    assert.deepEqual(rows.map((r) => [r['host'], Number(r['n']), Number(r['used'])]), [['even', 50, 3675], ['odd', 50, 3750]])
  })

  it('@questdb/nodejs-client: HTTP sender (protocol version from /settings)', async function () {
    const sender = await Sender.fromConfig(`http::addr=127.0.0.1:${fixture.server.httpPort};auto_flush=off`, { log: () => undefined })
    const base = Date.UTC(2024, 2, 1)
    for (let i = 0; i < 500; i++) {
      await sender.table('qhttp').symbol('sym', `s${i % 5}`).floatColumn('price', i + 0.25).intColumn('qty', i)
        .stringColumn('side', i % 2 === 0 ? 'buy' : 'sell').booleanColumn('hit', i % 3 === 0).at(base + i, 'ms')
    }
    await sender.flush()
    await sender.close()
    const [row] = await fixture.sql.rows('SELECT count(*) AS n, sum(qty) AS q, min(time) AS t FROM qhttp')
    assert.equal(Number(row?.['n']), 500)
    assert.equal(Number(row?.['q']), 499 * 500 / 2)
    assert.deepEqual(row?.['t'], new Date(base))
  })

  it('@questdb/nodejs-client: TCP sender', async function () {
    const sender = await Sender.fromConfig(`tcp::addr=127.0.0.1:${fixture.server.ilpPort};auto_flush=off`, { log: () => undefined })
    await sender.connect()
    const base = Date.UTC(2024, 3, 1)
    for (let i = 0; i < 300; i++) {
      await sender.table('qtcp').symbol('venue', i % 2 === 0 ? 'x' : 'y').floatColumn('px', i).at(base + i, 'ms')
    }
    await sender.flush()
    await sender.close()
    await fixture.sql.waitFor('SELECT count(*) FROM qtcp', '300')
    assert.equal(Number(await fixture.sql.scalar('SELECT sum(px) FROM qtcp')), 299 * 300 / 2)
  })
})
