// engine/timeseries/memtable-zeros: the zero null maps and symbol ids appendable memtable columns start on (memtable.ts,
// issue 10: bytes per row held), shared by every memtable of the thread and never written. Knows nothing of files.
import { MEMTABLE_SHARED_ZEROS_ROWS_COUNT } from '../../src/common/limits.js'

/**
 * Zero bytes shared by the null maps of appendable columns without a NULL (see MemColumn); never written. Not
 * sharedNoNulls: a memtable may outgrow a row group, and growing that one would leave the views the chunk cache
 * keeps unrecognised (isSharedNoNulls knows both).
 */
let sharedZeroNulls = new Uint8Array(MEMTABLE_SHARED_ZEROS_ROWS_COUNT)

export function zeroNulls(rowCount: number): Uint8Array {
  if (sharedZeroNulls.length < rowCount) sharedZeroNulls = new Uint8Array(Math.max(rowCount, 2 * sharedZeroNulls.length))
  return sharedZeroNulls.subarray(0, rowCount)
}

/** Zero ids shared by every appendable symbol column whose rows all hold id 0 (see MemColumn); never written. */
let sharedZeroIds = new Int32Array(MEMTABLE_SHARED_ZEROS_ROWS_COUNT)

export function zeroIds(rowCount: number): Int32Array {
  if (sharedZeroIds.length < rowCount) sharedZeroIds = new Int32Array(Math.max(rowCount, 2 * sharedZeroIds.length))
  return sharedZeroIds.subarray(0, rowCount)
}

/** The null map is (a view of) the shared zero one. */
export function isZeroNulls(nulls: Uint8Array): boolean {
  return nulls.buffer === sharedZeroNulls.buffer
}
