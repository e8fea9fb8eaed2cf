// wire/ilp/parse-worker: the entry of one ILP parse pool thread (parse-pool.ts). Takes a payload of line protocol,
// parses it exactly as parseLines does inline, and hands back the LineBatches (typed arrays transferred, not copied)
// together with the payload's own buffer, so the caller can still quote its lines. Holds no other state than its
// line parsers' name and series caches, kept from one job to the next.
import { parentPort } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { parseLines } from './ilp-parser.js'
import { LineParsers } from './line-parser.js'
import { transferablesOf, type ParseJobMessage, type ParseResultMessage } from './parse-pool.js'

const port = parentPort
assert(port !== null, 'parse-worker runs as a worker thread')
const lineParsers = new LineParsers()
port.on('message', (job: ParseJobMessage) => {
  const input = Buffer.from(job.input.buffer, job.input.byteOffset, job.input.byteLength)
  const result = parseLines(input, job.options, lineParsers.of(job.options.precision))
  const reply: ParseResultMessage = { id: job.id, result, input: job.input }
  port.postMessage(reply, transferablesOf(result, job.input))
})
