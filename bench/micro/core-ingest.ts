// bench/micro/core-ingest: CPU per received row of one core's whole ingest path, in this thread: the request ring
// (fragments copied out), the frame and flat payload decode, validation, vShardsOf, the apply into memtables (their
// growth included), the AppliedResponse and its push, and the GC all of that causes — what ilp-ingest-cost shows per
// core thread, without a server, sockets or the other threads' load. Records are TSBS cpu rows (100 hosts) of
// `--batch` rows each, framed as live ingest frames them (ApplyCoreIngestRequest of core 0's payload: its rows only,
// grouped by vShard) for core 0 of `--cores`; with `--raw`, as replay frames them (ApplyRawIngestRequest of the whole
// record's flat payload: the core hashes every row and keeps its share, as every core did live before issue 10's
// per-core payloads). CPU is per row of the records, every core's rows counted (comparable across both framings).
// The producer's pushes are timed apart and left out. Each run is a fresh CoreLoop in the same (warm) process.
// Run: npx tsc -p . && node dist/bench/micro/core-ingest.js [--rows 400000] [--batch 5000] [--cores 2] [--runs 5]
//      [--memtable-mb 64] [--raw]
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { encodeCorePayloads, payloadOfCore } from '../../engine/bridge/core-payloads.js'
import { FrameCodec } from '../../engine/bridge/frame-codec.js'
import { RingConsumer, RingProducer, createRingBuffers, type RingMessage } from '../../engine/bridge/spsc-ring.js'
import { CoreLoop } from '../../engine/core/core-loop.js'
import { encodeIngestPayload } from '../../engine/wal/ingest-payload.js'
import { asLsn } from '../../src/common/ids.js'
import { CopyRows } from '../../sql/exec/copy-rows.js'
import { copyTextChunks } from '../scenarios/copy-ingest.js'
import { cpuRows } from '../tsbs.js'
import { tsbsBound } from './copy-parse.js'

/** This thread's CPU ms (its run time in schedstat, ns: the main thread, whose id is the pid; not V8's helper threads). */
async function threadCpuMs(): Promise<number> {
  return Number((await fs.promises.readFile(`/proc/self/task/${process.pid}/schedstat`, 'utf8')).split(' ')[0]) / 1e6
}

function processCpuMs(): number {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

/** The frames of every record for core 0: the rows in COPY-built batches of `batchRows`, framed as the header says. */
function recordFrames(rowCount: number, batchRows: number, coreCount: number, isRaw: boolean): RingMessage[] {
  const bound = tsbsBound()
  const codec = new FrameCodec()
  const all = [...cpuRows(rowCount, 100)]
  const frames: RingMessage[] = []
  for (let from = 0; from < rowCount; from += batchRows) {
    const rows = new CopyRows(bound, { timeZone: 'UTC', nowUs: 0, settings: new Map() })
    for (const chunk of copyTextChunks(all.slice(from, from + batchRows))) rows.push(chunk)
    rows.end()
    const lsn = asLsn(frames.length + 1)
    const tableId = bound.table.id
    if (isRaw) {
      const payload = encodeIngestPayload(rows.batch()).slice()
      frames.push(codec.encodeRequest({ kind: 'ApplyRawIngestRequest', id: lsn, tableId, lsn, coreCount, payload, skipVShards: null }))
    } else {
      const payload = payloadOfCore(encodeCorePayloads(bound.table, rows.batch(), coreCount, (n) => new Uint8Array(n)), 0).slice()
      frames.push(codec.encodeRequest({ kind: 'ApplyCoreIngestRequest', id: lsn, tableId, lsn, coreCount, payload }))
    }
  }
  return frames
}

interface RunCost { readonly threadMs: number; readonly processMs: number; readonly pushMs: number }

async function run(frames: ReadonlyArray<RingMessage>, memtableBytes: number): Promise<RunCost> {
  const requestRing = createRingBuffers()
  const responseRing = createRingBuffers()
  const loop = new CoreLoop({ coreId: 0, requestRing, responseRing, memtableBudgetBytes: memtableBytes, partitionWidthUs: 86_400_000_000 })
  const requests = new RingProducer(requestRing)
  const responses = new RingConsumer(responseRing)
  const codec = new FrameCodec()
  const answer = (): void => {
    if (loop.tick() !== 'busy') throw new Error('the core did not take the request')
    const response = codec.decodeResponse(responses.pop()!)
    if (response.kind !== 'AppliedResponse' && response.kind !== 'DoneResponse') throw new Error(`core answered ${response.kind}`)
  }
  requests.tryPush(codec.encodeRequest({ kind: 'RegisterTableRequest', id: 0, table: tsbsBound().table }))
  answer()
  let pushMs = 0
  const threadBefore = await threadCpuMs()
  const processBefore = processCpuMs()
  for (const frame of frames) {
    const pushStarted = processCpuMs()
    if (!requests.tryPush(frame)) throw new Error('the request ring is full')
    pushMs += processCpuMs() - pushStarted
    answer()
  }
  return { threadMs: await threadCpuMs() - threadBefore, processMs: processCpuMs() - processBefore, pushMs }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '400000' }, batch: { type: 'string', default: '5000' }, cores: { type: 'string', default: '2' },
      runs: { type: 'string', default: '5' }, 'memtable-mb': { type: 'string', default: '64' }, raw: { type: 'boolean', default: false },
    },
  })
  const rowCount = Number(values.rows)
  const frames = recordFrames(rowCount, Number(values.batch), Number(values.cores), values.raw)
  const perM = (ms: number): string => (ms / 1000 / (rowCount / 1e6)).toFixed(3)
  for (let r = 0; r < Number(values.runs); r++) {
    const cost = await run(frames, Number(values['memtable-mb']) * 2 ** 20)
    process.stdout.write(`run ${r}: ${frames.length} records of ${values.batch} rows; CPU s per M rows received: ` +
      `process ${perM(cost.processMs - cost.pushMs)} (pushes ${perM(cost.pushMs)} left out), this thread ${perM(cost.threadMs)} (pushes in)\n`)
  }
}

main().catch((error: unknown) => { process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1 })
