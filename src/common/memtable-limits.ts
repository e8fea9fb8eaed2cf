// src/common/memtable-limits: bounds of the memtables' packed blocks (engine/timeseries/memtable-block.ts), apart from
// limits.ts, which is at its line limit. Same rules: a unit in each name, a reason above each.

// Rows a live memtable's appendable tail holds before they are packed into an immutable block (issue 10: RSS after
// ingest). Once a (table, vShard) has packed a block its tail's arrays are sized for this many rows, so each holds up
// to this many rows at ~88 bytes (TSBS) besides its blocks at ~16. Smaller blocks cost more per block (a header per
// column, a dictionary reference per tag, a cache entry per column) and more blocks for every scan: at 1,024 the TSBS
// set over fresh data (864 k rows) cost up to 2.8× the CPU of unpacked memtables (lastpoint 7.0 → 19.0 ms, full-scan-avg
// 1.6 → 4.5); at 4,096 9.0 and 1.4 ms, with RSS after the load 208 MiB (1,024: 190–212; unpacked 270); at 8,192 most
// of that load's rows stayed in tails (RSS 266).
export const MEMTABLE_BLOCK_ROWS_COUNT = 4096
