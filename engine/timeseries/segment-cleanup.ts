// engine/timeseries/segment-cleanup: after a segment commit (flush or compaction) failed for want of space (issue 12),
// deletes the files it wrote. Knows file names only; nothing of formats, SQL or cores.
import path from 'node:path'
import { isEngineFailureError } from '../api.js'
import type { FileSystem } from '../io/file-system.js'
import { segmentFileName } from './manifest.js'

/**
 * Rethrows `error`. When it is 'DiskFull' the manifest does not list segments `firstId…+count` (no-space failures
 * never come after the manifest's rename), so their files and temps are deleted first: retries must not fill the
 * disk with orphans that only a restart (SegmentStore.open) would remove. Other failures leave them to open().
 */
export async function removeUnlisted(fs: FileSystem, segmentDir: string, firstId: number, count: number, error: unknown): Promise<never> {
  if (isEngineFailureError(error) && error.failure.kind === 'DiskFull') {
    for (let id = firstId; id < firstId + count; id++) {
      const file = path.join(segmentDir, segmentFileName(id))
      for (const name of [file, `${file}.tmp`]) await fs.unlink(name).catch(() => undefined)
    }
  }
  throw error
}
