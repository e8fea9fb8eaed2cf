// engine/sync/cloud-applier: the cloud half of issue 11, one per edge. A durable pull consumer (AckAll) on the edge's
// NDB_WAL, reached through the leaf connection ($JS.<edge>.API). Per message of source (nodeId, incarnation): LSN ≤
// high-water mark → duplicate (skipped, counted); Ndb-Prev-Lsn = mark → applied as one cloud ingest carrying its
// position; anything else is a gap → held, not acknowledged, so the lost record comes back first. Acknowledges only
// what the cloud's WAL made durable (ingest resolves after its fsync).
import type { NatsConnection } from '@nats-io/transport-node'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import { log } from '../../src/common/log.js'
import { EngineFailureError, isEngineFailureError, type Engine, type SyncChainState, type SyncChainStatus } from '../api.js'
import { FrameCodec } from '../bridge/frame-codec.js'
import type { TableSchema } from '../ops.js'
import { ApplyGroup } from './apply-group.js'
import { decodeIngestPayload } from '../wal/ingest-payload.js'
import { decodeWalRecord } from '../wal/record.js'
import type { CloudTables } from './cloud-tables.js'
import {
  catalogSubject, decodeCatalogMessage, HEADER_KIND, HEADER_LSN, HEADER_PART, HEADER_PREV_LSN, HEADER_RESYNC, HEADER_SOURCE,
  parseSource,
  SYNC_ACK_WAIT_MS, SYNC_CONSUMER, SYNC_FETCH_COUNT, SYNC_RETRY_MS, SYNC_STREAM,
} from './protocol.js'

/** Per source (nodeId:incarnation) counters for its nodedb_sync row. */
interface SourceCounters {
  readonly incarnation: number
  seenLsn: number
  /** The mark as durable rows show it: loaded from them, then moved by each flushed group. */
  appliedLsn: number
  ackedLsn: number
  duplicatesSkipped: number
  gapsHeld: number
}

/** How often the applier reads its consumer's pending counts (lag in nodedb_sync). */
const LAG_REFRESH_MS = 1000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A record the applier cannot apply exactly: the edge's stream is held (not acknowledged) until resolved. */
export function holdError(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

/** 'partial': a part of a record whose last part is still to come (not acknowledged on its own). */
type Outcome = 'applied' | 'skipped' | 'held' | 'partial'

export class EdgeApplier {
  private stopped = false
  private running: Promise<void> | undefined
  private readonly codec = new FrameCodec()
  /** High-water mark per source `<nodeId>:<incarnation>`, loaded from the rows on first sight. */
  private readonly marks = new Map<string, number>()
  private readonly counters = new Map<string, SourceCounters>()
  private readonly edgeSchemas = new Map<string, TableSchema>()
  private readonly group = new ApplyGroup()
  /** Messages handled whose effect is not durable yet (in the pending group): acknowledged after its flush. */
  private unflushed: Array<{ readonly message: JsMsg; readonly key: string; readonly lsn: number }> = []
  private parts: Uint8Array[] = []
  /** After an error or a held gap: the consumer is recreated to deliver again from its ack floor. */
  private needsRewind = false
  /** Stream sequence of the last message this applier acknowledged (AckAll covers every one before it). */
  private ackedStreamSeq = 0
  private incarnation: number | null = null
  private state: SyncChainState = 'offline'
  private lagRecords: number | null = null
  private lagSeconds: number | null = null
  private lagReadAtMs = 0
  private lastError: string | null = null
  private lastErrorAtMs: number | null = null
  /** Edge records applied since start (each one cloud row batch) and cloud ingests they took (fsync batching). */
  appliedRecords = 0
  ingestCount = 0

  constructor(private readonly nc: NatsConnection, private readonly engine: Engine, private readonly tables: CloudTables,
    readonly nodeId: string) {}

  start(): void { this.running = this.runLoop() }

  async stop(): Promise<void> {
    this.stopped = true
    await this.running
  }

  /** One row per incarnation seen (one chain each); before any message, one row without an incarnation. */
  status(): SyncChainStatus[] {
    const row = (c: SourceCounters | undefined): SyncChainStatus => {
      const isNewest = c === undefined || c.incarnation === this.incarnation
      return {
        role: 'cloud', nodeId: this.nodeId, incarnation: c?.incarnation ?? null, chain: 'wal', shippedLsn: c?.seenLsn ?? null,
        appliedLsn: c?.appliedLsn ?? null, ackedLsn: c?.ackedLsn ?? null,
        lagRecords: isNewest ? this.lagRecords : 0, lagSeconds: isNewest ? this.lagSeconds : 0,
        gapsHeld: c?.gapsHeld ?? 0, duplicatesSkipped: c?.duplicatesSkipped ?? 0, writesRefused: 0,
        state: this.state, lastError: this.lastError, lastErrorAtMs: this.lastErrorAtMs,
      }
    }
    if (this.counters.size === 0) return [row(undefined)]
    return [...this.counters.entries()].sort((a, b) => a[1].incarnation - b[1].incarnation).map(([, c]) => row(c))
  }

  private noteError(error: unknown, state: SyncChainState): void {
    this.state = state
    this.lastError = messageOf(error)
    this.lastErrorAtMs = Date.now()
    if (state === 'offline') [this.lagRecords, this.lagSeconds] = [null, null]
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const jsm = await jetstreamManager(this.nc, { domain: this.nodeId, timeout: 2000 })
        await this.ensureConsumer(jsm, this.needsRewind)
        this.needsRewind = false
        const consumer = await jetstream(this.nc, { domain: this.nodeId, timeout: 5000 }).consumers.get(SYNC_STREAM, SYNC_CONSUMER)
        if (this.state === 'offline') this.state = 'connected'
        while (!this.stopped) {
          const held = await this.applyFetch(jsm, await consumer.fetch({ max_messages: SYNC_FETCH_COUNT, expires: 1000 }))
          if (Date.now() - this.lagReadAtMs >= LAG_REFRESH_MS) await this.readLag(jsm, consumer)
          if (!held) continue
          // Delivery continues past a message that is not acknowledged: start again at the first one that is not.
          this.needsRewind = true
          await sleep(SYNC_RETRY_MS)
          break
        }
      } catch (error) {
        // Whatever was pending is not acknowledged: forget it and the marks, which are reloaded from the durable rows,
        // and deliver again from the ack floor (waiting for redelivery alone left a lost fetch's message behind).
        this.group.clear()
        this.unflushed = []
        this.marks.clear()
        this.needsRewind = true
        if (this.stopped) return
        this.noteError(error, isEngineFailureError(error) && error.failure.kind === 'InvalidBatch' ? 'held' : 'offline')
        log.warn({ nodeId: this.nodeId, err: this.lastError }, 'sync: applying paused; retrying')
        await sleep(SYNC_RETRY_MS)
      }
    }
  }

  /**
   * Applies one fetch: records coalesce into groups (one cloud ingest each, one fsync), then AckAll of the last
   * message whose effect is durable. Also every ack_wait/2 in a long fetch, so applied messages never come again.
   * True when a gap was held (the rest of the fetch is left unacknowledged and comes again).
   */
  private async applyFetch(jsm: JetStreamManager, batch: AsyncIterable<JsMsg>): Promise<boolean> {
    let held = false
    let handledCount = 0
    let ackedAt = Date.now()
    for await (const message of batch) {
      if (held) continue
      handledCount += 1
      const outcome = await this.handle(jsm, message)
      if (outcome === 'held') held = true
      if (Date.now() - ackedAt > SYNC_ACK_WAIT_MS / 2) {
        await this.flushAndAck()
        ackedAt = Date.now()
      }
    }
    await this.flushAndAck()
    // Held stays until a message goes through (an empty fetch while the held one waits out ack_wait changes nothing).
    if (!held && handledCount > 0 && this.state === 'held') this.state = 'connected'
    return held
  }

  /** Ingests the pending group (durable on return), then acknowledges everything handled up to here (AckAll). */
  private async flushAndAck(): Promise<void> {
    const recordCount = await this.group.flush(this.engine)
    if (recordCount > 0) {
      this.appliedRecords += recordCount
      this.ingestCount += 1
    }
    const last = this.unflushed[this.unflushed.length - 1]
    if (last === undefined) return
    for (const { key, lsn } of this.unflushed) {
      const counters = this.counters.get(key)
      if (counters !== undefined) counters.appliedLsn = Math.max(counters.appliedLsn, lsn)
    }
    last.message.ack()
    this.ackedStreamSeq = Math.max(this.ackedStreamSeq, last.message.seq)
    for (const { key, lsn } of this.unflushed) {
      const counters = this.counters.get(key)
      if (counters !== undefined) counters.ackedLsn = Math.max(counters.ackedLsn, lsn)
    }
    this.unflushed = []
  }

  /** Messages on the edge's stream not yet acknowledged, and the publish time of the oldest of them. */
  private async readLag(jsm: JetStreamManager, consumer: Consumer): Promise<void> {
    this.lagReadAtMs = Date.now()
    const info = await consumer.info()
    // A consumer a rewind created reports ack floor 0 (and delivered = its start - 1) until its first ack: what this
    // applier acknowledged counts as acknowledged too, or an idle rewound consumer would look stuck and rewind forever.
    const floor = Math.max(info.ack_floor.stream_seq, this.ackedStreamSeq)
    if (info.delivered.stream_seq > floor && info.num_ack_pending === 0) {
      // Delivered, neither acknowledged nor pending: seen when the hub died with a fetch in flight (2.9 then never
      // sends it again). Rewind to the ack floor instead of waiting forever.
      throw new Error(`messages after stream sequence ${floor} were delivered but are not pending; rewinding`)
    }
    this.lagRecords = info.num_pending + info.num_ack_pending
    if (this.lagRecords === 0) {
      this.lagSeconds = 0
      return
    }
    const oldest = await jsm.streams.getMessage(SYNC_STREAM, { seq: floor + 1 }).catch(() => null)
    this.lagSeconds = oldest === null ? null : Math.max(0, (Date.now() - oldest.time.getTime()) / 1000)
  }

  /**
   * Creates the durable consumer if missing. `isRewind`: recreates it to deliver from its ack floor, in order
   * (nats-server 2.9 has no consumer reset): what was applied but not acknowledged comes again as duplicates.
   */
  private async ensureConsumer(jsm: JetStreamManager, isRewind: boolean): Promise<void> {
    const existing = await jsm.consumers.info(SYNC_STREAM, SYNC_CONSUMER).catch(() => undefined)
    if (existing !== undefined && !isRewind) return
    const config = { durable_name: SYNC_CONSUMER, ack_policy: AckPolicy.All, max_ack_pending: SYNC_FETCH_COUNT, ack_wait: SYNC_ACK_WAIT_MS * 1_000_000 }
    if (existing === undefined) {
      await jsm.consumers.add(SYNC_STREAM, { ...config, deliver_policy: DeliverPolicy.All })
      return
    }
    // A consumer created by a rewind reports ack floor 0 until its first ack: what this applier acknowledged counts too.
    // Delivery restarts AT the floor, not after it: the last acknowledged message comes again as a duplicate and is
    // acknowledged again, so the new consumer reports the floor even when nothing follows it. Started after it, a
    // consumer with nothing left to deliver kept floor 0, and an edge that had not read the floor before (restarted,
    // its acknowledged LSN back at 0) counted its whole WAL as backlog and refused writes forever.
    const startSeq = Math.max(existing.ack_floor.stream_seq, this.ackedStreamSeq, 1)
    await jsm.consumers.delete(SYNC_STREAM, SYNC_CONSUMER)
    await jsm.consumers.add(SYNC_STREAM, { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq })
    log.info({ nodeId: this.nodeId, startSeq }, 'sync: delivery restarts at the last message acknowledged')
  }

  private async handle(jsm: JetStreamManager, message: JsMsg): Promise<Outcome> {
    const header = message.headers
    const source = parseSource(header?.get(HEADER_SOURCE) ?? '')
    if (header === undefined || source === undefined || source.nodeId !== this.nodeId) {
      log.error({ nodeId: this.nodeId, seq: message.seq }, 'sync: message without a valid Ndb-Source; skipped')
      this.unflushed.push({ message, key: '', lsn: 0 })
      return 'skipped'
    }
    const key = `${source.nodeId}:${source.incarnation}`
    if (this.incarnation === null || source.incarnation > this.incarnation) this.incarnation = source.incarnation
    const mark = await this.markOf(key, source.incarnation)
    const counters = this.counters.get(key)!
    const lsn = Number(header.get(HEADER_LSN))
    const prev = Number(header.get(HEADER_PREV_LSN))
    counters.seenLsn = Math.max(counters.seenLsn, lsn)
    const isResync = header.get(HEADER_RESYNC) === '1'
    // A catalog message is chained too (it carries the Ndb-Prev-Lsn of the record it precedes): acknowledging it
    // (AckAll) acknowledges everything before it, so a record lost from an earlier fetch must be a held gap here.
    const isCatalog = header.get(HEADER_KIND) === 'catalog'
    if ((isCatalog ? prev > mark : prev !== mark && lsn > mark) && !isResync) return this.holdGap(key, counters, lsn, prev, mark)
    if (isCatalog) {
      const edge = decodeCatalogMessage(message.data)
      if (edge === undefined) throw holdError(`catalog message ${message.seq} of ${key} does not decode`)
      // The cloud table may change: the pending group was built against its columns before.
      await this.flushAndAck()
      await this.tables.ensureTable(edge)
      this.edgeSchemas.set(`${key}/${edge.id}`, edge)
      this.unflushed.push({ message, key, lsn: prev })
      return 'applied'
    }
    if (lsn <= mark) {
      counters.duplicatesSkipped += 1
      this.unflushed.push({ message, key, lsn })
      return 'skipped'
    }
    const record = this.assemble(message, header.get(HEADER_PART))
    if (record === undefined) return 'partial'
    await this.addToGroup(jsm, source.nodeId, source.incarnation, record, lsn)
    // The mark moves as records join the group: the next record's Ndb-Prev-Lsn is checked against it. A failed
    // flush forgets every mark (runLoop), so they are reloaded from what is really durable.
    this.marks.set(key, lsn)
    this.unflushed.push({ message, key, lsn })
    return 'applied'
  }

  private holdGap(key: string, counters: SourceCounters, lsn: number, prev: number, mark: number): Outcome {
    counters.gapsHeld += 1
    this.noteError(new Error(`gap: record ${lsn} follows ${prev}, but ${mark} is the last applied`), 'held')
    log.warn({ source: key, lsn, prev, mark }, 'sync: gap in the edge chain; held until the missing record comes back')
    return 'held'
  }

  private async markOf(key: string, incarnation: number): Promise<number> {
    let mark = this.marks.get(key)
    if (mark === undefined) {
      mark = await this.tables.highWater(this.nodeId, incarnation)
      this.marks.set(key, mark)
    }
    const counters = this.counters.get(key)
    if (counters === undefined) {
      this.counters.set(key, { incarnation, seenLsn: 0, appliedLsn: mark, ackedLsn: 0, duplicatesSkipped: 0, gapsHeld: 0 })
    }
    return mark
  }

  /** A whole record, or undefined while parts of it are still to come (they arrive consecutively, in order). */
  private assemble(message: JsMsg, part: string): Uint8Array | undefined {
    if (part === '') return message.data
    const [index, count] = part.split('/').map(Number) as [number, number]
    if (index === 1) this.parts = []
    this.parts.push(message.data)
    if (index < count) return undefined
    const whole = Buffer.concat(this.parts)
    this.parts = []
    return whole
  }

  /** Decodes the record and adds its cloud rows to the pending group (flushing it first if it cannot join). */
  private async addToGroup(jsm: JetStreamManager, nodeId: string, incarnation: number, bytes: Uint8Array, lsn: number): Promise<void> {
    const outcome = decodeWalRecord(bytes, 0)
    if (outcome.kind === 'bad' || outcome.record.lsn !== lsn) {
      throw holdError(`record ${lsn} of ${nodeId}:${incarnation} is damaged: ${outcome.kind === 'bad' ? outcome.reason : 'lsn differs'}`)
    }
    if (outcome.record.kind !== 'IngestRecord') {
      throw holdError(`record ${lsn} of ${nodeId}:${incarnation} is a ${outcome.record.kind}, which sync does not apply`)
    }
    const edge = await this.edgeSchema(jsm, `${nodeId}:${incarnation}`, outcome.record.tableId)
    const batch = decodeIngestPayload(this.codec, outcome.record.payload)
    if (batch === undefined) throw holdError(`record ${lsn} of ${nodeId}:${incarnation} has an undecodable payload`)
    const cloud = await this.tables.ensureTable(edge)
    const columnsKey = cloud.columns.map((c) => `${c.name}:${c.kind}:${c.isDropped === true}`).join(',')
    if (!this.group.fits(cloud.id, columnsKey, bytes.length)) await this.flushAndAck()
    this.group.add(cloud.id, columnsKey, this.tables.cloudBatch(cloud, edge, batch, nodeId, incarnation, lsn), bytes.length)
  }

  /** The edge's schema of a table: from its catalog message, or (after a cloud restart) the stream's latest one. */
  private async edgeSchema(jsm: JetStreamManager, key: string, tableId: number): Promise<TableSchema> {
    const known = this.edgeSchemas.get(`${key}/${tableId}`)
    if (known !== undefined) return known
    const stored = await jsm.streams.getMessage(SYNC_STREAM, { last_by_subj: catalogSubject(this.nodeId, tableId) })
    const edge = stored === null || stored.header.get(HEADER_SOURCE) !== key ? undefined : decodeCatalogMessage(stored.data)
    if (edge === undefined) throw holdError(`no schema for table ${tableId} of ${key} on the edge's stream`)
    await this.tables.ensureTable(edge)
    this.edgeSchemas.set(`${key}/${tableId}`, edge)
    return edge
  }
}
