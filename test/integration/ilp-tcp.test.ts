// Goal: the ILP TCP listener takes newline-delimited lines however the stream is cut, logs and counts bad lines by
// line number and goes on, disconnects a client whose line never ends, and survives garbage; meanwhile other
// connections and pg keep working. Method: raw sockets against the real server process; since TCP has no
// acknowledgements, rows are awaited by polling SQL; log lines are read from the process output.
import assert from 'node:assert/strict'
import net from 'node:net'
import { sendTcp, useIlpServer } from '../helpers/ilp.js'

describe('integration: ILP over TCP (issue 5)', function () {
  this.timeout(60_000)
  const fixture = useIlpServer('ilp-tcp')

  it('lines split at every byte (UTF-8 included) arrive whole', async function () {
    const text = Buffer.from('split,city=Zürich temp=21.5,note="né" 1000000000\nsplit,city=東京 temp=30 2000000000\n', 'utf8')
    await sendTcp(fixture.server.ilpPort, Array.from(text, (byte) => Buffer.from([byte])))
    await fixture.sql.waitFor('SELECT count(*) FROM split', '2')
    assert.deepEqual(await fixture.sql.rows('SELECT city, temp, note FROM split ORDER BY time'),
      [{ city: 'Zürich', temp: 21.5, note: 'né' }, { city: '東京', temp: 30, note: null }])
  })

  it('a bad line is logged with its line number and counted; the stream goes on', async function () {
    await sendTcp(fixture.server.ilpPort, ['bad v=1 1000000000\nbad v= 2000000000\nbad v=3 3000000000\nbad v=4i 4000000000\nbad v=5 5000000000\n'])
    await fixture.sql.waitFor('SELECT count(*) FROM bad', '3')
    assert.deepEqual((await fixture.sql.rows('SELECT v FROM bad ORDER BY time')).map((r) => r['v']), [1, 3, 5])
    const logged = fixture.server.output().split('\n').filter((line) => line.includes('"msg":"ilp tcp: line'))
    assert.ok(logged.some((line) => line.includes('"line":2') && line.includes('BadFieldValue')), logged.join('\n'))
    assert.ok(logged.some((line) => line.includes('"line":4') && line.includes('TypeConflict')), logged.join('\n'))
  })

  it('a line past the maximum length disconnects its client; lines before it are kept; others still connect', async function () {
    // The socket is never ended by the client: only the server can close it (mocha's timeout catches a hang).
    await new Promise<void>((resolve) => {
      const socket = net.connect(fixture.server.ilpPort, '127.0.0.1', () => {
        socket.write('long v=1 1000000000\n')
        socket.write(Buffer.alloc(200 * 1024, 'x'.charCodeAt(0))) // no newline: one unbounded line
      })
      socket.on('error', () => undefined) // a reset also means the server hung up; 'close' follows
      socket.on('close', () => resolve())
      socket.resume()
    })
    await fixture.sql.waitFor('SELECT count(*) FROM long', '1')
    assert.match(fixture.server.output(), /line exceeds the maximum length, closing connection/)
    await sendTcp(fixture.server.ilpPort, ['long v=2 2000000000\n'])
    await fixture.sql.waitFor('SELECT count(*) FROM long', '2')
  })

  it('binary garbage does not hurt the server; pg and other ILP connections keep working', async function () {
    const garbage = Buffer.alloc(64 * 1024)
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256
    await sendTcp(fixture.server.ilpPort, [garbage, Buffer.from([0xff, 0xfe, 0x0a, 0x00, 0x0a])])
    await sendTcp(fixture.server.ilpPort, ['after v=1 1000000000\n'])
    await fixture.sql.waitFor('SELECT count(*) FROM after', '1')
    assert.equal(Number(await fixture.sql.scalar('SELECT 1')), 1)
  })

  it('several concurrent connections each writing many lines all land', async function () {
    const senders = 8
    const perSender = 20_000
    await Promise.all(Array.from({ length: senders }, (_, s) => {
      const chunks: string[] = []
      for (let start = 0; start < perSender; start += 1000) {
        const lines: string[] = []
        for (let i = start; i < start + 1000; i++) lines.push(`conc,sender=s${s} v=${i}i ${(s * perSender + i + 1) * 1000}`)
        chunks.push(`${lines.join('\n')}\n`)
      }
      return sendTcp(fixture.server.ilpPort, chunks)
    }))
    await fixture.sql.waitFor('SELECT count(*) FROM conc', String(senders * perSender))
    assert.equal(Number(await fixture.sql.scalar('SELECT sum(v) FROM conc')), senders * (perSender - 1) * perSender / 2)
  })
})
