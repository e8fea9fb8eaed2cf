// bench/micro/copy-handoff: what handing CopyData to a COPY parse worker costs, the whole process's CPU (this thread,
// the worker, V8's GC threads) per M rows, for the bench's TSBS rows in 64 KiB CopyData: through the COPY's
// SharedArrayBuffer ring (copy-data-ring.ts), or as before issue 9's change, a fresh buffer per CopyData transferred.
// The two alternate run by run on one pool (same worker, same JIT state). No server, sockets or engine.
// Run: npx tsc -p . && node dist/bench/micro/copy-handoff.js [--rows 200000] [--runs 6]
import { parseArgs } from 'node:util'
import { CopyDataRing } from '../../sql/exec/copy-data-ring.js'
import { CopyParsePool, type CopyWorkerRequest } from '../../sql/exec/copy-parse-pool.js'
import { copyTextChunks } from '../scenarios/copy-ingest.js'
import { cpuRows } from '../tsbs.js'
import { tsbsBound } from './copy-parse.js'

const IN_FLIGHT = 4

/** Waits until the worker has parsed at least `count` chunks. */
async function parsedAtLeast(parsed: Int32Array, count: number): Promise<void> {
  for (let seen = Atomics.load(parsed, 0); seen < count; seen = Atomics.load(parsed, 0)) {
    const wait = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync(parsed, 0, seen)
    if (wait.async) await wait.value
  }
}

async function oneCopy(pool: CopyParsePool, chunks: ReadonlyArray<Buffer>, isRing: boolean): Promise<void> {
  const parsed = new Int32Array(new SharedArrayBuffer(4))
  const ring = new CopyDataRing()
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => { done = resolve })
  const post: (request: CopyWorkerRequest, transfer?: ArrayBuffer[]) => void = pool.open(tsbsBound(), { timeZone: 'UTC', nowUs: 0, settings: new Map() }, parsed, ring.buffer, {
    onError: (error) => { throw error },
    onDone: () => done(),
    onRows: () => {},
  })
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!
    await parsedAtLeast(parsed, c + 1 - IN_FLIGHT)
    if (isRing) {
      let at = ring.put(chunk, c + 1, Atomics.load(parsed, 0))
      while (at < 0) {
        await parsedAtLeast(parsed, Atomics.load(parsed, 0) + 1)
        at = ring.put(chunk, c + 1, Atomics.load(parsed, 0))
      }
      post({ kind: 'ring', id: 0, at, length: chunk.length })
    } else {
      const bytes = Uint8Array.from(chunk)
      post({ kind: 'data', id: 0, bytes }, [bytes.buffer])
    }
  }
  post({ kind: 'end', id: 0, isLean: true })
  await finished
  ring.recycle()
  post({ kind: 'release', id: 0 })
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '6' } } })
  const rowCount = Number(values.rows)
  const chunks = copyTextChunks(cpuRows(rowCount, 100))
  const pool = new CopyParsePool(1)
  await oneCopy(pool, chunks, true) // warm-up: the worker's start and JIT
  await oneCopy(pool, chunks, false)
  for (let run = 0; run < Number(values.runs); run++) {
    const isRing = run % 2 === 0
    const before = process.cpuUsage()
    await oneCopy(pool, chunks, isRing)
    const used = process.cpuUsage(before)
    const seconds = (used.user + used.system) / 1e6
    process.stdout.write(`run ${run} ${isRing ? 'ring    ' : 'transfer'}: ${(seconds / (rowCount / 1e6)).toFixed(3)} CPU s per M rows (process)\n`)
  }
}

void main()
