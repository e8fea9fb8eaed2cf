// sql/exec/copy-parse-worker: the entry of one COPY parse worker thread (copy-parse-pool.ts). Holds the CopyRows of
// the COPYs assigned to it, by id: parses each CopyData as it comes (acknowledging it, or answering the COPY's error),
// and at the end hands back its record payloads encoded here (encoded-ingest.ts) so the event loop only writes them
// (their buffers come back with 'release' for the next COPY), with the ColumnBatch's typed arrays transferred, or for a
// lean COPY without them: its rows stay here until 'rows' asks for them or 'release' gives their arrays to the next
// COPYs (ColumnArrayPool). A COPY's bytes stay charged to this worker's share of the COPY buffer budget until the main
// thread releases it (after its WAL write, or on abort).
import { parentPort } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { batchTransferables, toWorkerError, type CopyWorkerReply, type CopyWorkerRequest } from './copy-parse-pool.js'
import { ColumnArrayPool, setCopyBufferedBytesShare } from './copy-columns.js'
import { COPY_COLUMN_ARRAYS_KEPT_BYTES_MAX } from '../../src/common/limits.js'
import { CopyRows, type BoundCopyFrom } from './copy-rows.js'
import { encodeIngestAhead, encodedTransferables, IngestEncodeBuffers } from '../../engine/api.js'
import type { ColumnBatch } from '../../engine/batch.js'
import { invalidateDetachProtector } from '../../src/common/detach-protector.js'

const port = parentPort
assert(port !== null, 'copy-parse-worker runs as a worker thread')
invalidateDetachProtector()
/** Each COPY's rows and its parsed-chunks counter; `kept`, a lean COPY's batch, held here until 'rows' or 'release'. */
interface Copy { readonly rows: CopyRows; readonly parsed: Int32Array; readonly bound: BoundCopyFrom; readonly coreCount: number; kept?: ColumnBatch }
const copies = new Map<number, Copy>()
/** Record payload buffers, back from the event loop once written: the next COPY's payloads reuse them. */
const encodeBuffers = new IngestEncodeBuffers()
/** Column arrays of lean COPYs (their rows never left this thread), for the next COPYs' columns. */
const columnArrays = new ColumnArrayPool(COPY_COLUMN_ARRAYS_KEPT_BYTES_MAX)

function reply(message: CopyWorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

/** Runs one step of COPY `id`; an error ends the COPY (its rows are dropped) and is answered. */
function step(id: number, work: (rows: CopyRows, parsed: Int32Array, bound: BoundCopyFrom, copy: Copy) => void): void {
  const copy = copies.get(id)
  if (copy === undefined) return
  try {
    work(copy.rows, copy.parsed, copy.bound, copy)
  } catch (thrown) {
    copy.rows.abort()
    copies.delete(id)
    reply({ kind: 'error', id, error: toWorkerError(thrown) })
  }
}

port.on('message', (request: CopyWorkerRequest) => {
  switch (request.kind) {
    case 'start': {
      setCopyBufferedBytesShare(request.bufferShare)
      const { timeZone, nowUs, settings } = request.context
      try {
        copies.set(request.id, { rows: new CopyRows(request.bound, { timeZone, nowUs, settings }, columnArrays), parsed: request.parsed, bound: request.bound, coreCount: request.coreCount })
      } catch (thrown) {
        reply({ kind: 'error', id: request.id, error: toWorkerError(thrown) })
      }
      return
    }
    case 'data': return step(request.id, (rows, parsed) => {
      rows.push(request.bytes)
      Atomics.add(parsed, 0, 1)
      Atomics.notify(parsed, 0)
    })
    case 'end': return step(request.id, (rows, _parsed, bound, copy) => {
      rows.end()
      const batch = rows.batch()
      // Volatile defaults are filled in on the event loop, which changes the batch: it encodes that one itself.
      const encoded = bound.volatileDefaults === undefined ? encodeIngestAhead(bound.table, batch, copy.coreCount, encodeBuffers) : undefined
      const payloads = encoded === undefined ? [] : encodedTransferables(encoded)
      if (request.isLean && encoded !== undefined) {
        // The columns stay here: the event loop's GC no longer meets them as external memory (issue 9).
        copy.kept = batch
        reply({ kind: 'done', id: request.id, batch: null, encoded }, payloads)
      } else reply({ kind: 'done', id: request.id, batch, encoded }, [...batchTransferables(batch), ...payloads])
    })
    case 'rows': return step(request.id, (_rows, _parsed, _bound, copy) => {
      const batch = copy.kept
      assert(batch !== undefined, 'rows are asked of a lean COPY')
      copy.kept = undefined
      reply({ kind: 'rows', id: request.id, batch }, batchTransferables(batch))
    })
    case 'release': {
      const copy = copies.get(request.id)
      // A lean COPY's rows never left: its arrays serve the next COPYs. Any other's went with its batch (or are garbage).
      if (copy?.kept !== undefined) copy.rows.recycle()
      else copy?.rows.abort()
      copies.delete(request.id)
      for (const buffer of request.payloads ?? []) encodeBuffers.give(new Uint8Array(buffer))
      return
    }
  }
})
