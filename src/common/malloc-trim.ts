// src/common/malloc-trim: gives the memory glibc's arenas hold free back to the OS (issue 10: RSS after ingest).
// Ingest's transient buffers (ILP runs, parse results, WAL payloads, ring messages) are freed by every thread into
// two malloc arenas, which keep the pages: `malloc_trim(0)` from gdb after a bulk ILP load took RSS 327 → 220 MiB.
// Node cannot call it, so the optional addon native/malloc-trim.c does, on libuv's pool (it walks and locks every
// arena). Without the addon (no compiler at build time, not glibc) the server runs as before.
// Policy (MallocTrimmer), measured (ARCHITECTURE.md): a trim costs a walk of the arenas (~1–3 ms on the pool) plus,
// later, a page fault for every released page that malloc hands out again, and during a load most of it is handed out
// again within a second: a trim at every 16 MiB of growth cost +2–8% CPU per row for −0–20 MiB at the load's end.
// So it trims during a load only when much may have piled up (TRIM_BUSY_BYTES), and otherwise once the allocator has gone
// quiet (RSS and free bytes still between two checks, TRIM_CHECK_MS apart) with TRIM_QUIET_BYTES to give. glibc does
// not say which free chunks are resident, so what may be is estimated as RSS growth plus free-bytes growth since the
// last trim: a released chunk handed out again adds to RSS what it takes from free (no trim for reuse), a resident
// chunk freed adds to free only (ingest's buffers dropped once a load ends), growth at an arena's top adds to RSS
// only (a trim that finds little: one walk).
import path from 'node:path'
import { log } from './log.js'

/** What the arenas hold (glibc's mallinfo2), with the process's RSS. Bytes. */
export interface ArenaStats {
  readonly rss: number
  /** Free in the arenas: resident or already given back (glibc does not say which). */
  readonly free: number
  readonly inUse: number
  readonly mmapped: number
  readonly mainArena: number
  readonly topReleasable: number
  /** CPU the pool thread spent reading them. */
  readonly cpuMicros: number
}

export interface TrimResult {
  /** Whether glibc gave any memory back. */
  readonly released: boolean
  readonly rssBefore: number
  readonly rss: number
  /** Free in the arenas right after: what was given back still counts as free (glibc keeps the chunks). */
  readonly free: number
  /** CPU the pool thread spent in malloc_trim (the walk and the madvise calls, not the later page faults). */
  readonly cpuMicros: number
}

/** The addon's interface; both run on libuv's pool. */
export interface MallocTrimAddon {
  trim(): Promise<TrimResult>
  freeBytes(): Promise<ArenaStats>
}

/** Where scripts/build-native.sh puts the addon: dist/native, beside dist/src. */
export const MALLOC_TRIM_ADDON_PATH = path.join(__dirname, '..', '..', 'native', 'malloc-trim.node')

/** How often the trimmer reads the arenas (one mallinfo2 on the pool: ~10–100 µs). */
export const TRIM_CHECK_MS = 500
/** Estimated resident free memory (see above) that makes a check trim even while the process allocates. */
export const TRIM_BUSY_BYTES = 48 * 1024 * 1024
/** Estimated resident free memory worth a trim once the allocator is quiet. */
export const TRIM_QUIET_BYTES = 4 * 1024 * 1024
/** RSS and free bytes each moving less than this between two checks: the allocator is quiet. */
export const TRIM_QUIET_SLACK_BYTES = 1024 * 1024

/** Loads the addon, or null (said once, at debug level) where it was not built or cannot load here. */
export function loadMallocTrimAddon(file: string = MALLOC_TRIM_ADDON_PATH): MallocTrimAddon | null {
  try {
    const addon = require(file) as Partial<MallocTrimAddon> & { missing?: string }
    if (addon.missing !== undefined || addon.trim === undefined || addon.freeBytes === undefined) {
      log.debug({ missing: addon.missing }, 'malloc trim: the C library lacks a call it needs; freed memory stays in malloc')
      return null
    }
    return addon as MallocTrimAddon
  } catch (error: unknown) {
    log.debug({ file, reason: error instanceof Error ? error.message : String(error) },
      'malloc trim: no addon (scripts/build-native.sh did not build it here); freed memory stays in malloc')
    return null
  }
}

export interface TrimPolicy {
  readonly checkMs: number
  readonly busyBytes: number
  readonly quietBytes: number
  readonly quietSlackBytes: number
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = {
  checkMs: TRIM_CHECK_MS, busyBytes: TRIM_BUSY_BYTES, quietBytes: TRIM_QUIET_BYTES, quietSlackBytes: TRIM_QUIET_SLACK_BYTES,
}

/** Runs the policy above on an unref'd timer for the process's life: it never keeps the process alive. */
export class MallocTrimmer {
  private timer: NodeJS.Timeout | null = null
  private busy = false
  /** RSS and free bytes right after the last trim (0 before the first: the first check trims). */
  private rssAfterTrim = 0
  private freeAfterTrim = 0
  /** What the previous check read, to tell a quiet allocator. */
  private previous: ArenaStats | null = null
  /** Trims run (tests). */
  trims = 0

  constructor(private readonly addon: MallocTrimAddon, private readonly policy: TrimPolicy = DEFAULT_TRIM_POLICY) {}

  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => {
      this.check().catch((error: unknown) => log.debug({ err: error }, 'malloc trim: a pool job failed'))
    }, this.policy.checkMs)
    this.timer.unref()
  }

  /** One check (and trim, if due). Never two at once: a check that finds one running returns. */
  async check(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const stats = await this.addon.freeBytes()
      if (!this.due(stats)) return
      const result = await this.addon.trim()
      this.rssAfterTrim = result.rss
      this.freeAfterTrim = result.free
      this.trims++
      log.debug({ rssBefore: result.rssBefore, rss: result.rss, free: stats.free, cpuMicros: Math.round(result.cpuMicros) },
        'malloc trim')
    } finally {
      this.busy = false
    }
  }

  private due(stats: ArenaStats): boolean {
    const previous = this.previous
    this.previous = stats
    const mayBeResidentFree = stats.rss - this.rssAfterTrim + stats.free - this.freeAfterTrim
    if (mayBeResidentFree >= this.policy.busyBytes) return true
    const quiet = previous !== null && Math.abs(stats.rss - previous.rss) < this.policy.quietSlackBytes &&
      Math.abs(stats.free - previous.free) < this.policy.quietSlackBytes
    return quiet && mayBeResidentFree >= this.policy.quietBytes
  }
}

/**
 * Starts the trimmer for this process, or returns null: NODEDB_MALLOC_TRIM=0 turns it off (how its effect is
 * measured), and without the addon there is nothing to run.
 */
export function startMallocTrimmer(env: NodeJS.ProcessEnv = process.env): MallocTrimmer | null {
  if (env.NODEDB_MALLOC_TRIM === '0') return null
  const addon = loadMallocTrimAddon()
  if (addon === null) return null
  const trimmer = new MallocTrimmer(addon)
  trimmer.start()
  log.debug(DEFAULT_TRIM_POLICY, 'malloc trim on')
  return trimmer
}
