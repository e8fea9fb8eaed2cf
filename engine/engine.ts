// engine/engine: the Engine facade — opens the data dir (lock, catalog, WAL replay, cores) and runs TimeseriesOps:
// CREATE via the catalog, ingest via WAL then cores, scans fanned out to every core. Knows nothing of SQL or sockets.
import path from 'node:path'
import { assertNever } from '../src/common/assert.js'
import type { Lsn } from '../src/common/ids.js'
import { CORES_MAX_COUNT, MEMTABLE_MB_MAX, MEMTABLE_MB_MIN, WAL_RECORD_BYTES_MAX } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import {
  EngineFailureError, isEngineFailureError, type CreateTableResult, type Engine, type EngineConfig, type EngineStats,
  type IngestResult, type ResultOf, type ScanResult,
} from './api.js'
import type { ColumnBatch, ScanPartial } from './batch.js'
import { CoreClient } from './bridge/core-client.js'
import { splitBatchByCore, validateBatch } from './bridge/dispatcher.js'
import { FrameCodec } from './bridge/frame-codec.js'
import type { CoreResponse } from './bridge/messages.js'
import { CatalogStore } from './catalog/catalog-store.js'
import { acquireDirLock, type DirLock } from './io/dir-lock.js'
import { errnoCode, nodeFileSystem, type FileSystem } from './io/file-system.js'
import type { CreateTableOp, IngestOp, ScanOp, TableSchema, TimeseriesOp } from './ops.js'
import { decodeIngestPayload, encodeIngestPayload } from './wal/ingest-payload.js'
import type { WalRecord } from './wal/record.js'
import { replayWal } from './wal/replay.js'
import { WalWriter } from './wal/wal-writer.js'

export interface OpenEngineOptions {
  /** Substituted by tests to inject faults; the Node implementation by default. */
  readonly fs?: FileSystem
}

function fail(kind: EngineFailureError['failure']['kind'], detail: string): EngineFailureError {
  return new EngineFailureError({ kind, detail })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function checkConfig(config: EngineConfig): void {
  if (!Number.isInteger(config.coreCount) || config.coreCount < 1 || config.coreCount > CORES_MAX_COUNT) {
    throw fail('LimitExceeded', `coreCount ${config.coreCount} is outside 1..${CORES_MAX_COUNT}`)
  }
  if (!(config.memtableMb >= MEMTABLE_MB_MIN && config.memtableMb <= MEMTABLE_MB_MAX)) {
    throw fail('LimitExceeded', `memtableMb ${config.memtableMb} is outside ${MEMTABLE_MB_MIN}..${MEMTABLE_MB_MAX}`)
  }
}

async function lockDataDir(fs: FileSystem, dir: string): Promise<DirLock> {
  try {
    await fs.mkdirp(dir)
    return await acquireDirLock(fs, dir)
  } catch (error) {
    if (isEngineFailureError(error)) throw error
    const code = errnoCode(error)
    const why = code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'is not writable' : 'cannot be used'
    throw fail('Io', `data directory ${dir} ${why}: ${messageOf(error)}`)
  }
}

/**
 * Opens (creating if missing) and locks `config.dataDir`, loads the catalog, starts `coreCount` core workers,
 * replays the whole WAL into them in LSN order and resolves once every replayed row is visible.
 * Rejects with EngineFailureError: 'Io' (locked or unusable dir), 'Corrupt' (catalog or WAL), 'LimitExceeded'.
 */
export async function openEngine(config: EngineConfig, options: OpenEngineOptions = {}): Promise<Engine> {
  checkConfig(config)
  const fs = options.fs ?? nodeFileSystem
  const lock = await lockDataDir(fs, config.dataDir)
  const cores: CoreClient[] = []
  try {
    const catalog = await CatalogStore.open(fs, config.dataDir)
    const workerPath = path.join(__dirname, 'core', 'core-worker.js')
    const budgetBytes = config.memtableMb * 1024 * 1024
    for (let c = 0; c < config.coreCount; c++) cores.push(new CoreClient(c, workerPath, budgetBytes))
    const engine = new NodeEngine(fs, config, catalog, cores, lock)
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
  private readonly inFlight = new Set<Promise<unknown>>()
  private isClosing = false
  private closing: Promise<void> | undefined
  private replayedRecordCount = 0

  constructor(
    private readonly fs: FileSystem,
    private readonly config: EngineConfig,
    private readonly catalog: CatalogStore,
    private readonly cores: ReadonlyArray<CoreClient>,
    private readonly lock: DirLock,
  ) {}

  /** Registers the catalog's tables on every core, replays the WAL, then opens the WAL for appends. */
  async start(): Promise<void> {
    for (const table of this.catalog.tables()) await this.registerTable(table)
    const walDir = path.join(this.config.dataDir, 'wal')
    const lastByCore: Array<Promise<unknown>> = []
    let replayFailure: unknown
    const result = await replayWal(this.fs, walDir, async (record) => {
      const batch = this.decodeRecord(record)
      await Promise.all(this.cores.map((core) => core.whenQueueHasRoom()))
      for (const { core, applied } of this.applyToCores(this.tableOf(record), batch, record.lsn)) {
        lastByCore[core] = applied.catch((error: unknown) => { replayFailure ??= error })
      }
      return batch.rowCount
    })
    // Each core applies in ring order, so its last apply settling means all of its earlier ones have.
    await Promise.all(lastByCore)
    if (replayFailure !== undefined) throw replayFailure
    this.replayedRecordCount = result.recordCount
    this.wal = await WalWriter.open({
      fs: this.fs, walDir, fsync: this.config.fsync, nextLsn: result.nextLsn, lastSegment: result.lastSegment,
    })
  }

  execute<T extends TimeseriesOp>(op: T): Promise<ResultOf<T>> {
    if (this.isClosing) return Promise.reject(fail('ShuttingDown', 'the engine is shutting down'))
    const running = this.run(op)
    this.inFlight.add(running)
    void running.then(() => this.inFlight.delete(running), () => this.inFlight.delete(running))
    // The conditional type cannot be narrowed through the switch in run(); run() returns the matching result.
    return running as Promise<ResultOf<T>>
  }

  tables(): ReadonlyArray<TableSchema> {
    return this.catalog.tables()
  }

  stats(): EngineStats {
    return {
      coreCount: this.cores.length,
      lsnDurable: this.requireWal().durableLsn,
      replayedRecordCount: this.replayedRecordCount,
    }
  }

  close(): Promise<void> {
    this.isClosing = true
    this.closing ??= this.closeNow()
    return this.closing
  }

  private async closeNow(): Promise<void> {
    await Promise.allSettled([...this.inFlight])
    await this.requireWal().close()
    await Promise.all(this.cores.map((core) => core.shutdown()))
    await this.lock.release()
    log.info({ dataDir: this.config.dataDir }, 'engine closed')
  }

  private run(op: TimeseriesOp): Promise<CreateTableResult | IngestResult | ScanResult> {
    switch (op.kind) {
      case 'CreateTableOp': return this.createTable(op)
      case 'IngestOp': return this.ingest(op)
      case 'ScanOp': return this.scan(op)
      default: return assertNever(op)
    }
  }

  private async createTable(op: CreateTableOp): Promise<CreateTableResult> {
    const { table, created } = await this.catalog.createTable(op)
    if (created) await this.registerTable(table)
    return { kind: 'CreateTableResult', table, created }
  }

  private async registerTable(table: TableSchema): Promise<void> {
    await Promise.all(this.cores.map(async (core) =>
      checkResponse(await core.request({ kind: 'RegisterTableRequest', table }))))
  }

  /**
   * WAL first (one record for the whole batch, so it is all-or-nothing after a crash), then the cores. Resolves
   * when the record is durable per the fsync mode AND every core has applied its rows, so a later scan sees them.
   */
  private async ingest(op: IngestOp): Promise<IngestResult> {
    const table = this.catalog.table(op.tableId)
    if (table === undefined) throw fail('NoSuchTable', `table ${op.tableId} does not exist`)
    const problem = validateBatch(table, op.batch)
    if (problem !== undefined) throw fail('InvalidBatch', problem)
    const wal = this.requireWal()
    if (op.batch.rowCount === 0) return { kind: 'IngestResult', rowCount: 0, lsn: wal.durableLsn }
    const payload = encodeIngestPayload(this.codec, op.batch)
    if (payload.length > WAL_RECORD_BYTES_MAX) {
      throw fail('LimitExceeded', `batch of ${payload.length} bytes exceeds ${WAL_RECORD_BYTES_MAX}`)
    }
    // Backpressure: a full ring plus a full control-side queue makes new ingests wait here, before the WAL.
    await Promise.all(this.cores.map((core) => core.whenQueueHasRoom()))
    const { lsn, durable } = wal.append('IngestRecord', table.id, payload)
    await durable
    // No await between durability and dispatch: continuations run in LSN order, so rings receive LSN order.
    await Promise.all(this.applyToCores(table, op.batch, lsn).map((part) => part.applied))
    return { kind: 'IngestResult', rowCount: op.batch.rowCount, lsn }
  }

  /** Pushes each core its share of the rows, synchronously and in call order; one promise per core involved. */
  private applyToCores(table: TableSchema, batch: ColumnBatch, lsn: Lsn): Array<{ core: number; applied: Promise<unknown> }> {
    const applies: Array<{ core: number; applied: Promise<unknown> }> = []
    splitBatchByCore(table, batch, this.cores.length).forEach((part, core) => {
      if (part === undefined) return
      const request = { kind: 'ApplyIngestRequest' as const, tableId: table.id, lsn, batch: part.batch, vShards: part.vShards }
      applies.push({ core, applied: this.cores[core]!.request(request).then(checkResponse) })
    })
    return applies
  }

  private async scan(op: ScanOp): Promise<ScanResult> {
    if (this.catalog.table(op.tableId) === undefined) throw fail('NoSuchTable', `table ${op.tableId} does not exist`)
    const responses = await Promise.all(this.cores.map((core) => core.request({ kind: 'ScanRequest', op })))
    const partials: ScanPartial[] = responses.map((response) => {
      const checked = checkResponse(response)
      if (checked.kind !== 'ScanResponse') throw new Error(`core answered a scan with ${checked.kind}`)
      return checked.partial
    })
    return { kind: 'ScanResult', partials }
  }

  private tableOf(record: WalRecord): TableSchema {
    const table = this.catalog.table(record.tableId)
    if (table === undefined) throw fail('Corrupt', `wal record lsn ${record.lsn} names unknown table ${record.tableId}`)
    return table
  }

  private decodeRecord(record: WalRecord): ColumnBatch {
    const batch = decodeIngestPayload(this.codec, record.payload)
    const problem = batch === undefined ? 'undecodable payload' : validateBatch(this.tableOf(record), batch)
    if (batch === undefined || problem !== undefined) {
      throw fail('Corrupt', `wal record lsn ${record.lsn}: ${problem ?? 'bad payload'}`)
    }
    return batch
  }

  private requireWal(): WalWriter {
    if (this.wal === undefined) throw fail('Io', 'the engine is not open')
    return this.wal
  }
}
