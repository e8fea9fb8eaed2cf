// sql/exec/copy-text: COPY's text and CSV formats, bytes → records of fields, as PostgreSQL 15's copyfromparse.c
// reads them. Input arrives in arbitrary chunks: complete lines are decoded (UTF-8, invalid bytes are 22021) and
// parsed at once, the incomplete tail waits for the next chunk. A field is a string, or null when it matched the NULL
// string (text: the raw field before de-escaping; CSV: unquoted, unless FORCE_NOT_NULL / FORCE_NULL say otherwise).
// Line endings are detected on the first line (\n or \r\n) and must not change; `\.` alone on a line ends the data.
import { isUtf8 } from 'node:buffer'
import { badCopyFileFormat, featureNotSupportedMessage } from '../../src/common/errors.js'
import { decodeUtf8, firstInvalid, unescapeText } from './copy-decode.js'
import type { CopyFastLines } from './copy-fast.js'
import type { CopyOptions } from './copy-options.js'

/** One record: its fields, its 1-based line number (records, as PostgreSQL counts them) and its raw text. */
export type RecordHandler = (fields: ReadonlyArray<string | null>, line: number, raw: string) => void

type Eol = 'unknown' | 'nl' | 'crnl'

const NEWLINE_BYTE = 0x0a

/** The parser of one COPY FROM in text or CSV format. */
export class CopyTextParser {
  private pending = ''
  private tail: Buffer = Buffer.alloc(0)
  private eol: Eol = 'unknown'
  private lineCount = 0
  private isDone = false
  /** CSV: index in `pending` of the next quote character at or after the record being parsed (Infinity: none). */
  private quoteAt = -1
  private readonly isCsv: boolean
  /** Whether the text being parsed holds any \r at all: most COPY data has none, and its lines skip the check. */
  private hasCarriageReturn = true

  constructor(
    private readonly options: CopyOptions,
    private readonly forceNotNull: ReadonlyArray<boolean>,
    private readonly forceNull: ReadonlyArray<boolean>,
    private readonly onRecord: RecordHandler,
    /** Takes runs of plain lines (no escapes, quotes or \r) without making strings; see copy-fast.ts. */
    private readonly fast: CopyFastLines | null = null,
  ) {
    this.isCsv = options.format === 'csv'
  }

  /** The raw text of a record that failed inside the parser (an unterminated quote), for the error's CONTEXT. */
  failedRaw: string | null = null

  /** The line being parsed (for errors raised outside a record, such as invalid UTF-8). */
  get line(): number {
    return this.failedLine ?? this.lineCount + 1
  }

  /** Set when the current record failed inside the parser: its line, counted already. */
  private failedLine: number | null = null

  private failLine(error: Error): Error {
    this.failedLine = this.lineCount
    return error
  }

  /** Unparsed input held between chunks, in bytes (approximately, for the budget). */
  get heldBytes(): number {
    return this.pending.length + this.tail.length
  }

  push(chunk: Uint8Array): void {
    if (this.isDone) return
    const bytes = this.tail.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.tail, chunk])
    const lastNewline = bytes.lastIndexOf(NEWLINE_BYTE)
    if (lastNewline < 0) {
      this.tail = Buffer.from(bytes) // a copy: the chunk may be a view into a socket buffer
      return
    }
    this.tail = Buffer.from(bytes.subarray(lastNewline + 1))
    let lines = bytes.subarray(0, lastNewline + 1)
    if (this.fast !== null && this.isPlain(lines)) {
      const { end, lineCount } = this.fast.parse(lines)
      this.lineCount += lineCount
      lines = lines.subarray(end)
      if (lines.length === 0) return
    }
    this.decodeAndParse(lines, false)
  }

  /** Lines the fast path may take: \n endings known, nothing held, no byte that needs the string path's rules. */
  private isPlain(lines: Buffer): boolean {
    if (this.eol !== 'nl' || this.pending !== '' || this.isDone) return false
    if (lines.indexOf(0x0d) >= 0 || lines.indexOf(0) >= 0 || !this.hasOnlyNullEscapes(lines)) return false
    return (!this.isCsv || lines.indexOf(this.options.quote) < 0) && isUtf8(lines)
  }

  /**
   * No backslash, or (text format with the default NULL string) every backslash starts a whole `\N` field: those
   * fields are the NULL string as raw bytes, and nothing needs un-escaping (a `\.`, `\\` or `\n` sends the lines to
   * the string path).
   */
  private hasOnlyNullEscapes(lines: Buffer): boolean {
    let at = lines.indexOf(0x5c)
    if (at < 0) return true
    if (this.isCsv || this.options.nullString !== '\\N') return false
    const delimiter = this.options.delimiter.charCodeAt(0)
    for (; at >= 0; at = lines.indexOf(0x5c, at + 3)) {
      const before = at === 0 ? NEWLINE_BYTE : lines[at - 1]
      const after = lines[at + 2]
      if (lines[at + 1] !== 0x4e || (before !== NEWLINE_BYTE && before !== delimiter)) return false
      if (after !== NEWLINE_BYTE && after !== delimiter) return false
    }
    return true
  }

  /** Invalid UTF-8 fails the line that holds it, after the lines before it were parsed (PostgreSQL's order). */
  private decodeAndParse(bytes: Buffer, isFinal: boolean): void {
    let text: string
    try {
      text = decodeUtf8(bytes)
    } catch (error) {
      const lineStart = bytes.lastIndexOf(NEWLINE_BYTE, Math.max(0, firstInvalid(bytes))) + 1
      this.pending += decodeUtf8(bytes.subarray(0, lineStart))
      this.parse(false)
      throw error
    }
    this.pending += text
    this.parse(isFinal)
  }

  /** CopyDone: parses what is left; a last line without a newline is a record too. */
  end(): void {
    if (this.isDone) return
    const tail = this.tail
    this.tail = Buffer.alloc(0)
    this.decodeAndParse(tail, true)
    this.isDone = true
  }

  private parse(isFinal: boolean): void {
    const text = this.pending
    this.quoteAt = -1
    this.hasCarriageReturn = text.includes('\r')
    let pos = 0
    while (pos < text.length && !this.isDone) {
      const next = this.isCsv ? this.csvRecord(text, pos, isFinal) : this.textRecord(text, pos, isFinal)
      if (next < 0) break
      pos = next
    }
    this.pending = this.isDone ? '' : text.slice(pos)
  }

  /** The end of the line starting at `start` (index of its \n), skipping backslash-escaped newlines; -1 if none yet. */
  private textLineEnd(text: string, start: number): number {
    let newline = text.indexOf('\n', start)
    while (newline > start) {
      let backslashes = 0
      for (let i = newline - 1; i >= start && text.charCodeAt(i) === 0x5c; i--) backslashes++
      if (backslashes % 2 === 0) break
      newline = text.indexOf('\n', newline + 1)
    }
    return newline
  }

  /** Line endings: fixed by the first line, and a carriage return inside data is refused as PostgreSQL refuses it. */
  private lineBody(line: string, hasNewline: boolean): string {
    if (this.eol === 'unknown' && hasNewline) this.eol = line.endsWith('\r') ? 'crnl' : 'nl'
    if (this.eol === 'nl' && !this.hasCarriageReturn) return line
    let body = line
    if (this.eol === 'crnl' && hasNewline) {
      if (!line.endsWith('\r')) throw this.failLine(badCopyFileFormat(this.isCsv ? 'unquoted newline found in data' : 'literal newline found in data',
        this.isCsv ? 'Use quoted CSV field to represent newline.' : 'Use "\\n" to represent newline.'))
      body = line.slice(0, -1)
    }
    if (body.includes('\r')) {
      if (this.lineCount === 1) throw featureNotSupportedMessage('COPY data with carriage-return line endings is not supported')
      throw this.failLine(badCopyFileFormat(this.isCsv ? 'unquoted carriage return found in data' : 'literal carriage return found in data',
        this.isCsv ? 'Use quoted CSV field to represent carriage return.' : 'Use "\\r" to represent carriage return.'))
    }
    return body
  }

  private textRecord(text: string, start: number, isFinal: boolean): number {
    let end = this.textLineEnd(text, start)
    if (end < 0 && !isFinal) return -1
    const hasNewline = end >= 0
    if (!hasNewline) end = text.length
    this.lineCount++
    let line = this.lineBody(text.slice(start, end), hasNewline)
    const hasBackslash = line.includes('\\')
    const marker = hasBackslash ? line.indexOf('\\.') : -1
    if (marker >= 0 && this.isEndMarker(line, marker)) {
      line = line.slice(0, marker)
      this.isDone = true
      if (line === '') return end + 1
    }
    this.onRecord(this.textFields(line, hasBackslash), this.lineCount, line)
    return end + 1
  }

  /** `\.` (not itself escaped) ends the data when the line ends right after it; anywhere else it is corrupt. */
  private isEndMarker(line: string, marker: number): boolean {
    let at = marker
    while (at >= 0) {
      let backslashes = 0
      for (let i = at - 1; i >= 0 && line.charCodeAt(i) === 0x5c; i--) backslashes++
      if (backslashes % 2 === 0) {
        if (at + 2 !== line.length) throw this.failLine(badCopyFileFormat('end-of-copy marker corrupt'))
        return true
      }
      at = line.indexOf('\\.', at + 2)
    }
    return false
  }

  private textFields(line: string, hasBackslash: boolean): Array<string | null> {
    const { delimiter, nullString } = this.options
    if (!hasBackslash) {
      const parts: Array<string | null> = line.split(delimiter)
      // A NULL string holding a backslash (the default \N) cannot match a field of a line without one.
      if (nullString.includes('\\')) return parts
      for (let i = 0; i < parts.length; i++) if (parts[i] === nullString) parts[i] = null
      return parts
    }
    const fields: Array<string | null> = []
    let fieldStart = 0
    for (let i = 0; i <= line.length; i++) {
      const c = line[i]
      if (c === '\\') {
        i++
        continue
      }
      if (c !== delimiter && i < line.length) continue
      const raw = line.slice(fieldStart, i)
      fields.push(raw === nullString ? null : unescapeText(raw))
      fieldStart = i + 1
    }
    return fields
  }

  private csvRecord(text: string, start: number, isFinal: boolean): number {
    if (this.quoteAt !== Infinity && this.quoteAt < start) {
      const found = text.indexOf(this.options.quote, start)
      this.quoteAt = found < 0 ? Infinity : found
    }
    const newline = text.indexOf('\n', start)
    if (newline >= 0 && this.quoteAt > newline) return this.simpleCsvRecord(text, start, newline)
    const scanned = this.scanCsv(text, start, isFinal)
    if (scanned === null) return -1
    const raw = text.slice(start, scanned.rawEnd)
    if (this.isCsvEndMarker(raw, scanned.fields)) return scanned.end + 1
    this.onRecord(scanned.fields, this.lineCount, raw)
    return scanned.end + 1
  }

  /** A CSV record's terminator must match the first line's. */
  private checkCsvEol(isCrnl: boolean): void {
    if (this.eol === 'unknown') this.eol = isCrnl ? 'crnl' : 'nl'
    if (this.eol === 'nl' && isCrnl) throw this.failLine(badCopyFileFormat('unquoted carriage return found in data', 'Use quoted CSV field to represent carriage return.'))
    if (this.eol === 'crnl' && !isCrnl) throw this.failLine(badCopyFileFormat('unquoted newline found in data', 'Use quoted CSV field to represent newline.'))
  }

  private isCsvEndMarker(raw: string, fields: ReadonlyArray<string | null>): boolean {
    if (raw !== '\\.' || fields.length !== 1) return false
    this.isDone = true
    return true
  }

  /** A CSV line without quote characters: split on the delimiter. */
  private simpleCsvRecord(text: string, start: number, newline: number): number {
    this.lineCount++
    const line = this.lineBody(text.slice(start, newline), true)
    const fields: Array<string | null> = line.split(this.options.delimiter)
    if (this.isCsvEndMarker(line, fields)) return newline + 1
    for (let i = 0; i < fields.length; i++) {
      if (fields[i] === this.options.nullString && this.forceNotNull[i] !== true) fields[i] = null
    }
    this.onRecord(fields, this.lineCount, line)
    return newline + 1
  }

  /** CopyReadAttributesCSV over a record that may span lines inside quotes; null when more input is needed. */
  private scanCsv(text: string, start: number, isFinal: boolean): { fields: Array<string | null>; end: number; rawEnd: number } | null {
    const { delimiter, quote, escape, nullString } = this.options
    const fields: Array<string | null> = []
    let value = ''
    let sawQuote = false
    let inQuote = false
    const finishField = (): void => {
      const index = fields.length
      const isNull = (!sawQuote && value === nullString && this.forceNotNull[index] !== true) ||
        (sawQuote && this.forceNull[index] === true && value === nullString)
      fields.push(isNull ? null : value)
      value = ''
      sawQuote = false
    }
    for (let i = start; ; i++) {
      if (i >= text.length) {
        if (!isFinal) return null
        this.lineCount++
        if (inQuote) {
          this.failedRaw = text.slice(start)
          throw this.failLine(badCopyFileFormat('unterminated CSV quoted field'))
        }
        finishField()
        return { fields, end: text.length, rawEnd: text.length }
      }
      const c = text[i]!
      if (inQuote) {
        if (c === escape && i + 1 < text.length && (text[i + 1] === escape || text[i + 1] === quote)) value += text[++i]
        else if (c === quote) inQuote = false
        else value += c
        continue
      }
      if (c === '\r' && text[i + 1] === '\n') continue
      if (c === '\n') {
        this.lineCount++
        const isCrnl = i > start && text[i - 1] === '\r'
        this.checkCsvEol(isCrnl)
        finishField()
        return { fields, end: i, rawEnd: isCrnl ? i - 1 : i }
      }
      if (c === '\r') {
        this.lineCount++
        throw this.failLine(badCopyFileFormat('unquoted carriage return found in data', 'Use quoted CSV field to represent carriage return.'))
      }
      if (c === delimiter) finishField()
      else if (c === quote) {
        sawQuote = true
        inQuote = true
      } else value += c
    }
  }
}
