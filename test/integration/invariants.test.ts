// Goal: design invariants 5 and 6 hold on the real server. 5: the event loop stays free — while cores scan half a
// million rows for one session, another session's SELECT 1 is answered first. 6: bad input is contained — a malformed
// pg frame, a bad statement and bad ILP lines each get their error while the server, every other connection and
// every acknowledged row are untouched. Method: one server process; rows arrive over ILP TCP; pg clients and raw
// sockets; ordering (never timing) is asserted.
import assert from 'node:assert/strict'
import net from 'node:net'
import pg from 'pg'
import { sendTcp, useIlpServer } from '../helpers/ilp.js'

const ROWS = Number(process.env.NODEDB_INVARIANT_ROWS ?? '500000')

function ilpLines(from: number, to: number): string {
  let text = ''
  for (let i = from; i < to; i++) text += `inv,host=h${i % 50} v=${i % 1000}.5,n=${i}i ${1_700_000_000_000_000_000 + i * 1_000_000}\n`
  return text
}

async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' })
  await client.connect()
  return client
}

describe('integration: invariants 5 and 6', function () {
  this.timeout(120_000)
  const fixture = useIlpServer('invariants')

  before(async function () {
    const chunks: string[] = []
    for (let start = 0; start < ROWS; start += 50_000) chunks.push(ilpLines(start, Math.min(ROWS, start + 50_000)))
    await sendTcp(fixture.server.ilpPort, chunks)
    await fixture.sql.waitFor('SELECT count(*) FROM inv', String(ROWS))
  })

  it('invariant 5: another session is answered while the cores scan', async function () {
    const scanning = await connect(fixture.server.pgPort)
    const other = await connect(fixture.server.pgPort)
    try {
      const order: string[] = []
      const scan = scanning.query('SELECT host, avg(v), sum(n), min(v), max(v) FROM inv GROUP BY host')
        .then((result) => { order.push('scan'); return result })
      await new Promise((resolve) => setImmediate(resolve))
      const ping = other.query('SELECT 1 AS one').then((result) => { order.push('ping'); return result })
      const [scanResult, pingResult] = await Promise.all([scan, ping])
      assert.equal(scanResult.rows.length, 50)
      assert.deepEqual(pingResult.rows, [{ one: 1 }])
      assert.deepEqual(order, ['ping', 'scan'])
    } finally {
      await scanning.end()
      await other.end()
    }
  })

  it('invariant 6: malformed frames, bad SQL and bad ILP lines leave the server and acknowledged rows intact', async function () {
    const before = await fixture.sql.scalar('SELECT sum(n) FROM inv')
    // A frame whose length is below 4: FATAL 08P01 for that socket only.
    const raw = net.connect(fixture.server.pgPort, '127.0.0.1')
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      raw.on('connect', () => {
        const startup = Buffer.from('\0\0\0\0\0\x03\0\0user\0u\0\0', 'binary')
        startup.writeInt32BE(startup.length, 0)
        raw.write(startup)
        raw.write(Buffer.from([0x51, 0, 0, 0, 2]))
      })
      raw.on('data', (chunk: Buffer) => chunks.push(chunk))
      raw.on('close', () => resolve(Buffer.concat(chunks)))
      raw.on('error', reject)
    })
    assert.match(answer.toString('latin1'), /C08P01/)
    const client = await connect(fixture.server.pgPort)
    try {
      await assert.rejects(client.query('SELEC broken'), (error: unknown) => (error as { code?: string }).code === '42601')
      await assert.rejects(client.query('SELECT nosuch FROM inv'), (error: unknown) => (error as { code?: string }).code === '42703')
      // A valid line after the bad ones, in the same stream: once it is visible, the bad ones were handled.
      await sendTcp(fixture.server.ilpPort, ['inv,host=h1 v=notanumber 1\n', 'garbage without fields\n', 'inv,host=h1 n=1.5 2\n', 'inv_marker v=1 3\n'])
      await fixture.sql.waitFor('SELECT count(*) FROM inv_marker', '1')
      const after = await client.query('SELECT sum(n) AS s, count(*) AS c FROM inv')
      assert.equal(after.rows[0].s, before)
      assert.equal(after.rows[0].c, String(ROWS))
    } finally {
      await client.end()
    }
  })
})
