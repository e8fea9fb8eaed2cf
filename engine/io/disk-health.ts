// engine/io/disk-health: whether the engine may write (issue 12). Tracks the WAL's disk-full state (cleared by a
// background probe: a small write + fsync in the WAL dir), the free-space reserve (statfs), background tasks failing
// for want of space, and the fatal state after a failed fsync. Knows nothing of SQL, sockets or record formats.
import path from 'node:path'
import {
  DISK_FULL_LOG_INTERVAL_MS, DISK_PROBE_BYTES, DISK_PROBE_INTERVAL_MS, DISK_RESERVE_MB_DEFAULT, DISK_RESERVE_PERCENT_DEFAULT,
} from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'
import { EngineFailureError, type BackgroundFailure, type BackgroundTask, type DiskState, type DiskStatus } from '../api.js'
import type { FileSystem } from './file-system.js'

export interface DiskHealthOptions {
  /** The raw file system (not guarded): the probe's own failures must never count as a failed fsync. */
  readonly fs: FileSystem
  readonly walDir: string
  /** Explicit reserve in bytes; undefined = min(DISK_RESERVE_MB_DEFAULT, DISK_RESERVE_PERCENT_DEFAULT of the fs). */
  readonly reserveBytes?: number
  readonly probeIntervalMs?: number
  readonly nowMs?: () => number
}

const PROBE_FILE = '.probe'

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export class DiskHealth {
  private walFullDetail: string | undefined
  private fatalDetail: string | undefined
  private freeBytes: number | null = null
  private totalBytes: number | null = null
  private timer: NodeJS.Timeout | undefined
  private checking: Promise<void> | undefined
  private readonly fatalListeners: Array<(detail: string) => void> = []
  private readonly failures = new Map<string, BackgroundFailure>()
  private lastLogMs = -Infinity
  private resumeCountValue = 0
  private readonly nowMs: () => number

  constructor(private readonly options: DiskHealthOptions) {
    this.nowMs = options.nowMs ?? Date.now
  }

  /** Starts the periodic check (statfs always; the probe while the WAL is full). Unref'd: never keeps Node alive. */
  start(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => { void this.checkNow() }, this.options.probeIntervalMs ?? DISK_PROBE_INTERVAL_MS)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.checking
  }

  get state(): DiskState {
    if (this.fatalDetail !== undefined) return 'Failed'
    return this.refusalDetail() === undefined ? 'Writable' : 'DiskFull'
  }

  /** The failure an ingest (WAL append) gets now, or undefined when it may write. */
  writeRefusal(): EngineFailureError | undefined {
    if (this.fatalDetail !== undefined) return new EngineFailureError({ kind: 'Io', detail: this.fatalDetail })
    const detail = this.refusalDetail()
    if (detail === undefined) return undefined
    this.logRefusal(detail)
    return new EngineFailureError({ kind: 'DiskFull', detail })
  }

  /** A WAL write failed for want of space: refuse appends until the probe writes and fsyncs again. */
  walFull(error: unknown): void {
    const first = this.walFullDetail === undefined
    this.walFullDetail = `wal write failed: ${messageOf(error)}; writes resume by themselves once space is freed`
    if (first) {
      this.lastLogMs = -Infinity
      this.logRefusal(this.walFullDetail)
    }
  }

  /** An fsync failed: the page cache may have dropped the data, so nothing is written again until a restart. */
  fatal(detail: string): void {
    if (this.fatalDetail !== undefined) return
    this.fatalDetail = `${detail}; nodedb stops so that a restart replays what is really on disk`
    log.fatal({ detail }, 'fsync failed: refusing every write; the process exits for a supervisor to restart it')
    for (const listener of this.fatalListeners) listener(this.fatalDetail)
  }

  onFatal(listener: (detail: string) => void): void {
    this.fatalListeners.push(listener)
  }

  /**
   * `scope` tells apart writers of one task (a flush per core): one's success does not clear another's failure.
   * `nextRetryMs`: when the writer's backoff timer tries again, if it has one.
   */
  backgroundFailed(task: BackgroundTask, error: unknown, scope = '', nextRetryMs: number | null = null): void {
    const key = `${task}/${scope}`
    const previous = this.failures.get(key)
    const count = (previous?.count ?? 0) + 1
    this.failures.set(key, { task, scope, detail: messageOf(error), count, sinceMs: previous?.sinceMs ?? this.nowMs(), nextRetryMs })
  }

  backgroundSucceeded(task: BackgroundTask, scope = ''): void {
    if (this.failures.delete(`${task}/${scope}`)) log.info({ task, scope }, `${task} succeeded again after failing`)
  }

  status(): DiskStatus {
    return {
      state: this.state, detail: this.fatalDetail ?? this.refusalDetail(), freeBytes: this.freeBytes, totalBytes: this.totalBytes,
      reserveBytes: this.reserveBytes(), resumeCount: this.resumeCountValue, backgroundFailures: [...this.failures.values()],
    }
  }

  /** One check, as the timer runs it: statfs, then (while the WAL is full) the probe. Concurrent calls share one. */
  checkNow(): Promise<void> {
    this.checking ??= this.check().finally(() => { this.checking = undefined })
    return this.checking
  }

  private async check(): Promise<void> {
    if (this.fatalDetail !== undefined) return
    const statfs = this.options.fs.statfs
    if (statfs !== undefined) {
      try {
        const space = await statfs.call(this.options.fs, this.options.walDir)
        this.freeBytes = space.freeBytes
        this.totalBytes = space.totalBytes
      } catch (error) {
        log.warn({ err: error }, 'statfs of the wal dir failed')
      }
    }
    if (this.walFullDetail === undefined) return
    if (!(await this.probe())) return
    this.walFullDetail = undefined
    this.resumeCountValue += 1
    if (this.refusalDetail() === undefined) log.info({ freeBytes: this.freeBytes }, 'disk has room again: writes resume')
  }

  /** A small write + fsync of a scratch file in the WAL dir; true when the filesystem took it. */
  private async probe(): Promise<boolean> {
    const fs = this.options.fs
    const file = path.join(this.options.walDir, PROBE_FILE)
    try {
      const handle = await fs.open(file, 'create-truncate')
      try {
        await handle.write(new Uint8Array(DISK_PROBE_BYTES), 0)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      return true
    } catch (error) {
      this.logRefusal(`disk probe failed: ${messageOf(error)}`)
      return false
    } finally {
      await fs.unlink(file).catch(() => undefined)
    }
  }

  private reserveBytes(): number {
    if (this.options.reserveBytes !== undefined) return this.options.reserveBytes
    const fallback = DISK_RESERVE_MB_DEFAULT * 1024 * 1024
    if (this.totalBytes === null) return fallback
    return Math.min(fallback, Math.floor((this.totalBytes * DISK_RESERVE_PERCENT_DEFAULT) / 100))
  }

  private refusalDetail(): string | undefined {
    if (this.walFullDetail !== undefined) return this.walFullDetail
    const reserve = this.reserveBytes()
    if (this.freeBytes !== null && reserve > 0 && this.freeBytes < reserve) {
      return `only ${this.freeBytes} bytes free on the data volume, below the reserve of ${reserve} (--disk-reserve-mb)`
    }
    return undefined
  }

  /** Once per DISK_FULL_LOG_INTERVAL_MS, not once per refused line. */
  private logRefusal(detail: string): void {
    const now = this.nowMs()
    if (now - this.lastLogMs < DISK_FULL_LOG_INTERVAL_MS) return
    this.lastLogMs = now
    log.warn({ detail }, 'writes refused: disk full')
  }
}
