// wire/ilp/parse-transfer: which buffers a parse job and its result transfer between the event loop and a parse worker
// (parse-pool.ts, parse-worker.ts). Apart from the pool so that the worker does not load the pool's imports (the
// logger, sql/api's SQL engine): ~80 ms of CPU at every worker start, paid again after each idle exit.
import { encodedTransferables } from '../../sql/worker-api.js'
import type { IlpParseResult } from './ilp-parser.js'

/**
 * The buffers of `result`'s typed arrays that may be transferred (each one whole and unshared), and the inputs' (the
 * job's own, whole: parse() copied them otherwise, so a view of part of one is still transferred with all of it).
 */
export function transferablesOf(result: IlpParseResult, inputs: ReadonlyArray<Uint8Array>): ArrayBuffer[] {
  const buffers = inputBuffers(inputs)
  const add = (view: ArrayBufferView): void => {
    if (view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) buffers.add(view.buffer)
  }
  for (const batch of result.batches) {
    if (batch.encoded !== undefined) for (const buffer of encodedTransferables(batch.encoded.payloads)) buffers.add(buffer)
    add(batch.timestampsUs)
    add(batch.lineNumbers)
    for (const column of batch.columns) {
      if (column.kind === 'tag') add(column.ids)
      else if (column.kind !== 'string') {
        add(column.values)
        add(column.nulls)
      }
    }
  }
  return [...buffers]
}

/** The inputs' buffers, each once (a transfer list naming one twice is refused). */
export function inputBuffers(inputs: ReadonlyArray<Uint8Array>): Set<ArrayBuffer> {
  const buffers = new Set<ArrayBuffer>()
  for (const input of inputs) if (input.buffer instanceof ArrayBuffer) buffers.add(input.buffer)
  return buffers
}
