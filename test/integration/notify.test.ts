// Goal: LISTEN / NOTIFY / UNLISTEN and pg_notify behave as PostgreSQL 15's within one server (issue 9): case folding,
// payloads, delivery at COMMIT only (dropped at ROLLBACK and ROLLBACK TO), duplicates folded, send order, a session's
// own notifications, LISTEN at commit, delivery between statements and never inside a block, UNLISTEN, DISCARD ALL,
// the error texts; the NotificationResponse frame byte for byte; psql's line; and the bound on held notifications.
// Method: the real server process and a real PostgreSQL get the same scenario through node-postgres (two sessions
// each: a listener and a notifier) and raw frames (test/helpers/raw-pg.ts); every expectation is PostgreSQL's own
// answer, with the notifying pid replaced by which session it is. The memory bound is nodedb's own (PostgreSQL's
// queue is 8 GB on disk, so it has no observable counterpart) and is checked against nodedb alone.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import pg from 'pg'
import postgresJs from 'postgres'
import { serialize } from 'pg-protocol'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { RawPgClient, type RawMessage } from '../helpers/raw-pg.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

/** One server's two sessions and what the listener saw, in order: notifications and its own statements' ends. */
interface Pair { readonly listener: pg.Client; readonly notifier: pg.Client; readonly log: string[] }

async function openPair(port: number): Promise<Pair> {
  const listener = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  const notifier = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await listener.connect()
  await notifier.connect()
  const log: string[] = []
  const pidOf = async (client: pg.Client): Promise<number> => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
  const [listenerPid, notifierPid] = [await pidOf(listener), await pidOf(notifier)]
  const who = (pid: number): string => (pid === listenerPid ? 'listener' : pid === notifierPid ? 'notifier' : `pid ${pid}`)
  listener.on('notification', (n) => log.push(`${n.channel}|${n.payload ?? ''}|${who(n.processId)}`))
  return { listener, notifier, log }
}

/** A statement's outcome as a client sees it: its rows (as text), or its SQLSTATE and message. */
async function outcome(client: pg.Client, text: string): Promise<string> {
  try {
    const results: pg.QueryResult[] = [await client.query(text)].flat() // a multi-statement Query gives one result each
    return results.map((result) => `${result.command} ${JSON.stringify(result.rows)}`).join('; ')
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    return `error ${code ?? '?'} ${message}`
  }
}

/** [session, statement]: run in order; the listener's statements also mark the log when they end. */
const SCENARIO: ReadonlyArray<readonly ['listener' | 'notifier', string]> = [
  ['listener', 'SELECT pg_listening_channels()'],
  ['listener', 'LISTEN Foo'], ['listener', 'LISTEN "Bar"'], ['listener', 'LISTEN foo'], ['listener', 'SELECT pg_listening_channels()'],
  ['listener', 'SELECT c, length(c) FROM pg_listening_channels() c ORDER BY c'],
  ['notifier', 'NOTIFY foo'], ['notifier', "NOTIFY FOO, 'folded'"], ['notifier', `NOTIFY "Bar", 'quoted'`], ['notifier', "NOTIFY bar, 'not listened'"],
  ['notifier', "SELECT pg_notify('Bar', 'by function')"], ['notifier', "SELECT pg_notify('FOO', 'not folded')"], ['notifier', "SELECT pg_notify('foo', NULL)"],
  ['notifier', "NOTIFY foo, ''"], ['notifier', "NOTIFY foo, 'ünïcödé'"],
  ['notifier', 'BEGIN'], ['notifier', "NOTIFY foo, 't1'"], ['notifier', "NOTIFY foo, 't1'"], ['notifier', "NOTIFY foo, 't2'"],
  ['notifier', "SELECT pg_notify('foo', 't1')"], ['notifier', 'SAVEPOINT s'], ['notifier', "NOTIFY foo, 't3'"], ['notifier', "NOTIFY foo, 't2'"],
  ['notifier', 'ROLLBACK TO s'], ['notifier', "NOTIFY foo, 't4'"], ['notifier', 'RELEASE s'], ['notifier', "NOTIFY \"Bar\", 't5'"], ['notifier', 'COMMIT'],
  ['notifier', 'BEGIN'], ['notifier', "NOTIFY foo, 'rolled back'"], ['notifier', 'ROLLBACK'],
  ['notifier', 'BEGIN'], ['notifier', "NOTIFY foo, 'failed block'"], ['notifier', 'SELECT 1/0'], ['notifier', 'COMMIT'],
  ['notifier', "NOTIFY foo, 'multi 1'; NOTIFY foo, 'multi 2'; NOTIFY foo, 'multi 1'"],
  ['notifier', "SELECT pg_notify('foo', 'failed statement ' || i), 1 / (i - 2) FROM generate_series(1, 3) i"],
  ['notifier', "NOTIFY foo, 'multi 3'; SELECT 1/0; NOTIFY foo, 'multi 4'"], ['notifier', "NOTIFY foo, 'after failures'"],
  ['listener', "NOTIFY foo, 'to myself'"], ['listener', "SELECT pg_notify('foo', 'to myself by function'), 1 AS one"],
  ['listener', 'BEGIN'], ['notifier', "NOTIFY foo, 'while the listener is in a block'"], ['listener', 'SELECT 1'],
  ['notifier', "NOTIFY foo, 'second while in a block'"], ['listener', 'COMMIT'],
  ['listener', 'BEGIN'], ['notifier', "NOTIFY foo, 'in an aborted block'"], ['listener', 'SELECT 1/0'], ['listener', 'SELECT 1'], ['listener', 'ROLLBACK'],
  ['listener', 'BEGIN'], ['listener', "NOTIFY foo, 'own, in a block'"], ['listener', 'SELECT 2'], ['listener', 'COMMIT'],
  ['listener', 'BEGIN'], ['listener', 'LISTEN later'], ['listener', "NOTIFY later, 'listen and notify in one transaction'"],
  ['listener', 'SELECT pg_listening_channels() AS in_block'], ['listener', 'COMMIT'], ['listener', 'SELECT pg_listening_channels() AS after_commit'],
  ['listener', 'BEGIN'], ['listener', "NOTIFY late, 'notify before listen'"], ['listener', 'LISTEN late'], ['listener', 'COMMIT'],
  ['listener', 'BEGIN'], ['listener', 'LISTEN never'], ['listener', 'ROLLBACK'], ['notifier', "NOTIFY never, 'rolled back LISTEN'"],
  ['listener', 'BEGIN'], ['listener', 'UNLISTEN foo'], ['notifier', "NOTIFY foo, 'unlisten not committed yet'"], ['listener', 'COMMIT'],
  ['notifier', "NOTIFY foo, 'after UNLISTEN foo'"], ['notifier', "NOTIFY \"Bar\", 'Bar still listened'"],
  ['listener', 'UNLISTEN nothing'], ['listener', 'UNLISTEN *'], ['listener', 'SELECT pg_listening_channels()'], ['notifier', "NOTIFY \"Bar\", 'after UNLISTEN *'"],
  ['listener', 'LISTEN again'], ['notifier', "NOTIFY again, 'before DISCARD ALL'"], ['listener', 'DISCARD ALL'], ['notifier', "NOTIFY again, 'after DISCARD ALL'"],
  ['listener', 'SELECT pg_listening_channels()'], ['notifier', 'SELECT pg_listening_channels()'], ['notifier', "SELECT pg_listening_channels('x')"],
  ['notifier', "SELECT pg_notify('', 'x')"], ['notifier', "SELECT pg_notify(NULL, 'x')"], ['notifier', `SELECT pg_notify(repeat('c', 64), 'x')`],
  ['notifier', `SELECT pg_notify(repeat('c', 63), 'x')`], ['notifier', `SELECT pg_notify('foo', repeat('p', 8000))`],
  ['notifier', `SELECT pg_notify('foo', repeat('é', 4000))`], ['notifier', `SELECT pg_notify('foo', repeat('p', 7999))`],
  ['notifier', `NOTIFY foo, '${'p'.repeat(8000)}'`],
  ['listener', 'LISTEN done'], ['notifier', "NOTIFY done, 'last'"],
]

describe('integration: LISTEN / NOTIFY, against PostgreSQL 15', function () {
  this.timeout(180_000)
  let server: ServerProcess
  let dataDir: string
  let postgres: Postgres
  const closers: Array<() => unknown> = []

  before(async function () {
    dataDir = makeTempDir('notify')
    server = await startServerProcess({ dataDir })
    postgres = await startPostgres()
  })

  after(async function () {
    for (const close of closers) await close()
    await server?.stop()
    postgres?.stop()
    removeDir(dataDir)
  })

  it('the same scenario gives the listener the same notifications, at the same points, with the same outcomes', async function () {
    const results: Array<{ outcomes: string[]; log: string[] }> = []
    for (const port of [server.pgPort, postgres.port]) {
      const pair = await openPair(port)
      closers.push(() => pair.listener.end(), () => pair.notifier.end())
      const outcomes: string[] = []
      for (const [who, text] of SCENARIO) {
        outcomes.push(`${who}: ${text.slice(0, 60)} → ${(await outcome(pair[who], text)).slice(0, 200)}`)
        if (who === 'listener') pair.log.push(`(listener ran ${text.slice(0, 40)})`)
      }
      // Notifications reach an idle listener in commit order: the last one's arrival means every earlier one arrived.
      while (!pair.log.some((line) => line.startsWith('done|last'))) await new Promise((resolve) => pair.listener.once('notification', resolve))
      results.push({ outcomes, log: pair.log })
    }
    assert.deepEqual(results[0]!.outcomes, results[1]!.outcomes)
    assert.deepEqual(results[0]!.log, results[1]!.log)
  })

  /** Message names with tags, error codes and notification fields (the pid as which session sent it). */
  function summary(messages: ReadonlyArray<RawMessage>, pids: ReadonlyMap<number, string>): string[] {
    return messages.map(({ name, message }) => {
      if (name === 'commandComplete' && 'text' in message) return `${name} ${String(message.text)}`
      if (name === 'error' && 'code' in message) return `${name} ${String(message.code)}`
      if (name === 'notification') {
        const { processId, channel, payload } = message as unknown as { processId: number; channel: string; payload: string }
        return `${name} ${pids.get(processId) ?? '?'} ${channel} ${payload}`
      }
      return name
    })
  }

  it('NotificationResponse comes where PostgreSQL sends it (before ReadyForQuery, after Sync) and is byte for byte the same but the pid', async function () {
    const flows: string[][] = []
    const frames: Buffer[] = []
    for (const port of [server.pgPort, postgres.port]) {
      const self = await RawPgClient.connect(port)
      const other = await RawPgClient.connect(port)
      closers.push(() => self.close(), () => other.close())
      for (const client of [self, other]) await client.readUntil('readyForQuery') // the startup's
      const pidOf = async (client: RawPgClient): Promise<number> => {
        const rows = (await client.query('SELECT pg_backend_pid()')).filter((m) => m.name === 'dataRow')
        return Number(rows[0]!.values![0]!.toString())
      }
      const pids = new Map([[await pidOf(self), 'self'], [await pidOf(other), 'other']])
      const flow: string[] = []
      const run = async (client: RawPgClient, ...sent: Buffer[]): Promise<void> => {
        client.write(...sent)
        flow.push(...summary(await client.readUntil('readyForQuery'), pids), '|')
      }
      await run(self, serialize.query("LISTEN c; NOTIFY c, 'one'; NOTIFY c, 'two'"))
      await run(self, serialize.parse({ text: "NOTIFY c, 'extended'" }), serialize.bind({}), serialize.execute({}), serialize.sync())
      await run(self, serialize.parse({ text: 'SELECT pg_notify($1, $2)' }), serialize.bind({ values: ['c', 'bound'] }), serialize.execute({}),
        serialize.parse({ text: "NOTIFY c, 'second execute'" }), serialize.bind({}), serialize.execute({}), serialize.sync())
      await run(self, serialize.query("SET application_name = 'notified'; NOTIFY c, 'with a ParameterStatus'"))
      self.write(serialize.flush()) // a Flush while idle leaves the session idle (PostgreSQL waits for input again)
      await run(other, serialize.query("NOTIFY c, 'from the other session'"))
      // The other session's notification reaches the idle listener without a query of its own.
      const idle = await self.readUntil('notification')
      flow.push(...summary(idle, pids))
      frames.push(idle.at(-1)!.frame)
      flows.push(flow)
    }
    assert.deepEqual(flows[0], flows[1])
    // 'A', int32 length, int32 pid, channel\0, payload\0: the same bytes once the pid is set aside.
    const [ours, theirs] = frames.map((frame) => Buffer.concat([frame.subarray(0, 5), frame.subarray(9)]))
    assert.deepEqual(ours, theirs)
    assert.equal(frames[0]![0], 0x41)
  })

  it('postgres.js: sql.listen / sql.notify / unlisten and notifications from sql.begin get what PostgreSQL gives', async function () {
    const runs: string[][] = []
    for (const port of [server.pgPort, postgres.port]) {
      const sql = postgresJs({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => undefined })
      closers.push(() => sql.end())
      const received: string[] = []
      let finish = (): void => {}
      const finished = new Promise<void>((resolve) => { finish = resolve })
      const jobs = await sql.listen('Jobs', (payload: string) => received.push(`Jobs ${payload}`))
      await sql.listen('done', () => finish())
      // PostgreSQL's listener backend sends a notification when it next runs, after the notifier's COMMIT returned;
      // postgres.js drops one that arrives after unlisten() was called. A notification on 'caught up', sent last and
      // delivered in commit order, says every earlier one has arrived.
      let caughtUp = (): void => {}
      const isCaughtUp = new Promise<void>((resolve) => { caughtUp = resolve })
      await sql.listen('caught up', () => caughtUp())
      await sql.notify('Jobs', 'by sql.notify')
      await sql`SELECT pg_notify(${'Jobs'}, ${'by a parameterised pg_notify'})`
      await sql`NOTIFY jobs, 'folded: not listened'`
      await sql.begin(async (tx: postgresJs.TransactionSql) => { await tx`SELECT pg_notify('Jobs', 'in a committed transaction')`; await tx`SELECT 1` })
      await sql.begin(async (tx: postgresJs.TransactionSql) => {
        await tx`NOTIFY "Jobs", 'in a rolled back transaction'`
        throw new Error('roll back')
      }).catch(() => undefined)
      await sql.notify('caught up', '')
      await isCaughtUp
      await jobs.unlisten()
      await sql.notify('Jobs', 'after unlisten')
      await sql.notify('done', '')
      await finished
      runs.push(received)
    }
    assert.deepEqual(runs[0], runs[1])
    assert.equal(runs[0]!.length, 3)
  })

  it("psql prints PostgreSQL's line for a notification, the pid being the notifying session's", async function () {
    const runPsql = async (port: number): Promise<string> => {
      const env = { ...process.env, PGUSER: 'postgres', PGDATABASE: 'postgres' }
      const child = execFile('psql', ['-h', '127.0.0.1', '-p', String(port), '-X', '-q'], { env })
      let output = ''
      child.stdout?.on('data', (chunk: string) => { output += chunk })
      child.stdin?.end("LISTEN jobs;\nNOTIFY jobs, 'job 1';\nNOTIFY jobs;\nSELECT pg_backend_pid() AS pid \\gset\n\\echo backend :pid\n")
      await new Promise((resolve) => child.on('close', resolve))
      return output
    }
    const [ours, theirs] = [await runPsql(server.pgPort), await runPsql(postgres.port)]
    const normalize = (text: string): string => {
      const pid = /backend (\d+)/.exec(text)?.[1] ?? 'none'
      return text.split(pid).join('PID')
    }
    assert.match(ours, /Asynchronous notification "jobs" with payload "job 1" received from server process with PID \d+\./)
    assert.equal(normalize(ours), normalize(theirs))
  })
})
