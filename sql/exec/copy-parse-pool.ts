// sql/exec/copy-parse-pool: COPY FROM parsed in worker threads (design invariant 5), so that several COPYs parse in
// parallel and the event loop keeps reading sockets, writing the WAL and feeding the cores meanwhile. Each COPY stays
// on one worker (the one with the fewest COPYs) for its life: its CopyData is copied into a buffer transferred to the
// worker, which runs the same CopyRows as the inline path (copy-rows.ts) and hands back at CopyDone the record payloads
// it encoded — with the ColumnBatch (typed arrays transferred) inside a transaction, without it (lean: the worker keeps
// the rows until the COPY is released, and hands them over only if the payloads were stale) outside one. At most COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT chunks of a COPY wait in its worker; the next
// write waits for one (backpressure). A worker that dies fails the COPYs it held and is replaced on the next COPY.
// Idle workers are unref'd, so the pool never keeps the process alive on its own, and exit after idleExitMs (their
// isolate's heap and the buffers it had not collected yet go with them; the next COPY starts another, ~50 ms).
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ColumnBatch } from '../../engine/batch.js'
import type { EncodedIngest } from '../../engine/api.js'
import { DbError, type DbErrorFields } from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import { COPY_BUFFERED_BYTES_TOTAL_MAX, COPY_PARSE_WORKER_IDLE_EXIT_MS, COPY_PARSE_WORKERS_MAX_COUNT } from '../../src/common/limits.js'
import { setCopyBufferedBytesShare } from './copy-columns.js'
import type { BoundCopyFrom } from './copy-rows.js'

/** What a worker needs of the session's FunctionContext (a COPY's casts read no catalog and never sleep). */
export interface CopyCastContext {
  readonly timeZone: string
  readonly nowUs: number
  readonly settings: ReadonlyMap<string, string>
}

export type CopyWorkerRequest =
  | {
      readonly kind: 'start'; readonly id: number; readonly bound: BoundCopyFrom; readonly context: CopyCastContext; readonly bufferShare: number
      /** The engine's cores: the record's ring payloads are split for them (engine/bridge/core-payloads.ts). */
      readonly coreCount: number
      /** One Int32 the worker increments (Atomics) after each CopyData it parsed: acknowledgements without messages. */
      readonly parsed: Int32Array
    }
  | { readonly kind: 'data'; readonly id: number; readonly bytes: Uint8Array }
  /**
   * CopyDone. `isLean`: the rows need not come back with payloads encoded here (the COPY writes outside a transaction,
   * whose view buffers rows): the worker keeps them, and their arrays for the next COPY, unless 'rows' asks for them.
   */
  | { readonly kind: 'end'; readonly id: number; readonly isLean: boolean }
  /** A lean COPY's payloads were stale at the write (a schema change raced in): its rows, to write them as rows. */
  | { readonly kind: 'rows'; readonly id: number }
  /**
   * The COPY is over (aborted, or its batch written): the worker forgets it and gives its bytes back; `payloads`, the
   * buffers of its record payloads once written (transferred), are reused for the next COPY's.
   */
  | { readonly kind: 'release'; readonly id: number; readonly payloads?: ReadonlyArray<ArrayBuffer> }

/** An error as it crosses the thread boundary: a DbError's fields, or the message of anything else (a bug). */
export type CopyWorkerError = { readonly isDbError: true; readonly fields: DbErrorFields } | { readonly isDbError: false; readonly message: string }

export type CopyWorkerReply =
  | { readonly kind: 'error'; readonly id: number; readonly error: CopyWorkerError }
  /** `batch` null: lean (the payloads carry the rows; 'rows' gets them back). */
  | { readonly kind: 'done'; readonly id: number; readonly batch: ColumnBatch | null; readonly encoded: EncodedIngest | undefined }
  | { readonly kind: 'rows'; readonly id: number; readonly batch: ColumnBatch }

export function toWorkerError(thrown: unknown): CopyWorkerError {
  if (thrown instanceof DbError) return { isDbError: true, fields: { ...thrown, message: thrown.message } }
  return { isDbError: false, message: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown) }
}

function fromWorkerError(error: CopyWorkerError): Error {
  return error.isDbError ? new DbError(error.fields) : new Error(`COPY parse worker: ${error.message}`)
}

/**
 * The buffers of a batch's typed arrays, to transfer rather than copy: whole, also under a view of their first rows
 * (copy-columns.ts trims by view; the receiver gets the same view of the transferred buffer).
 */
export function batchTransferables(batch: ColumnBatch): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>()
  const add = (view: ArrayBufferView | undefined): void => {
    if (view !== undefined && view.buffer instanceof ArrayBuffer) buffers.add(view.buffer)
  }
  for (const column of batch.columns) {
    if (column.kind === 'symbol') add(column.ids)
    else if (column.kind !== 'text') {
      add(column.values)
      add(column.nulls)
    }
  }
  return [...buffers]
}

/** One COPY's side of the pool: what its worker answers goes to these. */
export interface CopyChannel {
  onError(error: Error): void
  onDone(batch: ColumnBatch | null, encoded: EncodedIngest | undefined): void
  onRows(batch: ColumnBatch): void
}

interface Slot {
  readonly worker: Worker
  readonly channels: Map<number, CopyChannel>
  isDead: boolean
  /** Set while the worker holds no COPY: ends it after idleExitMs. */
  idleTimer: NodeJS.Timeout | null
}

/**
 * availableParallelism − 1 (at least 1, at most COPY_PARSE_WORKERS_MAX_COUNT), as the ILP parse pool: the event loop
 * and the cores need the rest. On 2 CPUs one worker measured as cheap as parsing inline on a cold server, two cost
 * ~+1 CPU s per M rows (a second isolate to start and to warm up).
 */
export function copyParseWorkersCount(): number {
  return Math.max(1, Math.min(COPY_PARSE_WORKERS_MAX_COUNT, os.availableParallelism() - 1))
}

export class CopyParsePool {
  private readonly slots: Slot[] = []
  private nextId = 1
  private readonly bufferShare: number
  /** Workers started, and those that exited idle (tests and logs). */
  startedCount = 0
  idleExitCount = 0

  constructor(private readonly size = copyParseWorkersCount(), private readonly workerPath = path.join(__dirname, 'copy-parse-worker.js'),
    private readonly idleExitMs = COPY_PARSE_WORKER_IDLE_EXIT_MS) {
    // The event loop (inline COPYs) and every worker each hold an equal share of the COPY buffer budget.
    this.bufferShare = Math.floor(COPY_BUFFERED_BYTES_TOTAL_MAX / (size + 1))
    setCopyBufferedBytesShare(this.bufferShare)
  }

  /** Starts a COPY on the least busy worker; returns the function that posts it messages. */
  open(
    bound: BoundCopyFrom, context: CopyCastContext, parsed: Int32Array, channel: CopyChannel, coreCount: number,
  ): (request: CopyWorkerRequest, transfer?: ArrayBuffer[]) => void {
    const slot = this.pick()
    const id = this.nextId++
    slot.channels.set(id, channel)
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    slot.idleTimer = null
    slot.worker.ref()
    slot.worker.postMessage({ kind: 'start', id, bound, context, bufferShare: this.bufferShare, parsed, coreCount } satisfies CopyWorkerRequest)
    return (request, transfer = []) => {
      if (slot.isDead) return
      if (request.kind === 'release') this.forget(slot, id)
      slot.worker.postMessage({ ...request, id }, transfer)
    }
  }

  private pick(): Slot {
    const live = this.slots.filter((slot) => !slot.isDead)
    if (live.length < this.size) return this.startWorker()
    return live.reduce((best, slot) => (slot.channels.size < best.channels.size ? slot : best))
  }

  private forget(slot: Slot, id: number): void {
    slot.channels.delete(id)
    if (slot.channels.size > 0 || slot.idleTimer !== null) return
    slot.worker.unref()
    slot.idleTimer = setTimeout(() => this.exitIdle(slot), this.idleExitMs)
    slot.idleTimer.unref() // the timer does not keep the process alive either
  }

  /** Ends `slot`'s worker, still idle after idleExitMs: the next COPY starts another. */
  private exitIdle(slot: Slot): void {
    slot.idleTimer = null
    if (slot.channels.size > 0 || slot.isDead) return
    slot.isDead = true
    this.idleExitCount++
    this.slots.splice(this.slots.indexOf(slot), 1)
    void slot.worker.terminate()
  }

  private startWorker(): Slot {
    const slot: Slot = { worker: new Worker(this.workerPath), channels: new Map(), isDead: false, idleTimer: null }
    this.startedCount++
    slot.worker.unref()
    slot.worker.on('message', (reply: CopyWorkerReply) => {
      const channel = slot.channels.get(reply.id)
      if (channel === undefined) return
      if (reply.kind === 'error') channel.onError(fromWorkerError(reply.error))
      else if (reply.kind === 'rows') channel.onRows(reply.batch)
      else channel.onDone(reply.batch, reply.encoded)
    })
    slot.worker.on('error', (error) => this.onWorkerDied(slot, error.message))
    slot.worker.on('exit', (code) => this.onWorkerDied(slot, `exited with code ${code}`))
    this.slots.push(slot)
    return slot
  }

  private onWorkerDied(slot: Slot, reason: string): void {
    if (slot.isDead) return
    slot.isDead = true
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
    this.slots.splice(this.slots.indexOf(slot), 1)
    void slot.worker.terminate()
    log.error({ reason }, 'copy parse pool: a worker died, failing its COPYs')
    const channels = [...slot.channels.values()]
    slot.channels.clear()
    for (const channel of channels) channel.onError(new Error(`the COPY parse worker died: ${reason}`))
  }
}

let shared: CopyParsePool | undefined

/** The process's pool, made on first use. */
export function copyParsePool(): CopyParsePool {
  shared ??= new CopyParsePool()
  return shared
}
