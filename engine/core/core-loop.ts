// engine/core/core-loop: one core's request loop, driven by tick(): takes requests from its ring, applies them to its
// CoreStorage and answers on the other ring. Runs inside a worker; knows nothing of files or SQL.
import { assert, assertNever } from '../../src/common/assert.js'
import type { TableId } from '../../src/common/ids.js'
import type { TableSchema } from '../ops.js'
import { isEngineFailureError, type EngineFailure } from '../api.js'
import { FrameCodec } from '../bridge/frame-codec.js'
import { validateBatch, vShardsOf } from '../bridge/dispatcher.js'
import { decodeCorePayload } from '../bridge/core-payloads.js'
import type {
  AppliedResponse, ApplyCoreIngestRequest, ApplyIngestRequest, ApplyRawIngestRequest, CompactRequest, CoreRequest, CoreResponse, RewriteSegmentRequest, ScanRequest,
} from '../bridge/messages.js'
import { RingConsumer, RingProducer, ringMessageLength, type RingBuffers, type RingMessage } from '../bridge/spsc-ring.js'
import {
  CORE_RECEIVE_BUFFER_BYTES_MAX, CORE_RECEIVE_BUFFER_BYTES_MIN, CORE_REQUESTS_PER_TICK_COUNT, VSHARD_COUNT,
} from '../../src/common/limits.js'
import { decodeIngestPayload } from '../wal/ingest-payload.js'
import { rewriteSegment } from '../timeseries/delete-rows.js'
import { CoreStorage } from './core-storage.js'
import { ScanStreams } from './scan-streams.js'

export interface CoreLoopOptions {
  readonly coreId: number
  readonly requestRing: RingBuffers
  readonly responseRing: RingBuffers
  readonly memtableBudgetBytes: number
  readonly partitionWidthUs: number
  /** Decoded-chunk cache budget (bytes); the default when absent. */
  readonly chunkCacheBytes?: number
}

export type TickOutcome = 'idle' | 'busy' | 'blocked' | 'stopped'

export class CoreLoop {
  private readonly requests: RingConsumer
  /** Where ingest payloads are received (receiveInto), reused from one to the next. */
  private receiveBuffer = new Uint8Array(0)
  private readonly responses: RingProducer
  private readonly codec = new FrameCodec()
  private readonly storage: CoreStorage
  private readonly streams: ScanStreams
  // Encoded responses waiting for room in the response ring, in order; the first may be partly pushed.
  private readonly outbox: RingMessage[] = []
  private outboxOffset = 0
  private isStopped = false
  private lastAppliedLsn = 0
  /** ownedOf's answer without skipped vShards (live ingest's), for the core count it was made for. */
  private owned: { readonly coreCount: number; readonly vShards: Uint8Array } | undefined

  constructor(private readonly options: CoreLoopOptions) {
    this.requests = new RingConsumer(options.requestRing)
    this.responses = new RingProducer(options.responseRing)
    this.storage = new CoreStorage(options)
    this.streams = new ScanStreams(this.storage, options.coreId)
  }

  /** The request ring's signal word, for the worker to sleep on when a tick was idle. */
  get signalHeader(): Int32Array {
    return this.requests.header
  }

  signalValue(): number {
    return this.requests.signalValue()
  }

  /**
   * Handles up to CORE_REQUESTS_PER_TICK_COUNT requests. 'blocked' means responses wait for room in the response
   * ring: requests are not taken meanwhile, so the control side's backpressure reaches its callers. After the
   * requests, every streaming scan with credit takes one bounded step; while one has credit the tick is 'busy'.
   */
  tick(): TickOutcome {
    if (!this.pumpOutbox()) return 'blocked'
    if (this.isStopped) return 'stopped'
    let handled = 0
    while (handled < CORE_REQUESTS_PER_TICK_COUNT && !this.isStopped) {
      const bytes = this.requests.pop(this.receiveInto)
      if (bytes === null) break
      handled += 1
      this.respond(this.handle(this.decodeRequest(bytes)))
      if (!this.pumpOutbox()) return 'blocked'
    }
    if (this.isStopped) return 'stopped'
    if (this.streams.hasWork) {
      for (const response of this.streams.step()) this.respond(response)
      if (!this.pumpOutbox()) return 'blocked'
      return 'busy'
    }
    return handled > 0 ? 'busy' : 'idle'
  }

  /**
   * The array a request of `length` bytes is received into: the kept receive buffer for an ingest-sized one (see
   * CORE_RECEIVE_BUFFER_BYTES_MIN), else a fresh one.
   */
  private readonly receiveInto = (length: number): Uint8Array => {
    if (length < CORE_RECEIVE_BUFFER_BYTES_MIN || length > CORE_RECEIVE_BUFFER_BYTES_MAX) return new Uint8Array(length)
    if (this.receiveBuffer.length < length) {
      this.receiveBuffer = new Uint8Array(Math.min(CORE_RECEIVE_BUFFER_BYTES_MAX, Math.max(length, 2 * this.receiveBuffer.length)))
    }
    return this.receiveBuffer.subarray(0, length)
  }

  /**
   * The request in `bytes`. Only an ingest may stay in the receive buffer: applying it copies every value into the
   * memtables, so nothing refers to the buffer once it is handled and the next request may overwrite it. Any other
   * request there (a large scan) is decoded from a copy of its own, since a request may be kept (an open stream).
   */
  private decodeRequest(bytes: Uint8Array): CoreRequest {
    const request = this.codec.decodeRequest(bytes)
    if (bytes.buffer !== this.receiveBuffer.buffer || request.kind === 'ApplyRawIngestRequest' || request.kind === 'ApplyCoreIngestRequest') return request
    return this.codec.decodeRequest(bytes.slice())
  }

  /** Streaming scans open on this core (tests). */
  get openStreamCount(): number {
    return this.streams.openCount
  }

  private respond(response: CoreResponse | undefined): void {
    if (response !== undefined) this.outbox.push(this.codec.encodeResponse(response))
  }

  /** Pushes queued responses; true when the outbox is empty. */
  private pumpOutbox(): boolean {
    while (this.outbox.length > 0) {
      const frame = this.outbox[0]!
      this.outboxOffset = this.responses.pushSome(frame, this.outboxOffset)
      if (this.outboxOffset < ringMessageLength(frame)) return false
      this.outbox.shift()
      this.outboxOffset = 0
    }
    return true
  }

  /** The answer to a request; undefined for the one-way ones (a stream's open and credit answer with its batches). */
  private handle(request: CoreRequest): CoreResponse | undefined {
    switch (request.kind) {
      case 'RegisterTableRequest':
        this.storage.registerTable(request.table)
        return { kind: 'DoneResponse', id: request.id }
      case 'ApplyIngestRequest': return this.applyIngest(request)
      case 'ApplyRawIngestRequest': return this.applyRawIngest(request)
      case 'ApplyCoreIngestRequest': return this.applyCoreIngest(request)
      case 'ScanRequest': return this.scan(request)
      case 'CommitFlushRequest':
        this.storage.commitFlush(request.flushId, request.isCommitted)
        return this.applied(request.id)
      case 'FlushRequest': return this.applied(request.id, true)
      case 'CompactRequest': return this.compact(request)
      case 'DropTableRowsRequest':
        this.storage.dropTableRows(request.tableId, request.isUnregistering)
        return this.applied(request.id)
      case 'ShutdownRequest':
        this.isStopped = true
        return { kind: 'DoneResponse', id: request.id }
      case 'StreamScanRequest': return this.streams.open(request)
      case 'ScanCreditRequest':
        this.streams.credit(request)
        return undefined
      case 'ScanCancelRequest': return this.streams.cancel(request)
      case 'HoldFlushesRequest':
        this.storage.holdFlushes(request.isHeld)
        return { kind: 'DoneResponse', id: request.id }
      case 'DeleteRowsRequest': {
        const deletedCount = this.storage.deleteRows(request.tableId, request.predicate)
        return { ...this.applied(request.id), deletedCount }
      }
      case 'RewriteSegmentRequest': return this.rewrite(request)
      default: return assertNever(request)
    }
  }

  /** Design invariant 2: one ring per core carries every record in LSN order, so per vShard too. */
  private noteLsn(lsn: number): void {
    if (lsn <= this.lastAppliedLsn) assert(false, `core ${this.options.coreId}: lsn ${lsn} after ${this.lastAppliedLsn}`)
    this.lastAppliedLsn = lsn
  }

  private schemaFor(tableId: TableId): TableSchema {
    const schema = this.storage.schemaOf(tableId)
    if (schema === undefined) assert(false, `core ${this.options.coreId}: ingest into unregistered table ${tableId}`)
    return schema
  }

  private applyIngest(request: ApplyIngestRequest): CoreResponse {
    this.noteLsn(request.lsn)
    this.storage.apply(request)
    return this.applied(request.id)
  }

  /** Replay: decodes and validates the record here, then applies the rows this core owns (see the request). */
  private applyRawIngest(request: ApplyRawIngestRequest): CoreResponse {
    this.noteLsn(request.lsn)
    const schema = this.schemaFor(request.tableId)
    const batch = decodeIngestPayload(this.codec, request.payload)
    const problem = batch === undefined ? 'undecodable payload' : validateBatch(schema, batch)
    if (batch === undefined || problem !== undefined) {
      return this.failure(request.id, { kind: 'Corrupt', detail: `wal record lsn ${request.lsn}: ${problem ?? 'bad payload'}` })
    }
    // The same vShardsOf as live ingest's dispatcher, so every row lands in the vShard (and core) it always has.
    this.storage.apply({ tableId: request.tableId, lsn: request.lsn, batch, vShards: vShardsOf(schema, batch) }, this.ownedOf(request))
    return this.applied(request.id)
  }

  /** Live ingest and catch-up: this core's rows only, grouped by vShard where they were encoded (core-payloads.ts). */
  private applyCoreIngest(request: ApplyCoreIngestRequest): CoreResponse {
    this.noteLsn(request.lsn)
    const schema = this.schemaFor(request.tableId)
    const rows = decodeCorePayload(schema, request.payload, this.options.coreId, request.coreCount)
    // Answered as replay answers a record that does not fit the table (applyRawIngest), rather than stopping the core.
    if (typeof rows === 'string') return this.failure(request.id, { kind: 'Corrupt', detail: `wal record lsn ${request.lsn}: ${rows}` })
    this.storage.applyCoreRows(request.tableId, request.lsn, rows)
    return this.applied(request.id)
  }

  /** 1 for each vShard of `request.coreCount` this core applies rows of; kept while live ingest asks the same. */
  private ownedOf(request: ApplyRawIngestRequest): Uint8Array {
    if (request.skipVShards === null && this.owned?.coreCount === request.coreCount) return this.owned.vShards
    const owned = new Uint8Array(VSHARD_COUNT)
    for (let v = this.options.coreId; v < VSHARD_COUNT; v += request.coreCount) owned[v] = request.skipVShards?.[v] === 1 ? 0 : 1
    if (request.skipVShards === null) this.owned = { coreCount: request.coreCount, vShards: owned }
    return owned
  }

  /** The core's memtable state, with a flush when the budget is reached (invariant 4). */
  private applied(id: number, isForced = false): AppliedResponse {
    // Counted once: freezing memtables for a flush does not change the bytes held (frozen ones count until committed).
    const memtableBytes = this.storage.memtableBytes()
    const flush = this.storage.maybeFlush(isForced, memtableBytes)
    return { kind: 'AppliedResponse', id, memtableBytes, lowWaterLsn: this.storage.lowWaterLsn(), flush }
  }

  private compact(request: CompactRequest): CoreResponse {
    try {
      return { kind: 'CompactResponse', id: request.id, segment: this.storage.compact(request) }
    } catch (error) {
      if (isEngineFailureError(error)) return this.failure(request.id, error.failure)
      throw error
    }
  }

  private rewrite(request: RewriteSegmentRequest): CoreResponse {
    const schema = this.storage.schemaOf(request.span.tableId)
    if (schema === undefined) return this.failure(request.id, { kind: 'NoSuchTable', detail: `table ${request.span.tableId} is not registered` })
    try {
      return { kind: 'RewriteResponse', id: request.id, ...rewriteSegment(schema, request.segment, request.span, request.predicate) }
    } catch (error) {
      if (isEngineFailureError(error)) return this.failure(request.id, error.failure)
      throw error
    }
  }

  private scan(request: ScanRequest): CoreResponse {
    try {
      const partial = this.storage.scan(request.op, request.segments)
      if (partial === undefined) {
        return this.failure(request.id, { kind: 'NoSuchTable', detail: `table ${request.op.tableId} is not registered` })
      }
      return { kind: 'ScanResponse', id: request.id, partial }
    } catch (error) {
      if (isEngineFailureError(error)) return this.failure(request.id, error.failure)
      throw error
    }
  }

  private failure(id: number, failure: EngineFailure): CoreResponse {
    return { kind: 'FailureResponse', id, failure: { kind: failure.kind, detail: failure.detail } }
  }
}
