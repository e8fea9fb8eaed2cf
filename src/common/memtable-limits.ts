// src/common/memtable-limits: bounds of the memtables' packed blocks (engine/timeseries/memtable-block.ts), apart from
// limits.ts, which is at its line limit. Same rules: a unit in each name, a reason above each.

// Rows a live memtable's appendable tail holds before they are packed into an immutable block (issue 10: RSS after
// ingest). Its arrays are sized for this many rows from the start, so each (table, vShard) holds up to this many rows
// at ~88 bytes (TSBS) besides its blocks at ~11: at 1,024, 100 series' tails hold ~9 MiB. Smaller blocks cost more
// per block (a header per column, a dictionary reference per tag) and more blocks for a scan to decode.
export const MEMTABLE_BLOCK_ROWS_COUNT = 1024
