// wire/pg/frontend: frame bodies → FrontendMessage, a closed union named as in PostgreSQL's protocol docs.
// Knows nothing of sockets or sessions; malformed contents become 08P01 (unknown type bytes: FATAL 08P01).
import { DbError, fatalProtocolViolation, protocolViolation } from '../../src/common/errors.js'
import { BufferReader, type RecentString } from './buffer-reader.js'

/** Frontend message type bytes (PostgreSQL docs, "Message Formats"). */
export const enum FrontendCode {
  Bind = 0x42, // B
  Close = 0x43, // C
  Describe = 0x44, // D
  Execute = 0x45, // E
  FunctionCall = 0x46, // F
  Flush = 0x48, // H
  Parse = 0x50, // P
  Query = 0x51, // Q
  Sync = 0x53, // S
  Terminate = 0x58, // X
  CopyFail = 0x66, // f
  CopyDone = 0x63, // c
  CopyData = 0x64, // d
  PasswordMessage = 0x70, // p
}

/** Int32 codes that replace the protocol version in pre-startup packets. */
export const enum StartupCode {
  ProtocolVersion3 = 196608, // 3.0
  CancelRequest = 80877102, // 1234.5678
  SSLRequest = 80877103, // 1234.5679
  GSSENCRequest = 80877104, // 1234.5680
}

export type FrontendMessage =
  | { readonly kind: 'StartupMessage'; readonly protocolVersion: number; readonly params: ReadonlyMap<string, string> }
  | { readonly kind: 'SSLRequest' }
  | { readonly kind: 'GSSENCRequest' }
  | { readonly kind: 'CancelRequest'; readonly pid: number; readonly secret: number }
  | { readonly kind: 'Query'; readonly text: string }
  | { readonly kind: 'Parse'; readonly name: string; readonly text: string; readonly paramTypeOids: ReadonlyArray<number> }
  | Bind
  | { readonly kind: 'Describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'Sync' }
  | { readonly kind: 'Flush' }
  | { readonly kind: 'Close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'Terminate' }
  | { readonly kind: 'PasswordMessage' }
  /** `data` is a view into the socket chunk: whoever keeps bytes of it copies them. */
  | { readonly kind: 'CopyData'; readonly data: Buffer }
  | { readonly kind: 'CopyDone' }
  | { readonly kind: 'CopyFail'; readonly message: string }

export interface Bind {
  readonly kind: 'Bind'
  readonly portal: string
  readonly statement: string
  readonly paramFormats: ReadonlyArray<number>
  /** Raw parameter bytes (views into the frame), null for SQL NULL; formats are applied by the session. */
  readonly paramValues: ReadonlyArray<Buffer | null>
  readonly resultFormats: ReadonlyArray<number>
}

/** The message a decode failure belongs to, so the session can choose its recovery (skip to Sync or not). */
export class FrontendDecodeError {
  constructor(readonly error: DbError, readonly isExtendedQuery: boolean) {}
}

/** Decodes a startup-phase packet body (after its length): StartupMessage, SSLRequest, GSSENCRequest, CancelRequest. */
export function decodeStartup(body: Buffer): FrontendMessage {
  const reader = new BufferReader(body, 'startup')
  const code = reader.int32()
  if (code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest) {
    if (reader.remainingByteCount !== 0) throw fatalProtocolViolation('invalid length of startup packet')
    return code === StartupCode.SSLRequest ? { kind: 'SSLRequest' } : { kind: 'GSSENCRequest' }
  }
  if (code === StartupCode.CancelRequest) {
    if (reader.remainingByteCount !== 8) throw fatalProtocolViolation('invalid length of startup packet')
    return { kind: 'CancelRequest', pid: reader.int32(), secret: reader.int32() >>> 0 }
  }
  // The version is checked before the parameters (PostgreSQL's order): a 2.0 packet has a different layout.
  const isVersion3 = code >>> 16 === 3
  const params = isVersion3 ? decodeStartupParams(body.subarray(4)) : new Map<string, string>()
  return { kind: 'StartupMessage', protocolVersion: code >>> 0, params }
}

/** `key\0value\0 … \0`: the final byte must be the terminator (PostgreSQL's "invalid startup packet layout"). */
function decodeStartupParams(bytes: Buffer): Map<string, string> {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0) {
    throw fatalProtocolViolation('invalid startup packet layout: expected terminator as last byte')
  }
  const params = new Map<string, string>()
  const reader = new BufferReader(bytes.subarray(0, bytes.length - 1), 'startup')
  try {
    while (reader.remainingByteCount > 0) {
      const key = reader.cstring()
      const value = reader.cstring()
      params.set(key, value)
    }
  } catch (error) {
    throw error instanceof DbError ? fatalProtocolViolation(error.message) : error
  }
  return params
}

/**
 * Decodes a typed frame: its body is `bytes` from `start` to `end`; `recentText` keeps the last text of its kind (a
 * Query's or a Parse's). Throws FrontendDecodeError; an unknown type byte is FATAL (stream meaning is lost).
 */
export function decodeFrontend(code: number, bytes: Buffer, start = 0, end = bytes.length, recentText?: RecentString): FrontendMessage {
  const isExtended = isExtendedQueryCode(code)
  try {
    return decodeTyped(code, bytes, start, end, recentText)
  } catch (error) {
    if (error instanceof DbError) throw new FrontendDecodeError(error, isExtended)
    throw error
  }
}

function isExtendedQueryCode(code: number): boolean {
  return code === FrontendCode.Parse || code === FrontendCode.Bind || code === FrontendCode.Describe ||
    code === FrontendCode.Execute || code === FrontendCode.Close || code === FrontendCode.Flush ||
    code === FrontendCode.Sync
}

// Messages without contents are one immutable object each: a driver's round trip ends with a Sync every time.
const SYNC: FrontendMessage = Object.freeze({ kind: 'Sync' })
const FLUSH: FrontendMessage = Object.freeze({ kind: 'Flush' })
const TERMINATE: FrontendMessage = Object.freeze({ kind: 'Terminate' })
const PASSWORD_MESSAGE: FrontendMessage = Object.freeze({ kind: 'PasswordMessage' })
const COPY_DONE: FrontendMessage = Object.freeze({ kind: 'CopyDone' })
/** A list a message carries with no element (Parse's types, Bind's formats and values): shared, never written. */
const NONE: ReadonlyArray<never> = Object.freeze([])
const ONLY_0: ReadonlyArray<number> = Object.freeze([0])
const ONLY_1: ReadonlyArray<number> = Object.freeze([1])

// Each decoder reads its body (`bytes` from `start` to `end`) in place: a view per frame cost ~90 ns, and a driver's
// round trip is five frames.
function decodeTyped(code: number, bytes: Buffer, start: number, end: number, recentText?: RecentString): FrontendMessage {
  switch (code) {
    case FrontendCode.Query: return decodeQuery(bytes, start, end, recentText)
    case FrontendCode.Parse: return decodeParse(new BufferReader(bytes, 'Parse', start, end), recentText)
    case FrontendCode.Bind: return decodeBind(new BufferReader(bytes, 'Bind', start, end))
    case FrontendCode.Describe: return decodeTarget(new BufferReader(bytes, 'Describe', start, end), 'Describe')
    case FrontendCode.Close: return decodeTarget(new BufferReader(bytes, 'Close', start, end), 'Close')
    case FrontendCode.Execute: return decodeExecute(new BufferReader(bytes, 'Execute', start, end))
    case FrontendCode.Sync: return SYNC
    case FrontendCode.Flush: return FLUSH
    case FrontendCode.Terminate: return TERMINATE
    case FrontendCode.PasswordMessage: return PASSWORD_MESSAGE
    case FrontendCode.CopyData: return { kind: 'CopyData', data: bytes.subarray(start, end) }
    case FrontendCode.CopyDone: return COPY_DONE
    case FrontendCode.CopyFail: return { kind: 'CopyFail', message: new BufferReader(bytes, 'CopyFail', start, end).cstring() }
    default: throw fatalProtocolViolation(`invalid frontend message type ${code}`)
  }
}

function decodeQuery(bytes: Buffer, start: number, end: number, queryText?: RecentString): FrontendMessage {
  // Query is one cstring: the text must end at the terminator and be valid UTF-8. A pool's or a health check's text
  // comes again and again: the same bytes as last time give the same string, not decoded anew (~3% of a SELECT 1).
  if (end === start || bytes[end - 1] !== 0) throw protocolViolation('invalid string in Query message')
  const reader = new BufferReader(bytes, 'Query', start, end)
  const text = reader.cstring(queryText)
  if (reader.remainingByteCount !== 0) throw protocolViolation('invalid string in Query message')
  return { kind: 'Query', text }
}

function decodeParse(reader: BufferReader, parseText?: RecentString): FrontendMessage {
  const name = reader.cstring()
  const text = reader.cstring(parseText)
  const count = reader.int16()
  if (count < 0) throw protocolViolation('invalid Parse message format')
  let paramTypeOids: ReadonlyArray<number> = NONE
  if (count > 0) {
    const oids: number[] = []
    for (let i = 0; i < count; i++) oids.push(reader.int32() >>> 0)
    paramTypeOids = oids
  }
  reader.end()
  return { kind: 'Parse', name, text, paramTypeOids }
}

function decodeInt16List(reader: BufferReader, what: string): ReadonlyArray<number> {
  const count = reader.int16()
  if (count < 0) throw protocolViolation(`invalid ${what} count in Bind message`)
  if (count === 0) return NONE
  // One format for every column or parameter (a driver's all-text or all-binary Bind): a shared list.
  if (count === 1) {
    const value = reader.int16()
    return value === 0 ? ONLY_0 : value === 1 ? ONLY_1 : [value]
  }
  const values: number[] = []
  for (let i = 0; i < count; i++) values.push(reader.int16())
  return values
}

function decodeBind(reader: BufferReader): Bind {
  const portal = reader.cstring()
  const statement = reader.cstring()
  const paramFormats = decodeInt16List(reader, 'parameter format')
  const count = reader.int16()
  if (count < 0) throw protocolViolation('invalid parameter count in Bind message')
  const paramValues = count === 0 ? NONE : decodeParamValues(reader, count)
  const resultFormats = decodeInt16List(reader, 'result format')
  reader.end()
  return { kind: 'Bind', portal, statement, paramFormats, paramValues, resultFormats }
}

function decodeParamValues(reader: BufferReader, count: number): Array<Buffer | null> {
  const values: Array<Buffer | null> = []
  for (let i = 0; i < count; i++) {
    const length = reader.int32()
    if (length < -1) throw protocolViolation(`invalid length ${length} of parameter ${i + 1} in Bind message`)
    values.push(length === -1 ? null : reader.bytes(length))
  }
  return values
}

function decodeTarget(reader: BufferReader, kind: 'Describe' | 'Close'): FrontendMessage {
  const target = reader.byte()
  const name = reader.cstring()
  reader.end()
  if (target === 0x53 /* S */) return { kind, target: 'S', name }
  if (target === 0x50 /* P */) return { kind, target: 'P', name }
  throw protocolViolation(`invalid ${kind.toUpperCase()} message subtype ${target}`)
}

function decodeExecute(reader: BufferReader): FrontendMessage {
  const portal = reader.cstring()
  const maxRows = reader.int32()
  reader.end()
  // PostgreSQL treats maxRows <= 0 as "no limit".
  return { kind: 'Execute', portal, maxRows: maxRows > 0 ? maxRows : 0 }
}
