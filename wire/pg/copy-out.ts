// wire/pg/copy-out: COPY … TO STDOUT. The rows come through a ResultCursor like a SELECT's (streamed, with socket
// backpressure and cancel), each encoded by the same codecs as a DataRow (text output or binary send functions), and
// printed as PostgreSQL 15's copyto.c prints them: text (CopyAttributeOutText escapes), CSV (CopyAttributeOutCSV
// quoting), or binary (signature, tuples, trailer). One CopyData per row, as PostgreSQL sends them.
import type { CopyTextFormat, StatementResult } from '../../sql/api.js'
import type { BackendMessage } from './backend.js'
import type { RowSink } from './result-writer.js'
import type { TextSettings } from '../../src/common/datarow-encoder.js'

type CopyOut = Extract<StatementResult, { kind: 'CopyOutResult' }>

const BINARY_HEADER = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1')
const BINARY_TRAILER = Buffer.from([0xff, 0xff])
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' }

/** CopyAttributeOutText: backslash and the delimiter get a backslash, \b \f \n \r \t \v their letters. */
export function copyTextValue(value: string, delimiter: string): string {
  let out = ''
  let runStart = 0
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    const code = value.charCodeAt(i)
    let escaped: string | undefined
    if (code < 0x20) escaped = CONTROL_ESCAPES[c] ?? (c === delimiter ? `\\${c}` : undefined)
    else if (c === '\\' || c === delimiter) escaped = `\\${c}`
    if (escaped === undefined) continue
    out += value.slice(runStart, i) + escaped
    runStart = i + 1
  }
  return runStart === 0 ? value : out + value.slice(runStart)
}

/** CopyAttributeOutCSV: quoted when forced, equal to the NULL string, a lone `\.`, or holding delimiter/quote/CR/LF. */
export function copyCsvValue(value: string, format: CopyTextFormat, isForced: boolean, isSingleColumn: boolean): string {
  const { delimiter, quote, escape, nullString } = format
  let useQuote = isForced || value === nullString || (isSingleColumn && value === '\\.')
  if (!useQuote) {
    for (let i = 0; i < value.length && !useQuote; i++) {
      const c = value[i]
      useQuote = c === delimiter || c === quote || c === '\n' || c === '\r'
    }
  }
  if (!useQuote) return value
  let out = quote
  for (const c of value) out += c === quote || c === escape ? escape + c : c
  return out + quote
}

/** Turns the cursor's DataRows into CopyData messages; everything else passes through to the session. */
export class CopyOutSink implements RowSink {
  /** Each DataRow becomes a COPY row here, so the cursor sends rows one by one, never pre-encoded DataRows. */
  readonly needsRowMessages = true
  private readonly isSingleColumn: boolean
  private isHeaderSent = false

  constructor(private readonly session: RowSink, private readonly copy: CopyOut) {
    this.isSingleColumn = copy.rows.fields.length === 1
  }

  /** Format codes the cursor encodes values in: all binary or all text. */
  get formats(): ReadonlyArray<number> {
    return this.copy.rows.fields.map(() => (this.copy.format === 'binary' ? 1 : 0))
  }

  /** CopyOutResponse, then the binary signature or the HEADER line. */
  start(): void {
    this.session.send({ kind: 'CopyOutResponse', format: this.copy.format === 'binary' ? 1 : 0, columnFormats: this.formats })
    if (this.isHeaderSent) return
    this.isHeaderSent = true
    if (this.copy.format === 'binary') this.pendingHeader = BINARY_HEADER
    else if (this.copy.text.header) this.sendText(this.copy.rows.fields.map((field) => field.name), true)
  }

  /** The binary trailer, then CopyDone. */
  end(): void {
    if (this.copy.format === 'binary') this.sendData(BINARY_TRAILER)
    this.session.send({ kind: 'CopyDone' })
  }

  send(message: BackendMessage): void {
    if (message.kind !== 'DataRow') {
      this.session.send(message)
      return
    }
    if (this.copy.format === 'binary') this.sendBinary(message.values)
    else this.sendText(message.values as ReadonlyArray<string | null>)
  }

  flush(): Promise<void> | undefined {
    return this.session.flush()
  }

  textSettings(): TextSettings {
    return this.session.textSettings()
  }

  /**
   * The binary signature goes out in the same CopyData as the first tuple (or the trailer), as PostgreSQL's
   * CopyToStart leaves it in the row buffer: psycopg's reader strips it from the first message and expects a tuple.
   */
  private pendingHeader: Uint8Array | null = null

  private sendData(data: Uint8Array): void {
    const header = this.pendingHeader
    this.pendingHeader = null
    this.session.send({ kind: 'CopyData', data: header === null ? data : Buffer.concat([header, data]) })
  }

  /** One text or CSV line; FORCE_QUOTE does not apply to the header (PostgreSQL quotes its names only where needed). */
  private sendText(values: ReadonlyArray<string | null>, isHeader = false): void {
    const format = this.copy.text
    const isCsv = this.copy.format === 'csv'
    let line = ''
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += format.delimiter
      const value = values[i]
      if (value === null || value === undefined) line += format.nullString
      else if (isCsv) line += copyCsvValue(value, format, !isHeader && format.forceQuote[i] === true, this.isSingleColumn)
      else line += copyTextValue(value, format.delimiter)
    }
    this.sendData(Buffer.from(`${line}\n`, 'utf8'))
  }

  private sendBinary(values: ReadonlyArray<string | Uint8Array | null>): void {
    let size = 2
    const parts = values.map((value) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value))
    for (const part of parts) size += 4 + (part === null ? 0 : part.byteLength)
    const tuple = Buffer.allocUnsafe(size)
    tuple.writeInt16BE(parts.length, 0)
    let at = 2
    for (const part of parts) {
      tuple.writeInt32BE(part === null ? -1 : part.byteLength, at)
      at += 4
      if (part === null) continue
      tuple.set(part, at)
      at += part.byteLength
    }
    this.sendData(tuple)
  }
}
