// engine/wal/wal-reader: reads every WAL segment in order, verifying length and CRC32C of each record; truncates a
// torn tail of the last segment and reports corruption anywhere else. Knows nothing of payloads, cores or SQL.
import path from 'node:path'
import { asLsn, type Lsn } from '../../src/common/ids.js'
import { log } from '../../src/common/log.js'
import { EngineFailureError } from '../api.js'
import type { FileSystem } from '../io/file-system.js'
import { CommitResolver, type CommitSpan } from './commit-record.js'
import { decodeWalRecord, parseWalSegmentName, type WalRecord } from './record.js'

export interface WalReadResult {
  /** The LSN the writer should assign next. */
  readonly nextLsn: Lsn
  readonly recordCount: number
  /** The last segment after truncation, for the writer to continue; undefined when the WAL is empty. */
  readonly lastSegment: { readonly sequence: number; readonly sizeBytes: number } | undefined
  /** Every segment but the last, with the highest LSN it holds (0 if none): what checkpoints may delete. */
  readonly closedSegments: ReadonlyArray<WalSegmentSpan>
  /** Commit records read (the writer pins their parts), and parts dropped for want of one. */
  readonly commits: ReadonlyArray<CommitSpan>
  readonly droppedPartCount: number
}

/**
 * Catch-up reads the WAL while the writer appends: `isLive` stops at a record still being written instead of
 * truncating it, and `untilLsn` stops after that LSN (the caller's durable tip).
 */
export interface WalReadOptions { readonly isLive?: boolean; readonly untilLsn?: number }

/** A closed WAL segment and the highest LSN in it. */
export interface WalSegmentSpan { readonly sequence: number; readonly lastLsn: number }

/** Segment sequence numbers found in walDir, ascending. */
export async function listWalSegments(fs: FileSystem, walDir: string): Promise<number[]> {
  await fs.mkdirp(walDir)
  const sequences: number[] = []
  for (const name of await fs.readdir(walDir)) {
    const sequence = parseWalSegmentName(name)
    if (sequence !== undefined) sequences.push(sequence)
  }
  return sequences.sort((a, b) => a - b)
}

/**
 * Calls `onRecord` for every committed record in LSN order (awaiting it, so the caller can apply backpressure): parts
 * of a multi-record commit come as IngestRecords at their commit's LSNs, those without a commit not at all
 * (commit-record.ts); the LSN checks and `untilLsn` are the records' own. A bad
 * record in the last segment is a torn tail from a crash mid-write: the file is truncated there (nothing after it
 * was ever acknowledged under fsync=always). A bad record in an earlier segment is corruption: EngineFailureError
 * 'Corrupt' naming the file and LSN. Each segment is read whole; segments are bounded by WAL_SEGMENT_BYTES.
 */
export async function readWal(
  fs: FileSystem, walDir: string, onRecord: (record: WalRecord) => Promise<void> | void, options: WalReadOptions = {},
): Promise<WalReadResult> {
  const sequences = await listWalSegments(fs, walDir)
  let lastLsn = 0
  let recordCount = 0
  let lastSegment: WalReadResult['lastSegment']
  const closedSegments: WalSegmentSpan[] = []
  const resolver = new CommitResolver(onRecord)
  for (let s = 0; s < sequences.length; s++) {
    const sequence = sequences[s]!
    const file = path.join(walDir, `${String(sequence).padStart(12, '0')}.wal`)
    const bytes = (await fs.readFile(file)) ?? new Uint8Array(0)
    let offset = 0
    while (offset < bytes.length) {
      const outcome = decodeWalRecord(bytes, offset)
      if (outcome.kind === 'bad' && options.isLive === true) break
      if (outcome.kind === 'bad') {
        if (s < sequences.length - 1) {
          throw new EngineFailureError({
            kind: 'Corrupt',
            detail: `corrupt wal record in ${file} at byte ${offset} (lsn field ${String(outcome.lsnField)}, ` +
              `after lsn ${lastLsn}): ${outcome.reason}`,
          })
        }
        await truncateTail(fs, file, offset, bytes.length - offset, outcome.reason)
        break
      }
      const record = outcome.record
      if (options.untilLsn !== undefined && record.lsn > options.untilLsn) break
      if (record.lsn <= lastLsn) {
        throw new EngineFailureError({ kind: 'Corrupt', detail: `wal lsn ${record.lsn} after ${lastLsn} in ${file}` })
      }
      lastLsn = record.lsn
      recordCount += 1
      await resolver.take(record)
      offset = outcome.nextOffset
    }
    lastSegment = { sequence, sizeBytes: offset }
    resolver.segmentEnd()
    if (s < sequences.length - 1) closedSegments.push({ sequence, lastLsn })
  }
  const droppedPartCount = resolver.end()
  return { nextLsn: asLsn(lastLsn + 1), recordCount, lastSegment, closedSegments, commits: resolver.commits, droppedPartCount }
}

async function truncateTail(fs: FileSystem, file: string, offset: number, droppedBytes: number, reason: string) {
  log.warn({ file, offset, droppedBytes, reason }, `wal: torn tail truncated, ${droppedBytes} bytes dropped`)
  const handle = await fs.open(file, 'read-write')
  try {
    await handle.truncate(offset)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}
