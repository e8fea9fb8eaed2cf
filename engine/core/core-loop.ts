// engine/core/core-loop: one core's state machine — its tables' memtables per vShard — driven by tick(), which
// handles requests from its ring and answers on the other. Runs inside a worker; knows nothing of files or SQL.
import { assert, assertNever } from '../../src/common/assert.js'
import type { TableId } from '../../src/common/ids.js'
import { VSHARD_COUNT } from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'
import { isEngineFailureError, type EngineFailure } from '../api.js'
import { FrameCodec } from '../bridge/frame-codec.js'
import type { ApplyIngestRequest, CoreRequest, CoreResponse, ScanRequest } from '../bridge/messages.js'
import { RingConsumer, RingProducer, type RingBuffers } from '../bridge/spsc-ring.js'
import { CORE_REQUESTS_PER_TICK_COUNT } from '../../src/common/limits.js'
import type { TableSchema } from '../ops.js'
import { Memtable } from '../timeseries/memtable.js'
import { scanMemtables } from '../timeseries/scan.js'

interface CoreTable {
  schema: TableSchema
  readonly memtables: Map<number, Memtable>
}

export interface CoreLoopOptions {
  readonly coreId: number
  readonly requestRing: RingBuffers
  readonly responseRing: RingBuffers
  readonly memtableBudgetBytes: number
}

export type TickOutcome = 'idle' | 'busy' | 'blocked' | 'stopped'

export class CoreLoop {
  private readonly requests: RingConsumer
  private readonly responses: RingProducer
  private readonly codec = new FrameCodec()
  private readonly tables = new Map<TableId, CoreTable>()
  // Encoded responses waiting for room in the response ring, in order; the first may be partly pushed.
  private readonly outbox: Uint8Array[] = []
  private outboxOffset = 0
  private isStopped = false
  private hasWarnedBudget = false
  private lastAppliedLsn = 0

  constructor(private readonly options: CoreLoopOptions) {
    this.requests = new RingConsumer(options.requestRing)
    this.responses = new RingProducer(options.responseRing)
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
   * ring: requests are not taken meanwhile, so the control side's backpressure reaches its callers.
   */
  tick(): TickOutcome {
    if (!this.pumpOutbox()) return 'blocked'
    if (this.isStopped) return 'stopped'
    let handled = 0
    while (handled < CORE_REQUESTS_PER_TICK_COUNT && !this.isStopped) {
      const bytes = this.requests.pop()
      if (bytes === null) break
      handled += 1
      this.respond(this.handle(this.codec.decodeRequest(bytes)))
      if (!this.pumpOutbox()) return 'blocked'
    }
    if (this.isStopped) return 'stopped'
    return handled > 0 ? 'busy' : 'idle'
  }

  private respond(response: CoreResponse): void {
    this.outbox.push(this.codec.encodeResponse(response))
  }

  /** Pushes queued responses; true when the outbox is empty. */
  private pumpOutbox(): boolean {
    while (this.outbox.length > 0) {
      const frame = this.outbox[0]!
      this.outboxOffset = this.responses.pushSome(frame, this.outboxOffset)
      if (this.outboxOffset < frame.length) return false
      this.outbox.shift()
      this.outboxOffset = 0
    }
    return true
  }

  private handle(request: CoreRequest): CoreResponse {
    switch (request.kind) {
      case 'RegisterTableRequest': {
        const existing = this.tables.get(request.table.id)
        if (existing === undefined) this.tables.set(request.table.id, { schema: request.table, memtables: new Map() })
        else existing.schema = request.table
        return { kind: 'DoneResponse', id: request.id }
      }
      case 'ApplyIngestRequest': return this.applyIngest(request)
      case 'ScanRequest': return this.scan(request)
      case 'ShutdownRequest':
        this.isStopped = true
        return { kind: 'DoneResponse', id: request.id }
      default: return assertNever(request)
    }
  }

  private applyIngest(request: ApplyIngestRequest): CoreResponse {
    const table = this.tables.get(request.tableId)
    assert(table !== undefined, `core ${this.options.coreId}: ingest into unregistered table ${request.tableId}`)
    // Design invariant 2: one ring per core carries every record in LSN order, so per vShard too.
    assert(request.lsn > this.lastAppliedLsn, `core ${this.options.coreId}: lsn ${request.lsn} after ${this.lastAppliedLsn}`)
    this.lastAppliedLsn = request.lsn
    const { batch, vShards } = request
    assert(vShards.length === batch.rowCount, 'one vShard per row')
    // Counting sort of row indices by vShard, so each memtable receives its rows in one append.
    const starts = new Int32Array(VSHARD_COUNT + 1)
    for (let row = 0; row < batch.rowCount; row++) starts[vShards[row]! + 1]! += 1
    for (let v = 0; v < VSHARD_COUNT; v++) starts[v + 1]! += starts[v]!
    const order = new Int32Array(batch.rowCount)
    const fill = starts.slice(0, VSHARD_COUNT)
    for (let row = 0; row < batch.rowCount; row++) order[fill[vShards[row]!]!++] = row
    for (let v = 0; v < VSHARD_COUNT; v++) {
      const count = starts[v + 1]! - starts[v]!
      if (count === 0) continue
      let memtable = table.memtables.get(v)
      if (memtable === undefined) {
        memtable = new Memtable(table.schema)
        table.memtables.set(v, memtable)
      }
      memtable.appendRows(batch, order.subarray(starts[v]!, starts[v + 1]!), count)
    }
    this.checkBudget()
    return { kind: 'DoneResponse', id: request.id }
  }

  private checkBudget(): void {
    if (this.hasWarnedBudget) return
    let bytes = 0
    for (const table of this.tables.values()) for (const memtable of table.memtables.values()) bytes += memtable.sizeBytes
    if (bytes <= this.options.memtableBudgetBytes) return
    // TODO(#4): flush memtables to segments when the budget is exceeded; until then rows stay in memory.
    this.hasWarnedBudget = true
    log.warn({ core: this.options.coreId, bytes, budgetBytes: this.options.memtableBudgetBytes },
      'memtable budget exceeded; flushing to segments is not built yet')
  }

  private scan(request: ScanRequest): CoreResponse {
    const table = this.tables.get(request.op.tableId)
    if (table === undefined) {
      return this.failure(request.id, { kind: 'NoSuchTable', detail: `table ${request.op.tableId} is not registered` })
    }
    const memtables = [...table.memtables.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1])
    try {
      return { kind: 'ScanResponse', id: request.id, partial: scanMemtables(table.schema, memtables, request.op) }
    } catch (error) {
      if (isEngineFailureError(error)) return this.failure(request.id, error.failure)
      throw error
    }
  }

  private failure(id: number, failure: EngineFailure): CoreResponse {
    return { kind: 'FailureResponse', id, failure: { kind: failure.kind, detail: failure.detail } }
  }
}
