// bench/scenarios/heavy-query-worker: a worker thread that runs a heavy query on its own pg connection and throws its
// rows away, so the rows' parsing and garbage collection happen in the worker's isolate, not on the event loop that
// times another connection's round trips (loop-stall.ts: it measures the server's stalls, not the bench's own).
import { parentPort, workerData } from 'node:worker_threads'
import pg from 'pg'

export interface HeavyQueryTarget { readonly port: number; readonly user: string }
export type HeavyQueryReply = { readonly rowCount: number } | { readonly error: string }

async function serve(port: NonNullable<typeof parentPort>): Promise<void> {
  const target = workerData as HeavyQueryTarget
  const client = new pg.Client({ host: '127.0.0.1', port: target.port, user: target.user, database: 'postgres' })
  await client.connect()
  port.on('message', (sql: string | null) => {
    if (sql === null) {
      void client.end().finally(() => port.close())
      return
    }
    client.query({ text: sql, rowMode: 'array' }).then(
      (result) => port.postMessage({ rowCount: result.rows.length } satisfies HeavyQueryReply),
      (error: unknown) => port.postMessage({ error: String(error) } satisfies HeavyQueryReply))
  })
  port.postMessage({ rowCount: 0 } satisfies HeavyQueryReply)
}

if (parentPort !== null) void serve(parentPort)
