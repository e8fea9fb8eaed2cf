// Goal: a COPY parsed by the COPY parse pool (sql/exec/copy-parse-pool.ts) gives exactly what CopyRows gives inline —
// the same ColumnBatch, the same error with the same CONTEXT — acknowledges each CopyData through its shared
// counter, and a worker that dies fails its COPY with a clear error while the next COPY gets a fresh worker; an idle
// worker exits and the next COPY starts another, with the same result.
// Oracle: CopyRows run inline on the same chunks (the worker runs that code; PostgreSQL itself is compared in
// test/integration/copy-worker.test.ts).
import assert from 'node:assert/strict'
import path from 'node:path'
import type { ColumnBatch } from '../../../engine/batch.js'
import type { TableSchema } from '../../../engine/ops.js'
import { columnType } from '../../../sql/bind/catalog.js'
import { readCopyOptions } from '../../../sql/exec/copy-options.js'
import { CopyParsePool } from '../../../sql/exec/copy-parse-pool.js'
import { CopyRows, type BoundCopyFrom } from '../../../sql/exec/copy-rows.js'
import { DbError } from '../../../src/common/errors.js'
import { asTableId } from '../../../src/common/ids.js'

const TABLE: TableSchema = {
  id: asTableId(7), name: 'w', timestampIndex: 0, columns: [
    { name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    { name: 'host', kind: 'symbol', sqlType: 'text', notNull: false },
    { name: 'v', kind: 'f64', sqlType: 'float8', notNull: false },
    { name: 'n', kind: 'i64', sqlType: 'int8', notNull: false },
    { name: 'note', kind: 'text', sqlType: 'text', notNull: false },
  ],
}
const BOUND: BoundCopyFrom = {
  table: TABLE, targets: [0, 1, 2, 3, 4], targetTypes: [0, 1, 2, 3, 4].map((c) => columnType(TABLE, c)),
  options: readCopyOptions([], true), forceNotNull: new Array<boolean>(5).fill(false), forceNull: new Array<boolean>(5).fill(false),
}
const CONTEXT = { timeZone: 'UTC', nowUs: Date.UTC(2024, 0, 1) * 1000, settings: new Map<string, string>() }

function chunks(badLine: string | null): Buffer[] {
  const lines = Array.from({ length: 3000 }, (_, i) => `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}+00\th${i % 9}\t${i}.5\t${i}\t${i % 5 === 0 ? '\\N' : `n\\t${i}`}`)
  if (badLine !== null) lines.splice(2500, 0, badLine)
  const text = Buffer.from(`${lines.join('\n')}\n`)
  // Cuts inside lines, so the worker joins a line across chunks as the inline parser does.
  return [text.subarray(0, 30_000), text.subarray(30_000, 50_001), text.subarray(50_001)].map((part) => Buffer.from(part))
}

function inline(parts: Buffer[]): ColumnBatch | DbError {
  const rows = new CopyRows(BOUND, CONTEXT)
  try {
    for (const part of parts) rows.push(part)
    rows.end()
    return rows.batch()
  } catch (thrown) {
    assert.ok(thrown instanceof DbError, String(thrown))
    return thrown
  } finally {
    rows.release()
  }
}

/**
 * Runs the chunks through `pool`; resolves with the batch or the error, the parsed-chunks counter, and whether the
 * batch came lean (payloads only, its rows then asked for with 'rows', as the sink does when they are stale).
 */
function pooled(pool: CopyParsePool, parts: Buffer[], isLean = false, asksRows = true): Promise<{ result: ColumnBatch | Error | null; parsed: number; wasLean: boolean }> {
  const parsed = new Int32Array(new SharedArrayBuffer(4))
  return new Promise((resolve) => {
    const finish = (result: ColumnBatch | Error | null, wasLean: boolean): void => {
      post({ kind: 'release', id: 0 }) // as the sink does: the worker is unref'd once it holds no COPY
      resolve({ result, parsed: Atomics.load(parsed, 0), wasLean })
    }
    const post = pool.open(BOUND, CONTEXT, parsed, {
      onError: (error) => finish(error, false),
      onDone: (batch, encoded) => {
        if (batch !== null) return finish(batch, false)
        assert.ok(encoded !== undefined, 'a lean COPY comes with its payloads')
        if (asksRows) post({ kind: 'rows', id: 0 })
        else finish(null, true) // released with its rows in the worker: their arrays go to its pool

      },
      onRows: (batch) => finish(batch, true),
    }, 2)
    for (const part of parts) post({ kind: 'data', id: 0, bytes: Uint8Array.from(part) })
    post({ kind: 'end', id: 0, isLean })
  })
}

const plain = (value: ColumnBatch | Error | null): unknown => (value instanceof Error ? { ...value, message: value.message } : value)

describe('sql/exec/copy-parse-pool: COPY FROM parsed in a worker', function () {
  this.timeout(30_000)
  const pool = new CopyParsePool(1)

  it('gives the batch CopyRows gives inline, and counts every CopyData it parsed', async function () {
    const parts = chunks(null)
    const { result, parsed } = await pooled(pool, parts)
    assert.deepEqual(plain(result), plain(inline(parts)))
    assert.equal(parsed, parts.length)
  })

  it('keeps a lean COPY\'s rows, handing over its payloads, and gives the same batch when asked for them', async function () {
    const parts = chunks(null)
    const { result, wasLean } = await pooled(pool, parts, true)
    assert.ok(wasLean)
    assert.deepEqual(plain(result), plain(inline(parts)))
  })

  it('gives a COPY whose arrays a lean COPY left in the worker the batch CopyRows gives inline (NULLs read 0, as in fresh arrays)', async function () {
    const lean = new CopyParsePool(1)
    assert.equal((await pooled(lean, chunks(null), true, false)).result, null)
    // Fewer rows, NULLs in every kind the pool keeps arrays of (f64, i64, and the symbol), over the first COPY's values.
    const lines = Array.from({ length: 600 }, (_, i) => `2024-01-02 00:00:${String(i % 60).padStart(2, '0')}+00\t${i % 2 === 0 ? '\\N' : `h${i}`}\t\\N\t\\N\tx`)
    const parts = [Buffer.from(`${lines.join('\n')}\n`)]
    const { result } = await pooled(lean, parts, true)
    assert.deepEqual(plain(result), plain(inline(parts)))
  })

  it('fails with the error CopyRows raises inline, CONTEXT and line number included', async function () {
    for (const bad of ['2024-01-01 00:00:00+00\th\tabc\t1\tx', '2024-01-01 00:00:00+00\th\t1\t1', '\\N\th\t1\t1\tx']) {
      const parts = chunks(bad)
      const expected = inline(parts)
      assert.ok(expected instanceof DbError)
      const { result } = await pooled(pool, parts)
      assert.ok(result instanceof DbError, String(result))
      assert.deepEqual(plain(result), plain(expected), bad)
    }
  })

  it('ends a worker idle for idleExitMs, and parses the next COPY in a new one', async function () {
    const idle = new CopyParsePool(1, undefined, 20)
    const parts = chunks(null)
    const first = await pooled(idle, parts)
    while (idle.idleExitCount === 0) await new Promise((resolve) => setTimeout(resolve, 10)) // bounded by the test's timeout
    const second = await pooled(idle, parts)
    assert.deepEqual([idle.startedCount, idle.idleExitCount], [2, 1])
    assert.deepEqual(plain(second.result), plain(inline(parts)))
    assert.deepEqual(plain(first.result), plain(second.result))
  })

  it('fails the COPY of a worker that dies, and gives the next COPY a new worker', async function () {
    const crashing = new CopyParsePool(1, path.join(__dirname, 'crash-copy-worker.js'))
    const { result } = await pooled(crashing, chunks(null))
    assert.ok(result instanceof Error && !(result instanceof DbError))
    assert.match(result.message, /the COPY parse worker died: exited with code 3/)
    const again = await pooled(crashing, chunks(null))
    assert.match(String(again.result), /died/, 'the replacement is the same crashing worker: it dies again, cleanly')
  })
})
