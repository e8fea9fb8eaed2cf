// engine/core/core-worker: the worker thread entry of one core. Builds a CoreLoop over the rings it is given and
// runs it, sleeping with Atomics.wait (workers only) while there is nothing to do. Knows nothing of files or SQL.
// With --core-nice the thread first lowers its own priority, so that the event loop is not left runnable behind a
// core's scan or sort (invariant 5; off by default, the trade-off is in ARCHITECTURE.md).
import { workerData } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { log } from '../../src/common/log.js'
import { RING_SIGNAL_INDEX, type RingBuffers } from '../bridge/spsc-ring.js'
import { CORE_OUTBOX_RETRY_MS } from '../../src/common/limits.js'
import { CoreLoop } from './core-loop.js'
import { lowerThreadPriority, nameThread } from '../../src/common/thread-priority.js'

/** What the control thread passes in workerData (plain data; SharedArrayBuffers are shared, not copied). */
export interface CoreWorkerData {
  readonly coreId: number
  readonly requestRing: RingBuffers
  readonly responseRing: RingBuffers
  readonly memtableBudgetBytes: number
  readonly partitionWidthUs: number
  readonly chunkCacheBytes?: number
  /** Nice increment this thread takes at startup (`--core-nice`; 0: none). */
  readonly coreNice?: number
}

function isRingBuffers(value: unknown): value is RingBuffers {
  return typeof value === 'object' && value !== null && 'header' in value && value.header instanceof SharedArrayBuffer &&
    'data' in value && value.data instanceof SharedArrayBuffer && 'fragmentBytesMax' in value &&
    typeof value.fragmentBytesMax === 'number'
}

function isCoreWorkerData(value: unknown): value is CoreWorkerData {
  return typeof value === 'object' && value !== null && 'coreId' in value && typeof value.coreId === 'number' &&
    'requestRing' in value && isRingBuffers(value.requestRing) && 'responseRing' in value &&
    isRingBuffers(value.responseRing) && 'memtableBudgetBytes' in value && typeof value.memtableBudgetBytes === 'number' &&
    'partitionWidthUs' in value && typeof value.partitionWidthUs === 'number' &&
    (!('chunkCacheBytes' in value) || value.chunkCacheBytes === undefined || typeof value.chunkCacheBytes === 'number') &&
    (!('coreNice' in value) || value.coreNice === undefined || typeof value.coreNice === 'number')
}

function run(data: CoreWorkerData): void {
  nameThread(`nodedb-core-${data.coreId}`)
  if ((data.coreNice ?? 0) > 0) lowerThreadPriority(data.coreNice!, `core ${data.coreId}`)
  const loop = new CoreLoop(data)
  log.info({ core: data.coreId }, 'core started')
  for (;;) {
    // Read the signal before looking for work, so a push between the two wakes the wait below at once.
    const seen = loop.signalValue()
    const outcome = loop.tick()
    if (outcome === 'stopped') break
    if (outcome === 'idle') Atomics.wait(loop.signalHeader, RING_SIGNAL_INDEX, seen)
    else if (outcome === 'blocked') Atomics.wait(loop.signalHeader, RING_SIGNAL_INDEX, seen, CORE_OUTBOX_RETRY_MS)
  }
  log.info({ core: data.coreId }, 'core stopped')
}

assert(isCoreWorkerData(workerData), 'core worker started without valid workerData')
run(workerData)
