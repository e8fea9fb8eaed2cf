// wire/ilp/line-parser: one line of InfluxDB line protocol (bytes, no '\n') → a ParsedLine, with result codes
// instead of exceptions (QuestDB's LineTcpParser). Pure: no socket, no batching, no SQL; it never sees a newline.
import { bytesEqualAt } from '../../src/common/bytes-equal.js'
import type { IlpErrorCode } from './ilp-error.js'
import { type FieldKeyLayout, FieldKeyLayouts } from './field-key-layout.js'
import { type IlpPrecision, microsPerUnit, parseTimestampUs } from './ilp-precision.js'
import { NAME_HASH_SEED, NameCache, nameHashStep } from './name-cache.js'
import { ParsedLine } from './parsed-line.js'
import { type SeriesKey, SeriesKeyCache } from './series-key-cache.js'
import { parseShapedFields } from './line-shaped-fields.js'
import { ValueScan, parseFieldValue } from './parse-field-value.js'

const SPACE = 32
const TAB = 9
const CR = 13
const COMMA = 44
const EQUALS = 61
const BACKSLASH = 92
const HASH = 35
const END_OF_LINE = -1

/** QuestDB-style result codes: the line's contents are in `line`, or the error in `errorCode` / `errorColumn`. */
export type LineParseResult = 'LineParsed' | 'LineSkipped' | 'LineError'

export class LineParser {
  /** The last parsed line; overwritten by the next parse(). */
  readonly line = new ParsedLine()
  errorCode: IlpErrorCode = 'BadFieldValue'
  /** 1-based byte column of the error within its line. */
  errorColumn = 0
  private readonly unitUs: number
  private readonly measurementNames = new NameCache('measurement')
  private readonly keyNames = new NameCache('key-or-tag-value')
  private readonly valueScan = new ValueScan()
  private readonly seriesKeys = new SeriesKeyCache()
  private readonly fieldKeyLayouts = new FieldKeyLayouts()
  /** The previous line's series, whose `next` guesses this line's. */
  private lastSeries: SeriesKey | null = null
  private buf: Buffer = Buffer.alloc(0)
  /** A DataView of all of `viewOf`, the buffer bound by the caller for its lines (bind), or of nothing. */
  private view: DataView = EMPTY_VIEW
  private viewOf: Buffer = EMPTY
  private lineStart = 0
  private end = 0
  private pos = 0
  private tokenEnd = 0
  private tokenHash = 0
  private nowUs = 0
  /**
   * Where the last timestamp parsed from the bound chunk lies in it, and its value: lines of one interval share their
   * timestamp (TSBS: every host's line of a 10 s tick), so equal bytes are that value with no digit loop.
   */
  private stampStart = -1
  private stampLength = 0
  private stampUs = 0

  constructor(readonly precision: IlpPrecision) {
    this.unitUs = microsPerUnit(precision)
  }

  /**
   * Parses buf[start, end), a line without its '\n'. Blank lines and comments ('#' after optional leading
   * whitespace) are 'LineSkipped'; a trailing '\r' and trailing spaces or tabs are ignored. A line without a
   * timestamp gets `nowUs`. The buffer is only read during the call; the ParsedLine holds no reference to it.
   */
  parse(buf: Buffer, start: number, end: number, nowUs: number): LineParseResult {
    this.buf = buf
    this.lineStart = start
    this.nowUs = nowUs
    this.line.reset()
    let pos = start
    while (pos < end && (buf[pos] === SPACE || buf[pos] === TAB)) pos++
    while (end > pos && (buf[end - 1] === SPACE || buf[end - 1] === TAB || buf[end - 1] === CR)) end--
    if (pos === end || buf[pos] === HASH) {
      this.buf = EMPTY
      return 'LineSkipped'
    }
    this.pos = pos
    this.end = end
    const isParsed = this.parseMeasurementAndTags() && this.parseFields() && this.parseTimestamp()
    this.buf = EMPTY
    return isParsed ? 'LineParsed' : 'LineError'
  }

  /**
   * Lets the parse() calls that follow read `buf` through one DataView (the series key compared four bytes a load)
   * until release(), which drops it: the parser keeps no input alive between calls of its caller.
   */
  bind(buf: Buffer): void {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.viewOf = buf
    this.stampStart = -1
  }

  release(): void {
    this.view = EMPTY_VIEW
    this.viewOf = EMPTY
    this.stampStart = -1
  }

  private fail(code: IlpErrorCode, at: number): false {
    this.errorCode = code
    this.errorColumn = at - this.lineStart + 1
    return false
  }

  private failTag(code: IlpErrorCode, at: number): null {
    this.fail(code, at)
    return null
  }

  /**
   * Scans a name from `pos` to its first unescaped delimiter (' ' or ',', and '=' unless a measurement), hashing
   * the raw bytes. Sets `tokenEnd` and `tokenHash`; returns the delimiter, END_OF_LINE, or null for a backslash that
   * ends the line. A backslash always takes the next byte with it, whatever that byte is.
   */
  private scanName(stopsAtEquals: boolean): number | null {
    const buf = this.buf
    const end = this.end
    let hash = NAME_HASH_SEED
    let pos = this.pos
    while (pos < end) {
      const byte = buf[pos]!
      if (byte === BACKSLASH) {
        if (pos + 1 >= end) return null
        hash = nameHashStep(nameHashStep(hash, byte), buf[pos + 1]!)
        pos += 2
        continue
      }
      if (byte === SPACE || byte === COMMA || (byte === EQUALS && stopsAtEquals)) {
        this.tokenEnd = pos
        this.tokenHash = hash
        return byte
      }
      hash = nameHashStep(hash, byte)
      pos++
    }
    this.tokenEnd = pos
    this.tokenHash = hash
    return END_OF_LINE
  }

  private internToken(cache: NameCache): string | null {
    return cache.intern(this.buf, this.pos, this.tokenEnd, this.tokenHash)
  }

  /**
   * The end of the series key at `pos` (its first unescaped space), hashing its raw bytes into `tokenHash`; -1 when
   * the line has no such space or ends in a backslash (the tag-by-tag parse then reports the error).
   */
  private scanSeriesKey(): number {
    const buf = this.buf
    const end = this.end
    let hash = NAME_HASH_SEED
    for (let pos = this.pos; pos < end; pos++) {
      const byte = buf[pos]!
      if (byte === SPACE) {
        this.tokenHash = hash
        return pos
      }
      hash = nameHashStep(hash, byte)
      if (byte === BACKSLASH) {
        if (++pos >= end) return -1
        hash = nameHashStep(hash, buf[pos]!)
      }
    }
    return -1
  }

  /**
   * Measurement and tags: from the series key cache when the same bytes were parsed before, else tag by tag. The
   * guess from the previous line's series is checked first: a match needs one pass over the key's bytes where the
   * cache needs two (the hash to find its set, then the comparison).
   */
  private parseMeasurementAndTags(): boolean {
    const keyStart = this.pos
    let known = this.guessSeries(keyStart)
    let keyEnd = known === null ? -1 : keyStart + known.bytes.length
    if (known === null) {
      keyEnd = this.scanSeriesKey()
      known = keyEnd < 0 ? null : this.seriesKeys.find(this.buf, keyStart, keyEnd, this.tokenHash)
    }
    if (known !== null) {
      // Only a series seen before is marked: the builder keeps ids per marked series, worth it from a second line on.
      this.line.useSeries(known, keyStart - this.lineStart + 1)
      this.pos = keyEnd
      this.follow(known)
    } else {
      const keyHash = this.tokenHash
      if (!this.parseSeriesKey()) return false
      if (keyEnd >= 0 && this.pos === keyEnd) {
        const remembered = this.seriesKeys.remember(this.buf, keyStart, keyEnd, keyHash, this.line, keyStart - this.lineStart + 1)
        if (remembered !== null) this.follow(remembered)
      }
    }
    while (this.pos < this.end && this.buf[this.pos] === SPACE) this.pos++
    if (this.pos === this.end) return this.fail('MissingFields', this.end)
    return true
  }

  /** The series that followed the previous line's last time, or that series again, when the line at `start` has it. */
  private guessSeries(start: number): SeriesKey | null {
    const last = this.lastSeries
    if (last === null) return null
    const next = last.next
    const view = this.buf === this.viewOf ? this.view : null
    if (next !== null && next.isAt(this.buf, start, this.end, view)) return next
    return last.isAt(this.buf, start, this.end, view) ? last : null
  }

  private follow(series: SeriesKey): void {
    const last = this.lastSeries
    if (last !== null && !last.isEvicted) last.next = series
    this.lastSeries = series
  }

  private parseSeriesKey(): boolean {
    let delimiter = this.scanName(false)
    if (delimiter === null) return this.fail('BadEscape', this.end - 1)
    if (this.tokenEnd === this.pos) return this.fail('MissingMeasurement', this.pos)
    const measurement = this.internToken(this.measurementNames)
    if (measurement === null) return this.fail('InvalidUtf8', this.pos)
    this.line.measurement = measurement
    this.pos = this.tokenEnd
    while (delimiter === COMMA) {
      this.pos++
      delimiter = this.parseTag()
      if (delimiter === null) return false
    }
    if (delimiter === END_OF_LINE) return this.fail('MissingFields', this.end)
    return true
  }

  /** Parses `key=value` at `pos`; returns the delimiter after the value, or null after recording an error. */
  private parseTag(): number | null {
    const keyStart = this.pos
    const keyDelimiter = this.scanName(true)
    if (keyDelimiter === null) return this.failTag('BadEscape', this.end - 1)
    if (keyDelimiter !== EQUALS || this.tokenEnd === keyStart) return this.failTag('BadTag', this.tokenEnd)
    const key = this.internToken(this.keyNames)
    if (key === null) return this.failTag('InvalidUtf8', keyStart)
    this.pos = this.tokenEnd + 1
    const valueStart = this.pos
    const delimiter = this.scanName(true)
    if (delimiter === null) return this.failTag('BadEscape', this.end - 1)
    if (delimiter === EQUALS || this.tokenEnd === valueStart) return this.failTag('BadTag', this.tokenEnd)
    const value = this.internToken(this.keyNames)
    if (value === null) return this.failTag('InvalidUtf8', valueStart)
    this.line.addTag(key, value, keyStart - this.lineStart + 1)
    this.pos = this.tokenEnd
    return delimiter
  }

  /** Parses `key=value[,key=value…]` at `pos`, leaving `pos` on the ' ' before a timestamp or at the end. */
  private parseFields(): boolean {
    const layout = this.fieldKeyLayouts.of(this.line.measurement)
    const view = this.buf === this.viewOf ? this.view : null
    if (layout.shapeFieldCount > 0 && parseShapedFields(this.buf, view, this.pos, this.end, this.lineStart, layout, this.line, this.valueScan)) {
      this.pos = this.valueScan.pos
      return true
    }
    return this.parseFieldsOneByOne(layout)
  }

  /** The general field loop: every spelling of every value, keys learnt into `layout` as they come. */
  private parseFieldsOneByOne(layout: FieldKeyLayout): boolean {
    const line = this.line
    line.fieldCount = 0
    let isShaped = true // every key from the layout, every value a float: see ParsedLine.fieldShape
    for (;;) {
      const keyStart = this.pos
      const index = line.fieldCount
      const guessedEnd = layout.keyEndAt(index, this.buf, keyStart, this.end)
      let key: string | null
      if (guessedEnd >= 0) {
        key = layout.nameAt(index)
        this.tokenEnd = guessedEnd
      } else {
        isShaped = false
        const delimiter = this.scanName(true)
        if (delimiter === null) return this.fail('BadEscape', this.end - 1)
        if (delimiter !== EQUALS || this.tokenEnd === keyStart) return this.fail('BadFieldKey', this.tokenEnd)
        key = this.internToken(this.keyNames)
        if (key === null) return this.fail('InvalidUtf8', keyStart)
        layout.learn(index, this.keyNames.lastKey, key)
      }
      line.addField(key, keyStart - this.lineStart + 1)
      const scan = this.valueScan
      if (!parseFieldValue(this.buf, this.tokenEnd + 1, this.end, line, index, scan)) {
        return this.fail(scan.errorCode, scan.errorAt)
      }
      if (line.fieldKinds[index] !== 'float') isShaped = false
      this.pos = scan.pos
      if (this.pos >= this.end || this.buf[this.pos] === SPACE) {
        if (isShaped) {
          line.fieldShape = layout
          line.fieldShapeVersion = layout.version
        }
        layout.shapeFieldCount = isShaped ? line.fieldCount : 0
        return true
      }
      this.pos++ // the ',' before the next field
    }
  }

  private parseTimestamp(): boolean {
    const buf = this.buf
    while (this.pos < this.end && buf[this.pos] === SPACE) this.pos++
    if (this.pos >= this.end) {
      this.line.timestampUs = this.nowUs
      return true
    }
    const length = this.end - this.pos
    if (buf === this.viewOf && length === this.stampLength && this.stampStart >= 0 && bytesEqualAt(buf, this.view, this.pos, buf, this.view, length, this.stampStart)) {
      this.line.timestampUs = this.stampUs
      return true
    }
    // The rest of the line is the timestamp: parsed first, and only when that fails scanned for a space, the first
    // error to report (one pass over the digits, not two).
    const us = parseTimestampUs(buf, this.pos, this.end, this.unitUs)
    if (us === null) {
      const space = buf.indexOf(SPACE, this.pos)
      return this.fail('BadTimestamp', space >= 0 && space < this.end ? space : this.pos)
    }
    if (Number.isNaN(us)) return this.fail('TimestampOutOfRange', this.pos)
    this.line.timestampUs = us
    if (buf === this.viewOf) {
      this.stampStart = this.pos
      this.stampLength = length
      this.stampUs = us
    }
    return true
  }
}

const EMPTY = Buffer.alloc(0)
const EMPTY_VIEW: DataView = new DataView(new ArrayBuffer(0))

/**
 * One LineParser per precision, shared by every request parsed on one thread (a parse worker, the event loop's
 * inline parses), so the name and series caches stay warm across requests instead of starting cold per request.
 */
export class LineParsers {
  private readonly byPrecision = new Map<IlpPrecision, LineParser>()

  of(precision: IlpPrecision): LineParser {
    let parser = this.byPrecision.get(precision)
    if (parser === undefined) {
      parser = new LineParser(precision)
      this.byPrecision.set(precision, parser)
    }
    return parser
  }
}
