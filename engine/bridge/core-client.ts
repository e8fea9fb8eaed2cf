// engine/bridge/core-client: the control thread's handle on one core: its worker, its two rings, the requests in
// flight, and the queue of frames waiting for ring room. Never blocks the event loop (Atomics.waitAsync only).
import { Worker } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { log } from '../../src/common/log.js'
import { EngineFailureError } from '../api.js'
import { CONTROL_OUTBOX_RETRY_MS, DISPATCH_QUEUE_FRAMES_MAX_COUNT, PARTITION_WIDTH_US_DEFAULT, WORKER_YOUNG_GENERATION_MB } from '../../src/common/limits.js'
import { FrameCodec } from './frame-codec.js'
import type { CoreRequest, CoreResponse, FailureResponse, ScanBatchResponse, StreamScanRequest } from './messages.js'
import { RING_SIGNAL_INDEX, RingConsumer, RingProducer, createRingBuffers, ringMessageLength, type RingMessage } from './spsc-ring.js'

type WithoutId<T> = T extends CoreRequest ? Omit<T, 'id'> : never
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: unknown }

// ES2024's Atomics.waitAsync is in Node 20 but not in our ES2022 lib typings; looked up once and checked.
function findWaitAsync(): WaitAsync {
  const candidate: unknown = Reflect.get(Atomics, 'waitAsync')
  assert(typeof candidate === 'function', 'Atomics.waitAsync is required (Node >= 16)')
  return (array, index, value) => Reflect.apply(candidate, Atomics, [array, index, value])
}
const waitAsync = findWaitAsync()

/** What a streaming scan's owner receives: its batches, or the failure that ends it. */
export type StreamResponse = ScanBatchResponse | FailureResponse

interface InFlight {
  readonly resolve: (response: CoreResponse) => void
  readonly reject: (error: Error) => void
}

export class CoreClient {
  private readonly worker: Worker
  private readonly producer: RingProducer
  private readonly consumer: RingConsumer
  private readonly codec = new FrameCodec()
  private readonly inFlight = new Map<number, InFlight>()
  // Streaming scans by stream id: every ScanBatchResponse (and a FailureResponse) of the stream goes to its handler.
  private readonly streams = new Map<number, (response: StreamResponse) => void>()
  private readonly queue: RingMessage[] = []
  private queueOffset = 0
  private retryTimer: NodeJS.Timeout | undefined
  /** A wake of the core is queued (a microtask): requests pushed in one synchronous run wake it once, after all of them. */
  private isWakeQueued = false
  private readonly wakeCore = (): void => {
    this.isWakeQueued = false
    this.producer.wake()
  }
  private readonly queueWaiters: Array<() => void> = []
  private nextId = 1
  /** The id of the last request that may add rows to the core's memtables (an ingest); 0 before any. */
  private lastIngestId = 0
  /** See holdsNoRows. A new worker starts with empty memtables. */
  private isMemtableEmpty = true
  private exitFailure: EngineFailureError | undefined
  private isShuttingDown = false
  readonly exited: Promise<number>
  /**
   * Called synchronously when the worker exits unexpectedly (not after shutdown()), before the requests in flight are
   * rejected, so the owner can start a restart that those rejections then wait for.
   */
  onUnexpectedExit: ((code: number) => void) | undefined

  constructor(
    readonly coreId: number, workerPath: string, memtableBudgetBytes: number,
    partitionWidthUs: number = PARTITION_WIDTH_US_DEFAULT, chunkCacheBytes?: number, coreNice = 0,
  ) {
    const requestRing = createRingBuffers()
    const responseRing = createRingBuffers()
    this.producer = new RingProducer(requestRing)
    this.consumer = new RingConsumer(responseRing)
    const workerData = { coreId, requestRing, responseRing, memtableBudgetBytes, partitionWidthUs, chunkCacheBytes, coreNice }
    this.worker = new Worker(workerPath, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } })
    this.exited = new Promise((resolve) => this.worker.once('exit', (code) => { this.onExit(code); resolve(code) }))
    this.worker.on('error', (error) => log.error({ core: coreId, err: error }, 'core worker failed'))
    this.listen()
  }

  /**
   * The core's memtables hold no row, as an AppliedResponse answered after every ingest sent so far said
   * (memtableBytes 0: a row always counts its timestamp's bytes). Requests are answered in order, so no ingest sent
   * since can have added rows; an ingest sent clears it at once (enqueue), before any later scan is routed. A scan with
   * no segment slices for this core may then leave it out (ScanRunner.scan): the core would answer an empty partial.
   */
  get holdsNoRows(): boolean {
    return this.isMemtableEmpty && this.exitFailure === undefined
  }

  /** Frames waiting on the control side for room in the request ring. */
  get queuedFrameCount(): number {
    return this.queue.length
  }

  /** Resolves once the queue is below its bound (backpressure for new ingests; never a drop). */
  whenQueueHasRoom(): Promise<void> {
    if (this.queue.length < DISPATCH_QUEUE_FRAMES_MAX_COUNT || this.exitFailure !== undefined) return Promise.resolve()
    return new Promise((resolve) => this.queueWaiters.push(resolve))
  }

  /** Sends a request; resolves with its response. Order of calls is the order the core sees them in. */
  request(request: WithoutId<CoreRequest>): Promise<CoreResponse> {
    if (this.exitFailure !== undefined) return Promise.reject(this.exitFailure)
    const id = this.enqueue(request)
    return new Promise<CoreResponse>((resolve, reject) => this.inFlight.set(id, { resolve, reject }))
  }

  /**
   * Opens a streaming scan; returns its stream id. `onResponse` receives its batches until one isLast or a failure
   * (a dead core delivers 'Io'), or until cancelStream. Call while the scan gate's lease is held (invariant 2).
   */
  openStream(request: WithoutId<StreamScanRequest>, onResponse: (response: StreamResponse) => void): number {
    if (this.exitFailure !== undefined) {
      const failure = this.exitFailure.failure
      queueMicrotask(() => onResponse({ kind: 'FailureResponse', id: 0, failure }))
      return 0
    }
    const id = this.enqueue(request)
    this.streams.set(id, onResponse)
    return id
  }

  /** The consumer took `creditCount` batches of stream `streamId`: the core may send that many more. One-way. */
  creditStream(streamId: number, creditCount: number): void {
    if (this.exitFailure === undefined && this.streams.has(streamId)) this.enqueue({ kind: 'ScanCreditRequest', streamId, creditCount })
  }

  /**
   * Stops a stream: nothing more reaches its handler from now on; resolves once the core dropped its cursor (its
   * acknowledgement follows every batch it sent, so the stream id is then forgotten).
   */
  async cancelStream(streamId: number): Promise<void> {
    if (!this.streams.has(streamId)) return
    this.streams.set(streamId, () => undefined)
    try {
      await this.request({ kind: 'ScanCancelRequest', streamId })
    } finally {
      this.streams.delete(streamId)
    }
  }

  private enqueue(request: WithoutId<CoreRequest>): number {
    const id = this.nextId++
    if (request.kind === 'ApplyIngestRequest' || request.kind === 'ApplyRawIngestRequest' || request.kind === 'ApplyCoreIngestRequest') {
      this.lastIngestId = id
      this.isMemtableEmpty = false
    }
    this.queue.push(this.codec.encodeRequest({ ...request, id }))
    this.pump()
    return id
  }

  /** Sends Shutdown after everything queued, then waits for the worker to exit. */
  async shutdown(): Promise<void> {
    if (this.exitFailure === undefined) {
      const done = this.request({ kind: 'ShutdownRequest' })
      this.isShuttingDown = true
      await done
    }
    await this.exited
  }

  /**
   * Pushes what fits; the core is woken once the synchronous run that queued the frames ends (a scan's requests to
   * every core are all in their rings before the first core wakes and competes for the CPU with the rest of it).
   */
  private pump(): void {
    const offsetBefore = this.queueOffset
    const countBefore = this.queue.length
    while (this.queue.length > 0) {
      const frame = this.queue[0]!
      this.queueOffset = this.producer.pushSome(frame, this.queueOffset, false)
      if (this.queueOffset < ringMessageLength(frame)) break
      this.queue.shift()
      this.queueOffset = 0
    }
    const isPushed = this.queue.length !== countBefore || this.queueOffset !== offsetBefore
    if (isPushed && !this.isWakeQueued) {
      this.isWakeQueued = true
      queueMicrotask(this.wakeCore)
    }
    while (this.queueWaiters.length > 0 && this.queue.length < DISPATCH_QUEUE_FRAMES_MAX_COUNT) this.queueWaiters.shift()!()
    if (this.queue.length > 0 && this.retryTimer === undefined && this.exitFailure === undefined) {
      this.retryTimer = setTimeout(() => { this.retryTimer = undefined; this.pump() }, CONTROL_OUTBOX_RETRY_MS)
    }
  }

  /** Drains responses, then waits (asynchronously) on the response ring's signal word for more. */
  private listen(): void {
    if (this.exitFailure !== undefined) return
    const seen = this.consumer.signalValue()
    for (let bytes = this.consumer.pop(); bytes !== null; bytes = this.consumer.pop()) {
      this.onResponse(this.codec.decodeResponse(bytes))
    }
    const wait = waitAsync(this.consumer.header, RING_SIGNAL_INDEX, seen)
    if (wait.async && wait.value instanceof Promise) void wait.value.then(() => this.listen())
    else setImmediate(() => this.listen())
  }

  private onResponse(response: CoreResponse): void {
    const stream = this.streams.get(response.id)
    if (stream !== undefined && (response.kind === 'ScanBatchResponse' || response.kind === 'FailureResponse')) {
      if (response.kind === 'FailureResponse' || response.isLast) this.streams.delete(response.id)
      stream(response)
      return
    }
    if (response.kind === 'AppliedResponse' && response.id >= this.lastIngestId) this.isMemtableEmpty = response.memtableBytes === 0
    const entry = this.inFlight.get(response.id)
    if (entry === undefined) assert(false, `core ${this.coreId}: response to unknown request ${response.id}`)
    this.inFlight.delete(response.id)
    entry.resolve(response)
  }

  private onExit(code: number): void {
    // Responses the core pushed before exiting (Shutdown's among them) are still in the ring.
    for (let bytes = this.consumer.pop(); bytes !== null; bytes = this.consumer.pop()) {
      this.onResponse(this.codec.decodeResponse(bytes))
    }
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    const expected = this.isShuttingDown && this.inFlight.size === 0
    if (!expected) log.error({ core: this.coreId, code }, `core ${this.coreId} exited unexpectedly`)
    if (!this.isShuttingDown) this.onUnexpectedExit?.(code)
    this.exitFailure = new EngineFailureError({ kind: 'Io', detail: `core ${this.coreId} exited` })
    for (const entry of this.inFlight.values()) entry.reject(this.exitFailure)
    this.inFlight.clear()
    const failure = this.exitFailure.failure
    for (const [id, stream] of this.streams) stream({ kind: 'FailureResponse', id, failure })
    this.streams.clear()
    this.queue.length = 0
    while (this.queueWaiters.length > 0) this.queueWaiters.shift()!()
    // Wake the pending waitAsync so nothing is left waiting on this ring.
    Atomics.add(this.consumer.header, RING_SIGNAL_INDEX, 1)
    Atomics.notify(this.consumer.header, RING_SIGNAL_INDEX)
  }

  /** For tests: terminate the worker abruptly, as a crash would. */
  terminate(): Promise<number> {
    return this.worker.terminate()
  }
}
