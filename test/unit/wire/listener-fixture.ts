// test/unit/wire/listener-fixture: registers beforeEach/afterEach in the calling describe block: a fresh FakeSql and
// a listener on port 0 per test, and every client and listener closed afterwards (so mocha exits).
import { startPgListener, type PgListener } from '../../../wire/pg/listener.js'
import { FakeSql } from './fake-sql.js'
import { WireClient, type Message } from './wire-client.js'

export interface ListenerFixture {
  readonly sql: FakeSql
  readonly listener: PgListener
  /** Replaces the listener (the old one must be closed by the test). */
  restart(connectionsMax?: number): Promise<void>
  /** A socket that has not sent its startup packet yet. */
  raw(): Promise<WireClient>
  /** A session past startup (ReadyForQuery received). */
  connected(): Promise<WireClient>
}

export function statusOf(messages: ReadonlyArray<Message>): unknown {
  return messages[messages.length - 1]?.['status']
}

export function useListener(): ListenerFixture {
  let sql = new FakeSql()
  let listener: PgListener | null = null
  const clients: WireClient[] = []
  const fixture: ListenerFixture = {
    get sql() { return sql },
    get listener() {
      if (listener === null) throw new Error('listener not started')
      return listener
    },
    async restart(connectionsMax) {
      listener = await startPgListener({ host: '127.0.0.1', port: 0, sql, ...(connectionsMax === undefined ? {} : { connectionsMax }) })
    },
    async raw() {
      const client = await WireClient.connect(fixture.listener.port)
      clients.push(client)
      return client
    },
    async connected() {
      const client = await fixture.raw()
      await client.startup()
      return client
    },
  }
  beforeEach(async () => {
    sql = new FakeSql()
    await fixture.restart()
  })
  afterEach(async () => {
    for (const client of clients.splice(0)) client.end()
    await listener?.close()
    listener = null
  })
  return fixture
}
