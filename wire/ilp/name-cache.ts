// wire/ilp/name-cache: turns the raw (escaped) bytes of a measurement, tag or field name into its string, through a
// bounded direct-mapped cache keyed by those bytes, so names repeated on every line do not allocate.
// Knows only the escaping rules of line protocol names; nothing of sockets, batches or SQL.
import { isUtf8 } from 'node:buffer'
import { ILP_NAME_CACHE_KEY_BYTES_MAX, ILP_NAME_CACHE_SLOT_COUNT } from '../../src/common/limits.js'

const BACKSLASH = 92

/** FNV-1a, one byte at a time; callers fold it while they scan, so hashing costs no extra pass. */
export const NAME_HASH_SEED = 0x811c9dc5 | 0
export function nameHashStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 0x01000193)
}

/**
 * Which bytes a backslash escapes in a name: measurements escape ',' and ' '; tag keys, tag values and field keys
 * also escape '='. A backslash before any other byte is literal and kept, with that byte.
 */
export type NameEscapes = 'measurement' | 'key-or-tag-value'

export class NameCache {
  private readonly keys: Array<Uint8Array | null>
  private readonly values: string[]
  private readonly mask: number
  private readonly escapesEquals: boolean
  private scratch: Buffer = Buffer.alloc(64)
  /**
   * The cached raw bytes of the name the last intern() returned, or null when it was not cached (too long, or not
   * UTF-8): callers may keep it to recognise the same name later by comparing bytes; it is never written again.
   */
  lastKey: Uint8Array | null = null

  constructor(escapes: NameEscapes, slotCount: number = ILP_NAME_CACHE_SLOT_COUNT) {
    this.keys = new Array<Uint8Array | null>(slotCount).fill(null)
    this.values = new Array<string>(slotCount).fill('')
    this.mask = slotCount - 1
    this.escapesEquals = escapes === 'key-or-tag-value'
  }

  /**
   * The unescaped name for buf[start, end), whose FNV-1a hash over those raw bytes is `hash`; null when the name is
   * not valid UTF-8. The returned string is shared by every caller that passed the same bytes.
   */
  intern(buf: Buffer, start: number, end: number, hash: number): string | null {
    const length = end - start
    this.lastKey = null
    if (length > ILP_NAME_CACHE_KEY_BYTES_MAX) return this.decode(buf, start, end)
    const slot = (hash ^ (hash >>> 16)) & this.mask
    const key = this.keys[slot]
    if (key !== null && key !== undefined && key.length === length) {
      let i = 0
      while (i < length && key[i] === buf[start + i]) i++
      if (i === length) {
        this.lastKey = key
        return this.values[slot]!
      }
    }
    const value = this.decode(buf, start, end)
    if (value === null) return null
    const copy = new Uint8Array(buf.subarray(start, end))
    this.keys[slot] = copy
    this.values[slot] = value
    this.lastKey = copy
    return value
  }

  private decode(buf: Buffer, start: number, end: number): string | null {
    let hasHighBit = false
    let hasBackslash = false
    for (let i = start; i < end; i++) {
      const byte = buf[i]!
      if (byte >= 0x80) hasHighBit = true
      else if (byte === BACKSLASH) hasBackslash = true
    }
    if (hasHighBit && !isUtf8(buf.subarray(start, end))) return null
    if (!hasBackslash) return buf.toString(hasHighBit ? 'utf8' : 'latin1', start, end)
    return this.unescape(buf, start, end)
  }

  private unescape(buf: Buffer, start: number, end: number): string {
    if (this.scratch.length < end - start) this.scratch = Buffer.alloc(2 * (end - start))
    const out = this.scratch
    let length = 0
    for (let i = start; i < end; i++) {
      const byte = buf[i]!
      if (byte === BACKSLASH && i + 1 < end) {
        const next = buf[i + 1]!
        const isEscaped = next === 44 || next === 32 || (next === 61 && this.escapesEquals)
        if (!isEscaped) out[length++] = byte
        out[length++] = next
        i++
      } else {
        out[length++] = byte
      }
    }
    return out.toString('utf8', 0, length)
  }
}
