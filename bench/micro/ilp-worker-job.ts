// bench/micro/ilp-worker-job: CPU µs per row of each step of one ILP parse worker job (wire/ilp/parse-worker.ts),
// run in this thread on TSBS cpu lines: a group of HTTP bodies as the worker takes them (the bench's shape: 5 bodies of 1,000
// lines), parsed as one stream (parseBodies with a warm LineParser), split per body (lineCountOf + requestParts), encoded ahead
// for the cpu table (encodeBatchesAhead, and its parts: planning, lowering, validateBatch, the per-core ring payloads and
// the compact WAL payload), made lean (leanAhead, timed with the encode it needs: subtract encodeBatchesAhead).
// The payload buffers go back to the encoder after each job, as the pool recycles them. Best of --samples after a
// warm-up, each sample --jobs jobs per step (process.cpuUsage counts every thread of the process: run it alone, and
// compare builds alternately).
// Run: npx tsc -p . && node dist/bench/micro/ilp-worker-job.js [--bodies 5] [--lines 1000] [--hosts 100] [--cores 2]
//   Profile one step: node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/micro/ilp-worker-job.js --step encode
import { parseArgs } from 'node:util'
import type { TableSchema } from '../../engine/ops.js'
import { validateBatch } from '../../engine/bridge/dispatcher.js'
import { encodeWalIngestPayload, IngestEncodeBuffers } from '../../engine/wal/ingest-payload.js'
import { encodeCorePayloads } from '../../engine/bridge/core-payloads.js'
import type { TableId } from '../../src/common/ids.js'
import type { IngestBatch } from '../../sql/api.js'
import { encodeBatchesAhead, leanAhead } from '../../sql/ingest/ingest-ahead.js'
import { newTableColumns, planColumn } from '../../sql/ingest/ingest-plan.js'
import { buildIngestColumns } from '../../sql/ingest/ingest-vectors.js'
import { parseLines } from '../../wire/ilp/ilp-parser.js'
import { LineParsers } from '../../wire/ilp/line-parser.js'
import { lineCountOf, parseBodies, requestParts } from '../../wire/ilp/request-parts.js'
import { ilpBodies } from '../scenarios/ilp-ingest.js'

interface Job { readonly inputs: Buffer[]; readonly rows: number }

const OPTIONS = { precision: 'n' as const, nowUs: 0 }
const parsers = new LineParsers()
const buffers = new IngestEncodeBuffers()
/** The engine's cores the ring payloads are split for (`--cores`, 2 as the bench's server). */
let coreCount = 2

function jobsOf(count: number, bodies: number, lines: number, hosts: number): Job[] {
  const all = ilpBodies('cpu', count * bodies * lines, hosts, lines)
  return Array.from({ length: count }, (_, j) => {
    const parts = all.slice(j * bodies, (j + 1) * bodies)
    return { inputs: parts, rows: bodies * lines }
  })
}

function parse(job: Job): IngestBatch[] {
  const lineCount = job.inputs.reduce((sum, input) => sum + lineCountOf(input), 0)
  const options = { ...OPTIONS, rowCountHint: lineCount }
  const parser = parsers.of(OPTIONS.precision)
  return (job.inputs.length === 1 ? parseLines(job.inputs[0]!, options, parser) : parseBodies(job.inputs, options, parser)).batches
}

/** The cpu table as ILP creates it from the first batch (sql.ingest: newTableColumns). */
function tableOf(batch: IngestBatch): TableSchema {
  return { id: 1 as TableId, name: batch.measurement, timestampIndex: 0, columns: newTableColumns(batch.columns) }
}

function giveBack(batches: ReadonlyArray<IngestBatch>): void {
  for (const batch of batches) {
    const payloads = batch.encoded?.payloads
    if (payloads === undefined) continue
    buffers.give(payloads.ring.bytes)
    buffers.give(payloads.wal)
  }
}

type Step = (job: Job, parsed: IngestBatch[], table: TableSchema) => void

/** Each step alone, on inputs prepared once (its own output is dropped, or its buffers given back). */
const STEPS: ReadonlyArray<[string, Step]> = [
  ['parse', (job) => { parse(job) }],
  ['requestParts', (job, parsed) => { requestParts(job.inputs.map((input) => lineCountOf(input)), parsed) }],
  ['encodeBatchesAhead', (_job, parsed, table) => giveBack(encodeBatchesAhead(parsed, [table], coreCount, buffers))],
  ['  plan + lower', (_job, parsed, table) => {
    for (const batch of parsed) buildIngestColumns(table, batch, batch.columns.map((column) => planColumn(table, column)), null)
  }],
  ['  validateBatch', (_job, parsed, table) => {
    for (const batch of parsed) validateBatch(table, loweredOf(table, batch))
  }],
  ['  cores\' payloads (ring)', (_job, parsed, table) => {
    for (const batch of parsed) buffers.give(encodeCorePayloads(table, loweredOf(table, batch), coreCount, (n) => buffers.take(n)).bytes)
  }],
  ['  compact (WAL)', (_job, parsed, table) => {
    for (const batch of parsed) buffers.give(encodeWalIngestPayload(loweredOf(table, batch), buffers))
  }],
  ['encode + leanAhead', (_job, parsed, table) => {
    const encoded = encodeBatchesAhead(parsed, [table], coreCount, buffers)
    encoded.map(leanAhead)
    giveBack(encoded)
  }],
]

// Lowered batches, built once per (table, batch): the flat and compact steps time the encoders alone.
const lowered = new WeakMap<IngestBatch, ReturnType<typeof buildIngestColumns>>()
function loweredOf(table: TableSchema, batch: IngestBatch): ReturnType<typeof buildIngestColumns> {
  let columns = lowered.get(batch)
  if (columns === undefined) {
    columns = buildIngestColumns(table, batch, batch.columns.map((column) => planColumn(table, column)), null)
    lowered.set(batch, columns)
  }
  return columns
}

/** CPU µs per row of `step` over every job, the best of `samples` after one warm-up pass. */
function usPerRow(step: Step, jobs: ReadonlyArray<Job>, parsed: ReadonlyArray<IngestBatch[]>, table: TableSchema, samples: number): number {
  const rows = jobs.reduce((sum, job) => sum + job.rows, 0)
  let best = Number.POSITIVE_INFINITY
  for (let sample = 0; sample <= samples; sample++) {
    const started = process.cpuUsage()
    for (let j = 0; j < jobs.length; j++) step(jobs[j]!, parsed[j]!, table)
    const used = process.cpuUsage(started)
    if (sample > 0) best = Math.min(best, (used.user + used.system) / rows)
  }
  return best
}

function main(): void {
  const { values } = parseArgs({
    options: {
      bodies: { type: 'string', default: '5' }, lines: { type: 'string', default: '1000' }, hosts: { type: 'string', default: '100' },
      jobs: { type: 'string', default: '40' }, samples: { type: 'string', default: '9' }, step: { type: 'string' },
      repeat: { type: 'string', default: '1' }, cores: { type: 'string', default: '2' },
    },
  })
  const jobs = jobsOf(Number(values.jobs), Number(values.bodies), Number(values.lines), Number(values.hosts))
  const parsed = jobs.map(parse)
  const table = tableOf(parsed[0]![0]!)
  coreCount = Number(values.cores)
  const encoded = encodeBatchesAhead(parsed[0]!, [table], coreCount)
  if (encoded.some((batch) => batch.encoded === undefined)) throw new Error('a batch was not encoded ahead')
  const rows = jobs[0]!.rows
  process.stdout.write(`${jobs.length} jobs of ${values.bodies} bodies × ${values.lines} lines (${rows} rows), ${values.hosts} hosts; CPU µs per row, best of ${values.samples}\n`)
  const steps = values.step === undefined ? STEPS : STEPS.filter(([name]) => name.trim().startsWith(values.step!))
  if (steps.length === 0) throw new Error(`no step "${values.step}"`)
  for (let r = 0; r < Number(values.repeat); r++) {
    for (const [name, step] of steps) {
      process.stdout.write(`${name.padEnd(20)} ${usPerRow(step, jobs, parsed, table, Number(values.samples)).toFixed(3)}\n`)
    }
  }
}

main()
