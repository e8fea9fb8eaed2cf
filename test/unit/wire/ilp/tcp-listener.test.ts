// Goal: the ILP TCP listener flushes in bounded chunks, never has two ingests of one connection in flight (the
// socket waits: backpressure), keeps line numbers counting across flushes, counts bad lines, and closes cleanly with
// a slow ingest pending. Method: the real listener on port 0 with a stub SqlFacade whose ingest the test releases.
import assert from 'node:assert/strict'
import net from 'node:net'
import { featureNotSupported } from '../../../../src/common/errors.js'
import type { IngestBatch, IngestOutcome, SqlFacade } from '../../../../sql/api.js'
import { startIlpTcpListener } from '../../../../wire/ilp/tcp-listener.js'
import { sendTcp } from '../../../helpers/ilp.js'

class SlowSql implements SqlFacade {
  readonly calls: Array<ReadonlyArray<IngestBatch>> = []
  inFlight = 0
  inFlightMax = 0
  private readonly waiting: Array<() => void> = []

  parse(): never { throw featureNotSupported('SQL') }
  describe(): never { throw featureNotSupported('SQL') }
  execute(): never { throw featureNotSupported('SQL') }

  async ingest(batches: ReadonlyArray<IngestBatch>): Promise<IngestOutcome> {
    this.calls.push(batches)
    this.inFlight++
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlight)
    await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.inFlight--
    return { rowCount: batches.reduce((sum, batch) => sum + batch.rowCount, 0), errors: [], errorCount: 0 }
  }

  /** Releases pending ingests until `done()` says stop. */
  async releaseUntil(done: () => boolean): Promise<void> {
    while (!done()) {
      this.waiting.splice(0).forEach((release) => release())
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
}

describe('wire/ilp/tcp-listener', function () {
  it('flushes one chunk at a time, line numbers continuing across flushes, bad lines counted', async function () {
    const sql = new SlowSql()
    const listener = await startIlpTcpListener({ host: '127.0.0.1', port: 0, sql, flushRows: 10 })
    const socket = net.connect(listener.port, '127.0.0.1')
    try {
      await new Promise((resolve) => socket.once('connect', resolve))
      for (let round = 0; round < 5; round++) {
        const lines = Array.from({ length: 20 }, (_, i) => round * 20 + i).map((n) => (n === 42 ? 'broken' : `m v=${n} ${n + 1}`))
        socket.write(`${lines.join('\n')}\n`)
        // The second write of a round may arrive while the first flush is in flight: it must wait for it.
        socket.write('')
        await sql.releaseUntil(() => sql.calls.length > round && sql.inFlight === 0)
      }
      const ended = new Promise((resolve) => socket.once('close', resolve))
      socket.end()
      socket.resume()
      await ended
      assert.equal(sql.inFlightMax, 1)
      assert.ok(sql.calls.length >= 5, `${sql.calls.length} flushes`)
      const lineNumbers = sql.calls.flat().flatMap((batch) => Array.from(batch.lineNumbers))
      assert.deepEqual(lineNumbers, Array.from({ length: 100 }, (_, i) => i + 1).filter((line) => line !== 43))
      assert.equal(listener.counters.linesRejected, 1)
    } finally {
      socket.destroy()
      await listener.close()
    }
  })

  it('closes with an ingest still pending once it settles', async function () {
    const sql = new SlowSql()
    const listener = await startIlpTcpListener({ host: '127.0.0.1', port: 0, sql, flushRows: 1 })
    void sendTcp(listener.port, ['m v=1 1\nm v=2 2\n']).catch(() => undefined)
    await sql.releaseUntil(() => sql.calls.length > 0)
    const closed = listener.close()
    await sql.releaseUntil(() => sql.inFlight === 0)
    await closed
  })
})
