// engine/wal/replay: drives a full read of the WAL at open, logging progress and a summary. What a record means is
// the caller's (engine.ts applies it to the cores); knows nothing of cores or SQL.
import { log } from '../../src/common/log.js'
import { REPLAY_PROGRESS_INTERVAL_MS } from '../../src/common/limits.js'
import type { FileSystem } from '../io/file-system.js'
import type { WalRecord } from './record.js'
import { readWal, type WalReadResult } from './wal-reader.js'

export interface ReplayResult extends WalReadResult {
  readonly rowCount: number
  readonly elapsedMs: number
}

/** Replays every record in LSN order through `apply`, which returns the record's row count. */
export async function replayWal(
  fs: FileSystem, walDir: string, apply: (record: WalRecord) => Promise<number>,
): Promise<ReplayResult> {
  const started = Date.now()
  let lastProgress = started
  let rowCount = 0
  let records = 0
  const result = await readWal(fs, walDir, async (record) => {
    rowCount += await apply(record)
    records += 1
    const now = Date.now()
    if (now - lastProgress >= REPLAY_PROGRESS_INTERVAL_MS) {
      lastProgress = now
      log.info({ records, rows: rowCount, lsn: record.lsn }, 'wal replay in progress')
    }
  })
  const elapsedMs = Date.now() - started
  if (result.droppedPartCount > 0) log.warn({ parts: result.droppedPartCount }, 'wal replay: parts with no commit record dropped')
  log.info({ records: result.recordCount, rows: rowCount, ms: elapsedMs },
    `wal replay done: ${result.recordCount} records, ${rowCount} rows in ${elapsedMs} ms`)
  return { ...result, rowCount, elapsedMs }
}
