// engine/sync/cloud-applier: the cloud half of issue 11, one per edge. A durable pull consumer (AckAll) on the edge's
// NDB_WAL, reached through the leaf connection ($JS.<edge>.API). Per message of source (nodeId, incarnation): LSN ≤
// high-water mark → duplicate (skipped, counted); Ndb-Prev-Lsn = mark → applied as one cloud ingest carrying its
// position; anything else is a gap → held, not acknowledged, so the lost record comes back first. Acknowledges only
// what the cloud's WAL made durable (ingest resolves after its fsync).
import type { NatsConnection } from '@nats-io/transport-node'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import { asTableId } from '../../src/common/ids.js'
import { log } from '../../src/common/log.js'
import type { Engine } from '../api.js'
import { FrameCodec } from '../bridge/frame-codec.js'
import { OP_VERSION, type TableSchema } from '../ops.js'
import { decodeIngestPayload } from '../wal/ingest-payload.js'
import { decodeWalRecord } from '../wal/record.js'
import type { CloudTables } from './cloud-tables.js'
import {
  catalogSubject, decodeCatalogMessage, HEADER_KIND, HEADER_LSN, HEADER_PART, HEADER_PREV_LSN, HEADER_RESYNC, HEADER_SOURCE,
  parseSource,
  SYNC_ACK_WAIT_MS, SYNC_CONSUMER, SYNC_FETCH_COUNT, SYNC_RETRY_MS, SYNC_STREAM,
} from './protocol.js'

/** One row of the cloud's view of an edge (nodedb_sync). */
export interface EdgeApplyStatus {
  readonly nodeId: string
  readonly incarnation: number
  readonly appliedLsn: number
  readonly appliedRecords: number
  readonly duplicatesSkipped: number
  readonly gapsHeld: number
  readonly lastAppliedAtMs: number | null
  readonly lastError: string | null
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** 'partial': a part of a record whose last part is still to come (not acknowledged on its own). */
type Outcome = 'applied' | 'skipped' | 'held' | 'partial'

export class EdgeApplier {
  private stopped = false
  private running: Promise<void> | undefined
  private readonly codec = new FrameCodec()
  /** High-water mark per source `<nodeId>:<incarnation>`, loaded from the rows on first sight. */
  private readonly marks = new Map<string, number>()
  private readonly edgeSchemas = new Map<string, TableSchema>()
  private parts: Uint8Array[] = []
  private incarnation = 0
  private appliedRecords = 0
  private duplicatesSkipped = 0
  private gapsHeld = 0
  private lastAppliedAtMs: number | null = null
  private lastError: string | null = null

  constructor(private readonly nc: NatsConnection, private readonly engine: Engine, private readonly tables: CloudTables,
    readonly nodeId: string) {}

  start(): void { this.running = this.runLoop() }

  async stop(): Promise<void> {
    this.stopped = true
    await this.running
  }

  status(): EdgeApplyStatus {
    return {
      nodeId: this.nodeId, incarnation: this.incarnation, appliedLsn: this.marks.get(`${this.nodeId}:${this.incarnation}`) ?? 0,
      appliedRecords: this.appliedRecords, duplicatesSkipped: this.duplicatesSkipped, gapsHeld: this.gapsHeld,
      lastAppliedAtMs: this.lastAppliedAtMs, lastError: this.lastError,
    }
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const jsm = await jetstreamManager(this.nc, { domain: this.nodeId, timeout: 2000 })
        await this.ensureConsumer(jsm)
        const consumer = await jetstream(this.nc, { domain: this.nodeId, timeout: 5000 }).consumers.get(SYNC_STREAM, SYNC_CONSUMER)
        while (!this.stopped) {
          const batch = await consumer.fetch({ max_messages: SYNC_FETCH_COUNT, expires: 1000 })
          let last: JsMsg | undefined
          let held = false
          let ackedAt = Date.now()
          for await (const message of batch) {
            if (held) continue
            const outcome = await this.handle(jsm, message)
            if (outcome === 'held') held = true
            else if (outcome !== 'partial') last = message
            // A long fetch acknowledges as it goes, so ack_wait never sends applied messages again.
            if (last !== undefined && Date.now() - ackedAt > SYNC_ACK_WAIT_MS / 2) {
              last.ack()
              ackedAt = Date.now()
            }
          }
          // AckAll: one ack covers every message up to it, each already durable in the cloud's WAL.
          if (last !== undefined) last.ack()
          if (held) await sleep(SYNC_RETRY_MS)
        }
      } catch (error) {
        if (this.stopped) return
        this.lastError = messageOf(error)
        log.warn({ nodeId: this.nodeId, err: this.lastError }, 'sync: applying paused; retrying')
        await sleep(SYNC_RETRY_MS)
      }
    }
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const existing = await jsm.consumers.info(SYNC_STREAM, SYNC_CONSUMER).catch(() => undefined)
    if (existing !== undefined) return
    await jsm.consumers.add(SYNC_STREAM, {
      durable_name: SYNC_CONSUMER, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All,
      max_ack_pending: SYNC_FETCH_COUNT, ack_wait: SYNC_ACK_WAIT_MS * 1_000_000,
    })
  }

  private async handle(jsm: JetStreamManager, message: JsMsg): Promise<Outcome> {
    const header = message.headers
    const source = parseSource(header?.get(HEADER_SOURCE) ?? '')
    if (header === undefined || source === undefined || source.nodeId !== this.nodeId) {
      log.error({ nodeId: this.nodeId, seq: message.seq }, 'sync: message without a valid Ndb-Source; skipped')
      return 'skipped'
    }
    const key = `${source.nodeId}:${source.incarnation}`
    if (source.incarnation > this.incarnation) this.incarnation = source.incarnation
    let mark = this.marks.get(key)
    if (mark === undefined) {
      mark = await this.tables.highWater(source.nodeId, source.incarnation)
      this.marks.set(key, mark)
    }
    const lsn = Number(header.get(HEADER_LSN))
    const prev = Number(header.get(HEADER_PREV_LSN))
    if (header.get(HEADER_KIND) === 'catalog') {
      const edge = decodeCatalogMessage(message.data)
      if (edge === undefined) throw new Error(`catalog message ${message.seq} of ${key} does not decode`)
      await this.tables.ensureTable(edge)
      this.edgeSchemas.set(`${key}/${edge.id}`, edge)
      return 'applied'
    }
    if (lsn <= mark) {
      this.duplicatesSkipped += 1
      return 'skipped'
    }
    if (prev !== mark && header.get(HEADER_RESYNC) !== '1') {
      this.gapsHeld += 1
      this.lastError = `gap: record ${lsn} follows ${prev}, but ${mark} is the last applied`
      log.warn({ source: key, lsn, prev, mark }, 'sync: gap in the edge chain; held until the missing record comes back')
      return 'held'
    }
    const record = this.assemble(message, header.get(HEADER_PART))
    if (record === undefined) return 'partial'
    await this.apply(jsm, source.nodeId, source.incarnation, record, lsn)
    this.marks.set(key, lsn)
    return 'applied'
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

  private async apply(jsm: JetStreamManager, nodeId: string, incarnation: number, bytes: Uint8Array, lsn: number): Promise<void> {
    const outcome = decodeWalRecord(bytes, 0)
    if (outcome.kind === 'bad' || outcome.record.lsn !== lsn) {
      throw new Error(`record ${lsn} of ${nodeId}:${incarnation} is damaged: ${outcome.kind === 'bad' ? outcome.reason : 'lsn differs'}`)
    }
    const edge = await this.edgeSchema(jsm, `${nodeId}:${incarnation}`, outcome.record.tableId)
    const batch = decodeIngestPayload(this.codec, outcome.record.payload)
    if (batch === undefined) throw new Error(`record ${lsn} of ${nodeId}:${incarnation} has an undecodable payload`)
    const cloud = await this.tables.ensureTable(edge)
    await this.engine.execute({
      kind: 'IngestOp', v: OP_VERSION, tableId: asTableId(cloud.id),
      batch: this.tables.cloudBatch(cloud, edge, batch, nodeId, incarnation, lsn),
    })
    this.appliedRecords += 1
    this.lastAppliedAtMs = Date.now()
    this.lastError = null
  }

  /** The edge's schema of a table: from its catalog message, or (after a cloud restart) the stream's latest one. */
  private async edgeSchema(jsm: JetStreamManager, key: string, tableId: number): Promise<TableSchema> {
    const known = this.edgeSchemas.get(`${key}/${tableId}`)
    if (known !== undefined) return known
    const stored = await jsm.streams.getMessage(SYNC_STREAM, { last_by_subj: catalogSubject(this.nodeId, tableId) })
    const edge = stored === null || stored.header.get(HEADER_SOURCE) !== key ? undefined : decodeCatalogMessage(stored.data)
    if (edge === undefined) throw new Error(`no schema for table ${tableId} of ${key} on the edge's stream`)
    await this.tables.ensureTable(edge)
    this.edgeSchemas.set(`${key}/${tableId}`, edge)
    return edge
  }
}
