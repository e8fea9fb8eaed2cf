// engine/engine-limits: engine-only bounds that belong in src/common/limits.ts (owned by the lead; to be moved there).
// Same rules as limits.ts: a unit in every name, a reason above each one, relations asserted at load.

// A WAL segment file is rotated once it holds this many bytes, so truncation can later delete whole files.
export const WAL_SEGMENT_BYTES = 64 * 1024 * 1024
// With --fsync=batch, the WAL is fsynced at most this often: the window of acknowledged writes a power loss may lose.
export const WAL_BATCH_FSYNC_INTERVAL_MS = 100
// Records written by one group commit (one write + one fsync); later appends wait for the next round.
export const WAL_GROUP_COMMIT_RECORDS_MAX_COUNT = 4096
// Frames queued on the control side for one core while its request ring is full; beyond this, new ingests wait.
export const DISPATCH_QUEUE_FRAMES_MAX_COUNT = 1024
// Replay logs a progress line at most this often.
export const REPLAY_PROGRESS_INTERVAL_MS = 1000
// Requests a core handles per tick before it drains its response outbox again (runs at its own pace).
export const CORE_REQUESTS_PER_TICK_COUNT = 64
// How long a core sleeps in Atomics.wait when it has output waiting for room in its response ring.
export const CORE_OUTBOX_RETRY_MS = 1
// How long the control thread waits before retrying a push to a full request ring.
export const CONTROL_OUTBOX_RETRY_MS = 1
// Initial row capacity of a memtable column; it doubles as rows arrive.
export const MEMTABLE_INITIAL_ROWS_COUNT = 1024

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`engine-limits: ${message}`)
}
check(WAL_SEGMENT_BYTES >= 1024 * 1024, 'a WAL segment holds at least 1 MiB')
check(DISPATCH_QUEUE_FRAMES_MAX_COUNT > 0, 'dispatch queue bound is positive')
