// wire/ilp/run-reparse: the parse worker sends a TCP run's batches that it encoded ahead without their rows (sql
// leanAhead: the columns' memory stays off the event loop). Should sql.ingest not be able to write those payloads (a
// schema change between the parse and the write), it parses the run again here, from the input the connection keeps
// until the run's flush settled. Rare: the event loop pays a parse only when a schema change raced the run.
import type { IngestBatch } from '../../sql/api.js'
import { parseLines, type IlpParseOptions, type IlpParseResult } from './ilp-parser.js'
import { parseBodies } from './request-parts.js'

/** Whether `result` holds a lean batch, whose rows only `input` still has. */
export function needsInput(result: IlpParseResult): boolean {
  return result.batches.some((batch) => batch.encoded?.isLean === true)
}

/**
 * `result` with each lean batch given a reparse of `input` (parsed as the worker did, with the same `options`; HTTP
 * bodies side by side); the caller keeps `input` unchanged until those batches were ingested.
 */
export function withReparse(result: IlpParseResult, input: Buffer | ReadonlyArray<Buffer>, options: IlpParseOptions): IlpParseResult {
  if (!needsInput(result)) return result
  let again: IlpParseResult | null = null
  const reparse = (measurement: string) => (): IngestBatch => {
    again ??= Buffer.isBuffer(input) ? parseLines(input, options) : parseBodies(input, options)
    const batch = again.batches.find((candidate) => candidate.measurement === measurement)
    if (batch === undefined) throw new Error(`ilp: parsing a run again gave no rows of "${measurement}"`)
    return batch
  }
  const batches = result.batches.map((batch) => {
    const encoded = batch.encoded
    return encoded?.isLean === true ? { ...batch, encoded: { ...encoded, reparse: reparse(batch.measurement) } } : batch
  })
  return { ...result, batches }
}
