// engine/engine-setup: the checks and steps openEngine runs before any core starts — config bounds and the data-dir
// lock — and the EngineFailureError shorthand. Knows nothing of cores, WAL or SQL.
import { CORES_MAX_COUNT, MEMTABLE_MB_MAX, MEMTABLE_MB_MIN, PARTITION_WIDTH_US_DEFAULT } from '../src/common/limits.js'
import { CoreClient } from './bridge/core-client.js'
import { EngineFailureError, isEngineFailureError, type EngineConfig, type SyncStatus } from './api.js'
import { acquireDirLock, type DirLock } from './io/dir-lock.js'
import path from 'node:path'
import { DiskHealth } from './io/disk-health.js'
import { errnoCode, nodeFileSystem, type FileSystem } from './io/file-system.js'
import { guardFileSystem } from './io/guarded-file-system.js'
import type { Lsn } from '../src/common/ids.js'
import type { TimeseriesOp } from './ops.js'

export interface OpenEngineOptions {
  /** Substituted by tests to inject faults; the Node implementation by default. */
  readonly fs?: FileSystem
  /** Tests: a memtable budget per core in bytes, below the 1 MiB that config.memtableMb allows. */
  readonly memtableBytes?: number
  /** Width of a time partition (a segment never spans two); one day by default. */
  readonly partitionWidthUs?: number
  /** Tests: how long a core's memtables go without ingest before they are flushed; MEMTABLE_IDLE_FLUSH_MS by default. */
  readonly idleFlushMs?: number
  /** Tests: WAL segment rotation bound, so checkpoints have whole segments to delete. */
  readonly walSegmentBytes?: number
  /** Tests: drops the live dispatch of record `lsn` to `core` when it returns true, as a lost ring frame would. */
  readonly dropDispatch?: (core: number, lsn: Lsn) => boolean
  /** Wall clock in ms since the epoch, as retention sees it; Date.now by default (tests inject a fake one). */
  readonly nowMs?: () => number
  /** Called once when an fsync fails (issue 12): the server answers in-flight requests, then exits non-zero. */
  readonly onFatal?: (detail: string) => void
  /** Tests: how often the disk probe (and statfs) runs; DISK_PROBE_INTERVAL_MS by default. */
  readonly diskProbeIntervalMs?: number
  /** Sync (issue 11): the lowest LSN the WAL must keep for the cloud; checkpoints delete only below it too. */
  readonly walFloor?: () => number
  /** Sync (issue 11): 'DiskFull' while the backlog the cloud has not acknowledged is over budget (appends refused). */
  readonly walRefusal?: () => EngineFailureError | undefined
  /** Sync (issue 11): what nodedb_sync and SHOW nodedb_status show (SyncHooks.status). */
  readonly syncStatus?: () => SyncStatus
  /** Sync (issue 11): refuses ops a sync edge cannot propagate exactly ('NotSupported', 0A000), before they run. */
  readonly opRefusal?: (op: TimeseriesOp) => EngineFailureError | undefined
}

/** The engine's file system behind the disk-full / failed-fsync guard, and the DiskHealth it reports to. */
export function guardedFileSystem(config: EngineConfig, options: OpenEngineOptions): { fs: FileSystem; health: DiskHealth } {
  const rawFs = options.fs ?? nodeFileSystem
  const health = new DiskHealth({
    fs: rawFs, walDir: path.join(config.dataDir, 'wal'),
    ...(config.diskReserveMb === undefined ? {} : { reserveBytes: config.diskReserveMb * 1024 * 1024 }),
    ...(options.diskProbeIntervalMs === undefined ? {} : { probeIntervalMs: options.diskProbeIntervalMs }),
  })
  if (options.onFatal !== undefined) health.onFatal(options.onFatal)
  return { fs: guardFileSystem(rawFs, health), health }
}

export function fail(kind: EngineFailureError['failure']['kind'], detail: string): EngineFailureError {
  return new EngineFailureError({ kind, detail })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function checkConfig(config: EngineConfig): void {
  if (!Number.isInteger(config.coreCount) || config.coreCount < 1 || config.coreCount > CORES_MAX_COUNT) {
    throw fail('LimitExceeded', `coreCount ${config.coreCount} is outside 1..${CORES_MAX_COUNT}`)
  }
  if (!(config.memtableMb >= MEMTABLE_MB_MIN && config.memtableMb <= MEMTABLE_MB_MAX)) {
    throw fail('LimitExceeded', `memtableMb ${config.memtableMb} is outside ${MEMTABLE_MB_MIN}..${MEMTABLE_MB_MAX}`)
  }
}

export async function lockDataDir(fs: FileSystem, dir: string): Promise<DirLock> {
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

/** A core worker with the engine's budgets (memtable, partition width, decoded-chunk cache) and priority. */
export function newCoreClient(c: number, config: EngineConfig, options: OpenEngineOptions, budgetBytes: number): CoreClient {
  const cacheBytes = config.chunkCacheMb === undefined ? undefined : config.chunkCacheMb * 1024 * 1024
  const widthUs = options.partitionWidthUs ?? PARTITION_WIDTH_US_DEFAULT
  return new CoreClient(c, path.join(__dirname, 'core', 'core-worker.js'), budgetBytes, widthUs, cacheBytes, config.coreNice ?? 0)
}
