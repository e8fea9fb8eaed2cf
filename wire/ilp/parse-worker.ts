// wire/ilp/parse-worker: the entry of one ILP parse pool thread (parse-pool.ts). Takes a payload of line protocol,
// parses it exactly as parseLines does inline (several HTTP bodies as if side by side), and hands back the
// LineBatches (typed arrays transferred, not copied) together with the payload's own buffers, so the caller can still
// quote its lines, and the batches' record payloads encoded ahead for the tables the pool sent
// (sql/ingest/ingest-ahead.ts). Holds no other state than its line parsers' name and series caches, kept from one job
// to the next.
import { parentPort } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { invalidateDetachProtector } from '../../src/common/detach-protector.js'
import { encodeBatchesAhead, IngestEncodeBuffers, leanAhead } from '../../sql/worker-api.js'
import { parseLines } from './ilp-parser.js'
import { LineParsers } from './line-parser.js'
import type { ParseJobMessage, ParseResultMessage } from './parse-pool.js'
import { transferablesOf } from './parse-transfer.js'
import { lineCountOf, parseBodies, requestParts } from './request-parts.js'

const port = parentPort
assert(port !== null, 'parse-worker runs as a worker thread')
invalidateDetachProtector() // every reply transfers: see detach-protector.ts
const lineParsers = new LineParsers()
/** Payload buffers the pool handed back with jobs (recycle): encoded into again. */
const encodeBuffers = new IngestEncodeBuffers()

port.on('message', (job: ParseJobMessage) => {
  const inputs = job.inputs.map((input) => Buffer.from(input.buffer, input.byteOffset, input.byteLength))
  // A body's line count sizes its first measurement's arrays (a scan at memchr speed, against parsing every byte).
  const lineCounts = inputs.map((input) => lineCountOf(input))
  const lineCount = lineCounts.reduce((sum, count) => sum + count, 0)
  const options = job.options.rowCountHint === undefined ? { ...job.options, rowCountHint: lineCount } : job.options
  const lineParser = lineParsers.of(job.options.precision)
  const parsed = inputs.length === 1 ? parseLines(inputs[0]!, options, lineParser) : parseBodies(inputs, options, lineParser)
  // Which request each row came from, read before the rows are dropped below (HTTP bodies parsed side by side).
  const parts = job.areBodies ? requestParts(lineCounts, parsed.batches) : undefined
  // The records' payloads too, for the tables the pool named (sql.ingest checks they still hold).
  for (const buffer of job.spare) encodeBuffers.give(new Uint8Array(buffer))
  // Encoded batches go without their rows (leanAhead): the caller parses the input again if it needs them.
  const result = job.tables.length === 0 ? parsed : { ...parsed, batches: encodeBatchesAhead(parsed.batches, job.tables, job.coreCount, encodeBuffers).map(leanAhead) }
  const reply: ParseResultMessage = { id: job.id, result, inputs: job.inputs, ...(parts === undefined ? {} : { parts }) }
  port.postMessage(reply, transferablesOf(result, job.inputs))
})
