// bench/micro/pg-session-cost: the session's own CPU per `SELECT 1` round trip, without a socket — frames fed to a
// Session (the real sql facade over an empty FakeEngine) and its output taken, as connection.ts does, over the simple
// protocol (Query) and the extended one (Parse/Bind/Describe/Execute/Sync of the unnamed statement, as node-postgres
// sends it). What pg-roundtrip-cost measures minus Node's socket path and the kernel: stable on a loaded box.
// Run: npx tsc -p . && node --max-semi-space-size=2 dist/bench/micro/pg-session-cost.js [--round-trips 100000]
import { parseArgs } from 'node:util'
import { serialize } from 'pg-protocol'
import { loadParser } from '../../sql/parse/adapter.js'
import { createSql } from '../../sql/sql.js'
import { CancelRegistry } from '../../wire/pg/cancel.js'
import { Framer } from '../../wire/pg/framer.js'
import { Session } from '../../wire/pg/session.js'
import { FakeEngine } from '../../test/unit/sql/fake-engine.js'

const WARM_UP_ROUND_TRIPS = 20_000
const REPEATS = 3

const ROUND_TRIP_BYTES: Readonly<Record<'simple' | 'extended', Buffer>> = {
  simple: serialize.query('SELECT 1'),
  extended: Buffer.concat([
    serialize.parse({ text: 'SELECT 1' }), serialize.bind({}), serialize.describe({ type: 'P', name: '' }), serialize.execute({}), serialize.sync(),
  ]),
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'round-trips': { type: 'string', default: '100000' } } })
  const total = Number(values['round-trips'])
  await loadParser()
  for (const protocol of ['simple', 'extended'] as const) {
    const framer = new Framer()
    let outputBytes = 0
    const session: Session = new Session({
      sql: createSql(new FakeEngine()), cancelRegistry: new CancelRegistry(), isOverCapacity: false,
      host: { flush: () => { for (const chunk of session.takeOutput()) outputBytes += chunk.length; return undefined }, close: () => undefined },
    })
    const feed = async (bytes: Buffer): Promise<void> => {
      framer.push(bytes)
      session.inPacket(true) // as Connection.receive: the frames of one packet share one clock read
      for (let frame = framer.next(); frame !== null; frame = framer.next()) {
        const pending = session.handleFrame(frame)
        if (session.isStarted) framer.expectTypedFrames()
        if (pending !== undefined) {
          session.inPacket(false)
          await pending
        }
      }
      session.inPacket(false)
      await session.flush()
    }
    await feed(serialize.startup({ user: 'bench', database: 'postgres' }))
    const bytes = ROUND_TRIP_BYTES[protocol]
    for (let i = 0; i < WARM_UP_ROUND_TRIPS; i++) await feed(bytes)
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const started = process.cpuUsage()
      for (let i = 0; i < total; i++) await feed(bytes)
      const used = process.cpuUsage(started)
      process.stdout.write(`select1-${protocol}`.padEnd(20) + `session CPU ${((used.user + used.system) / total).toFixed(2).padStart(6)} µs/round trip\n`)
    }
    if (outputBytes === 0) throw new Error('the session answered nothing')
  }
}

main().catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
