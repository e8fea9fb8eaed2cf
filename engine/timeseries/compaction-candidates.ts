// engine/timeseries/compaction-candidates: which segments the next compaction round merges, from the manifest's
// list alone. Knows nothing of files, cores or SQL.
import {
  COMPACTION_ROWS_MAX_COUNT, COMPACTION_SEGMENTS_MAX_COUNT, COMPACTION_SEGMENTS_MIN_COUNT,
} from '../../src/common/limits.js'
import type { SegmentEntry } from './manifest.js'

/**
 * Segments worth merging: the first (table, vShard, partition) with at least COMPACTION_SEGMENTS_MIN_COUNT of them,
 * oldest first, within the count and row bounds. Empty when there is nothing to do.
 */
export function compactionCandidates(segments: ReadonlyArray<SegmentEntry>): SegmentEntry[] {
  const groups = new Map<string, SegmentEntry[]>()
  for (const entry of segments) {
    const key = `${entry.tableId}/${entry.vShard}/${entry.partitionStartUs}`
    groups.set(key, [...(groups.get(key) ?? []), entry])
  }
  for (const entries of groups.values()) {
    const chosen: SegmentEntry[] = []
    let rows = 0
    for (const entry of entries) {
      if (chosen.length >= COMPACTION_SEGMENTS_MAX_COUNT || rows + entry.rowCount > COMPACTION_ROWS_MAX_COUNT) break
      chosen.push(entry)
      rows += entry.rowCount
    }
    if (chosen.length >= COMPACTION_SEGMENTS_MIN_COUNT) return chosen
  }
  return []
}
