// wire/ilp/ilp-limits: every bound the line protocol parser enforces, with its unit and why.
// Knows nothing of sockets or SQL. (style.md 6.7 wants these in src/common/limits.ts; move them when that file opens.)

// Longest line, in bytes without its '\n': one 64 KiB string field (InfluxDB's string limit) plus names and
// numbers; it also bounds the tail a connection buffers, so 1000 connections hold at most 128 MiB of partial lines.
export const ILP_LINE_BYTES_MAX = 128 * 1024
// Slots in each name cache (direct-mapped, a power of two): enough for every measurement, tag key and field key
// of a typical schema plus the hot tag values, while staying a fixed few hundred KiB per parser.
export const ILP_NAME_CACHE_SLOT_COUNT = 4096
// Names longer than this, in bytes, are decoded each time instead of cached: long names are rare, and the cap keeps
// the cache's memory at most SLOT_COUNT × this.
export const ILP_NAME_CACHE_KEY_BYTES_MAX = 128
// Errors kept per parse result (the rest are only counted): HTTP answers with the first, TCP logs them, and a
// stream of garbage must not grow memory without bound.
export const ILP_ERRORS_KEPT_MAX_COUNT = 1000

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`ilp-limits: ${message}`)
}
check((ILP_NAME_CACHE_SLOT_COUNT & (ILP_NAME_CACHE_SLOT_COUNT - 1)) === 0, 'name cache slots must be a power of two')
check(ILP_NAME_CACHE_KEY_BYTES_MAX < ILP_LINE_BYTES_MAX, 'a cached name fits in a line')
