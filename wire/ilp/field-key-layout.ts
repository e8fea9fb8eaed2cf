// wire/ilp/field-key-layout: the field keys of a measurement's last line, by position. Lines of one measurement
// nearly always name the same fields in the same order, so the key at position i is first compared with the one the
// last line had there: equal bytes then an '=' are the same key, with no hash and no name cache lookup.
// Knows only how a field key ends; nothing of values, batches or SQL.
import { bytesEqualAt } from '../../src/common/bytes-equal.js'

const EQUALS = 61
/** Positions remembered per measurement: with the names' own bound (ILP_NAME_CACHE_KEY_BYTES_MAX), 8 KiB at most. */
const KEYS_MAX_COUNT = 64
/** Measurements remembered per parser; past it they all start again (a parser rarely sees more). */
const LAYOUTS_MAX_COUNT = 64

export class FieldKeyLayout {
  /** Changes whenever a position learns a key: equal versions of one layout hold equal keys. */
  version = 0
  /**
   * The field count of the measurement's last line parsed one by one when its keys all came from this layout, in
   * order, each with a float (its field shape), else 0: the parser then tries the next line as one of that shape
   * first (line-shaped-fields.ts).
   */
  shapeFieldCount = 0
  private readonly keys: Uint8Array[] = []
  private readonly views: DataView[] = []
  private readonly names: string[] = []

  /**
   * Where the key at buf[start, …) ends (its '=') when it holds the bytes last seen at position `index` and an '='
   * before `end`, for nameAt(index); -1 otherwise.
   */
  keyEndAt(index: number, buf: Buffer, start: number, end: number): number {
    if (index >= this.keys.length) return -1
    const key = this.keys[index]!
    const keyEnd = start + key.length
    // A remembered key ended at its first unescaped '=' (and not inside an escape), so equal bytes end there too.
    if (keyEnd >= end || buf[keyEnd] !== EQUALS) return -1
    for (let i = 0; i < key.length; i++) if (buf[start + i] !== key[i]) return -1
    return keyEnd
  }

  /**
   * keyEndAt, comparing four bytes a load: `view` is a DataView of all of `buf` (line-shaped-fields.ts; TSBS keys
   * are 9–16 bytes, where the byte loop's branches cost more than the bytes).
   */
  keyEndAtView(index: number, buf: Buffer, view: DataView, start: number, end: number): number {
    const key = this.keys[index]!
    const keyEnd = start + key.length
    if (keyEnd >= end || buf[keyEnd] !== EQUALS) return -1
    return bytesEqualAt(buf, view, start, key, this.views[index]!) ? keyEnd : -1
  }

  nameAt(index: number): string {
    return this.names[index]!
  }

  /** Remembers that position `index` held the key `bytes` (its raw bytes, never written again), named `name`. */
  learn(index: number, bytes: Uint8Array | null, name: string): void {
    if (bytes === null || index > this.keys.length || index >= KEYS_MAX_COUNT) return
    this.keys[index] = bytes
    this.views[index] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.names[index] = name
    this.version++
  }
}

/** The layout of each measurement a parser has seen lately, the last one found without a lookup. */
export class FieldKeyLayouts {
  private readonly byMeasurement = new Map<string, FieldKeyLayout>()
  private lastMeasurement = ''
  private lastLayout = new FieldKeyLayout()

  of(measurement: string): FieldKeyLayout {
    if (measurement === this.lastMeasurement) return this.lastLayout
    let layout = this.byMeasurement.get(measurement)
    if (layout === undefined) {
      if (this.byMeasurement.size >= LAYOUTS_MAX_COUNT) this.byMeasurement.clear()
      layout = new FieldKeyLayout()
      this.byMeasurement.set(measurement, layout)
    }
    this.lastMeasurement = measurement
    this.lastLayout = layout
    return layout
  }
}
