// engine/timeseries/chunk-cache: a core's bounded LRU of decoded segment chunks. Segment files are immutable once
// written and their names are never reused while the engine runs (segment ids only grow; a core's cache dies with
// the engine or the core), so a chunk is identified by its file, offset and length; a hit skips the read, the CRC
// check, decoding and allocation, and returns the same vector, which scans only ever read. Bounded by
// CORE_DECODED_CHUNK_CACHE_BYTES; knows nothing of rings or SQL.
// Scan-resistant: a scan never evicts a chunk it used itself (beginScan() starts a scan), so a scan over more chunks
// than fit keeps the chunks it found cached and leaves the rest uncached, instead of evicting every chunk just
// before the next scan needs it (plain LRU under a repeated scan larger than the budget hits nothing).
import type { ColumnVector } from '../batch.js'
import { CORE_DECODED_CHUNK_CACHE_BYTES } from '../../src/common/limits.js'
import { noNulls } from './memtable.js'

/** Approximate bytes a decoded vector holds (strings at two bytes a character plus a slot). */
export function vectorBytes(vector: ColumnVector): number {
  switch (vector.kind) {
    case 'symbol': return vector.ids.byteLength + vector.dict.reduce((sum, s) => sum + 16 + 2 * s.length, 0)
    case 'text': return vector.values.reduce((sum, s) => sum + 8 + (s === null ? 0 : 16 + 2 * s.length), 0)
    default: return vector.values.byteLength + (vector.nulls?.byteLength ?? 0)
  }
}

/**
 * Numeric vectors without NULLs get an all-zero null map here, a view of one shared buffer (scans only read vectors),
 * so a cached float chunk costs its values alone.
 */
function withNulls(vector: ColumnVector, rowCount: number): ColumnVector {
  switch (vector.kind) {
    case 'timestamp': case 'f64': case 'i64': case 'bool': {
      if (vector.nulls !== undefined) return vector
      // memtable.ts's shared zero map, which the scan kernels recognise as "no NULL" without reading it.
      return { ...vector, nulls: noNulls(rowCount) } as ColumnVector
    }
    default: return vector
  }
}

interface CacheEntry {
  readonly file: string
  readonly offset: number
  readonly length: number
  readonly vector: ColumnVector
  readonly bytes: number
  scan: number
}

/** Bytes an entry costs besides its vector (the entry, its slots in both maps). */
const ENTRY_OVERHEAD_BYTES = 160

export class DecodedChunkCache {
  /** Lookup by file, then by the chunk's offset (a chunk's offset is unique in its file; its length is checked). */
  private readonly byFile = new Map<string, Map<number, CacheEntry>>()
  /** Set order is recency: a hit moves its entry to the end; eviction takes from the front. */
  private readonly recency = new Set<CacheEntry>()
  private heldBytes = 0
  private scan = 0

  constructor(private readonly budgetBytes = CORE_DECODED_CHUNK_CACHE_BYTES) {}

  /** Starts a scan: chunks used from here on are not evicted for chunks of the same scan. */
  beginScan(): void {
    this.scan += 1
  }

  private entryOf(file: string, offset: number, length: number): CacheEntry | undefined {
    const entry = this.byFile.get(file)?.get(offset)
    return entry !== undefined && entry.length === length ? entry : undefined
  }

  /** Whether the chunk is cached (a lookup that does not touch its recency). */
  has(file: string, offset: number, length: number): boolean {
    return this.entryOf(file, offset, length) !== undefined
  }

  /**
   * The cached vector of the chunk, or the one `decode` returns, kept when it fits the budget after evicting the least
   * recently used chunks that the current scan has not used.
   */
  get(file: string, offset: number, length: number, rowCount: number, decode: () => ColumnVector): ColumnVector {
    const hit = this.entryOf(file, offset, length)
    if (hit !== undefined) {
      this.recency.delete(hit)
      this.recency.add(hit)
      hit.scan = this.scan
      return hit.vector
    }
    const decoded = decode()
    const vector = withNulls(decoded, rowCount)
    const size = vectorBytes(decoded) + file.length * 2 + ENTRY_OVERHEAD_BYTES
    if (size > this.budgetBytes) return vector
    // Set order is recency, so once the oldest entry belongs to this scan every later one does too.
    for (const old of this.recency) {
      if (this.heldBytes + size <= this.budgetBytes || old.scan === this.scan) break
      this.remove(old)
    }
    if (this.heldBytes + size > this.budgetBytes) return vector
    const stale = this.byFile.get(file)?.get(offset)
    if (stale !== undefined) this.remove(stale)
    const entry: CacheEntry = { file, offset, length, vector, bytes: size, scan: this.scan }
    let inFile = this.byFile.get(file)
    if (inFile === undefined) this.byFile.set(file, inFile = new Map())
    inFile.set(offset, entry)
    this.recency.add(entry)
    this.heldBytes += size
    return vector
  }

  /** Drops every chunk of `file` (a packed memtable block that was flushed or rewritten: its key is never used again). */
  evictFile(file: string): void {
    for (const entry of this.byFile.get(file)?.values() ?? []) this.remove(entry)
  }

  private remove(entry: CacheEntry): void {
    this.recency.delete(entry)
    const inFile = this.byFile.get(entry.file)!
    inFile.delete(entry.offset)
    if (inFile.size === 0) this.byFile.delete(entry.file)
    this.heldBytes -= entry.bytes
  }

  get bytesHeld(): number {
    return this.heldBytes
  }
}
