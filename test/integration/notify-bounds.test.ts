// Goal: notifications cannot grow the server without bound (issue 9): what open transactions notified and what
// waits for listeners that are not sent it yet (inside a block, not reading) count against NOTIFY_QUEUE_BYTES_MAX,
// past which NOTIFY fails with PostgreSQL's 54000 "too many notifications in the NOTIFY queue"; the bytes come back
// when a transaction rolls back, when the listener is sent them, and when it disconnects. Method: the real server
// process, node-postgres notifiers and a raw-socket listener. PostgreSQL's own queue is 8 GB on disk, so this bound
// has no observable PostgreSQL counterpart: the expectations are nodedb's documented limit.
import assert from 'node:assert/strict'
import pg from 'pg'
import { serialize } from 'pg-protocol'
import { RawPgClient } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { NOTIFY_QUEUE_BYTES_MAX } from '../../src/common/limits.js'

/** Bytes a notification of this batch counts: channel, payload, 32 (sql/exec/notifications.ts). */
const PAYLOAD_BYTES = 7900
const PER_NOTIFICATION = 'big'.length + 4 + PAYLOAD_BYTES + 32
/** A batch that fits the bound once but not twice. */
const BATCH_COUNT = Math.floor(NOTIFY_QUEUE_BYTES_MAX / PER_NOTIFICATION / 2) + 100

/** One statement sending `count` distinct notifications on channel big (payload: a number, then padding). */
function batch(from: number, count: number): string {
  return `SELECT count(pg_notify('big', lpad(i::text, 4, '0') || repeat('x', ${PAYLOAD_BYTES}))) FROM generate_series(${from}, ${from + count - 1}) i`
}

async function failure(client: pg.Client, text: string): Promise<string> {
  try {
    await client.query(text)
    return 'no error'
  } catch (error) {
    return `${(error as { code?: string }).code ?? '?'} ${(error as Error).message}`
  }
}

describe('integration: LISTEN / NOTIFY — the bound on held notifications', function () {
  this.timeout(180_000)
  let server: ServerProcess
  let dataDir: string
  let notifier: pg.Client

  before(async function () {
    assert.ok(BATCH_COUNT < 10_000 && BATCH_COUNT * PER_NOTIFICATION * 2 > NOTIFY_QUEUE_BYTES_MAX, 'two batches exceed the bound, one does not')
    dataDir = makeTempDir('notify-bounds')
    server = await startServerProcess({ dataDir })
    notifier = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    await notifier.connect()
  })

  after(async function () {
    await notifier?.end()
    await server?.stop()
    removeDir(dataDir)
  })

  it('one transaction notifying past the bound fails with 54000, and its bytes come back with its rollback', async function () {
    assert.equal(await failure(notifier, batch(1, BATCH_COUNT * 2)), '54000 too many notifications in the NOTIFY queue')
    assert.equal((await notifier.query(batch(1, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT))
    assert.equal((await notifier.query(batch(1, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT), 'nobody listens: nothing stays held')
  })

  it('a listener inside a block holds what it was sent until its COMMIT; then it gets all of it in order and the bytes come back', async function () {
    const listener = await RawPgClient.connect(server.pgPort)
    await listener.readUntil('readyForQuery')
    await listener.query('LISTEN big')
    await listener.query('BEGIN')
    assert.equal((await notifier.query(batch(1, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT))
    assert.equal(await failure(notifier, batch(5001, BATCH_COUNT)), '54000 too many notifications in the NOTIFY queue')
    assert.equal(await failure(notifier, "NOTIFY other, 'small'"), 'no error', 'a small one still fits')
    listener.write(serialize.query('COMMIT'))
    const received: string[] = []
    while (received.length < BATCH_COUNT) {
      const messages = await listener.readUntilAny(['notification'])
      const last = messages.at(-1)!.message as unknown as { channel: string; payload: string }
      received.push(`${last.channel} ${last.payload.slice(0, 4)}`)
    }
    assert.deepEqual(received, Array.from({ length: BATCH_COUNT }, (_, i) => `big ${String(i + 1).padStart(4, '0')}`))
    assert.equal((await notifier.query(batch(5001, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT), 'sent: the bytes came back')
    // The listener, reading, takes those too; then the bound is free again for the next test.
    for (let i = 0; i < BATCH_COUNT; i++) await listener.readUntilAny(['notification'])
    await listener.query('UNLISTEN *')
    listener.close()
  })

  it('a listener that disconnects without reading gives its held notifications back', async function () {
    const listener = await RawPgClient.connect(server.pgPort)
    await listener.readUntil('readyForQuery')
    const pid = Number((await listener.query('SELECT pg_backend_pid()')).find((m) => m.name === 'dataRow')!.values![0]!.toString())
    await listener.query('LISTEN big')
    await listener.query('BEGIN')
    assert.equal((await notifier.query(batch(1, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT))
    assert.equal(await failure(notifier, batch(5001, BATCH_COUNT)), '54000 too many notifications in the NOTIFY queue')
    listener.close()
    // The server sees the socket close on its own time: wait until its session is gone from pg_stat_activity.
    while ((await notifier.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount !== 0) await new Promise((resolve) => setImmediate(resolve))
    assert.equal((await notifier.query(batch(5001, BATCH_COUNT))).rows[0].count, String(BATCH_COUNT))
  })
})
