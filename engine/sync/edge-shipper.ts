// engine/sync/edge-shipper: the edge half of issue 11. Tails the WAL after fsync and publishes every record byte-exact
// on stream NDB_WAL in the edge's JetStream domain, in LSN order, with a bounded window of unacknowledged publishes and
// expect.lastSequence, so a hole is never followed by a later record. On any error (and on start) it resumes from
// the stream itself: after its last Ndb-Lsn. The WAL, not JetStream (2.9 defers fsync), stays the durable copy until
// the cloud's consumer acknowledges: walFloor() keeps those segments; refusal() refuses ingest past the WAL budget.
import { connect, headers, type NatsConnection } from '@nats-io/transport-node'
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient,
  type JetStreamManager } from '@nats-io/jetstream'
import { log } from '../../src/common/log.js'
import { EngineFailureError, type SyncChainStatus } from '../api.js'
import type { FileSystem } from '../io/file-system.js'
import type { TableSchema } from '../ops.js'
import type { SyncIdentity } from './identity.js'
import {
  catalogSubject, encodeCatalogMessage, HEADER_KIND, HEADER_LSN, HEADER_PART, HEADER_PREV_LSN, HEADER_RESYNC, HEADER_SOURCE,
  schemaFingerprint, sourceOf, streamSubjects, SYNC_CONSUMER, SYNC_MESSAGE_BYTES_MAX, SYNC_POLL_MS, SYNC_PUBLISH_WINDOW_COUNT,
  SYNC_RETRY_MS, SYNC_STREAM, walSubject, type SyncMessageKind,
} from './protocol.js'
import { LagClock } from './lag-clock.js'
import { HUB_DOMAIN, registerEdge } from './registry.js'
import { WalTail } from './wal-tail.js'

export interface EdgeShipperOptions {
  readonly fs: FileSystem
  readonly walDir: string
  readonly identity: SyncIdentity
  readonly natsUrl: string
  /** The stream's max_bytes (discard: new): the outbox. */
  readonly outboxBytes: number
  /** Ingest is refused while the WAL the cloud has not acknowledged exceeds this. */
  readonly walBudgetBytes: number
  readonly durableLsn: () => number
  readonly tables: () => ReadonlyArray<TableSchema>
}

interface OutMessage { readonly subject: string; readonly data: Uint8Array; readonly msgId: string; readonly headers: Record<string, string> }

/** How often the shipper asks the hub whether it is reachable (nodedb_sync's state). */
const HUB_PROBE_INTERVAL_MS = 1000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export class EdgeShipper {
  private nc: NatsConnection | undefined
  private stopped = false
  private running: Promise<void> | undefined
  private measuring: Promise<void> | undefined
  private readonly tail: WalTail
  private readonly source: string
  private expectSeq = 0
  private prevLsn = 0
  private shippedLsnValue = 0
  private ackedLsnValue = 0
  private ackFloorSeq = 0
  private unackedBytes = 0
  private outboxFull = false
  private lastError: string | null = null
  private lastErrorAtMs: number | null = null
  private isHubReachable = false
  /** The local nats-server took the last publish or resume (false from an error until the next success). */
  private isShipping = false
  private writesRefused = 0
  private duplicatesSkipped = 0
  private readonly lagClock = new LagClock()
  private probing: Promise<void> | undefined
  private registered = false
  private isResync = false
  private readonly shippedSchemas = new Map<number, string>()

  constructor(private readonly options: EdgeShipperOptions) {
    this.tail = new WalTail(options.fs, options.walDir)
    this.source = sourceOf(options.identity.nodeId, options.identity.incarnation)
  }

  /** The lowest LSN the WAL must keep for the cloud (the engine deletes segments wholly below it). */
  walFloor(): number { return this.ackedLsnValue + 1 }

  /** 'DiskFull' (53100 / HTTP 507) while the unacknowledged WAL exceeds the budget: never silent loss. */
  refusal(): EngineFailureError | undefined {
    const detail = this.refusalDetail()
    if (detail === null) return undefined
    this.writesRefused += 1
    return new EngineFailureError({ kind: 'DiskFull', detail })
  }

  /** Why ingest is refused now (null while accepted): SHOW nodedb_status shows it. */
  refusalDetail(): string | null {
    if (this.unackedBytes <= this.options.walBudgetBytes) return null
    return `sync backlog: ${this.unackedBytes} bytes of WAL not yet acknowledged by the cloud exceed --sync-wal-bytes ` +
      `${this.options.walBudgetBytes}${this.outboxFull ? ' (the outbox stream is full)' : ''}`
  }

  /** The edge's row of nodedb_sync: its one chain (the whole WAL). */
  status(): SyncChainStatus {
    const durable = this.options.durableLsn()
    // Records of dropped tables after the last shipped one are never shipped: acknowledged once all before them are.
    const acked = this.ackedLsnValue >= this.prevLsn ? Math.max(this.ackedLsnValue, this.shippedLsnValue) : this.ackedLsnValue
    const isHeld = this.outboxFull || this.refusalDetail() !== null
    return {
      role: 'edge', nodeId: this.options.identity.nodeId, incarnation: this.options.identity.incarnation, chain: 'wal',
      shippedLsn: this.shippedLsnValue, appliedLsn: durable, ackedLsn: this.ackedLsnValue,
      lagRecords: Math.max(0, durable - acked), lagSeconds: durable <= acked ? 0 : this.lagClock.lagSeconds(acked, Date.now()),
      gapsHeld: 0, duplicatesSkipped: this.duplicatesSkipped, writesRefused: this.writesRefused,
      state: isHeld ? 'held' : this.isHubReachable && this.isShipping ? 'connected' : 'offline',
      lastError: this.lastError, lastErrorAtMs: this.lastErrorAtMs,
    }
  }

  /** Starts shipping in the background; NATS being down is retried, never fatal. Measures the backlog first. */
  async start(): Promise<void> {
    await this.measure()
    this.lagClock.note(this.options.durableLsn(), Date.now())
    this.measuring = this.measureLoop()
    this.running = this.runLoop()
    this.probing = this.probeLoop()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.nc?.close().catch(() => undefined)
    await Promise.allSettled([this.running, this.measuring, this.probing])
  }

  private async measure(): Promise<void> {
    this.lagClock.note(this.options.durableLsn(), Date.now())
    this.unackedBytes = await this.tail.unacknowledgedBytes(this.ackedLsnValue, this.options.durableLsn())
  }

  private async measureLoop(): Promise<void> {
    while (!this.stopped) {
      await this.measure().catch((error: unknown) => log.warn({ err: error }, 'sync: measuring the wal backlog failed'))
      await sleep(SYNC_POLL_MS)
    }
  }

  /** Whether the hub answers through the leaf (a JetStream request in its domain): 'offline' in nodedb_sync if not. */
  private async probeLoop(): Promise<void> {
    while (!this.stopped) {
      const nc = this.nc
      const failure = nc === undefined || nc.isClosed() ? new Error('not connected to the local nats-server')
        : await jetstreamManager(nc, { domain: HUB_DOMAIN, timeout: HUB_PROBE_INTERVAL_MS }).then(() => undefined, (error: unknown) => error)
      // Noted when the hub goes away, so last_error_at says since when.
      if (failure !== undefined && this.isHubReachable) this.noteError(new Error(`the hub is not reachable: ${messageOf(failure)}`))
      this.isHubReachable = failure === undefined
      await sleep(HUB_PROBE_INTERVAL_MS)
    }
  }

  private noteError(error: unknown): void {
    this.lastError = messageOf(error)
    this.lastErrorAtMs = Date.now()
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        this.nc ??= await connect({ servers: this.options.natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 })
        const jsm = await jetstreamManager(this.nc, { timeout: 2000 })
        await this.resume(jsm)
        this.isShipping = true
        await this.shipLoop(jetstream(this.nc, { timeout: 5000 }), jsm)
      } catch (error) {
        if (this.stopped) return
        this.isShipping = false
        this.noteError(error)
        if (/maximum bytes|insufficient resources|resource limits/i.test(messageOf(error))) this.outboxFull = true
        log.warn({ err: this.lastError, shippedLsn: this.shippedLsnValue }, 'sync: shipping paused; resuming from the stream')
        await sleep(SYNC_RETRY_MS)
      }
    }
  }

  private async shipLoop(js: JetStreamClient, jsm: JetStreamManager): Promise<void> {
    let lastAckCheck = 0
    while (!this.stopped) {
      // First: a full outbox only drains through the cloud's acknowledgements (and the purge that follows them).
      if (Date.now() - lastAckCheck >= SYNC_POLL_MS * 5) {
        lastAckCheck = Date.now()
        await this.refreshAcknowledged(jsm)
        if (!this.registered && this.nc !== undefined) this.registered = await registerEdge(this.nc, this.options.identity)
      }
      const shipped = await this.shipSome(js)
      if (shipped === 0) await sleep(SYNC_POLL_MS)
    }
  }

  /** Creates the stream if missing (limits retention, file storage, max_bytes, discard new); reads where it ends. */
  private async resume(jsm: JetStreamManager): Promise<void> {
    const config = {
      name: SYNC_STREAM, subjects: streamSubjects(this.options.identity.nodeId), retention: RetentionPolicy.Limits,
      storage: StorageType.File, max_bytes: this.options.outboxBytes, discard: DiscardPolicy.New,
    }
    let info = await jsm.streams.info(SYNC_STREAM).catch(() => undefined)
    if (info === undefined) info = await jsm.streams.add(config)
    else if (info.config.max_bytes !== this.options.outboxBytes) info = await jsm.streams.update(SYNC_STREAM, { max_bytes: this.options.outboxBytes })
    this.expectSeq = info.state.last_seq
    let afterLsn = 0
    if (info.state.messages > 0) {
      const last = await jsm.streams.getMessage(SYNC_STREAM, { seq: info.state.last_seq })
      if (last !== null && last.header.get(HEADER_SOURCE) === this.source) afterLsn = coveredLsn(last.header)
    }
    this.prevLsn = afterLsn
    this.isResync = afterLsn === 0
    this.shippedLsnValue = afterLsn
    this.tail.seek(afterLsn)
    this.shippedSchemas.clear()
    log.info({ stream: SYNC_STREAM, lastSeq: this.expectSeq, afterLsn }, 'sync: shipping resumes after the stream\'s last record')
  }

  /** Publishes the next durable records with a window of SYNC_PUBLISH_WINDOW_COUNT; throws on any failure. */
  private async shipSome(js: JetStreamClient): Promise<number> {
    const records = await this.tail.read(this.options.durableLsn(), SYNC_MESSAGE_BYTES_MAX * 4)
    if (records.length === 0) return 0
    const messages: OutMessage[] = []
    let prev = this.prevLsn
    const tables = new Map(this.options.tables().map((table) => [table.id as number, table]))
    for (const record of records) {
      const table = tables.get(record.tableId)
      // A dropped table's records are dead on the edge too: not shipped, and the chain skips them (prev stays).
      if (table === undefined) continue
      const fingerprint = schemaFingerprint(table)
      if (this.shippedSchemas.get(table.id) !== fingerprint) {
        // No Nats-Msg-Id: a schema shipped again after a resume must be stored again, not deduplicated away.
        messages.push({ ...this.message('catalog', catalogSubject(this.options.identity.nodeId, table.id), encodeCatalogMessage(table),
          record.lsn, prev, ''), msgId: '' })
        this.shippedSchemas.set(table.id, fingerprint)
      }
      const walMessages = this.walMessages(record.bytes, record.lsn, prev)
      if (this.isResync && messages.every((m) => m.headers[HEADER_KIND] !== 'wal')) {
        for (const [i, message] of walMessages.entries()) walMessages[i] = { ...message, headers: { ...message.headers, [HEADER_RESYNC]: '1' } }
      }
      messages.push(...walMessages)
      prev = record.lsn
    }
    await this.publishAll(js, messages)
    this.isResync = false
    this.prevLsn = prev
    this.shippedLsnValue = records[records.length - 1]!.lsn
    this.outboxFull = false
    return records.length
  }

  private walMessages(bytes: Uint8Array, lsn: number, prev: number): OutMessage[] {
    const subject = walSubject(this.options.identity.nodeId)
    if (bytes.length <= SYNC_MESSAGE_BYTES_MAX) return [this.message('wal', subject, bytes, lsn, prev, String(lsn))]
    const partCount = Math.ceil(bytes.length / SYNC_MESSAGE_BYTES_MAX)
    const parts: OutMessage[] = []
    for (let i = 0; i < partCount; i++) {
      const data = bytes.subarray(i * SYNC_MESSAGE_BYTES_MAX, (i + 1) * SYNC_MESSAGE_BYTES_MAX)
      const message = this.message('wal', subject, data, lsn, prev, `${lsn}.${i + 1}`)
      parts.push({ ...message, headers: { ...message.headers, [HEADER_PART]: `${i + 1}/${partCount}` } })
    }
    return parts
  }

  private message(kind: SyncMessageKind, subject: string, data: Uint8Array, lsn: number, prev: number, id: string): OutMessage {
    return {
      subject, data, msgId: `${this.source}:${id}`,
      headers: { [HEADER_KIND]: kind, [HEADER_LSN]: String(lsn), [HEADER_PREV_LSN]: String(prev), [HEADER_SOURCE]: this.source },
    }
  }

  /** Each publish expects the sequence before it, so a lost one fails every later one: no hole can be skipped. */
  private async publishAll(js: JetStreamClient, messages: ReadonlyArray<OutMessage>): Promise<void> {
    let failure: unknown
    const window: Array<Promise<void>> = []
    for (const message of messages) {
      if (failure !== undefined) break
      const h = headers()
      for (const [key, value] of Object.entries(message.headers)) h.set(key, value)
      const published = js.publish(message.subject, message.data, {
        ...(message.msgId === '' ? {} : { msgID: message.msgId }), headers: h, expect: { lastSequence: this.expectSeq },
      })
      this.expectSeq += 1
      window.push(published.then((ack) => {
        // A duplicate is not stored, so the sequences expected after it are off: resume from the stream.
        if (ack.duplicate) this.duplicatesSkipped += 1
        if (ack.duplicate) failure ??= new Error(`message ${message.msgId} was a duplicate; resuming`)
      }, (error: unknown) => { failure ??= error }))
      if (window.length >= SYNC_PUBLISH_WINDOW_COUNT) await window.shift()
    }
    await Promise.all(window)
    if (failure !== undefined) throw failure
  }

  /**
   * The cloud consumer's ack floor → the acknowledged LSN. WAL messages below it are purged (the floor's own kept,
   * so the stream always shows where shipping stopped); catalog messages stay for a restarted cloud to read.
   */
  private async refreshAcknowledged(jsm: JetStreamManager): Promise<void> {
    const info = await jsm.consumers.info(SYNC_STREAM, SYNC_CONSUMER).catch(() => undefined)
    const floor = info?.ack_floor.stream_seq ?? 0
    if (floor === 0 || floor === this.ackFloorSeq) return
    const message = await jsm.streams.getMessage(SYNC_STREAM, { seq: floor }).catch(() => null)
    if (message === null) return
    this.ackFloorSeq = floor
    if (message.header.get(HEADER_SOURCE) === this.source) {
      this.ackedLsnValue = Math.max(this.ackedLsnValue, coveredLsn(message.header))
    }
    await jsm.streams.purge(SYNC_STREAM, { seq: floor, filter: walSubject(this.options.identity.nodeId) })
  }
}

interface HeaderReader { get(key: string): string }

/** The last LSN a message completes: its own for a whole record or its last part; the one before otherwise. */
function coveredLsn(header: HeaderReader): number {
  const part = header.get(HEADER_PART)
  const isWhole = header.get(HEADER_KIND) === 'wal' && (part === '' || /^(\d+)\/\1$/.test(part))
  return Number(header.get(isWhole ? HEADER_LSN : HEADER_PREV_LSN)) || 0
}
