// engine/wal/checkpoint: deletes WAL segment files that no memtable needs any more — every record in them has an LSN
// below the low-water mark, so its rows are in segments listed by the manifest. Knows nothing of cores or SQL.
import path from 'node:path'
import { log } from '../../src/common/log.js'
import { errnoCode, type FileSystem } from '../io/file-system.js'
import { walSegmentName } from './record.js'
import type { WalSegmentSpan } from './wal-reader.js'

/**
 * Deletes, oldest first, the closed segments whose last LSN is below `neededLsn`; stops at the first one that is not
 * (segments are in LSN order, so the WAL stays a contiguous suffix). Returns the deleted sequence numbers.
 */
export async function deleteWalSegmentsBelow(
  fs: FileSystem, walDir: string, closed: ReadonlyArray<WalSegmentSpan>, neededLsn: number,
): Promise<number[]> {
  const deleted: number[] = []
  for (const span of closed) {
    if (span.lastLsn >= neededLsn) break
    try {
      await fs.unlink(path.join(walDir, walSegmentName(span.sequence)))
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error
    }
    deleted.push(span.sequence)
  }
  if (deleted.length > 0) {
    await fs.syncDir(walDir)
    log.info({ deleted: deleted.length, neededLsn }, 'wal checkpoint: segments deleted')
  }
  return deleted
}
