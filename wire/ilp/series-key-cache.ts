// wire/ilp/series-key-cache: a line's series key (its measurement and tag set, the bytes before the first unescaped
// space) repeats on every line of the same series — each TSBS host sends the same 10 tags every 10 s. The first line
// of a series is parsed tag by tag; its result is kept here, keyed by the key's raw bytes, so later lines with the
// same bytes skip straight to their fields. Bounded and set-associative; a collision only evicts.
import { ILP_SERIES_KEY_BYTES_MAX, ILP_SERIES_KEY_SLOT_COUNT } from '../../src/common/limits.js'
import { bytesEqualAt } from '../../src/common/bytes-equal.js'
import type { ParsedLine } from './parsed-line.js'

const NO_INDEXES = new Int32Array(0)

/** What parsing a series key produced: the names as interned strings, tag columns relative to the key's start. */
export class SeriesKey {
  /**
   * The series that followed this one last time: the parser's guess for the next line's, checked byte for byte
   * (TSBS sends its hosts in the same order every interval). Null once evicted, so an evicted key, which a live one's
   * `next` may still hold, holds nothing further: the cache's memory stays bounded by its slots.
   */
  next: SeriesKey | null = null
  isEvicted = false
  /**
   * Kept by the one LineBatchBuilder (`batchId`) that last wrote this series: per tag, its column's index in that
   * batch and its value's id there, so the series' next rows write ids with no lookup. Numbers, not references: a
   * cached key must not keep a finished batch's arrays alive.
   */
  batchId = -1
  batchTagColumns: Int32Array = NO_INDEXES
  batchTagIds: Int32Array = NO_INDEXES
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    readonly measurement: string,
    readonly tagKeys: ReadonlyArray<string>,
    readonly tagValues: ReadonlyArray<string>,
    readonly tagOffsets: ReadonlyArray<number>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /**
   * True when buf[start, …) holds this key's bytes then a space before `end`: the line's key is this one. `view`, a
   * DataView of all of `buf` (or null), compares it four bytes a load: ~50 ns for a TSBS key of ~190 bytes, against
   * ~130 for Buffer.compare's memcmp (its call and argument checks) and ~160 for a JS byte loop.
   */
  isAt(buf: Buffer, start: number, end: number, view: DataView | null): boolean {
    const bytes = this.bytes
    const length = bytes.length
    // The key's bytes hold no unescaped space and no unfinished escape, so equal bytes end the key at the same space.
    if (start + length >= end || buf[start + length] !== 32) return false
    if (view === null) return buf.compare(bytes, 0, length, start, start + length) === 0
    return bytesEqualAt(buf, view, start, bytes, this.view)
  }
}

/**
 * Keys per set. Series arrive round-robin (every host once per interval), so a set holding more keys than it has
 * ways misses on every line of all of them: with two ways, 1,000 hosts missed 24% of their lines. Sixteen ways keep
 * the overflow of ~2,000 series in 4,096 slots rare, and the stored full hash makes the extra ways cheap to probe.
 */
const WAYS = 16

/** The first slot of a key's set, from its FNV-1a hash, mixed first (murmur3's fmix32): FNV's low bits alone collide for keys that differ in one digit. */
function slotOf(hash: number): number {
  let h = hash ^ (hash >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) & (ILP_SERIES_KEY_SLOT_COUNT - WAYS)
}

export class SeriesKeyCache {
  /** Lookups that found nothing (the series was parsed tag by tag): what the tests hold the cache's hit rate to. */
  missCount = 0
  private readonly hashes = new Int32Array(ILP_SERIES_KEY_SLOT_COUNT)
  private readonly entries = new Array<SeriesKey | null>(ILP_SERIES_KEY_SLOT_COUNT).fill(null)
  /** Per set, the way the next new key replaces: round-robin, so a full set evicts its oldest key. */
  private readonly victims = new Uint8Array(ILP_SERIES_KEY_SLOT_COUNT / WAYS)

  /** The parsed series key whose raw bytes equal buf[start, end) (FNV-1a hash `hash`), or null. */
  find(buf: Buffer, start: number, end: number, hash: number): SeriesKey | null {
    const set = slotOf(hash)
    const length = end - start
    for (let slot = set; slot < set + WAYS; slot++) {
      if (this.hashes[slot] !== hash) continue
      const entry = this.entries[slot]
      if (entry === null || entry === undefined || entry.bytes.length !== length) continue
      if (buf.compare(entry.bytes, 0, length, start, end) === 0) return entry
    }
    this.missCount++
    return null
  }

  /**
   * Keeps what `line` holds now (measurement and tags just parsed from buf[start, end)) for later lines, and returns
   * it; null when the key is too long to keep.
   */
  remember(buf: Buffer, start: number, end: number, hash: number, line: ParsedLine, keyColumn: number): SeriesKey | null {
    if (end - start > ILP_SERIES_KEY_BYTES_MAX) return null
    const set = slotOf(hash)
    const victim = this.victims[set / WAYS]!
    this.victims[set / WAYS] = (victim + 1) % WAYS
    const slot = set + victim
    const evicted = this.entries[slot]
    if (evicted !== null && evicted !== undefined) {
      evicted.isEvicted = true
      evicted.next = null
    }
    const entry = new SeriesKey(
      Uint8Array.prototype.slice.call(buf, start, end),
      line.measurement,
      line.tagKeys.slice(0, line.tagCount),
      line.tagValues.slice(0, line.tagCount),
      line.tagColumns.slice(0, line.tagCount).map((column) => column - keyColumn),
    )
    this.hashes[slot] = hash
    this.entries[slot] = entry
    return entry
  }
}
