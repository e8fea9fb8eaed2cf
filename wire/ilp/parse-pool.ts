// wire/ilp/parse-pool: a few worker threads that parse large ILP payloads off the event loop (design invariant 5).
// A job's input buffer is transferred to a worker and back, its LineBatches' typed arrays transferred to the caller:
// the result is exactly parseLines' (same batches, errors, line numbers, counts). Bounded: at most
// ILP_PARSE_JOBS_PENDING_MAX_COUNT jobs wait for a worker, and further callers wait for room (backpressure). A worker
// that dies fails the job it held and is replaced when the next job needs it; close() terminates them all. Idle
// workers are unref'd, so the pool never keeps the process alive on its own, and exit after idleExitMs (their isolates'
// memory goes with them; the next job starts a worker again).
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { assert } from '../../src/common/assert.js'
import { log } from '../../src/common/log.js'
import {
  ILP_PARSE_JOBS_PENDING_MAX_COUNT, ILP_PARSE_TABLES_AHEAD_MAX_COUNT, ILP_PARSE_WORKER_IDLE_EXIT_MS, INGEST_ENCODE_BUFFER_BYTES_MAX,
  INGEST_ENCODE_BUFFERS_MAX_COUNT, ILP_PARSE_WORKERS_MAX_COUNT, WORKER_YOUNG_GENERATION_MB,
} from '../../src/common/limits.js'
import { encodedTransferables, type IngestBatch, type IngestTableSchema } from '../../sql/api.js'
import { inputBuffers } from './parse-transfer.js'
import type { IlpParseOptions, IlpParseResult } from './ilp-parser.js'
import type { RequestParts } from './request-parts.js'

/** Posted to a worker: the payload (its buffers transferred) and how to parse it. */
export interface ParseJobMessage {
  readonly id: number
  /**
   * The payload: one buffer, or (`areBodies`) several HTTP bodies, each its own transferred buffer, parsed as if side
   * by side with a '\n' after any that lacks one (no joined copy on the event loop).
   */
  readonly inputs: ReadonlyArray<Uint8Array>
  readonly options: IlpParseOptions
  /** Tables of measurements the pool met lately: the worker encodes their batches' record payloads ahead. */
  readonly tables: ReadonlyArray<IngestTableSchema>
  /** The engine's cores, which the payloads are split for (one per core). */
  readonly coreCount: number
  /** Payload buffers of earlier results, written and free again (transferred): the worker encodes into them. */
  readonly spare: ReadonlyArray<ArrayBuffer>
  /** The inputs are HTTP request bodies: the reply says where each one's lines and rows are. */
  readonly areBodies: boolean
}

/** Posted back: parseLines' result and the payload's buffers, both transferred. */
export interface ParseResultMessage {
  readonly id: number
  readonly result: IlpParseResult
  readonly inputs: ReadonlyArray<Uint8Array>
  readonly parts?: RequestParts
}

export interface IlpParsePoolResult {
  readonly result: IlpParseResult
  /** The bytes parsed (the caller's input is detached by the transfer; these are the same bytes, handed back). */
  readonly input: Buffer
}

/** A parse of several HTTP bodies (IlpParsePool.parseBodies). */
export interface IlpParseBodiesResult {
  readonly result: IlpParseResult
  /** Each body's bytes, handed back in order (the callers' buffers are detached by the transfer). */
  readonly bodies: ReadonlyArray<Buffer>
  /** Where each body's lines and rows are. */
  readonly parts: RequestParts
}

/** A body for parseBodies: `isOwned` when its whole ArrayBuffer is the caller's to transfer (an IngestBufferPool buffer). */
export interface IlpParseBody {
  readonly body: Buffer
  readonly isOwned: boolean
}

/** How a job is parsed beyond its options (parse()'s last argument). */
export interface IlpParseJobOptions {
  /** The input's whole ArrayBuffer is the caller's to transfer (an IngestBufferPool buffer). */
  readonly isBufferOwned?: boolean
  /** Encode the records' payloads of batches of recent tables (ingest-ahead.ts), and send those batches lean. */
  readonly encodeAhead?: boolean
}

/** Why a pooled parse failed: the pool was closed (shutdown), or the worker holding the job died. */
export class IlpParsePoolError extends Error {
  constructor(message: string, readonly isClosed: boolean) {
    super(message)
    this.name = 'IlpParsePoolError'
  }
}

export interface IlpParsePoolOptions {
  /** Worker threads (--ilp-parse-workers); defaults to availableParallelism - 1, at least 1, at most ILP_PARSE_WORKERS_MAX_COUNT. */
  readonly size?: number | undefined
  readonly pendingMax?: number
  /** The worker's entry file (tests substitute a misbehaving one); defaults to parse-worker.js beside this file. */
  readonly workerPath?: string
  /** How long a worker stays idle before it exits; ILP_PARSE_WORKER_IDLE_EXIT_MS by default. */
  readonly idleExitMs?: number
  /** The tables named so, as the catalog holds them now (absent: no payloads are encoded ahead). */
  readonly tablesNamed?: (names: ReadonlyArray<string>) => ReadonlyArray<IngestTableSchema>
  /** The engine's cores (1 by default): payloads encoded ahead hold one part per core, used only at that count. */
  readonly coreCount?: number
}

interface Job {
  readonly id: number
  readonly inputs: ReadonlyArray<Uint8Array>
  readonly options: IlpParseOptions
  readonly encodeAhead: boolean
  readonly areBodies: boolean
  readonly resolve: (reply: ParseResultMessage) => void
  readonly reject: (error: Error) => void
}

interface Slot {
  readonly worker: Worker
  job: Job | null
  isDead: boolean
  idleTimer: NodeJS.Timeout | null
}

export function defaultParsePoolSize(): number {
  return Math.min(ILP_PARSE_WORKERS_MAX_COUNT, Math.max(1, os.availableParallelism() - 1))
}

export class IlpParsePool {
  /** Workers at most: jobs beyond them queue. */
  readonly size: number
  private readonly pendingMax: number
  private readonly workerPath: string
  private readonly idleExitMs: number
  /** Workers started, and those that exited idle (tests and logs). */
  startedCount = 0
  idleExitCount = 0
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private readonly waiters: Array<() => void> = []
  private nextId = 1
  private isClosed = false
  /** Measurements of recent results, latest first (at most ILP_PARSE_TABLES_AHEAD_MAX_COUNT): their tables go with each job. */
  private readonly recentMeasurements: string[] = []
  private readonly tablesNamed: (names: ReadonlyArray<string>) => ReadonlyArray<IngestTableSchema>
  private readonly coreCount: number
  /** Payload buffers handed back by recycle(), at most INGEST_ENCODE_BUFFERS_MAX_COUNT, for the next job. */
  private spare: ArrayBuffer[] = []

  constructor(options: IlpParsePoolOptions = {}) {
    this.size = options.size ?? defaultParsePoolSize()
    this.pendingMax = options.pendingMax ?? ILP_PARSE_JOBS_PENDING_MAX_COUNT
    this.workerPath = options.workerPath ?? path.join(__dirname, 'parse-worker.js')
    this.idleExitMs = options.idleExitMs ?? ILP_PARSE_WORKER_IDLE_EXIT_MS
    this.tablesNamed = options.tablesNamed ?? (() => [])
    this.coreCount = options.coreCount ?? 1
    assert(Number.isInteger(this.size) && this.size > 0, `parse pool size out of range: ${this.size}`)
    assert(Number.isInteger(this.pendingMax) && this.pendingMax > 0, `parse pool pendingMax out of range: ${this.pendingMax}`)
  }

  /**
   * Parses `input` in a worker: the same result as parseLines(input, options). `input`'s memory is transferred
   * when it is a whole buffer of its own, or when `isBufferOwned` says its whole ArrayBuffer is the caller's to give
   * (an IngestBufferPool buffer); it is copied otherwise. Do not use `input` after the call: the result's `input` is
   * the same view, handed back. Waits while the queue is full. Rejects with IlpParsePoolError when the pool closes or
   * the worker dies. With `encodeAhead`, the worker also encodes the records' payloads of batches of recent tables
   * (ingest-ahead.ts): for payloads whose batches are written as they are (TCP runs, HTTP bodies), not sliced or joined.
   */
  async parse(input: Buffer, options: IlpParseOptions, job: IlpParseJobOptions = {}): Promise<IlpParsePoolResult> {
    const { isBufferOwned = false, encodeAhead = false } = job
    const reply = await this.submit([{ body: input, isOwned: isBufferOwned }], options, encodeAhead, false)
    return { result: reply.result, input: bufferOf(reply.inputs[0]!) }
  }

  /**
   * Parses HTTP bodies as parseLines would parse them side by side (a '\n' after any that lacks one), encoding ahead
   * as parse() does, and says which body each row came from. Each body is transferred as parse() transfers its input
   * (no joined copy): the result hands them back in order.
   */
  async parseBodies(bodies: ReadonlyArray<IlpParseBody>, options: IlpParseOptions): Promise<IlpParseBodiesResult> {
    assert(bodies.length > 0, 'a parse of no bodies')
    const reply = await this.submit(bodies, options, true, true)
    assert(reply.parts !== undefined && reply.inputs.length === bodies.length, 'the worker says where each body is')
    return { result: reply.result, bodies: reply.inputs.map(bufferOf), parts: reply.parts }
  }

  private async submit(bodies: ReadonlyArray<IlpParseBody>, options: IlpParseOptions, encodeAhead: boolean,
    areBodies: boolean): Promise<ParseResultMessage> {
    while (!this.isClosed && this.queue.length >= this.pendingMax) await new Promise<void>((resolve) => this.waiters.push(resolve))
    if (this.isClosed) throw new IlpParsePoolError('the ILP parse pool is closed', true)
    const inputs = bodies.map(({ body, isOwned }) => transferableView(body, isOwned))
    return new Promise<ParseResultMessage>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, inputs, options, encodeAhead, areBodies, resolve, reject })
      this.pump()
    })
  }

  /** Fails queued jobs and waiting callers, terminates every worker (failing the jobs they hold). Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    const closed = new IlpParsePoolError('the ILP parse pool is closed', true)
    for (const job of this.queue.splice(0)) job.reject(closed)
    for (const wake of this.waiters.splice(0)) wake()
    const slots = this.slots.splice(0)
    await Promise.all(slots.map(async (slot) => {
      if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
      slot.isDead = true
      slot.job?.reject(closed)
      slot.job = null
      await slot.worker.terminate()
    }))
  }

  /** Gives queued jobs to idle workers, starting workers up to the pool size. */
  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((candidate) => candidate.job === null)
      if (slot === undefined) {
        if (this.slots.length >= this.size) return
        slot = this.startWorker()
      }
      const job = this.queue.shift()!
      this.waiters.shift()?.()
      if (slot.idleTimer !== null) clearTimeout(slot.idleTimer)
      slot.idleTimer = null
      slot.job = job
      slot.worker.ref()
      // The catalog as it stands when the job starts: a change after it makes sql.ingest encode on the event loop.
      const tables = !job.encodeAhead || this.recentMeasurements.length === 0 ? [] : this.tablesNamed(this.recentMeasurements)
      const spare = this.spare
      this.spare = []
      const message: ParseJobMessage = {
        id: job.id, inputs: job.inputs, options: job.options, tables, coreCount: this.coreCount, spare, areBodies: job.areBodies,
      }
      slot.worker.postMessage(message, [...inputBuffers(job.inputs), ...spare])
    }
  }

  private startWorker(): Slot {
    const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB }
    const slot: Slot = { worker: new Worker(this.workerPath, { resourceLimits }), job: null, isDead: false, idleTimer: null }
    this.startedCount++
    slot.worker.unref()
    slot.worker.on('message', (reply: ParseResultMessage) => {
      const job = slot.job
      if (job === null || job.id !== reply.id) return
      slot.job = null
      slot.worker.unref()
      for (const batch of reply.result.batches) this.noteMeasurement(batch.measurement)
      job.resolve(reply)
      this.pump()
      if (slot.job === null) this.exitWhenIdle(slot)
    })
    slot.worker.on('error', (error) => this.onWorkerDied(slot, error.message))
    slot.worker.on('exit', (code) => this.onWorkerDied(slot, `exited with code ${code}`))
    this.slots.push(slot)
    return slot
  }

  /**
   * `batch` was written (sql.ingest resolved: its record is durable and every core applied it) or given up: the
   * buffers of the payloads its worker encoded go to the next job, so steady ingest allocates none (issue 10).
   */
  recycle(batch: IngestBatch): void {
    if (batch.encoded === undefined) return
    for (const buffer of encodedTransferables(batch.encoded.payloads)) {
      if (this.spare.length >= INGEST_ENCODE_BUFFERS_MAX_COUNT || buffer.byteLength > INGEST_ENCODE_BUFFER_BYTES_MAX) return
      if (buffer.byteLength > 0 && !this.spare.includes(buffer)) this.spare.push(buffer)
    }
  }

  /** Keeps `name` among the recent measurements, latest first. */
  private noteMeasurement(name: string): void {
    const recent = this.recentMeasurements
    if (recent[0] === name) return
    const at = recent.indexOf(name)
    if (at >= 0) recent.splice(at, 1)
    recent.unshift(name)
    if (recent.length > ILP_PARSE_TABLES_AHEAD_MAX_COUNT) recent.pop()
  }

  /** Terminates `slot`'s worker if it is still idle after idleExitMs (the timer does not keep the process alive). */
  private exitWhenIdle(slot: Slot): void {
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null
      if (slot.job !== null || slot.isDead) return
      slot.isDead = true
      this.idleExitCount++
      this.slots.splice(this.slots.indexOf(slot), 1)
      void slot.worker.terminate()
    }, this.idleExitMs)
    slot.idleTimer.unref()
  }

  private onWorkerDied(slot: Slot, reason: string): void {
    if (slot.isDead) return
    slot.isDead = true
    const index = this.slots.indexOf(slot)
    if (index >= 0) this.slots.splice(index, 1)
    void slot.worker.terminate()
    log.error({ reason }, 'ilp parse pool: a worker died, starting another for the next job')
    slot.job?.reject(new IlpParsePoolError(`the ILP parse worker died: ${reason}`, false))
    slot.job = null
    this.pump()
  }
}

/** A Buffer over the bytes of `view` (a transferred Uint8Array arrives as one). */
function bufferOf(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength)
}

/**
 * `input` itself when its memory may be transferred (a whole ArrayBuffer of its own, or one the caller owns whole),
 * else a copy that may.
 */
function transferableView(input: Buffer, isOwned: boolean): Uint8Array {
  const isWhole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength
  if (input.buffer instanceof ArrayBuffer && (isWhole || isOwned)) return input
  const owned = new Uint8Array(input.byteLength)
  owned.set(input)
  return owned
}
