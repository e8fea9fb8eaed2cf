// wire/ilp/ilp-parser: a byte stream of InfluxDB line protocol → per-measurement LineBatches plus per-line errors.
// Resumable: a chunk may end mid-line; the partial line is kept, bounded by the line limit. Pure: no socket, no SQL.
import { assert } from '../../src/common/assert.js'
import { ILP_ERRORS_KEPT_MAX_COUNT, ILP_LINE_BYTES_MAX } from '../../src/common/limits.js'
import type { IlpError, IlpErrorCode } from './ilp-error.js'
import type { IlpPrecision } from './ilp-precision.js'
import type { LineBatch } from './line-batch.js'
import { LineBatchBuilder } from './line-batch-builder.js'
import { LineParser } from './line-parser.js'

const NEWLINE = 10

export interface IlpParseOptions {
  /** Unit of the timestamps in the input (InfluxDB's `precision`); output is always µs. */
  readonly precision: IlpPrecision
  /** Timestamp, in µs, for lines that carry none (the request's arrival time). */
  readonly nowUs: number
  /** Longest accepted line in bytes, without its '\n'; defaults to ILP_LINE_BYTES_MAX. */
  readonly lineBytesMax?: number
  /** Lines already read before this input (a TCP run parsed apart from its stream): the first line is this + 1. */
  readonly lineNumberBase?: number
  /**
   * Rows the input likely holds (its line count, when known): the first measurement's arrays start exactly that
   * large, so a one-measurement payload fills them without growing and finish() hands them over without a copy.
   */
  readonly rowCountHint?: number
}

export interface IlpParseResult {
  /** One batch per measurement with at least one row, in order of each one's first row. */
  readonly batches: LineBatch[]
  /** Rejected lines, in input order; at most ILP_ERRORS_KEPT_MAX_COUNT of them (see errorCount). */
  readonly errors: IlpError[]
  /** Every error, including those not kept in `errors`. */
  readonly errorCount: number
  /** Lines read, including blank lines, comments and rejected lines ('\n'-terminated, plus a final unterminated one). */
  readonly lineCount: number
}

/**
 * feed() chunks in order, then end(). drain() hands over what complete lines produced so far (for a long-lived TCP
 * stream) and starts new batches; line numbers keep counting across drains. Chunks are not retained after feed()
 * returns: the only bytes kept are the current partial line, copied, at most lineBytesMax of them.
 */
export class IlpParser {
  private readonly lineParser: LineParser
  private readonly lineBytesMax: number
  private nowUs: number
  private lineNumber = 0
  private lineNumberAtDrain = 0
  private tail: Buffer = Buffer.alloc(0)
  private tailLength = 0
  private isDiscarding = false
  private isEnded = false
  private builders = new Map<string, LineBatchBuilder>()
  /** The builder the last line went to (one of `builders`), or null. */
  private lastBuilder: LineBatchBuilder | null = null
  private rowCountHint: number
  private errors: IlpError[] = []
  private errorCount = 0

  /**
   * `lineParser` (of the same precision) may be shared with other parsers of this thread, so its name and series
   * caches stay warm from one request to the next; each line is parsed and consumed within one call.
   */
  constructor(options: IlpParseOptions, lineParser?: LineParser) {
    assert(lineParser === undefined || lineParser.precision === options.precision, 'a shared line parser has the same precision')
    this.lineParser = lineParser ?? new LineParser(options.precision)
    this.lineBytesMax = options.lineBytesMax ?? ILP_LINE_BYTES_MAX
    this.nowUs = options.nowUs
    this.lineNumber = options.lineNumberBase ?? 0
    this.lineNumberAtDrain = this.lineNumber
    this.rowCountHint = options.rowCountHint ?? 0
  }

  /** The timestamp given to later lines that carry none (a TCP stream moves it forward per read). */
  setNowUs(nowUs: number): void {
    this.nowUs = nowUs
  }

  /** Lines read since the last drain (rows, errors, blank lines): what a stream bounds before it drains. */
  get pendingLineCount(): number {
    return this.lineNumber - this.lineNumberAtDrain
  }

  /** True while the current line is past lineBytesMax and its bytes are being dropped until its '\n'. */
  get isDiscardingLine(): boolean {
    return this.isDiscarding
  }

  /** True while a line begun by an earlier chunk awaits its '\n' (kept or being discarded). */
  get hasPartialLine(): boolean {
    return this.tailLength > 0 || this.isDiscarding
  }

  /**
   * Counts `count` lines parsed elsewhere (by the parse pool) as read, and returns the number of the line before
   * them. Only between lines, with nothing pending: what was parsed here must be drained first, to keep order.
   */
  skipLines(count: number): number {
    assert(!this.hasPartialLine && this.pendingLineCount === 0 && !this.isEnded, 'IlpParser.skipLines mid-stream')
    const base = this.lineNumber
    this.lineNumber += count
    this.lineNumberAtDrain = this.lineNumber
    return base
  }

  feed(chunk: Buffer): void {
    assert(!this.isEnded, 'IlpParser.feed after end')
    const length = chunk.length
    let pos = 0
    if (this.isDiscarding || this.tailLength > 0) {
      const newline = chunk.indexOf(NEWLINE)
      if (newline < 0) {
        this.keepPartialLine(chunk, 0, length)
        return
      }
      this.finishPartialLine(chunk, newline)
      pos = newline + 1
    }
    pos = this.readLines(chunk, pos)
    if (pos < length) this.keepPartialLine(chunk, pos, length)
  }

  /**
   * Reads the complete lines of chunk[pos, …) and returns where the rest starts. Its own function: optimised on
   * stack while in this loop, feed() deoptimised at the first code after it (no feedback yet), once per chunk.
   */
  private readLines(chunk: Buffer, pos: number): number {
    this.lineParser.bind(chunk)
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, pos)
      if (newline < 0) break
      this.readLine(chunk, pos, newline)
      pos = newline + 1
    }
    this.lineParser.release()
    return pos
  }

  /** Parses a final line without '\n', if any, and returns everything not yet drained. The parser is done after. */
  end(): IlpParseResult {
    if (!this.isEnded && this.tailLength > 0) {
      this.readLine(this.tail, 0, this.tailLength)
      this.tailLength = 0
    }
    this.isEnded = true
    this.tail = Buffer.alloc(0)
    return this.drain()
  }

  drain(): IlpParseResult {
    const result: IlpParseResult = {
      batches: Array.from(this.builders.values(), (builder) => builder.finish()),
      errors: this.errors,
      errorCount: this.errorCount,
      lineCount: this.lineNumber - this.lineNumberAtDrain,
    }
    this.builders = new Map()
    this.lastBuilder = null
    this.errors = []
    this.errorCount = 0
    this.lineNumberAtDrain = this.lineNumber
    return result
  }

  /** The rest of a line begun in an earlier chunk ends at chunk[newline]. */
  private finishPartialLine(chunk: Buffer, newline: number): void {
    if (this.isDiscarding) {
      this.isDiscarding = false
      return
    }
    const length = this.tailLength + newline
    if (length > this.lineBytesMax) {
      this.lineNumber++
      this.report('LineTooLong', this.lineBytesMax + 1)
    } else {
      this.appendToTail(chunk, 0, newline)
      this.readLine(this.tail, 0, length)
    }
    this.tailLength = 0
  }

  /** chunk[start, end) has no '\n': keep it for the next chunk, or drop the line once it exceeds the bound. */
  private keepPartialLine(chunk: Buffer, start: number, end: number): void {
    if (this.isDiscarding) return
    if (this.tailLength + (end - start) > this.lineBytesMax) {
      this.lineNumber++
      this.report('LineTooLong', this.lineBytesMax + 1)
      this.tailLength = 0
      this.isDiscarding = true
      return
    }
    this.appendToTail(chunk, start, end)
  }

  private appendToTail(chunk: Buffer, start: number, end: number): void {
    const length = this.tailLength + (end - start)
    if (length > this.tail.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.lineBytesMax, Math.max(length, 2 * this.tail.length, 256)))
      this.tail.copy(grown, 0, 0, this.tailLength)
      this.tail = grown
    }
    chunk.copy(this.tail, this.tailLength, start, end)
    this.tailLength = length
  }

  private readLine(buf: Buffer, start: number, end: number): void {
    const lineNumber = ++this.lineNumber
    if (end - start > this.lineBytesMax) {
      this.report('LineTooLong', this.lineBytesMax + 1)
      return
    }
    const parser = this.lineParser
    const result = parser.parse(buf, start, end, this.nowUs)
    if (result === 'LineSkipped') return
    if (result === 'LineError') {
      this.report(parser.errorCode, parser.errorColumn)
      return
    }
    const line = parser.line
    // Lines mostly repeat the previous line's measurement, an interned string: an identity check before the Map.
    let builder = line.measurement === this.lastBuilder?.measurement ? this.lastBuilder : this.builders.get(line.measurement)
    if (builder === undefined) {
      builder = new LineBatchBuilder(line.measurement, this.rowCountHint)
      this.rowCountHint = 0 // only the first measurement: others start small rather than each at the whole input's size
      this.builders.set(line.measurement, builder)
    }
    this.lastBuilder = builder
    if (builder.append(line, lineNumber)) return
    this.report(builder.errorCode, builder.errorColumn)
    if (builder.rowCount === 0) { // batches appear with their first row
      this.builders.delete(line.measurement)
      this.lastBuilder = null
    }
  }

  private report(code: IlpErrorCode, column: number): void {
    this.errorCount++
    if (this.errors.length < ILP_ERRORS_KEPT_MAX_COUNT) this.errors.push({ line: this.lineNumber, column, code })
  }
}

/** Parses a whole request body in one call: the same result as one feed() and end(). */
export function parseLines(input: Buffer, options: IlpParseOptions, lineParser?: LineParser): IlpParseResult {
  const parser = new IlpParser(options, lineParser)
  parser.feed(input)
  return parser.end()
}
