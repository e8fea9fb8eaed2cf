// wire/pg/result-writer: result rows → RowDescription / DataRow messages, with the format codes Bind asked for.
// Yields to the socket every ROWS_PER_FLUSH_COUNT rows so a large result honours backpressure instead of piling up.
import { protocolViolation } from '../../src/common/errors.js'
import type { FieldDescription, SqlValue } from '../../sql/api.js'
import type { BackendMessage } from './backend.js'
import { encodeValue } from './codecs/value-codec.js'

const ROWS_PER_FLUSH_COUNT = 1000

export interface RowSink {
  send(message: BackendMessage): void
  /** Hands buffered output to the socket; a promise when the send buffer is over PG_SEND_BUFFER_BYTES_MAX. */
  flush(): Promise<void> | undefined
  /** The session's TimeZone setting, in which timestamptz values are printed as text. */
  sessionTimeZone(): string
}

/** Bind's result formats: none = all text, one = for every column, else one per column (PostgreSQL's rule). */
export function resolveFormats(formats: ReadonlyArray<number>, fieldCount: number): ReadonlyArray<number> {
  if (formats.length === 0) return new Array<number>(fieldCount).fill(0)
  if (formats.length === 1) return new Array<number>(fieldCount).fill(formats[0] ?? 0)
  if (formats.length !== fieldCount) {
    throw protocolViolation(`bind message has ${formats.length} result formats but query has ${fieldCount} columns`)
  }
  return formats
}

/** Sends DataRows for rows[startIndex, endIndex). */
export async function sendRows(
  sink: RowSink,
  fields: ReadonlyArray<FieldDescription>,
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  formats: ReadonlyArray<number>,
  range: { readonly startIndex: number; readonly endIndex: number },
): Promise<void> {
  const timeZone = sink.sessionTimeZone()
  for (let rowIndex = range.startIndex; rowIndex < range.endIndex; rowIndex++) {
    const row = rows[rowIndex] ?? []
    const values = fields.map((field, column) => encodeValue(row[column] ?? null, field.typeOid, formats[column] ?? 0, timeZone))
    sink.send({ kind: 'DataRow', values })
    if ((rowIndex - range.startIndex + 1) % ROWS_PER_FLUSH_COUNT === 0) {
      const drained = sink.flush()
      if (drained !== undefined) await drained
    }
  }
}
