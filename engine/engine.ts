// engine/engine: the Engine facade — opens the data dir (lock, catalog, manifest, WAL replay, cores), runs TimeseriesOps
// (ingest: WAL then cores; scans: segments + cores); wires flush, checkpoint, catch-up, restart, compaction, retention.
// Knows nothing of SQL or sockets.
import path from 'node:path'
import { assert, assertNever } from '../src/common/assert.js'
import { asLsn, type Lsn, type TableId } from '../src/common/ids.js'
import { CORE_RESTARTS_MAX_COUNT, PARTITION_WIDTH_US_DEFAULT, REPLAY_IN_FLIGHT_BYTES_MAX, WAL_CLOSED_SEGMENTS_MAX_COUNT } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import { EngineFailureError, NO_SYNC_STATUS, type DiskStatus, type SyncStatus, type Engine, type EngineConfig, type EngineStats, type ViewSchema,
  type IngestResult, type ResultOf, type OpResult, type ScanStreamOptions } from './api.js'
import { AtomicIngest, type IngestPart } from './atomic-ingest.js'
import type { RowsPartial } from './batch.js'
import { CoreClient } from './bridge/core-client.js'
import { missedCorePayload, payloadOfCore, type CorePayloads } from './bridge/core-payloads.js'
import { FrameCodec } from './bridge/frame-codec.js'
import { InFlightWindow } from './bridge/in-flight-window.js'
import type { ApplyCoreIngestRequest, ApplyRawIngestRequest, CoreResponse } from './bridge/messages.js'
import { CatalogStore } from './catalog/catalog-store.js'
import { CatchUp, walRecordReader } from './catch-up.js'
import { Compactor } from './compactor.js'
import { FlushCoordinator } from './flush-coordinator.js'
import type { DirLock } from './io/dir-lock.js'
import type { DiskHealth } from './io/disk-health.js'
import type { FileSystem } from './io/file-system.js'
import { checkConfig, fail, guardedFileSystem, lockDataDir, newCoreClient, type OpenEngineOptions } from './engine-setup.js'
import { OP_VERSION, type IngestOp, type ScanOp, type TableSchema, type TimeseriesOp } from './ops.js'
import { RetentionJob } from './retention.js'
import { TableDdl } from './table-ddl.js'
import { ScanRunner } from './scan-runner.js'
import { IngestEncodeBuffers, peekIngestRowCount } from './wal/ingest-payload.js'
import { recordPayloads } from './record-payloads.js'
import { batchOfRecord, tableOfRecord } from './record-batch.js'
import type { WalRecord } from './wal/record.js'
import { replayWal } from './wal/replay.js'
import { SegmentStore } from './timeseries/segment-store.js'
import { WalWriter } from './wal/wal-writer.js'
export type { OpenEngineOptions } from './engine-setup.js'
/**
 * Opens (creating if missing) and locks `config.dataDir`, loads the catalog, starts `coreCount` core workers,
 * replays the whole WAL into them in LSN order and resolves once every replayed row is visible.
 * Rejects with EngineFailureError: 'Io' (locked or unusable dir), 'Corrupt' (catalog or WAL), 'LimitExceeded'.
 */
export async function openEngine(config: EngineConfig, options: OpenEngineOptions = {}): Promise<Engine> {
  checkConfig(config)
  // Issue 12: every engine write goes through the guard (no space → 'DiskFull'; failed fsync → 'Io', fatal).
  const { fs, health } = guardedFileSystem(config, options)
  const lock = await lockDataDir(fs, config.dataDir)
  const cores: CoreClient[] = []
  try {
    const catalog = await CatalogStore.open(fs, config.dataDir)
    const segments = await SegmentStore.open(fs, config.dataDir)
    const budgetBytes = options.memtableBytes ?? config.memtableMb * 1024 * 1024
    for (let c = 0; c < config.coreCount; c++) cores.push(newCoreClient(c, config, options, budgetBytes))
    const engine = new NodeEngine(fs, config, catalog, cores, lock, segments, budgetBytes, options, health)
    await engine.start()
    return engine
  } catch (error) {
    await Promise.allSettled(cores.map((core) => core.shutdown()))
    await lock.release().catch((releaseError: unknown) => log.error({ err: releaseError }, 'lock release failed'))
    throw error
  }
}

function checkResponse(response: CoreResponse): CoreResponse {
  if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
  return response
}

class NodeEngine implements Engine {
  private wal: WalWriter | undefined
  private readonly codec = new FrameCodec()
  private readonly encodeBuffers = new IngestEncodeBuffers()
  private readonly inFlight = new Set<Promise<unknown>>()
  private isClosing = false
  private closing: Promise<void> | undefined
  private replayedRecordCount = 0
  private readonly flushes: FlushCoordinator
  private readonly catchUp: CatchUp
  private readonly compactor: Compactor
  private readonly retention: RetentionJob
  private readonly ddl: TableDdl
  private readonly scans: ScanRunner
  private readonly atomic: AtomicIngest
  private readonly restarting: Array<Promise<void> | undefined>
  private restartCountValue = 0

  constructor(
    private readonly fs: FileSystem,
    private readonly config: EngineConfig,
    private readonly catalog: CatalogStore,
    /** Mutable in place: a crashed core's slot gets its restarted client (the flush coordinator shares the array). */
    private readonly cores: CoreClient[],
    private readonly lock: DirLock, private readonly segments: SegmentStore,
    budgetBytes: number,
    private readonly options: OpenEngineOptions,
    private readonly health: DiskHealth,
  ) {
    this.flushes = new FlushCoordinator(cores, segments, budgetBytes, () => this.checkpoint(), health, options.idleFlushMs)
    this.restarting = cores.map(() => undefined)
    this.scans = new ScanRunner({ cores, catalog, segments, restarts: () => Promise.all(this.restarting) })
    this.compactor = new Compactor(segments, cores, health)
    const widthUs = options.partitionWidthUs ?? PARTITION_WIDTH_US_DEFAULT
    this.retention = new RetentionJob(catalog, segments, widthUs, options.nowMs ?? Date.now)
    this.ddl = new TableDdl({
      catalog, segments, cores, flushes: this.flushes, lastAssignedLsn: () => this.requireWal().lastAssignedLsn,
      coresReady: async () => { await Promise.all(this.restarting) }, health,
      appendWal: (tableId, payload) => this.requireWal().append('DeleteRecord', tableId, payload), route: (c, lsn) => this.catchUp.route(c, lsn),
    })
    cores.forEach((core, c) => { core.onUnexpectedExit = () => this.restartCore(c, budgetBytes) })
    this.atomic = new AtomicIngest({ catalog, cores, flushes: this.flushes, health, encodeBuffers: this.encodeBuffers, wal: () => this.requireWal(),
      gate: () => this.ddl.ingestGate.read(), applyToCores: (t, p, lsn) => this.applyToCores(t, p, lsn), relieveWal: () => this.relieveWal() })
    const walDir = path.join(config.dataDir, 'wal')
    this.catchUp = new CatchUp(cores.length, {
      durableLsn: () => this.requireWal().durableLsn,
      applyToCore: (core, record) => this.applyMissed(core, record),
      readRecords: walRecordReader(this.fs, walDir),
    })
  }

  /**
   * A core died: a new worker takes its slot and catch-up rebuilds its vShards from the WAL (segments need nothing).
   * Ingest parts in flight wait for the rebuild, which applies them (invariant 2); scans in flight fail 'Io'; later
   * scans wait. Bounded by CORE_RESTARTS_MAX_COUNT, so a worker that cannot start does not restart forever.
   */
  private restartCore(c: number, budgetBytes: number): void {
    if (this.isClosing || this.restarting[c] !== undefined || this.restartCountValue >= CORE_RESTARTS_MAX_COUNT) return
    this.restartCountValue += 1
    const rebuild = async () => {
      // A flush of the dead core may still be committing: catch-up must see its flushed LSNs, or rows would double.
      await this.flushes.settled()
      const client = newCoreClient(c, this.config, this.options, budgetBytes)
      client.onUnexpectedExit = () => this.restartCore(c, budgetBytes)
      this.cores[c] = client
      this.flushes.resetCore(c)
      for (const table of this.catalog.tables()) checkResponse(await client.request({ kind: 'RegisterTableRequest', table }))
      await this.catchUp.start(c, 1)
      log.warn({ core: c }, `core ${c} restarted and rebuilt from segments and WAL`)
    }
    this.restarting[c] = rebuild().catch((error: unknown) => log.error({ core: c, err: error }, 'core restart failed'))
      .finally(() => { this.restarting[c] = undefined })
  }

  /** Tests: ends core `c`'s worker abruptly, as a crash would; resolves once it is restarted and rebuilt. */
  async crashCore(c: number): Promise<void> {
    await this.cores[c]!.terminate()
    await this.restarting[c]
  }

  runRetention(): Promise<void> {
    return this.retention.runNow()
  }

  /** Catch-up's apply: the record's rows this core owns that no segment holds, straight to the core, awaited. */
  private async applyMissed(core: number, record: WalRecord): Promise<void> {
    if (this.ddl.isDeadRecord(record) || await this.ddl.appliedMissedDelete(core, record)) return
    const table = tableOfRecord(this.catalog, record)
    const isMissed = (vShard: number) => this.segments.flushedLsn(table.id, vShard) < record.lsn
    const payload = missedCorePayload(table, batchOfRecord(this.catalog, this.codec, record), this.cores.length, core, isMissed)
    if (payload === undefined) return
    const request = { kind: 'ApplyCoreIngestRequest' as const, tableId: table.id, lsn: record.lsn, coreCount: this.cores.length, payload }
    checkResponse(this.flushes.applied(core, await this.cores[core]!.request(request), undefined))
  }

  /**
   * Sends one core its part of record `lsn`, unless catch-up runs for that core (invariant 3): the part then waits
   * and is either applied by catch-up or sent once catch-up hands over. A dropped dispatch (tests) starts catch-up.
   */
  private sendPart(core: number, request: Omit<ApplyCoreIngestRequest, 'id'> | Omit<ApplyRawIngestRequest, 'id'>, lsn: Lsn): Promise<unknown> {
    const restarting = this.restarting[core]
    if (restarting !== undefined) return restarting.then(() => this.sendPart(core, request, lsn))
    const send = () => this.cores[core]!.request(request).then(
      (response) => checkResponse(this.flushes.applied(core, response, lsn)),
      async (error: unknown) => {
        // The core died with this part in flight: its rebuild (catch-up from the WAL) applies it.
        if (this.restarting[core] === undefined) throw error
        await this.restarting[core]
        return this.flushes.applied(core, { kind: 'DoneResponse', id: 0 }, lsn)
      })
    let route = this.catchUp.route(core, lsn)
    if (route === 'send' && this.options.dropDispatch?.(core, lsn) === true) {
      void this.catchUp.start(core, lsn)
      route = this.catchUp.route(core, lsn)
    }
    if (route === 'send') return send()
    return route.then((outcome) => (outcome === 'send' ? send() : this.flushes.applied(core, { kind: 'DoneResponse', id: 0 }, lsn)))
  }

  /** Registers the catalog's tables on every core, replays the WAL, then opens the WAL for appends. */
  async start(): Promise<void> {
    await this.ddl.removeDroppedSegments()
    for (const table of this.catalog.tables()) await this.ddl.registerTable(table)
    const walDir = path.join(this.config.dataDir, 'wal')
    const lastByCore: Array<Promise<unknown>> = []
    let replayFailure: unknown
    // Invariant 4: records in flight to the cores are bounded in bytes, so memtable reports (and flushes) keep up.
    const window = new InFlightWindow(REPLAY_IN_FLIGHT_BYTES_MAX)
    const result = await replayWal(this.fs, walDir, async (record) => {
      if (replayFailure !== undefined) throw replayFailure
      if (this.ddl.isDeadRecord(record) || await this.ddl.replayedDelete(record, lastByCore)) return 0
      const table = tableOfRecord(this.catalog, record)
      await window.whenOpen()
      await Promise.all(this.cores.map((core) => core.whenQueueHasRoom()))
      await this.flushes.whenMemoryAllows()
      // Each core decodes and validates the bytes and applies its own rows, skipping vShards a segment holds (inv. 2).
      const request = {
        kind: 'ApplyRawIngestRequest' as const, tableId: table.id, lsn: record.lsn, coreCount: this.cores.length,
        payload: record.payload, skipVShards: this.segments.flushedVShardsAt(table.id, record.lsn),
      }
      this.flushes.dispatched(record.lsn, this.cores.length)
      const applies = this.cores.map((_, core) => this.sendPart(core, request, record.lsn))
      applies.forEach((applied, core) => { lastByCore[core] = applied.catch((error: unknown) => { replayFailure ??= error }) })
      window.add(applies, record.payload.length)
      return peekIngestRowCount(record.payload) ?? 0
    })
    // Each core applies in ring order, so its last apply settling means all of its earlier ones have.
    await Promise.all(lastByCore)
    if (replayFailure !== undefined) throw replayFailure
    this.replayedRecordCount = result.recordCount
    // A checkpoint may have deleted every record up to the flushed ones: LSNs never go back below the manifest's.
    // Truncations too: a later record of the table at or below one would be skipped as truncated.
    const nextLsn = asLsn(Math.max(result.nextLsn, this.recordedLsn() + 1))
    this.wal = await WalWriter.open({
      fs: this.fs, walDir, fsync: this.config.fsync, nextLsn, lastSegment: result.lastSegment, refusal: this.options.walRefusal,
      closedSegments: result.closedSegments, commits: result.commits, health: this.health, floor: this.options.walFloor,
      ...(this.options.walSegmentBytes === undefined ? {} : { segmentBytes: this.options.walSegmentBytes }),
    })
    await this.health.checkNow()
    this.health.start()
    await this.checkpoint()
    await this.retention.start()
  }

  /** Invariant 4's other half: WAL segments wholly below every memtable's oldest LSN are deleted. */
  private async checkpoint(): Promise<void> {
    if (this.wal === undefined || this.isClosing) return
    // A failure keeps the segments; the next committed flush checkpoints again (issue 12).
    await this.wal.deleteSegmentsBelow(Math.min(this.flushes.neededLsn(), this.catchUp.neededLsn()), this.recordedLsn()).then(
      () => this.health.backgroundSucceeded('checkpoint'), (error: unknown) => this.health.backgroundFailed('checkpoint', error))
    this.relieveWal()
    this.compactor.maybeStart(() => this.isClosing)
  }

  /** The highest LSN the manifest records: a restart's next LSN is above it even with no WAL file left. */
  private recordedLsn(): number {
    let recorded = 0
    for (const { lsn } of [...this.segments.flushedLsns(), ...this.segments.truncatedLsns(), ...this.segments.deletedLsns()]) recorded = Math.max(recorded, lsn)
    return recorded
  }

  /** Bounds the WAL on disk (and replay time): past WAL_CLOSED_SEGMENTS_MAX_COUNT, cores pinning it flush early. */
  private relieveWal(): void {
    const wal = this.wal
    if (wal !== undefined && wal.closedSegmentCount > WAL_CLOSED_SEGMENTS_MAX_COUNT) this.flushes.relieveWal(wal.oldestClosedLastLsn)
  }

  execute<T extends TimeseriesOp>(op: T): Promise<ResultOf<T>> {
    const refusal = this.isClosing ? fail('ShuttingDown', 'the engine is shutting down') : this.options.opRefusal?.(op)
    // The conditional type cannot be narrowed through the switch in run(); run() returns the matching result.
    return (refusal !== undefined ? Promise.reject(refusal) : this.tracked(this.run(op))) as Promise<ResultOf<T>>
  }

  /** Several tables' rows, all or nothing (atomic-ingest.ts); opRefusal (sync's edge) judges each as an IngestOp. */
  ingestAtomic(parts: ReadonlyArray<IngestPart>): Promise<IngestResult> {
    const refusal = this.isClosing ? fail('ShuttingDown', 'the engine is shutting down')
      : parts.map((p) => this.options.opRefusal?.({ kind: 'IngestOp', v: OP_VERSION, ...p })).find((r) => r !== undefined)
    return refusal !== undefined ? Promise.reject(refusal) : this.tracked(this.atomic.ingest(parts))
  }

  private tracked<T>(running: Promise<T>): Promise<T> {
    this.inFlight.add(running)
    void running.then(() => this.inFlight.delete(running), () => this.inFlight.delete(running))
    return running
  }

  scanStream(op: ScanOp, options: ScanStreamOptions = {}): AsyncIterable<RowsPartial> {
    return this.scans.stream(op, options)
  }
  tables(): ReadonlyArray<TableSchema> { return this.catalog.tables() }; views(): ReadonlyArray<ViewSchema> { return this.catalog.views() }
  createView(name: string, definition: unknown, orReplace: boolean): Promise<ViewSchema> { return this.catalog.createView(name, definition, orReplace) }
  dropView(name: string): Promise<void> { return this.catalog.dropView(name) }
  tableSegmentBytes(): ReadonlyMap<TableId, number> { return this.segments.segments.reduce((m, s) => m.set(s.tableId, (m.get(s.tableId) ?? 0) + s.sizeBytes), new Map<TableId, number>()) }

  /** Restarts first (a rebuilding core's rows come from its catch-up); each committed flush runs the checkpoint. */
  async flushAll(): Promise<void> {
    if (this.isClosing) throw fail('ShuttingDown', 'the engine is shutting down')
    await Promise.all(this.restarting)
    await this.ddl.outsideDeletes(() => this.flushes.flushAll())
  }

  stats(): EngineStats {
    return {
      coreCount: this.cores.length, lsnDurable: this.requireWal().durableLsn,
      replayedRecordCount: this.replayedRecordCount, segmentCount: this.segments.segments.length,
      memtableBytes: this.flushes.memtableBytesTotal(), flushCount: this.segments.flushCount,
      walClosedSegmentCount: this.requireWal().closedSegmentCount, catchUpRecordCount: this.catchUp.recordsApplied,
      coreRestartCount: this.restartCountValue,
      compactionCount: this.compactor.compactionCount, retentionDropCount: this.retention.droppedCount,
      scanStreamCancelledCount: this.scans.cancelledCount, scanStreamOpenCount: this.scans.openCount,
      scanCoreSkippedCount: this.scans.skippedCoreCount,
      rowGroupsPrunedCount: this.segments.pruneCounters.rowGroupsPruned, chunksReadCount: this.segments.pruneCounters.chunksRead,
      rowGroupsAnsweredCount: this.segments.pruneCounters.rowGroupsAnswered, rowGroupsReadCount: this.segments.pruneCounters.rowGroupsRead,
    }
  }

  status(): DiskStatus { return this.health.status() }
  syncStatus(): SyncStatus { return this.options.syncStatus?.() ?? NO_SYNC_STATUS }
  close(): Promise<void> {
    this.isClosing = true
    this.closing ??= this.closeNow()
    return this.closing
  }

  private async closeNow(): Promise<void> {
    await Promise.allSettled([...this.inFlight])
    await Promise.all(this.restarting)
    await this.retention.stop()
    await this.health.stop()
    await this.flushes.close()
    await this.compactor.settled()
    await this.requireWal().close()
    await Promise.all(this.cores.map((core) => core.shutdown()))
    await this.segments.closeFiles()
    await this.lock.release()
    log.info({ dataDir: this.config.dataDir }, 'engine closed')
  }

  private run(op: TimeseriesOp): Promise<OpResult> {
    switch (op.kind) {
      case 'CreateTableOp': return this.ddl.createTable(op)
      case 'IngestOp': return this.ingest(op)
      case 'ScanOp': return this.scans.scan(op)
      case 'AddColumnsOp': return this.ddl.addColumns(op)
      case 'SetRetentionOp': return this.retention.setRetention(op)
      case 'DropTableOp': return this.ddl.dropTable(op)
      case 'TruncateTableOp': return this.ddl.truncateTable(op)
      case 'DeleteRowsOp': return this.ddl.deleteRows(op)
      case 'RenameTableOp': case 'RenameColumnOp': case 'DropColumnOp': case 'SetColumnDefaultOp': return this.ddl.alterTable(op)
      default: return assertNever(op)
    }
  }

  /**
   * WAL first (one record for the whole batch, so it is all-or-nothing after a crash), then the cores. Resolves
   * when the record is durable per the fsync mode AND every core has applied its rows, so a later scan sees them.
   */
  private async ingest(op: IngestOp): Promise<IngestResult> {
    // Held until every core applied the rows: a DROP TABLE or TRUNCATE waits for it (and it for them).
    const release = await this.ddl.ingestGate.read()
    return this.ingestLeased(op).finally(release)
  }

  private async ingestLeased(op: IngestOp): Promise<IngestResult> {
    const table = this.catalog.table(op.tableId)
    if (table === undefined) throw fail('NoSuchTable', `table ${op.tableId} does not exist`)
    const wal = this.requireWal()
    const payloads = recordPayloads(table, op.batch, op.encoded, this.encodeBuffers, this.cores.length)
    if (payloads === undefined) return { kind: 'IngestResult', rowCount: 0, lsn: wal.durableLsn }
    const { ring: payload, wal: walPayload, isPooled } = payloads
    // Backpressure (a full ring plus a full control-side queue waits here, before the WAL); after a fatal fault Io first.
    if (this.health.state === 'Failed') throw this.health.writeRefusal()!
    await Promise.all(this.cores.map((core) => core.whenQueueHasRoom()))
    await this.flushes.whenMemoryAllows(true)
    const { lsn, durable } = wal.append('IngestRecord', table.id, walPayload)
    await durable
    if (isPooled) this.encodeBuffers.give(walPayload) // written: the writer holds no view of it any more
    this.relieveWal()
    // No await between durability and dispatch: continuations run in LSN order, so rings receive LSN order.
    await Promise.all(this.applyToCores(table, payload, lsn)).then(() => { if (isPooled) this.encodeBuffers.give(payload.bytes) }) // all pushed
    return { kind: 'IngestResult', rowCount: op.batch.rowCount, lsn }
  }

  /**
   * Pushes every core its payload of the record (its rows only, grouped by vShard where they were encoded:
   * core-payloads.ts), in call order; a core with no rows gets an empty one, so every core sees every LSN as before.
   * Answers go through the flush coordinator.
   */
  private applyToCores(table: TableSchema, payloads: CorePayloads, lsn: Lsn): Array<Promise<unknown>> {
    assert(payloads.ends.length === this.cores.length + 1, 'one payload per core')
    this.flushes.dispatched(lsn, this.cores.length)
    return this.cores.map((_, core) => this.sendPart(core, {
      kind: 'ApplyCoreIngestRequest', tableId: table.id, lsn, coreCount: this.cores.length, payload: payloadOfCore(payloads, core),
    }, lsn))
  }

  private requireWal(): WalWriter {
    if (this.wal === undefined) throw fail('Io', 'the engine is not open')
    return this.wal
  }
}

function asNodeEngine(engine: Engine): NodeEngine {
  if (!(engine instanceof NodeEngine)) throw new Error('not an engine from openEngine')
  return engine
}

/** Tests: crashes core `c` of an engine from openEngine (terminate, as a crash would); resolves once it is rebuilt. */
export const crashCoreForTest = (engine: Engine, c: number): Promise<void> => asNodeEngine(engine).crashCore(c)
/** Tests: runs one retention pass now (as the timer would) and resolves when it is done. */
export const runRetentionForTest = (engine: Engine): Promise<void> => asNodeEngine(engine).runRetention()
