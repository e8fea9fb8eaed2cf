// test/helpers/crash-writers: the writer loop and the per-batch count shared by the kill -9 tests. A writer inserts
// batches tagged with a batch id until told to stop (or until the kill cuts its connection); every batch whose INSERT
// was acknowledged goes into `acked`, so the test can demand exactly those after restart.
import pg from 'pg'

/** A client of the server under test whose connection may be cut by the kill (its 'error' event is expected). */
export function client(port: number): pg.Client {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' })
  c.on('error', () => undefined)
  return c
}

export interface BatchWriter {
  readonly port: number
  readonly first: number
  readonly step: number
  readonly batchSql: (batchId: number) => string
  readonly acked: Set<number>
  readonly stop: { value: boolean }
}

/** Inserts batches first, first + step, … until stop.value; resolves (never rejects) when the kill cuts it off. */
export async function runBatchWriter(writer: BatchWriter): Promise<void> {
  const c = client(writer.port)
  try {
    await c.connect()
    for (let batch = writer.first; !writer.stop.value; batch += writer.step) {
      await c.query(writer.batchSql(batch))
      writer.acked.add(batch)
    }
  } catch {
    // The kill cuts the connection: the batch in flight is unacknowledged, which the tests allow for.
  } finally {
    c.end().catch(() => undefined)
  }
}

/** Rows per batch id (column `b`) in `table`. */
export async function countsByBatch(port: number, table: string): Promise<Map<number, number>> {
  const c = client(port)
  await c.connect()
  try {
    const result = await c.query(`SELECT b, count(*) AS n FROM ${table} GROUP BY b`)
    return new Map(result.rows.map((r: { b: string; n: string }) => [Number(r.b), Number(r.n)]))
  } finally {
    await c.end()
  }
}
