// engine/bridge/frame-codec: msgpackr encoding of ring messages and WAL payloads. Typed arrays (Float64Array,
// BigInt64Array, Int32Array, Uint8Array, Uint16Array) round-trip as typed arrays ('moreTypes'), bigints as bigints.
// The encoding is written to disk (WAL payloads): options here are append-only; pinned by frame-codec.test.ts.
// A request carrying a large `payload` (a WAL record's bytes, sent to every core) is framed in two parts instead:
// DETACHED_MARK, u32 LE length of the msgpack header (the request with payload null), the header, zeros up to a
// multiple of 8 bytes, then the payload bytes as they are — so the control thread neither copies the payload into a
// msgpack frame per core nor allocates one, and the core reads it as a view of the frame, 8-byte aligned (the ring
// hands each message over in a buffer of its own), so a flat ingest payload decodes into views without a copy.
// (0xc1 is the one byte msgpack never uses.) A streamed scan batch's DataRow bytes (RowsPartial.encoded.bytes, ~1 MB
// for 4,096 wide rows) go back the same way: the core's bytes are written into the ring as they are, not copied into
// a msgpack frame first, and the control thread reads them as a view of the frame it reassembled, not a copy of it.
import { Packr, Unpackr } from 'msgpackr'
import { assert } from '../../src/common/assert.js'
import { CORE_REQUEST_KINDS, CORE_RESPONSE_KINDS, type CoreRequest, type CoreResponse } from './messages.js'
import type { RingMessage } from './spsc-ring.js'

const DETACHED_MARK = 0xc1
const DETACHED_PREFIX_BYTES = 5
/** Payloads below this are packed inline: a second part would cost more than the copy. */
const DETACHED_PAYLOAD_BYTES_MIN = 16 * 1024

// Records (structures) would make frames smaller but tie decoding to shared state; plain maps keep each frame
// self-describing, which the WAL needs. int64AsType 'bigint' keeps i64 filter values and vectors exact.
const OPTIONS = { useRecords: false, moreTypes: true, int64AsType: 'bigint' as const }

/** Per-thread instances: msgpackr keeps a scratch buffer in each, so none is shared across workers. */
export class FrameCodec {
  private readonly packr = new Packr(OPTIONS)
  private readonly unpackr = new Unpackr(OPTIONS)

  /** Encodes any plain value. The result is a fresh copy the caller owns. */
  encode(value: unknown): Uint8Array {
    const bytes = this.packr.pack(value)
    assert(bytes.length > 0, 'msgpack output is never empty')
    return bytes
  }

  /** Decodes bytes written by encode(); the result shares no memory with `bytes`. */
  decode(bytes: Uint8Array): unknown {
    return this.unpackr.unpack(bytes)
  }

  /** One frame, or the parts of a two-part frame (see the module header) for the ring to write side by side. */
  encodeRequest(request: CoreRequest): RingMessage {
    if (!('payload' in request) || request.payload.length < DETACHED_PAYLOAD_BYTES_MIN) return this.encode(request)
    return this.twoPartFrame({ ...request, payload: null }, request.payload)
  }

  /**
   * Frames come from our own encoder on the other end of the ring; a wrong kind is a bug, hence assert. The payload
   * of a two-part frame is a view of `bytes`.
   */
  decodeRequest(bytes: Uint8Array): CoreRequest {
    if (bytes[0] !== DETACHED_MARK) {
      const value = this.decode(bytes)
      assert(hasKind<CoreRequest>(value, CORE_REQUEST_KINDS), 'ring frame is not a CoreRequest')
      return value
    }
    const { header, payload } = this.twoPartsOf(bytes)
    assert(hasKind<CoreRequest>(header, CORE_REQUEST_KINDS) && 'payload' in header && header.payload === null,
      'two-part frame header is not a CoreRequest with a detached payload')
    return { ...header, payload }
  }

  /** One frame, or for a scan batch of many DataRow bytes the two parts (those bytes are not copied). */
  encodeResponse(response: CoreResponse): RingMessage {
    if (response.kind !== 'ScanBatchResponse') return this.encode(response)
    const encoded = response.partial.encoded
    if (encoded === undefined || encoded.bytes.length < DETACHED_PAYLOAD_BYTES_MIN) return this.encode(response)
    return this.twoPartFrame({ ...response, partial: { ...response.partial, encoded: { ...encoded, bytes: null } } }, encoded.bytes)
  }

  /** The response; a two-part scan batch's DataRow bytes are a view of `bytes`. */
  decodeResponse(bytes: Uint8Array): CoreResponse {
    if (bytes[0] !== DETACHED_MARK) {
      const value = this.decode(bytes)
      assert(hasKind<CoreResponse>(value, CORE_RESPONSE_KINDS), 'ring frame is not a CoreResponse')
      return value
    }
    const { header, payload } = this.twoPartsOf(bytes)
    assert(hasKind<CoreResponse>(header, CORE_RESPONSE_KINDS) && header.kind === 'ScanBatchResponse' &&
      header.partial.encoded !== undefined && (header.partial.encoded.bytes as Uint8Array | null) === null,
    'two-part frame header is not a ScanBatchResponse with detached DataRow bytes')
    return { ...header, partial: { ...header.partial, encoded: { ...header.partial.encoded, bytes: payload } } }
  }

  /** DETACHED_MARK, the header's length, the header (msgpack), zeros to a multiple of 8, the payload as it is. */
  private twoPartFrame(header: unknown, payload: Uint8Array): RingMessage {
    const headerBytes = this.encode(header)
    const headerEnd = DETACHED_PREFIX_BYTES + headerBytes.length
    const prefix = new Uint8Array(DETACHED_PREFIX_BYTES)
    prefix[0] = DETACHED_MARK
    new DataView(prefix.buffer).setUint32(1, headerBytes.length, true)
    const padding = alignedPayloadStart(headerEnd) - headerEnd
    return padding === 0 ? [prefix, headerBytes, payload] : [prefix, headerBytes, new Uint8Array(padding), payload]
  }

  /** A two-part frame's decoded header and its payload (a view of `bytes`). */
  private twoPartsOf(bytes: Uint8Array): { header: unknown; payload: Uint8Array } {
    assert(bytes.length >= DETACHED_PREFIX_BYTES, 'two-part frame shorter than its prefix')
    const headerEnd = DETACHED_PREFIX_BYTES + new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(1, true)
    assert(alignedPayloadStart(headerEnd) <= bytes.length, 'two-part frame header overruns the frame')
    return { header: this.decode(bytes.subarray(DETACHED_PREFIX_BYTES, headerEnd)), payload: bytes.subarray(alignedPayloadStart(headerEnd)) }
  }
}

/** Where a detached payload starts: the first multiple of 8 at or after the header's end. */
function alignedPayloadStart(headerEnd: number): number {
  return (headerEnd + 7) & ~7
}

function hasKind<T>(value: unknown, kinds: ReadonlySet<string>): value is T {
  return typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string' &&
    kinds.has(value.kind) && 'id' in value && typeof value.id === 'number'
}
