// sql/exec/copy-fast-span: COPY FROM's fast path for a run of adjacent tag (symbol) fields, such as TSBS's ten tags of
// a host: the run's bytes (delimiters included) are hashed once and, when the same bytes were seen before, every
// field of the run gets the dictionary id it had then — one hash and one lookup per row instead of one per field. The
// span's bytes are compared in full before a hit is taken, and a span is only remembered after each of its fields
// was written by its symbol's own fast path (no NULL, no cast), so a hit writes exactly what that path would.
// Before hashing, the span that followed the previous row's span last time is tried by a plain byte comparison:
// loaders send series in a repeating order (TSBS cycles through its hosts; a sorted dump repeats one series), so the
// successor is usually right, and a hit then costs one comparison instead of a hash, a map lookup and a comparison.
import { bytesEqualAt } from '../../src/common/bytes-equal.js'
import { COPY_FAST_SPANS_MAX_COUNT } from '../../src/common/limits.js'

/** What a span cache needs of each field of its run. */
export interface SpanField {
  /** The dictionary id the field's symbol path wrote last, and the row it wrote it in (-1: none yet). */
  readonly lastId: number
  readonly lastRow: number
  /** Writes row `row`'s id, without updating lastId and lastRow (only a miss's `learn` reads those, of its own row). */
  putId(row: number, id: number): void
}

interface Span {
  readonly bytes: Uint8Array
  /** A DataView of `bytes`, to compare them four at a time. */
  readonly words: DataView
  readonly ids: Int32Array
  /** The span the row after this span's last row had (null: none seen yet, or that row took no span). */
  next: Span | null
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
  private isJudged = false
  /** The span of the previous row (null when that row took none): its `next` is the first guess for this row. */
  private last: Span | null = null
  private readonly view = new ChunkView()

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
    const guess = this.last?.next ?? null
    if (guess !== null && isAt(bytes, this.view.of(bytes), start, lineEnd, delimiter, guess)) {
      this.lookupCount++
      this.hitCount++
      return this.hit(guess, row, start + guess.bytes.length)
    }
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
      return this.hit(span, row, end)
    }
    if (!this.isJudged && this.lookupCount >= SPAN_TRIAL_LOOKUPS_COUNT) {
      this.isJudged = true
      this.isOff = this.hitCount * 2 < this.lookupCount
    }
    if (span === undefined && this.spans.size < COPY_FAST_SPANS_MAX_COUNT) {
      this.missStart = start
      this.missEnd = end
      this.missHash = hash
    } else this.follow(null)
    return -1
  }

  /** Writes `span`'s ids into row `row` and answers `end`. */
  private hit(span: Span, row: number, end: number): number {
    const fields = this.fields
    const ids = span.ids
    for (let k = 0; k < fields.length; k++) fields[k]!.putId(row, ids[k]!)
    this.follow(span)
    return end
  }

  /** This row's span is `span` (null: none): it becomes the previous row's successor and the next row's guess. */
  private follow(span: Span | null): void {
    if (this.last !== null && span !== null) this.last.next = span
    this.last = span
  }

  /** After a miss of `take`, the fields were written one by one: remembers the span if each went by its symbol path. */
  learn(bytes: Uint8Array, row: number): void {
    const start = this.missStart
    if (start < 0) return
    const ids = new Int32Array(this.fields.length)
    this.missStart = -1
    for (let k = 0; k < this.fields.length; k++) {
      const field = this.fields[k]!
      if (field.lastRow !== row) return this.follow(null)
      ids[k] = field.lastId
    }
    const spanBytes: Uint8Array = Uint8Array.prototype.slice.call(bytes, start, this.missEnd)
    const span: Span = { bytes: spanBytes, words: new DataView(spanBytes.buffer), ids, next: null }
    this.spans.set(this.missHash, span)
    this.follow(span)
  }
}

/**
 * Whether the run at `start` of `view` (a DataView of `bytes`) is `span`'s bytes, ended by the delimiter or the line
 * end (so the same fields). Compared four bytes at a time, then byte by byte.
 */
function isAt(bytes: Uint8Array, view: DataView, start: number, lineEnd: number, delimiter: number, span: Span): boolean {
  const length = span.bytes.length
  const end = start + length
  if (end > lineEnd || (end < lineEnd && bytes[end] !== delimiter)) return false
  return bytesEqualAt(bytes, view, start, span.bytes, span.words, length)
}

/** A DataView of the chunk being parsed, made once per chunk (every row of a chunk comes with the same bytes). */
export class ChunkView {
  private bytes: Uint8Array | null = null
  private view: DataView = new DataView(new ArrayBuffer(0))

  of(bytes: Uint8Array): DataView {
    if (this.bytes !== bytes) {
      this.bytes = bytes
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    }
    return this.view
  }
}

function isSame(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false
  for (let i = 0; i < other.length; i++) if (bytes[start + i] !== other[i]) return false
  return true
}
