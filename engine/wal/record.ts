// engine/wal/record: the byte layout of one WAL record and its encode/decode. Knows nothing of files or payloads.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/wal.test.ts:
//   [u32 length][u32 crc32c][f64 lsn][u8 kind][u32 tableId][payload]   (little-endian)
// `length` counts the bytes after the crc (lsn + kind + tableId + payload); the crc covers exactly those bytes.
// Kinds 3 and 4 (the multi-record commit, commit-record.ts) came later: a WAL without them reads as before.
import { assert } from '../../src/common/assert.js'
import { asLsn, asTableId, type Lsn, type TableId } from '../../src/common/ids.js'
import { crc32c } from './crc32c.js'

export const WAL_RECORD_PREFIX_BYTES = 8
export const WAL_RECORD_HEADER_BYTES = WAL_RECORD_PREFIX_BYTES + 8 + 1 + 4
const BODY_FIXED_BYTES = WAL_RECORD_HEADER_BYTES - WAL_RECORD_PREFIX_BYTES

export type WalRecordKind = 'IngestRecord' | 'DeleteRecord' | 'PartRecord' | 'CommitRecord'
/** On-disk codes of record kinds. Append-only; pinned by wal.test.ts. */
export const WAL_RECORD_KIND_CODES: Readonly<Record<WalRecordKind, number>> = { IngestRecord: 1, DeleteRecord: 2, PartRecord: 3, CommitRecord: 4 }
const KINDS_BY_CODE: ReadonlyArray<WalRecordKind | undefined> = [undefined, 'IngestRecord', 'DeleteRecord', 'PartRecord', 'CommitRecord']

export interface WalRecord {
  readonly lsn: Lsn
  readonly kind: WalRecordKind
  readonly tableId: TableId
  /** A view into the segment's bytes; decode it before the segment buffer is released. */
  readonly payload: Uint8Array
}

export function encodeWalRecord(lsn: Lsn, kind: WalRecordKind, tableId: TableId, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(WAL_RECORD_HEADER_BYTES + payload.length)
  bytes.set(encodeWalRecordHeader(lsn, kind, tableId, payload))
  bytes.set(payload, WAL_RECORD_HEADER_BYTES)
  return bytes
}

/**
 * The record's header alone (what precedes `payload` on disk), its CRC continued over the payload in place: the
 * writer writes header and payload side by side, so a large payload is never copied into a record of its own.
 */
export function encodeWalRecordHeader(
  lsn: Lsn, kind: WalRecordKind, tableId: TableId, payload: Uint8Array, payloadPrefix?: Uint8Array,
): Uint8Array {
  // A prefix (a part's transaction id) is the payload's first bytes, returned with the header so the rest is not copied.
  const prefixBytes = payloadPrefix?.length ?? 0
  const header = new Uint8Array(WAL_RECORD_HEADER_BYTES + prefixBytes)
  if (payloadPrefix !== undefined) header.set(payloadPrefix, WAL_RECORD_HEADER_BYTES)
  const view = new DataView(header.buffer)
  view.setUint32(0, BODY_FIXED_BYTES + prefixBytes + payload.length, true)
  view.setFloat64(8, lsn, true)
  view.setUint8(16, WAL_RECORD_KIND_CODES[kind])
  view.setUint32(17, tableId, true)
  view.setUint32(4, crc32c(payload, 0, payload.length, crc32c(header, WAL_RECORD_PREFIX_BYTES)), true)
  return header
}

export type DecodeOutcome =
  | { readonly kind: 'record'; readonly record: WalRecord; readonly nextOffset: number }
  /** Not enough bytes, a bad length, a CRC mismatch or an unknown kind: the record at `offset` is unusable. */
  | { readonly kind: 'bad'; readonly reason: string; readonly lsnField: number | undefined }

function kindOfCode(code: number): WalRecordKind | undefined {
  return KINDS_BY_CODE[code]
}

/** Decodes the record at `offset` of `bytes`, verifying its length and CRC32C. */
export function decodeWalRecord(bytes: Uint8Array, offset: number): DecodeOutcome {
  assert(offset >= 0 && offset < bytes.length, `record offset ${offset} of ${bytes.length}`)
  const available = bytes.length - offset
  if (available < WAL_RECORD_HEADER_BYTES) return { kind: 'bad', reason: `${available} bytes left`, lsnField: undefined }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, available)
  const length = view.getUint32(0, true)
  const lsnField = view.getFloat64(8, true)
  if (length < BODY_FIXED_BYTES || length > available - WAL_RECORD_PREFIX_BYTES) {
    return { kind: 'bad', reason: `length ${length} with ${available} bytes left`, lsnField }
  }
  const end = offset + WAL_RECORD_PREFIX_BYTES + length
  const stored = view.getUint32(4, true)
  const computed = crc32c(bytes, offset + WAL_RECORD_PREFIX_BYTES, end)
  if (stored !== computed) return { kind: 'bad', reason: `crc ${stored} != ${computed}`, lsnField }
  const kind = kindOfCode(view.getUint8(16))
  const tableIdField = view.getUint32(17, true)
  if (kind === undefined || !Number.isSafeInteger(lsnField) || lsnField < 1 || tableIdField < 1) {
    return { kind: 'bad', reason: 'bad kind, lsn or table id', lsnField }
  }
  const payload = bytes.subarray(offset + WAL_RECORD_HEADER_BYTES, end)
  return { kind: 'record', record: { lsn: asLsn(lsnField), kind, tableId: asTableId(tableIdField), payload }, nextOffset: end }
}

/** Segment file names sort in creation order: 12-digit zero-padded sequence numbers. */
export function walSegmentName(sequence: number): string {
  assert(Number.isSafeInteger(sequence) && sequence > 0, `segment sequence ${sequence}`)
  return `${String(sequence).padStart(12, '0')}.wal`
}

export function parseWalSegmentName(name: string): number | undefined {
  const match = /^(\d{12})\.wal$/.exec(name)
  return match === null ? undefined : Number.parseInt(match[1]!, 10)
}
