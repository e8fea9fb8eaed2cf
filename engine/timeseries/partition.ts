// engine/timeseries/partition: which time partition a timestamp falls in. A segment never spans two partitions, so
// retention can drop and compaction merges by partition. The width is a parameter (per engine now, per table later).
import { assert } from '../../src/common/assert.js'

/** Start (µs, inclusive) of the partition of width `widthUs` holding `tsUs`; partitions are aligned to the epoch. */
export function partitionStartOf(tsUs: number, widthUs: number): number {
  assert(Number.isSafeInteger(widthUs) && widthUs > 0, `partition width ${widthUs}`)
  return Math.floor(tsUs / widthUs) * widthUs
}

