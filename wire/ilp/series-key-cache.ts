// wire/ilp/series-key-cache: a line's series key (its measurement and tag set, the bytes before the first unescaped
// space) repeats on every line of the same series — each TSBS host sends the same 10 tags every 10 s. The first line
// of a series is parsed tag by tag; its result is kept here, keyed by the key's raw bytes, so later lines with the
// same bytes skip straight to their fields. Bounded and direct-mapped like NameCache; a collision only evicts.
import { ILP_SERIES_KEY_BYTES_MAX, ILP_SERIES_KEY_SLOT_COUNT } from '../../src/common/limits.js'
import type { ParsedLine } from './parsed-line.js'

/** What parsing a series key produced: the names as interned strings, tag columns relative to the key's start. */
export interface SeriesKey {
  readonly measurement: string
  readonly tagKeys: ReadonlyArray<string>
  readonly tagValues: ReadonlyArray<string>
  readonly tagOffsets: ReadonlyArray<number>
}

/** The first slot of a key's set, from its FNV-1a hash, mixed first (murmur3's fmix32): FNV's low bits alone collide for keys that differ in one digit. */
function slotOf(hash: number): number {
  let h = hash ^ (hash >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) & (ILP_SERIES_KEY_SLOT_COUNT - WAYS)
}

/** Keys per set (a set is two adjacent slots). */
const WAYS = 2

export class SeriesKeyCache {
  private readonly keys = new Array<Uint8Array | null>(ILP_SERIES_KEY_SLOT_COUNT).fill(null)
  private readonly entries = new Array<SeriesKey | null>(ILP_SERIES_KEY_SLOT_COUNT).fill(null)

  /** The parsed series key whose raw bytes equal buf[start, end) (FNV-1a hash `hash`), or null. */
  find(buf: Buffer, start: number, end: number, hash: number): SeriesKey | null {
    const set = slotOf(hash)
    for (let slot = set; slot < set + WAYS; slot++) {
      const key = this.keys[slot]
      if (key === null || key === undefined || key.length !== end - start) continue
      if (buf.compare(key, 0, key.length, start, end) === 0) return this.entries[slot]!
    }
    return null
  }

  /** Keeps what `line` holds now (measurement and tags just parsed from buf[start, end)) for later lines. */
  remember(buf: Buffer, start: number, end: number, hash: number, line: ParsedLine, keyColumn: number): void {
    if (end - start > ILP_SERIES_KEY_BYTES_MAX) return
    // Two ways per set: a new key goes first and the older one moves to the second way, so two series whose keys
    // share a set (each evicting the other on every line, were the cache direct-mapped) both stay.
    const set = slotOf(hash)
    this.keys[set + 1] = this.keys[set]!
    this.entries[set + 1] = this.entries[set]!
    this.keys[set] = Uint8Array.prototype.slice.call(buf, start, end)
    this.entries[set] = {
      measurement: line.measurement,
      tagKeys: line.tagKeys.slice(0, line.tagCount),
      tagValues: line.tagValues.slice(0, line.tagCount),
      tagOffsets: line.tagColumns.slice(0, line.tagCount).map((column) => column - keyColumn),
    }
  }
}
