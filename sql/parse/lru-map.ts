// sql/parse/lru-map: a least-recently-used map on Map's insertion order — a hit moves the entry to the back,
// eviction takes the front — for the parse caches (by text and by shape), each bounded by its capacity.

export class LruMap<K, V> {
  private readonly entries = new Map<K, V>()

  constructor(private readonly capacityCount: number) {}

  /** The key at the back: a hit on it moves nothing (a pool's same text again and again: no delete and set a hit). */
  private newest: K | undefined = undefined

  get(key: K): V | undefined {
    const found = this.entries.get(key)
    if (found !== undefined && key !== this.newest) {
      this.newest = key
      this.entries.delete(key)
      this.entries.set(key, found)
    }
    return found
  }

  set(key: K, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    this.newest = key
    if (this.entries.size > this.capacityCount) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }
}
