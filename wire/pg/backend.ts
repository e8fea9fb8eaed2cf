// wire/pg/backend: BackendMessage → bytes, named as in PostgreSQL's protocol docs ("Message Formats").
// Writes into a BufferWriter that reserves each 5-byte header; payload-free messages are pre-built once.
import { assertNever } from '../../src/common/assert.js'
import type { DbError } from '../../src/common/errors.js'
import type { FieldDescription } from '../../sql/api.js'
import { PG_CONSTANT_ANSWER_BYTES_MAX } from '../../src/common/limits.js'
import { BufferWriter } from './buffer-writer.js'

/** Backend message type bytes. */
export const enum BackendCode {
  ParseComplete = 0x31, // 1
  BindComplete = 0x32, // 2
  CloseComplete = 0x33, // 3
  CommandComplete = 0x43, // C
  DataRow = 0x44, // D
  ErrorResponse = 0x45, // E
  EmptyQueryResponse = 0x49, // I
  BackendKeyData = 0x4b, // K
  NoticeResponse = 0x4e, // N
  Authentication = 0x52, // R
  ParameterStatus = 0x53, // S
  RowDescription = 0x54, // T
  ReadyForQuery = 0x5a, // Z
  NoData = 0x6e, // n
  PortalSuspended = 0x73, // s
  ParameterDescription = 0x74, // t
  NegotiateProtocolVersion = 0x76, // v
  CopyInResponse = 0x47, // G
  CopyOutResponse = 0x48, // H
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  NotificationResponse = 0x41, // A
}

export type TransactionStatus = 'I' | 'T' | 'E'

export type BackendMessage =
  | { readonly kind: 'AuthenticationOk' }
  | { readonly kind: 'ParameterStatus'; readonly name: string; readonly value: string }
  | { readonly kind: 'BackendKeyData'; readonly pid: number; readonly secret: number }
  | { readonly kind: 'NegotiateProtocolVersion'; readonly minorVersion: number; readonly options: ReadonlyArray<string> }
  | { readonly kind: 'ReadyForQuery'; readonly status: TransactionStatus }
  | { readonly kind: 'RowDescription'; readonly fields: ReadonlyArray<FieldDescription>; readonly formats: ReadonlyArray<number> }
  | DataRow
  /** DataRow messages already encoded whole (codecs/datarow-batch.ts): copied into the output as they are. */
  /** isImmutable: the bytes are never written again (the cores' DataRows), so they may go to the socket uncopied. */
  | { readonly kind: 'DataRows'; readonly bytes: Uint8Array; readonly rowCount: number; readonly isImmutable?: boolean }
  | { readonly kind: 'CommandComplete'; readonly tag: string }
  | { readonly kind: 'EmptyQueryResponse' }
  | { readonly kind: 'ErrorResponse'; readonly error: DbError }
  | { readonly kind: 'NoticeResponse'; readonly notice: DbError }
  | { readonly kind: 'ParseComplete' }
  | { readonly kind: 'BindComplete' }
  | { readonly kind: 'CloseComplete' }
  | { readonly kind: 'NoData' }
  | { readonly kind: 'ParameterDescription'; readonly typeOids: ReadonlyArray<number> }
  | { readonly kind: 'PortalSuspended' }
  /** Overall format 0 (text, CSV) or 1 (binary), and one format code per column. */
  | { readonly kind: 'CopyInResponse' | 'CopyOutResponse'; readonly format: number; readonly columnFormats: ReadonlyArray<number> }
  | { readonly kind: 'CopyData'; readonly data: Uint8Array }
  | { readonly kind: 'CopyDone' }
  /** LISTEN/NOTIFY: the notifying session's pid, the channel, the payload ('' when none). */
  | { readonly kind: 'NotificationResponse'; readonly pid: number; readonly channel: string; readonly payload: string }

/** Column values already encoded by codecs/: string = text format, Uint8Array = binary format, null = NULL. */
export interface DataRow {
  readonly kind: 'DataRow'
  readonly values: ReadonlyArray<string | Uint8Array | null>
}

function prebuilt(code: BackendCode, payload: ReadonlyArray<number> = []): Buffer {
  return Buffer.from([code, 0, 0, 0, 4 + payload.length, ...payload])
}

// Payload-free (or constant) messages, built once and copied into the output (pg-protocol's flushBuffer idea).
const AUTHENTICATION_OK = prebuilt(BackendCode.Authentication, [0, 0, 0, 0])
const EMPTY_QUERY_RESPONSE = prebuilt(BackendCode.EmptyQueryResponse)
const PARSE_COMPLETE = prebuilt(BackendCode.ParseComplete)
const BIND_COMPLETE = prebuilt(BackendCode.BindComplete)
const CLOSE_COMPLETE = prebuilt(BackendCode.CloseComplete)
const NO_DATA = prebuilt(BackendCode.NoData)
const PORTAL_SUSPENDED = prebuilt(BackendCode.PortalSuspended)
const COPY_DONE = prebuilt(BackendCode.CopyDone)
const READY_FOR_QUERY: Readonly<Record<TransactionStatus, Buffer>> = {
  I: prebuilt(BackendCode.ReadyForQuery, [0x49]),
  T: prebuilt(BackendCode.ReadyForQuery, [0x54]),
  E: prebuilt(BackendCode.ReadyForQuery, [0x45]),
}

/** The payload-free messages as values: sent without an object per message (a round trip answers several). */
export const PAYLOAD_FREE = Object.freeze({
  ParseComplete: Object.freeze({ kind: 'ParseComplete' }), BindComplete: Object.freeze({ kind: 'BindComplete' }),
  CloseComplete: Object.freeze({ kind: 'CloseComplete' }), NoData: Object.freeze({ kind: 'NoData' }),
  EmptyQueryResponse: Object.freeze({ kind: 'EmptyQueryResponse' }), PortalSuspended: Object.freeze({ kind: 'PortalSuspended' }),
} as const)

/** Appends one message to the writer (a session's RowDescription through what it keeps of its last one). */
export function writeBackend(writer: BufferWriter, message: BackendMessage, kept?: KeptRowDescription): void {
  switch (message.kind) {
    case 'AuthenticationOk': writer.bytes(AUTHENTICATION_OK); return
    case 'EmptyQueryResponse': writer.bytes(EMPTY_QUERY_RESPONSE); return
    case 'ParseComplete': writer.bytes(PARSE_COMPLETE); return
    case 'BindComplete': writer.bytes(BIND_COMPLETE); return
    case 'CloseComplete': writer.bytes(CLOSE_COMPLETE); return
    case 'NoData': writer.bytes(NO_DATA); return
    case 'PortalSuspended': writer.bytes(PORTAL_SUSPENDED); return
    case 'ReadyForQuery': writer.bytes(READY_FOR_QUERY[message.status]); return
    case 'ParameterStatus':
      writer.start(BackendCode.ParameterStatus).cstring(message.name).cstring(message.value).end()
      return
    case 'BackendKeyData':
      writer.start(BackendCode.BackendKeyData).int32(message.pid).int32(message.secret | 0).end()
      return
    case 'NegotiateProtocolVersion': writeNegotiate(writer, message.minorVersion, message.options); return
    case 'CommandComplete': writer.start(BackendCode.CommandComplete).cstring(message.tag).end(); return
    case 'DataRow': writeDataRow(writer, message.values); return
    case 'DataRows':
      if (message.isImmutable === true) writer.attach(message.bytes)
      else writer.bytes(message.bytes)
      return
    case 'RowDescription':
      if (kept === undefined) writeRowDescription(writer, message.fields, message.formats)
      else kept.write(writer, message.fields, message.formats)
      return
    case 'ParameterDescription': writeParameterDescription(writer, message.typeOids); return
    case 'ErrorResponse': writeErrorFields(writer, BackendCode.ErrorResponse, message.error); return
    case 'NoticeResponse': writeErrorFields(writer, BackendCode.NoticeResponse, message.notice); return
    case 'CopyInResponse': case 'CopyOutResponse': writeCopyResponse(writer, message.kind, message.format, message.columnFormats); return
    case 'CopyData': writer.start(BackendCode.CopyData).bytes(message.data).end(); return
    case 'CopyDone': writer.bytes(COPY_DONE); return
    case 'NotificationResponse':
      writer.start(BackendCode.NotificationResponse).int32(message.pid).cstring(message.channel).cstring(message.payload).end()
      return
    default: assertNever(message)
  }
}

function writeNegotiate(writer: BufferWriter, minorVersion: number, options: ReadonlyArray<string>): void {
  writer.start(BackendCode.NegotiateProtocolVersion).int32(minorVersion).int32(options.length)
  for (const option of options) writer.cstring(option)
  writer.end()
}

/** CopyInResponse / CopyOutResponse: int8 overall format, int16 column count, int16 format per column. */
function writeCopyResponse(writer: BufferWriter, kind: 'CopyInResponse' | 'CopyOutResponse', format: number, columnFormats: ReadonlyArray<number>): void {
  writer.start(kind === 'CopyInResponse' ? BackendCode.CopyInResponse : BackendCode.CopyOutResponse).byte(format).int16(columnFormats.length)
  for (const columnFormat of columnFormats) writer.int16(columnFormat)
  writer.end()
}

/**
 * One session's last RowDescription, kept as bytes once the same columns come twice in a row with the same formats:
 * a driver that describes its unnamed statement before each Execute (node-postgres) has them encoded once. The
 * fields are sql's description, the same object while its statement is cached; another object is another message.
 */
export class KeptRowDescription {
  private fields: ReadonlyArray<FieldDescription> | null = null
  private formats: ReadonlyArray<number> = []
  private bytes: Buffer | null = null

  write(writer: BufferWriter, fields: ReadonlyArray<FieldDescription>, formats: ReadonlyArray<number>): void {
    const isSame = fields === this.fields && isSameNumbers(formats, this.formats)
    if (isSame && this.bytes !== null) {
      writer.bytes(this.bytes)
      return
    }
    const mark = isSame ? writer.mark() : null
    writeRowDescription(writer, fields, formats)
    this.bytes = mark === null ? null : writer.copySince(mark, PG_CONSTANT_ANSWER_BYTES_MAX)
    this.fields = fields
    this.formats = formats
  }
}

/** Format codes or type OIDs, element by element. */
export function isSameNumbers(a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** RowDescription: per field name, table OID, attnum, type OID, typlen, typmod, format code. */
function writeRowDescription(writer: BufferWriter, fields: ReadonlyArray<FieldDescription>, formats: ReadonlyArray<number>): void {
  writer.start(BackendCode.RowDescription).int16(fields.length)
  fields.forEach((field, index) => {
    writer.cstring(field.name).int32(field.tableOid).int16(field.columnAttr).int32(field.typeOid)
    writer.int16(field.typeSize).int32(field.typeModifier).int16(formats[index] ?? 0)
  })
  writer.end()
}

function writeParameterDescription(writer: BufferWriter, typeOids: ReadonlyArray<number>): void {
  writer.start(BackendCode.ParameterDescription).int16(typeOids.length)
  for (const oid of typeOids) writer.int32(oid | 0)
  writer.end()
}

/** ErrorResponse / NoticeResponse: S, V, C, M always; D, H, P, t, c, d when present; a zero byte ends the list. */
function writeErrorFields(writer: BufferWriter, code: BackendCode, error: DbError): void {
  writer.start(code)
  const field = (type: string, value: string | number | undefined): void => {
    if (value === undefined) return
    writer.byte(type.charCodeAt(0)).cstring(String(value))
  }
  field('S', error.severity)
  field('V', error.severity)
  field('C', error.code)
  field('M', error.message)
  field('D', error.detail)
  field('H', error.hint)
  field('P', error.position)
  field('W', error.where)
  field('t', error.table)
  field('c', error.column)
  field('d', error.dataType)
  writer.byte(0)
  writer.end()
}

/** DataRow: int16 column count, then per column an int32 length (-1 for NULL) and the encoded bytes. */
function writeDataRow(writer: BufferWriter, values: ReadonlyArray<string | Uint8Array | null>): void {
  writer.start(BackendCode.DataRow).int16(values.length)
  for (const value of values) {
    if (value === null) writer.int32(-1)
    else if (typeof value === 'string') writer.lengthPrefixedString(value)
    else writer.int32(value.length).bytes(value)
  }
  writer.end()
}
