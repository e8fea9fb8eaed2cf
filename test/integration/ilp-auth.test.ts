// Goal: with --http-token set, the HTTP write endpoints take exactly the credentials InfluxDB's and QuestDB's clients
// send (Token, Bearer, Basic, ?u=&p=) and answer anything else 401 `{"code":"unauthorized",…}` without writing;
// /ping and /health stay open. Method: raw requests and the real client libraries against a server with a token.
import assert from 'node:assert/strict'
import { InfluxDB, Point, setLogger } from '@influxdata/influxdb-client'
import { Sender } from '@questdb/nodejs-client'
import { InfluxDB as InfluxV1 } from 'influx'
import { httpRequest, useIlpServer } from '../helpers/ilp.js'

const TOKEN = 's3cret-token'

describe('integration: ILP HTTP authentication (issue 5)', function () {
  this.timeout(60_000)
  before(function () {
    // The clients log refused writes to the console; the tests assert on the errors instead.
    setLogger({ error: () => undefined, warn: () => undefined })
  })
  const fixture = useIlpServer('ilp-auth', ['--http-token', TOKEN])

  it('refuses missing or wrong credentials with 401 and writes nothing', async function () {
    const attempts: Array<Record<string, string>> = [
      {}, { Authorization: 'Token wrong' }, { Authorization: `Basic ${Buffer.from('u:wrong').toString('base64')}` },
      { Authorization: 'Negotiate abc' }, { Authorization: `Token ${TOKEN}x` },
    ]
    for (const headers of attempts) {
      const answer = await httpRequest(fixture.server.httpPort, { method: 'POST', path: '/api/v2/write?precision=s', headers, body: 'denied v=1 1' })
      assert.equal(answer.status, 401, JSON.stringify(headers))
      assert.deepEqual(JSON.parse(answer.body), { code: 'unauthorized', message: 'unauthorized access' })
    }
    const badParam = await httpRequest(fixture.server.httpPort, { method: 'POST', path: '/write?db=x&u=a&p=nope', body: 'denied v=1 1' })
    assert.equal(badParam.status, 401)
    assert.equal(await fixture.sql.scalar('SELECT count(*) FROM denied'), null)
    assert.equal((await httpRequest(fixture.server.httpPort, { method: 'GET', path: '/ping' })).status, 204)
    assert.equal((await httpRequest(fixture.server.httpPort, { method: 'GET', path: '/health' })).status, 200)
  })

  it('accepts Token, Bearer, Basic and u/p credentials', async function () {
    const ways: Array<{ path: string; headers: Record<string, string> }> = [
      { path: '/api/v2/write?precision=s', headers: { Authorization: `Token ${TOKEN}` } },
      { path: '/api/v2/write?precision=s', headers: { Authorization: `Bearer ${TOKEN}` } },
      { path: '/write?db=x&precision=s', headers: { Authorization: `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}` } },
      { path: `/write?db=x&precision=s&u=anyone&p=${TOKEN}`, headers: {} },
    ]
    for (const [i, way] of ways.entries()) {
      const answer = await httpRequest(fixture.server.httpPort, { method: 'POST', path: way.path, headers: way.headers, body: `allowed v=${i} ${i + 1}` })
      assert.equal(answer.status, 204, `${way.path} ${JSON.stringify(way.headers)}: ${answer.body}`)
    }
    assert.equal(Number(await fixture.sql.scalar('SELECT count(*) FROM allowed')), 4)
  })

  it('the client libraries authenticate as configured', async function () {
    const v2 = new InfluxDB({ url: `http://127.0.0.1:${fixture.server.httpPort}`, token: TOKEN }).getWriteApi('o', 'b', 's', { maxRetries: 0 })
    v2.writePoint(new Point('authclients').tag('via', 'v2').floatField('v', 1).timestamp(1))
    await v2.close()
    const v1 = new InfluxV1({ host: '127.0.0.1', port: fixture.server.httpPort, database: 'x', username: 'anyone', password: TOKEN })
    await v1.writePoints([{ measurement: 'authclients', tags: { via: 'v1' }, fields: { v: 2 }, timestamp: new Date(2000) }])
    const quest = await Sender.fromConfig(`http::addr=127.0.0.1:${fixture.server.httpPort};token=${TOKEN};protocol_version=1`, { log: () => undefined })
    await quest.table('authclients').symbol('via', 'questdb').floatColumn('v', 3).at(3000, 'ms')
    await quest.flush()
    await quest.close()
    const wrong = new InfluxDB({ url: `http://127.0.0.1:${fixture.server.httpPort}`, token: 'nope' }).getWriteApi('o', 'b', 's', { maxRetries: 0 })
    wrong.writeRecord('authclients,via=wrong v=4 4')
    await assert.rejects(wrong.close(), (error: unknown) => (error as { statusCode?: number }).statusCode === 401)
    assert.deepEqual((await fixture.sql.rows('SELECT via FROM authclients ORDER BY time')).map((r) => r['via']), ['v2', 'v1', 'questdb'])
  })
})
