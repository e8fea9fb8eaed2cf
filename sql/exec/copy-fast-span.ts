// sql/exec/copy-fast-span: COPY FROM's fast path for a run of adjacent tag (symbol) fields, such as TSBS's ten tags of
// a host: the run's bytes (delimiters included) are hashed once and, when the same bytes were seen before, every
// field of the run gets the dictionary id it had then — one hash and one lookup per row instead of one per field. The
// span's bytes are compared in full before a hit is taken, and a span is only remembered after each of its fields
// was written by its symbol's own fast path (no NULL, no cast), so a hit writes exactly what that path would.
import { COPY_FAST_SPANS_MAX_COUNT } from '../../src/common/limits.js'

/** What a span cache needs of each field of its run. */
export interface SpanField {
  /** The dictionary id the field's symbol path wrote last, and the row it wrote it in (-1: none yet). */
  readonly lastId: number
  readonly lastRow: number
  setId(row: number, id: number): void
}

interface Span {
  readonly bytes: Uint8Array
  readonly ids: Int32Array
}

/** Lookups after which a cache that hits less than half the time stops looking (rows of ever new series). */
const SPAN_TRIAL_LOOKUPS_COUNT = 4096

export class SymbolSpanCache {
  private readonly spans = new Map<number, Span>()
  /** The last miss, to be remembered once its fields are written: where its bytes were and their hash. */
  private missStart = -1
  private missEnd = -1
  private missHash = 0
  private lookupCount = 0
  private hitCount = 0
  private isOff = false

  /** `fields` are the run's fields, in line order (at least two). */
  constructor(private readonly fields: ReadonlyArray<SpanField>) {}

  get fieldCount(): number {
    return this.fields.length
  }

  /**
   * Writes the run's fields of row `row` from a span seen before; returns the offset of the byte that ends the run's
   * last field (a delimiter or the line end), or -1 when the fields must be written one by one (then `learn` follows).
   */
  take(bytes: Uint8Array, start: number, lineEnd: number, delimiter: number, row: number): number {
    this.missStart = -1
    if (this.isOff) return -1
    let hash = 0x811c9dc5
    let delimiters = this.fields.length - 1
    let end = start
    for (; end < lineEnd; end++) {
      const c = bytes[end]!
      if (c === delimiter && delimiters-- === 0) break
      hash = Math.imul(hash ^ c, 0x01000193)
    }
    if (delimiters > 0) return -1 // too few fields: the per-field way reports it
    this.lookupCount++
    const span = this.spans.get(hash)
    if (span !== undefined && isSame(bytes, start, end, span.bytes)) {
      this.hitCount++
      for (let k = 0; k < this.fields.length; k++) this.fields[k]!.setId(row, span.ids[k]!)
      return end
    }
    if (this.lookupCount === SPAN_TRIAL_LOOKUPS_COUNT && this.hitCount * 2 < this.lookupCount) this.isOff = true
    if (span === undefined && this.spans.size < COPY_FAST_SPANS_MAX_COUNT) {
      this.missStart = start
      this.missEnd = end
      this.missHash = hash
    }
    return -1
  }

  /** After a miss of `take`, the fields were written one by one: remembers the span if each went by its symbol path. */
  learn(bytes: Uint8Array, row: number): void {
    if (this.missStart < 0) return
    const ids = new Int32Array(this.fields.length)
    for (let k = 0; k < this.fields.length; k++) {
      const field = this.fields[k]!
      if (field.lastRow !== row) return
      ids[k] = field.lastId
    }
    this.spans.set(this.missHash, { bytes: Uint8Array.prototype.slice.call(bytes, this.missStart, this.missEnd), ids })
    this.missStart = -1
  }
}

function isSame(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false
  return true
}
